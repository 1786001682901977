// The feed at argv[2] as podcast-partytime (the Podcast Index's parser) reads it, as JSON.
const fs = require("fs");
const pt = require("podcast-partytime");
process.stdout.write(JSON.stringify(pt.parseFeed(fs.readFileSync(process.argv[2], "utf8"))));
