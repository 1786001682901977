"""The script a competent user would write instead of feedpub: load the YAML, write the site
and tag feeds with feedgen, validate nothing. `python bench/baseline.py CATALOGUE OUT [--c-loader]`."""

import sys
from collections import defaultdict
from datetime import UTC, datetime, time
from pathlib import Path

import yaml
from feedgen.feed import FeedGenerator

catalogue, out = sys.argv[1], Path(sys.argv[2])
loader = yaml.CSafeLoader if "--c-loader" in sys.argv else yaml.SafeLoader
data = yaml.load(Path(catalogue).read_text(encoding="utf-8"), Loader=loader)
site = data["site"]


def aware(value):
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo else value.replace(tzinfo=UTC)


articles = sorted(
    (a for a in data["articles"] if not a.get("draft")), key=lambda a: aware(a["published"]), reverse=True
)
feeds = defaultdict(list, {"": articles})
for article in articles:
    for tag in article.get("tags", []):
        feeds[f"tags/{tag.lower().replace(' ', '-')}/"].append(article)

for folder, entries in feeds.items():
    fg = FeedGenerator()
    fg.id(site["feed_url"] + folder)
    fg.title(site["title"] + (f" — {folder[5:-1]}" if folder else ""))
    fg.link(href=site["link"], rel="alternate")
    fg.description(site["description"])
    for article in entries[:50]:
        fe = fg.add_entry(order="append")
        fe.id(article["link"])
        fe.title(article["title"])
        fe.link(href=article["link"])
        fe.published(aware(article["published"]))
        fe.summary(article.get("summary"))
        if article.get("content"):
            fe.content(article["content"], type="html")
    (out / folder).mkdir(parents=True, exist_ok=True)
    fg.rss_file(str(out / folder / "rss.xml"), pretty=True)
    fg.atom_file(str(out / folder / "atom.xml"), pretty=True)
