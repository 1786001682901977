"""What a fetched document is, and the links a reader or a crawler follows out of it: an OPML
list's feeds, an HTML page's `<link rel="alternate">` feeds (and its links to feeds, OPML
lists and, typed `text/html`, other pages such as the feeds' own), and a feed's links to
other feeds (RFC 5005's archive pages, `self`, `current`) and its stylesheet; a feed's
WebSub hubs are named, never fetched."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from feedpub.verify.answers import address
from feedpub.verify.common import ATOM

A = f"{{{ATOM}}}"
XSL = "{http://www.w3.org/1999/XSL/Transform}"
FEED_TYPES = frozenset(
    ("application/atom+xml", "application/rss+xml", "application/feed+json", "application/json")
)
OPML_TYPES = frozenset(("text/x-opml",))
PAGE_TYPE = "text/html"
BETWEEN_FEEDS = frozenset(
    ("self", "current", "prev-archive", "next-archive", "first", "last", "next", "previous", "prev")
)
"""Link relations from a feed to another page of itself (RFC 5005, RFC 8288's registry)."""
_STYLESHEET = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_JSONFEED = "https://jsonfeed.org/version/"


class Kind(StrEnum):
    ATOM = "an Atom feed"
    RSS = "an RSS feed"
    JSON = "a JSON Feed"
    OPML = "an OPML list"
    PAGE = "an HTML page"
    STYLESHEET = "an XSLT stylesheet"

    @property
    def is_feed(self) -> bool:
        return self in (Kind.ATOM, Kind.RSS, Kind.JSON)


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    """Absolute, without its fragment."""
    rel: str
    """How it is linked: a link relation, 'xmlUrl', 'stylesheet' or 'a'."""
    expected: Kind | None
    """What the link says is there (None: a feed of any format)."""


@dataclass(slots=True)
class Document:
    kind: Kind | None
    """None: not a document of any kind feedpub publishes (or not well-formed)."""
    links: list[Link] = field(default_factory=list)
    """Links to follow on the site."""
    selves: list[str] = field(default_factory=list)
    """Where the document says it is published."""
    hubs: list[str] = field(default_factory=list)
    """WebSub hubs, named and never fetched."""
    root: etree._Element | None = None
    """A feed's parsed XML, which its checks read rather than parse it again."""


def read(body: bytes, url: str) -> Document:
    """What `body`, fetched from `url`, is, and where it links."""
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return _json(start, url)
    head = start[:1024].lower()
    if not start.startswith(b"<"):
        return Document(None)
    if b"<!doctype html" in head or (b"<html" in head and b"<?xml" not in head):
        return _page(body, url)
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return Document(None)
    if root.tag == f"{A}feed":
        return _feed(Kind.ATOM, root, root.findall(f"{A}link"), url)
    if root.tag == "rss":
        return _feed(Kind.RSS, root, root.findall(f"channel/{A}link"), url)
    if root.tag == "opml":
        links = [Link(_absolute(url, o.get("xmlUrl")), "xmlUrl", None) for o in root.iter("outline")]
        return Document(Kind.OPML, [link for link in links if link.url])
    if root.tag in (f"{XSL}stylesheet", f"{XSL}transform"):
        return Document(Kind.STYLESHEET)
    if root.tag in ("html", "{http://www.w3.org/1999/xhtml}html"):
        return _page(body, url)
    return Document(None)


def _absolute(base: str, href: str | None) -> str:
    return address(urljoin(base, href.strip())) if href and href.strip() else ""


def _feed(kind: Kind, root: etree._Element, links: list[etree._Element], url: str) -> Document:
    document = Document(kind, root=root)
    for link in links:
        rel, href = link.get("rel", "alternate"), _absolute(url, link.get("href"))
        if not href:
            continue
        if rel == "self":
            document.selves.append(href)
        if rel == "hub":
            document.hubs.append(href)
        elif rel in BETWEEN_FEEDS or (rel == "alternate" and link.get("type") in FEED_TYPES):
            document.links.append(Link(href, rel, None))
    for sibling in root.itersiblings(preceding=True):
        if isinstance(sibling, etree._ProcessingInstruction) and sibling.target == "xml-stylesheet":
            match = _STYLESHEET.search(sibling.text or "")
            if match:
                href = _absolute(url, match[1] if match[1] is not None else match[2])
                document.links.append(Link(href, "stylesheet", Kind.STYLESHEET))
    return document


def _json(body: bytes, url: str) -> Document:
    try:
        feed = json.loads(body)
    except ValueError:
        return Document(None)
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(_JSONFEED):
        return Document(None)
    document = Document(Kind.JSON)
    for name, rel in (("feed_url", "self"), ("next_url", "next_url")):
        href = _absolute(url, feed[name]) if isinstance(feed.get(name), str) else ""
        if href:
            document.links.append(Link(href, rel, Kind.JSON))
    if document.links and document.links[0].rel == "self":
        document.selves.append(document.links[0].url)
    hubs = feed.get("hubs")
    for hub in hubs if isinstance(hubs, list) else []:
        href = (
            _absolute(url, hub.get("url"))
            if isinstance(hub, dict) and isinstance(hub.get("url"), str)
            else ""
        )
        if href:
            document.hubs.append(href)
    return document


def _page(body: bytes, url: str) -> Document:
    try:
        page = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return Document(Kind.PAGE)
    document = Document(Kind.PAGE)
    for element in page.iter("link", "a"):
        href = _absolute(url, element.get("href"))
        rels = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        if not href:
            continue
        if kind in OPML_TYPES or urlsplit(href).path.endswith(".opml"):
            document.links.append(Link(href, element.tag, Kind.OPML))
        elif kind in FEED_TYPES and (element.tag == "a" or "alternate" in rels):
            document.links.append(Link(href, "alternate" if element.tag == "link" else "a", None))
        elif kind == PAGE_TYPE and element.tag == "a":
            document.links.append(Link(href, "a", Kind.PAGE))
    return document
