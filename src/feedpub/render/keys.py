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
whose `repr` names every field and value unambiguously. An entry's article is named, rather
than by its `repr` (the costliest part), by the digests of the lines it was read from and of
the text before the first article, which determine it (see `rereading`), where the reading
gives them. feedpub's own code and the
libraries that render are not in the key: a state made by another version is not used
(see `publish.state`). With `site.max_bytes`, which entries a feed holds depends on the
rendered bytes of every entry it could hold, so such sites are always rendered whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING

from feedpub.model import Article, Catalogue
from feedpub.render.plan import Entry, Feed
from feedpub.render.podcast import Shows

if TYPE_CHECKING:
    from feedpub.rereading import Known

_ENTRY_FIELDS = tuple(field.name for field in fields(Entry) if field.name != "article")


def feed_keys(
    catalogue: Catalogue, shows: Shows, feeds: Sequence[Feed], read: Known | None = None
) -> dict[str, str]:
    """Each feed's folder → its key. Where `read` (what reading `catalogue` left: see
    `rereading`) gives the digests an article was read from, the key names the article by
    them; any other article, by its `repr`."""
    context = repr((catalogue.site, sorted(shows.items()))).encode()
    parts: dict[str, tuple[Article, bytes]] = {}
    if read is not None and len(read.articles) == len(catalogue.articles):
        context += read.context
        pairs = zip(catalogue.articles, read.articles.items(), strict=True)
        # not an article the rules across articles changed (a tag named as another article
        # first spelt it), whose value its lines alone do not determine
        parts = {article.id: (article, part) for article, (part, (kept, _)) in pairs if article is kept}
    entries: dict[int, bytes] = {}  # one digest per entry, however many feeds hold it

    def digest(entry: Entry) -> bytes:
        found = entries.get(id(entry))
        if found is None:
            article, part = parts.get(entry.article.id, (None, b""))
            known = part if article is entry.article else repr(entry.article).encode()
            rest = repr([getattr(entry, name) for name in _ENTRY_FIELDS]).encode()
            found = entries[id(entry)] = hashlib.sha256(known + rest).digest()
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
