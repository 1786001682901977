"""RSS 2.0 and Atom 1.0 documents, through feedgen, with none of its clock-based defaults.

feedgen builds the element trees; a few finishing touches then keep every feed free of the
W3C Feed Validation Service's errors and warnings (see `_finish_rss` and `_serialise`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.media import MEDIA_NS
from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]

from feedpub.layout import ATOM, RSS, STYLESHEET
from feedpub.model import Article, Author, Image, Site
from feedpub.parallel import pickled_by_value
from feedpub.render import podcast
from feedpub.render.content import Texts
from feedpub.render.plan import Entry, Feed

MEDIA_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
_FEEDGEN_RSS_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": MEDIA_NS,
}
"""The prefixes feedgen declares on an RSS document (with the dc and media extensions loaded)."""
_ATOM_NAMESPACES = {None: _FEEDGEN_RSS_NAMESPACES["atom"], "media": MEDIA_NS}
"""What feedgen declares on an Atom document (with the media extension loaded)."""
_DC_CREATOR = f"{{{_FEEDGEN_RSS_NAMESPACES['dc']}}}creator"
_MEDIA_CONTENT = f"{{{MEDIA_NS}}}content"
_MEDIA_TITLE = f"{{{MEDIA_NS}}}title"
_IMAGE_URL = re.compile(r"[^?#]*\.(?:jpe?g|gif|png)|[^?#]*/[^./?#]*", re.IGNORECASE)
"""The image addresses the W3C validator accepts in an RSS <image>: a JPEG, GIF or PNG file,
or an address whose last segment names no format (it warns of any other extension)."""
_DC_LANGUAGE = f"{{{_FEEDGEN_RSS_NAMESPACES['dc']}}}language"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ATOM_LINK = f"{{{_FEEDGEN_RSS_NAMESPACES['atom']}}}link"
_HISTORY = "http://purl.org/syndication/history/1.0"
_ARCHIVE = f"{{{_HISTORY}}}archive"
"""RFC 5005's mark of an archive page, whose entries will not change."""
_UNSAFE_IN_CONTACT = set('()<>",;')

_LOOKS_LIKE_HTML = re.compile(r"</\w+>|&#?\w+;")
"""What has readers that guess whether an RSS title is HTML (feedparser, for one) take it for
HTML: an end tag, or an entity or character reference such as '&amp;'."""

_TAG_WITH_REFERENCE = re.compile(rb"<[^>]*&#x26;[^>]*>")
"""A tag with '&' in an attribute, as `_serialise` first writes it: lxml writes '<' and '>'
in text and attributes as references, so every '<' starts a tag and the next '>' ends it."""

_RSS_END = b"  </channel>\n</rss>\n"
_ATOM_END = b"</feed>\n"


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Fragments:
    """An entry as it stands in every document that holds it, serialised once: its RSS
    <item> and its Atom <entry>, indented for their place, ready to be spliced in."""

    rss: bytes
    atom: bytes
    rss_prefixes: frozenset[str]
    """The namespace prefixes the item uses, which its documents must declare."""
    atom_prefixes: frozenset[str]
    """The same of the Atom entry."""
    episode: bytes = b""
    """What the RSS item holds besides in the feeds of a podcast (see `podcast.item`)."""


def fragments(entry: Entry, shown: Texts, episodes: bool = False) -> Fragments:
    """The entry's fragments; with `episodes` (the catalogue has a podcast), its RSS item's
    elements as a podcast's episode too."""
    item = _item(entry, shown)
    rss, atom = item.rss_entry(), item.atom_entry()
    atom.find("id").text = entry.atom_id
    _finish_rss_item(rss, entry.article)
    _finish_atom_entry(atom, entry.article)
    if entry.language:
        # RSS 2.0 gives only the channel a language; Dublin Core's element is what readers know
        etree.SubElement(rss, _DC_LANGUAGE).text = entry.language
        atom.set(_XML_LANG, entry.language)
    for element in (rss, atom):
        _name_image(element, entry.article.image)
    channel = etree.SubElement(etree.Element("rss", nsmap=_FEEDGEN_RSS_NAMESPACES), "channel")
    feed = etree.Element("feed", nsmap=_ATOM_NAMESPACES)
    return Fragments(
        _placed(channel, rss, _RSS_END),
        _placed(feed, atom, _ATOM_END),
        _prefixes(rss, _FEEDGEN_RSS_NAMESPACES),
        _prefixes(atom, _ATOM_NAMESPACES),
        _episode(entry) if episodes else b"",
    )


def _episode(entry: Entry) -> bytes:
    """The article's elements as a podcast's episode, serialised as an RSS item's children."""
    elements = podcast.episode(entry.article)
    if not elements:
        return b""
    item = etree.Element("item")
    item.extend(elements)
    channel = etree.SubElement(etree.Element("rss", nsmap=podcast.NAMESPACES), "channel")
    placed = _placed(channel, item, _RSS_END)
    return placed[placed.index(b"\n") + 1 : -len(podcast.ITEM_END)]


