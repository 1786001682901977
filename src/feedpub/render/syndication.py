"""RSS 2.0 and Atom 1.0 documents, through feedgen, with none of its clock-based defaults.

feedgen builds the element trees; a few finishing touches then keep every feed free of the
W3C Feed Validation Service's errors and warnings (see `_finish_rss` and `_serialise`).
"""

from __future__ import annotations

import html
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]

from feedpub.model import Article, Author, Site
from feedpub.render.content import excerpt, sanitise
from feedpub.render.plan import Entry, Feed

RSS, ATOM = "rss.xml", "atom.xml"
MEDIA_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_UNSAFE_IN_CONTACT = set('()<>",;')


class Items:
    """Each article's RSS item and Atom entry, built once however many feeds it appears in;
    each feed gets copies of the finished elements."""

    def __init__(self) -> None:
        self._built: dict[str, tuple[etree._Element, etree._Element]] = {}

    def get(self, entry: Entry) -> tuple[etree._Element, etree._Element]:
        """The entry's RSS <item> and Atom <entry>, for a document to take copies of."""
        built = self._built.get(entry.id)
        if built is None:
            item = _item(entry)
            rss = item.rss_entry()
            _finish_rss_item(rss, entry.article)
            built = self._built[entry.id] = (rss, item.atom_entry())
        return built


def render(site: Site, feed: Feed, items: Items) -> dict[str, bytes]:
    """The feed's RSS and Atom files, keyed by their path under the output folder."""
    gen = FeedGenerator()
    gen.load_extension("dc", atom=False, rss=True)  # declares dc:, which RSS items may use
    gen.id(feed.id)
    gen.title(feed.title)
    gen.description(feed.description)
    gen.language(site.language)
    gen.generator("feedpub")
    gen.updated(feed.updated)
    gen.lastBuildDate(feed.updated)  # feedgen would otherwise stamp the build time
    if site.authors:
        gen.author([_person(a) for a in site.authors])
    built = [items.get(entry) for entry in feed.entries]
    files = {}
    for name in (RSS, ATOM):
        gen.link(
            [
                {"href": feed.url(site, name), "rel": "self", "type": MEDIA_TYPES[name]},
                # feedgen takes RSS <link> from the last link given
                {"href": site.link, "rel": "alternate", "type": "text/html"},
            ],
            replace=True,
        )
        if name == RSS:
            root, _ = gen._create_rss()
            _finish_rss_date(root[0].find("lastBuildDate"))
            root[0].extend(rss.__deepcopy__(None) for rss, _ in built)
        else:
            root, _ = gen._create_atom()
            root.extend(atom.__deepcopy__(None) for _, atom in built)
        path = f"{feed.folder}/{name}" if feed.folder else name
        files[path] = _serialise(root)
    return files


def _item(entry: Entry) -> FeedEntry:
    article = entry.article
    item = FeedEntry()
    item.id(entry.id)
    item.guid(entry.id, permalink=False)
    item.title(article.title)
    item.link(href=article.link, rel="alternate", type="text/html")
    item.published(article.published)
    item.updated(entry.updated)
    item.author([_person(a) for a in article.authors])
    body = sanitise(article.content, article.link) if article.content else ""
    # Atom wants a summary or content in every entry; the title stands in when there is neither.
    summary = article.summary or excerpt(body) or article.title
    # Readers treat RSS <description> as HTML, so plain text goes in escaped as HTML.
    item.summary(html.escape(summary, quote=False), type="html")
    if body:
        item.content(body, type="html")
    if article.tags:
        item.category([{"term": tag.name} for tag in article.tags])
    return item


def _rss_contact(article: Article) -> bool:
    """Whether RSS <author> can carry the authors: it holds one 'address (name)', no more."""
    if len(article.authors) != 1:
        return False
    author = article.authors[0]
    return bool(author.email) and not _UNSAFE_IN_CONTACT & set(author.name)


def _finish_rss_item(item: etree._Element, article: Article) -> None:
    """RSS <author> holds one 'address (name)': other authors go in dc:creator, never both."""
    _finish_rss_date(item.find("pubDate"))
    if not _rss_contact(article):
        for author in item.findall("author"):
            item.remove(author)
        for author in article.authors:
            etree.SubElement(item, _DC_CREATOR).text = author.name


def _finish_rss_date(date: etree._Element) -> None:
    """RSS dates in GMT: validators flag offsets such as +0545, which RFC 822 has no form for."""
    date.text = format_datetime(parsedate_to_datetime(date.text).astimezone(UTC), usegmt=True)


def _serialise(root: etree._Element) -> bytes:
    """The document, each namespace declared once at the root, with '&' and '<' in text
    written as hexadecimal references: the same characters to any XML parser, and the form
    validators accept in plain-text fields without suspecting escaped HTML."""
    etree.cleanup_namespaces(root)
    data: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")


def _person(author: Author) -> dict[str, str]:
    fields = {"name": author.name, "email": author.email, "uri": author.uri}
    return {k: v for k, v in fields.items() if v}
