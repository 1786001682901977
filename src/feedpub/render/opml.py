"""feeds.opml: every feed of the site in one OPML 2.0 document, for one-step subscription."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from feedpub.layout import ATOM, AUTHORS, LANGUAGES, OPML, TAGS
from feedpub.model import Site
from feedpub.render.plan import Feed

FOLDERS = {TAGS: "Tags", AUTHORS: "Authors", LANGUAGES: "Languages", "feeds": "Selections"}
"""The folder that holds each kind of feed but the site's (see `Feed.kind`), in order."""


def render(site: Site, feeds: list[Feed]) -> dict[str, bytes]:
    """The OPML file: the site-wide feed, then a folder for each kind of feed there are (tags,
    authors, languages, selections), each feed by its Atom address (OPML gives an outline one
    feed address; RSS and JSON are beside it)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.title}: feeds"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    site_feed, *others = feeds
    _outline(body, site, site_feed)
    for kind, name in FOLDERS.items():
        grouped = [feed for feed in others if feed.kind == kind]
        if grouped:
            folder = etree.SubElement(body, "outline", text=name, title=name)
            for feed in grouped:
                _outline(folder, site, feed)
    data: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return {OPML: data}


def _outline(parent: etree._Element, site: Site, feed: Feed) -> None:
    etree.SubElement(
        parent,
        "outline",
        type="rss",  # what OPML calls any feed
        text=feed.title,
        title=feed.title,
        description=feed.description,
        xmlUrl=feed.url(site, ATOM),
        htmlUrl=site.link,
        language=feed.language or site.language,
    )