def _prefixes(element: etree._Element, declared: Mapping[Any, str]) -> frozenset[str]:
    # lxml finds an element of a namespace ('{uri}*') without a Python step per element
    return frozenset(
        prefix
        for prefix, uri in declared.items()
        if prefix and next(element.iter(f"{{{uri}}}*"), None) is not None
    )


PREFIXES = frozenset(p for p in (*_FEEDGEN_RSS_NAMESPACES, *_ATOM_NAMESPACES) if p)
"""Every prefix an entry may use: declared all, they make a document's longest root."""


def _placed(parent: etree._Element, element: etree._Element, end: bytes) -> bytes:
    """`element` as `_serialise` writes it as the only child of `parent`, in a document that
    ends with `end`: the bytes between the parent's start tag and `end`."""
    parent.append(element)
    data = _serialise(parent.getroottree().getroot())
    start = data.index(b">\n", data.index(b"<" + parent.tag.encode())) + 2
    return data[start : -len(end)]


def render(
    site: Site,
    feed: Feed,
    fragments: Mapping[tuple[str, bool], Fragments],
    declared: frozenset[str] = frozenset(),
    shows: podcast.Shows | None = None,
) -> dict[str, bytes]:
    """The feed's RSS and Atom files, keyed by their path under the output folder; the root
    declares the prefixes its entries use, and those `declared`. The RSS is a podcast's where
    the feed is one of `shows`, or the site has a podcast (see `podcast.show`)."""
    gen = FeedGenerator()
    show, given = podcast.show(site, shows or {}, feed)
    if show:
        podcast.describe(gen, site, show, given)
    gen.load_extension("dc", atom=False, rss=True)  # declares dc:, which RSS items may use
    gen.load_extension("media")  # declares media:, which items and entries may use
    gen.id(feed.id)
    gen.title(feed.title)
    gen.description(feed.description)
    gen.language(feed.language or site.language)
    gen.generator("feedpub")
    gen.updated(feed.updated)
    gen.lastBuildDate(feed.updated)  # feedgen would otherwise stamp the build time
    if site.authors:
        gen.author([_person(a) for a in site.authors])
    held = [fragments[entry.key] for entry in feed.entries]
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
            root[0].find("title").text = _rss_title(feed.title)
            # readers take the channel's description for HTML, as they do an item's
            root[0].find("description").text = html.escape(feed.description, quote=False)
            root[0].find("lastBuildDate").text = _rss_date(feed.updated)
            _rss_image(root[0], site, feed)
            own = root[0].find(_ATOM_LINK)
            for link in reversed(extra):  # feedgen writes only the self link of RSS's atom:links
                own.addnext(etree.Element(_ATOM_LINK, **link))
            if feed.current is not None:
                root = _declare(root, "fh", _HISTORY)
                etree.SubElement(root[0], _ARCHIVE)
            used = declared.union(*(f.rss_prefixes for f in held))
            entries, end = [f.rss for f in held], _RSS_END
            if show:
                root = podcast.finish(_declare(root, "podcast", podcast.PODCAST), site, feed, show, given)
                used |= podcast.NAMESPACES.keys()
                entries = [
                    podcast.item(f.rss, f.episode, e.article, show)
                    for f, e in zip(held, feed.entries, strict=True)
                ]
        else:
            root, _ = gen._create_atom()
            # feedgen's logo() would make an RSS <image> too, titled otherwise than the channel
            for element, url in (("icon", feed.icon), ("logo", feed.logo)):
                if url:
                    etree.SubElement(root, element).text = url
            if feed.current is not None:
                root = _declare(root, "fh", _HISTORY)
                etree.SubElement(root, _ARCHIVE)
            used = declared.union(*(f.atom_prefixes for f in held))
            entries, end = [f.atom for f in held], _ATOM_END
        path = feed.path(name)
        document = _serialise(root, _stylesheet(path), keep=sorted(used))
        files[path] = b"".join([document[: -len(end)], *entries, end])
    return files


def _rss_image(channel: etree._Element, site: Site, feed: Feed) -> None:
    """RSS's <image>: the logo, else the icon, where the W3C validator takes its address for
    an image's (see _IMAGE_URL), titled and linked as the channel is, as it asks."""
    url = next((u for u in (feed.logo, feed.icon) if u and _IMAGE_URL.fullmatch(u)), None)
    if url:
        image = etree.SubElement(channel, "image")
        etree.SubElement(image, "url").text = url
        etree.SubElement(image, "title").text = channel.find("title").text
        etree.SubElement(image, "link").text = site.link


