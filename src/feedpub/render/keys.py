"""A key for each feed that names every input of its files' bytes: the same key, the same
bytes, so a build whose last build left a feed's files under the same key need not render
them again.

Why the key covers every input: a feed's files are `syndication.render(site, feed,
fragments, shows=shows)`, `jsonfeed.render(site, feed, items)` and its page
`index_page.pages` (from the site, the feed and, for an archive page, the feed it belongs
to, whose value without entries is in the key too), where each entry's fragment and item
are made from the entry alone (its article, ids, date, form and language),
`texts(entry.article)` and whether there are `shows`. Those functions read no
clock, file or other feed. Everything that depends on the moment or on other articles (the
feed's `updated`, which entries it holds and in what order, archive links, an entry's
de-tied date) is decided by `plan.feeds` and held in the `Feed` and `Entry` values. The key
is a SHA-256 over the `repr` of the site, the shows, the feed without its entries and each
entry in order: these are frozen dataclasses of strings, numbers, datetimes and tuples,
whose `repr` names every field and value unambiguously. feedpub's own code and the
libraries that render are not in the key: a state made by another version is not used
(see `publish.state`). With `site.max_bytes`, which entries a feed holds depends on the
rendered bytes of every entry it could hold, so such sites are always rendered whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from feedpub.model import Site
from feedpub.render.plan import Entry, Feed
from feedpub.render.podcast import Shows


def feed_keys(site: Site, shows: Shows, feeds: Sequence[Feed]) -> dict[str, str]:
    """Each feed's folder → its key."""
    context = repr((site, sorted(shows.items()))).encode()
    entries: dict[int, bytes] = {}  # one digest per entry, however many feeds hold it

    def digest(entry: Entry) -> bytes:
        found = entries.get(id(entry))
        if found is None:
            found = entries[id(entry)] = hashlib.sha256(repr(entry).encode()).digest()
        return found

    homes = {feed.folder: feed for feed in feeds if feed.current is None}
    keys = {}
    for feed in feeds:
        key = hashlib.sha256(context)
        key.update(repr(replace(feed, entries=())).encode())
        if feed.current is not None:
            key.update(repr(replace(homes[feed.current], entries=())).encode())
        for entry in feed.entries:
            key.update(digest(entry))
        keys[feed.folder] = key.hexdigest()
    return keys
