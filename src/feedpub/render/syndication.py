"""RSS 2.0 and Atom 1.0 documents, through feedgen, with none of its clock-based defaults.

feedgen builds the element trees; a few finishing touches then keep every feed free of the
W3C Feed Validation Service's errors and warnings (see `_finish_rss` and `_serialise`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]

from feedpub.model import Article, Author, Site
from feedpub.render.content import Texts
from feedpub.render.plan import Entry, Feed

RSS, ATOM = "rss.xml", "atom.xml"
STYLESHEET = "feed.xsl"
MEDIA_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
_HISTORY = "http://purl.org/syndication/history/1.0"
_ARCHIVE = f"{{{_HISTORY}}}archive"
"""RFC 5005's mark of an archive page, whose entries will not change."""
_UNSAFE_IN_CONTACT = set('()<>",;')


class Items:
    """Each article's RSS item and Atom entry, built once however many feeds it appears in;
    each feed gets copies of the finished elements."""

    def __init__(self, texts: Callable[[Entry], Texts]) -> None:
        self._texts = texts
        self._built: dict[str, tuple[etree._Element, etree._Element]] = {}

    def get(self, entry: Entry) -> tuple[etree._Element, etree._Element]:
        """The entry's RSS <item> and Atom <entry>, for a document to take copies of."""
        built = self._built.get(entry.id)
        if built is None:
            item = _item(entry, self._texts(entry))
            rss, atom = item.rss_entry(), item.atom_entry()
            _finish_rss_item(rss, entry.article)
            _finish_atom_entry(atom, entry.article)
            built = self._built[entry.id] = (rss, atom)
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
        extra = _links(site, feed, name)
        gen.link(
            [
                {"href": feed.url(site, name), "rel": "self", "type": MEDIA_TYPES[name]},
                *extra,
                # feedgen takes RSS <link> from the last link given
                {"href": site.link, "rel": "alternate", "type": "text/html"},
            ],
            replace=True,
        )
        if name == RSS:
            root, _ = gen._create_rss()
            _finish_rss_date(root[0].find("lastBuildDate"))
            own = root[0].find(_ATOM_LINK)
            for link in reversed(extra):  # feedgen writes only the self link of RSS's atom:links
                own.addnext(etree.Element(_ATOM_LINK, **link))
            if feed.current is not None:
                root = _declare(root, "fh", _HISTORY)
                etree.SubElement(root[0], _ARCHIVE)
            root[0].extend(rss.__deepcopy__(None) for rss, _ in built)
        else:
            root, _ = gen._create_atom()
            if feed.current is not None:
                root = _declare(root, "fh", _HISTORY)
                etree.SubElement(root, _ARCHIVE)
            root.extend(atom.__deepcopy__(None) for _, atom in built)
        path = f"{feed.folder}/{name}" if feed.folder else name
        files[path] = _serialise(root, _stylesheet(path))
    return files


def _links(site: Site, feed: Feed, name: str) -> list[dict[str, str]]:
    """The hub, and RFC 5005's links between a feed and its archive pages."""
    links = [{"href": site.websub_hub, "rel": "hub"}] if site.websub_hub else []
    for rel, folder in (("current", feed.current), ("prev-archive", feed.prev_archive)):
        if folder is not None:
            links.append({"href": feed.url(site, name, folder), "rel": rel, "type": MEDIA_TYPES[name]})
    return links


def _declare(root: etree._Element, prefix: str, uri: str) -> etree._Element:
    """`root` remade with `prefix` declared on it, so that it is declared once, at the top
    (lxml cannot add a namespace declaration to an element it has made)."""
    remade = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={**root.nsmap, prefix: uri})
    remade.text = root.text
    remade.extend(list(root))
    return remade


def _item(entry: Entry, shown: Texts) -> FeedEntry:
    article = entry.article
    item = FeedEntry()
    item.id(entry.id)
    item.guid(entry.id, permalink=False)
    item.title(article.title)
    item.link(href=article.link, rel="alternate", type="text/html")
    item.published(article.published)
    item.updated(entry.updated)
    item.author([_person(a) for a in article.authors])
    # Readers treat RSS <description> as HTML, so plain text goes in escaped as HTML.
    item.summary(html.escape(shown.summary, quote=False), type="html")
    if shown.body:
        item.content(shown.body, type="html")
    if article.tags:
        item.category([{"term": tag.name} for tag in article.tags])
    for enclosure in article.enclosures:
        item.link(href=enclosure.url, rel="enclosure", type=enclosure.type, length=str(enclosure.length))
    return item


def _rss_contact(article: Article) -> bool:
    """Whether RSS <author> can carry the authors: it holds one 'address (name)', no more."""
    if len(article.authors) != 1:
        return False
    author = article.authors[0]
    return bool(author.email) and not _UNSAFE_IN_CONTACT & set(author.name)


def _finish_rss_item(item: etree._Element, article: Article) -> None:
    """RSS <author> holds one 'address (name)': other authors go in dc:creator, never both.
    RSS allows one enclosure: the article's first (feedgen would take the last)."""
    _finish_rss_date(item.find("pubDate"))
    for enclosure in item.findall("enclosure"):
        item.remove(enclosure)
    if article.enclosures:
        first = article.enclosures[0]
        etree.SubElement(item, "enclosure", url=first.url, length=str(first.length), type=first.type)
    if not _rss_contact(article):
        for author in item.findall("author"):
            item.remove(author)
        for author in article.authors:
            etree.SubElement(item, _DC_CREATOR).text = author.name


def _finish_atom_entry(entry: etree._Element, article: Article) -> None:
    """Entry links with their attributes, which feedgen 1.0 drops (an enclosure would pass
    for a second alternate link). feedgen's Atom elements take the document's default
    namespace, so they are looked for and made without one."""
    links = entry.findall("link")
    at = entry.index(links[0])
    for link in links:
        entry.remove(link)
    made = [etree.Element("link", href=article.link, rel="alternate", type="text/html")]
    made += [
        etree.Element("link", href=e.url, rel="enclosure", type=e.type, length=str(e.length))
        for e in article.enclosures
    ]
    for offset, link in enumerate(made):
        entry.insert(at + offset, link)


def _finish_rss_date(date: etree._Element) -> None:
    """RSS dates in GMT: validators flag offsets such as +0545, which RFC 822 has no form for."""
    date.text = format_datetime(parsedate_to_datetime(date.text).astimezone(UTC), usegmt=True)


def _stylesheet(path: str) -> str:
    """The address of feed.xsl relative to the feed at `path`: relative, so that the feeds
    show styled wherever the folder is served from."""
    return "../" * path.count("/") + STYLESHEET


def _serialise(root: etree._Element, stylesheet: str) -> bytes:
    """The document, led by the processing instruction that has browsers show it through
    `stylesheet`, each namespace declared once at the root, with '&' and '<' in text written
    as hexadecimal references: the same characters to any XML parser, and the form
    validators accept in plain-text fields without suspecting escaped HTML."""
    etree.cleanup_namespaces(root)
    root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"'))
    data: bytes = etree.tostring(
        root.getroottree(), pretty_print=True, xml_declaration=True, encoding="UTF-8"
    )
    return data.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")


def _person(author: Author) -> dict[str, str]:
    fields = {"name": author.name, "email": author.email, "uri": author.uri}
    return {k: v for k, v in fields.items() if v}