def _links(site: Site, feed: Feed, name: str) -> list[dict[str, str]]:
    """The hub, and RFC 5005's links between a feed and its archive pages."""
    links = [{"href": site.websub_hub, "rel": "hub"}] if site.websub_hub else []
    for rel, folder in (
        ("current", feed.current),
        ("prev-archive", feed.prev_archive),
        ("next-archive", feed.next_archive),
    ):
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
    # a guid that is the article's own address was a permalink in the old feed, as RSS's default
    # (feedgen's guid() sets the Atom id as well: `fragments` puts entry.atom_id there)
    item.guid(entry.id, permalink=entry.id == article.link)
    item.title(article.title)
    item.link(href=article.link, rel="alternate", type="text/html")
    item.published(article.published)
    item.updated(entry.updated)
    item.author([_person(a) for a in article.authors])
    # Readers treat RSS <description> as HTML, so plain text goes in escaped as HTML.
    item.summary(html.escape(shown.summary, quote=False), type="html")
    if shown.body and entry.full:
        item.content(shown.body, type="html")
    if article.tags:
        item.category([{"term": tag.name} for tag in article.tags])
    for enclosure in article.enclosures:
        item.link(href=enclosure.url, rel="enclosure", type=enclosure.type, length=str(enclosure.length))
    if article.image:
        image = article.image
        size = {
            name: str(value) for name, value in (("width", image.width), ("height", image.height)) if value
        }
        item.load_extension("media")
        # group=None: a <media:group> of one is what the W3C validator warns of
        item.media.content({"url": image.url, "medium": "image", **size}, group=None)
        item.media.thumbnail({"url": image.url, **size}, group=None)
    return item


def _name_image(element: etree._Element, image: Image | None) -> None:
    """The image's alt text as the <media:title> of its <media:content> (feedgen has no
    field for it). Not <media:description>: feedparser, and the readers built on it, take
    that for the entry's own description, and would show the alt text as the article."""
    if image and image.alt:
        content = element.find(_MEDIA_CONTENT)
        etree.SubElement(content, _MEDIA_TITLE, type="plain").text = image.alt


def _rss_title(text: str) -> str:
    """Plain `text` as an RSS <title> holds it, so that every reader shows it as written: as
    it is, which readers that take titles for plain text show as it is; but text that readers
    which guess would take for HTML (see _LOOKS_LIKE_HTML) escaped for HTML, which they then
    show as written, and which is markup to no reader."""
    return html.escape(text, quote=False) if _LOOKS_LIKE_HTML.search(text) else text


def _rss_contact(article: Article) -> bool:
    """Whether RSS <author> can carry the authors: it holds one 'address (name)', no more."""
    if len(article.authors) != 1:
        return False
    author = article.authors[0]
    return bool(author.email) and not _UNSAFE_IN_CONTACT & set(author.name)


def _finish_rss_item(item: etree._Element, article: Article) -> None:
    """The title as `_rss_title` writes it. RSS <author> holds one 'address (name)': other
    authors go in dc:creator, never both. RSS allows one enclosure: the article's first
    (feedgen would take the last)."""
    item.find("title").text = _rss_title(article.title)
    item.find("pubDate").text = _rss_date(article.published)
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


def _rss_date(moment: datetime) -> str:
    """RSS dates in GMT: validators flag offsets such as +0545, which RFC 822 has no form for."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _stylesheet(path: str) -> str:
    """The address of feed.xsl relative to the feed at `path`: relative, so that the feeds
    show styled wherever the folder is served from."""
    return "../" * path.count("/") + STYLESHEET


def _serialise(root: etree._Element, stylesheet: str | None = None, keep: list[str] | None = None) -> bytes:
    """The document, led by the processing instruction that has browsers show it through
    `stylesheet`, each namespace declared once at the root (also those of `keep`, which
    entries spliced in later use), with '&' and '<' in text written as hexadecimal
    references: the same characters to any XML parser, and the form validators accept in
    plain-text fields without suspecting escaped HTML ('&' in attributes stays '&amp;')."""
    etree.cleanup_namespaces(root, keep_ns_prefixes=keep)
    if stylesheet:
        root.addprevious(
            etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"')
        )
    data: bytes = etree.tostring(
        root.getroottree(), pretty_print=True, xml_declaration=stylesheet is not None, encoding="UTF-8"
    )
    data = data.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    # but '&amp;' in attributes (addresses, categories): parsers that podcast apps use (the
    # Podcast Index's) decode no character reference there, and would read '&#x26;'
    return _TAG_WITH_REFERENCE.sub(lambda tag: tag[0].replace(b"&#x26;", b"&amp;"), data)


def _person(author: Author) -> dict[str, str]:
    fields = {"name": author.name, "email": author.email, "uri": author.uri}
    return {k: v for k, v in fields.items() if v}
