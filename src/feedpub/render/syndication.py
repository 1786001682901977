"""RSS 2.0 and Atom 1.0 documents, through feedgen, with none of its clock-based defaults."""

from __future__ import annotations

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from feedpub.model import Author, Site
from feedpub.render.content import sanitise
from feedpub.render.plan import Entry, Feed

RSS, ATOM = "rss.xml", "atom.xml"
MEDIA_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}


class Items:
    """Each article's feedgen entry, built once however many feeds it appears in."""

    def __init__(self) -> None:
        self._built: dict[str, FeedEntry] = {}

    def get(self, entry: Entry) -> FeedEntry:
        item = self._built.get(entry.id)
        if item is None:
            item = self._built[entry.id] = _item(entry)
        return item


def render(site: Site, feed: Feed, items: Items) -> dict[str, bytes]:
    """The feed's RSS and Atom files, keyed by their path under the output folder."""
    gen = FeedGenerator()
    gen.load_extension("dc", atom=False, rss=True)
    gen.id(feed.id)
    gen.title(feed.title)
    gen.description(feed.description)
    gen.language(site.language)
    gen.generator("feedpub")
    gen.updated(feed.updated)
    gen.lastBuildDate(feed.updated)  # feedgen would otherwise stamp the build time
    if site.authors:
        gen.author([_person(a) for a in site.authors])
    for entry in feed.entries:
        gen.add_entry(items.get(entry), order="append")
    files = {}
    for name, serialise in ((RSS, gen.rss_str), (ATOM, gen.atom_str)):
        gen.link(
            [
                {"href": feed.url(site, name), "rel": "self", "type": MEDIA_TYPES[name]},
                # feedgen takes RSS <link> from the last link given
                {"href": site.link, "rel": "alternate", "type": "text/html"},
            ],
            replace=True,
        )
        path = f"{feed.folder}/{name}" if feed.folder else name
        files[path] = serialise(pretty=True)
    return files


def _item(entry: Entry) -> FeedEntry:
    article = entry.article
    item = FeedEntry()
    item.load_extension("dc", atom=False, rss=True)
    item.id(entry.id)
    item.guid(entry.id, permalink=False)
    item.title(article.title)
    item.link(href=article.link, rel="alternate", type="text/html")
    item.published(article.published)
    item.updated(entry.updated)
    item.author([_person(a) for a in article.authors])
    # RSS <author> must be an e-mail address; names without one go in dc:creator.
    nameless = [a.name for a in article.authors if not a.email]
    if nameless:
        item.dc.dc_creator(nameless)
    if article.summary:
        item.summary(article.summary)
    if article.content:
        html = sanitise(article.content, article.link)
        if html:
            item.content(html, type="html")
    if article.tags:
        item.category([{"term": tag.name} for tag in article.tags])
    return item


def _person(author: Author) -> dict[str, str]:
    fields = {"name": author.name, "email": author.email, "uri": author.uri}
    return {k: v for k, v in fields.items() if v}
