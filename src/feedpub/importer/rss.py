"""RSS 2.0 (and 0.9x) and RSS 1.0 documents → a page of old entries."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from feedpub.importer import podcast
from feedpub.importer.elements import (
    ATOM,
    CONTENT,
    DC,
    absolute,
    each,
    first,
    markup,
    media_image,
    person,
    text,
    where,
)
from feedpub.importer.old import Attachment, OldEntry, OldSite, Page, Person

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"


def read(root: etree._Element, address: str) -> Page:
    """An RSS 2.0 (or 0.91, 0.92) document: <rss><channel>…<item>…"""
    channel = root.find("channel")
    if channel is None:
        channel = etree.Element("channel")
    base = absolute(text(channel.find("link")), address if "://" in address else None)
    site = OldSite(
        title=text(channel.find("title")),
        link=base,
        description=text(channel.find("description")),
        language=text(channel.find("language")) or text(channel.find(f"{DC}language")),
        authors=[p for p in (person(text(channel.find("managingEditor"))),) if p],
    )
    site.podcast = podcast.show(channel, site.podcast_notes)
    generator = text(channel.find("generator")) or ""
    items = channel.findall("item") or root.findall("item")
    return Page(
        url=address,
        format=f"RSS {root.get('version') or '2.0'}",
        site=site,
        entries=each(items, lambda item: _item(item, address, base)),
        older=_older(channel, address),
        wordpress="wordpress.org" in generator.lower(),
    )


def read_rdf(root: etree._Element, address: str) -> Page:
    """An RSS 1.0 (or 0.90) document: <rdf:RDF> with <channel> and <item>s beside it."""
    ns = RSS090 if root.find(f"{RSS090}channel") is not None else RSS1
    channel = root.find(f"{ns}channel")
    if channel is None:
        channel = etree.Element("channel")
    base = absolute(text(channel.find(f"{ns}link")), address if "://" in address else None)
    site = OldSite(
        title=text(channel.find(f"{ns}title")),
        link=base,
        description=text(channel.find(f"{ns}description")),
        language=text(channel.find(f"{DC}language")),
        authors=[Person(name) for name in [text(first(channel, f"{DC}creator", f"{DC}publisher"))] if name],
    )
    return Page(
        url=address,
        format="RSS 1.0" if ns == RSS1 else "RSS 0.90",
        site=site,
        entries=each(root.findall(f"{ns}item"), lambda item: _item(item, address, base, ns)),
        older=_older(channel, address),
    )


def _older(channel: etree._Element, address: str) -> str | None:
    """RFC 5005's prev-archive (or a paged feed's next) link, which RSS writes as atom:link."""
    for rel in ("prev-archive", "next"):
        for link in channel.findall(f"{ATOM}link"):
            if link.get("rel") == rel and link.get("href"):
                return absolute(link.get("href"), address if "://" in address else None)
    return None


def _item(item: etree._Element, address: str, base: str | None, ns: str = "") -> OldEntry:
    entry = OldEntry(where=where(address, item), format="rss")
    guid = item.find("guid")
    entry.id = text(guid) if not ns else item.get(f"{RDF}about")
    entry.title = text(item.find(f"{ns}title"))
    link = text(item.find(f"{ns}link"))
    if link is None and guid is not None and guid.get("isPermaLink", "true") == "true" and entry.id:
        link = entry.id  # RSS: a guid that is a permalink is the item's address
        entry.notes.append(("link", "link taken from the guid, which the feed marks as the item's permalink"))
    entry.link = absolute(link, base)
    entry.published = text(first(item, "pubDate", f"{DC}date"))
    entry.updated = text(first(item, f"{ATOM}updated", f"{DC}modified"))
    description = markup(item.find(f"{ns}description"))
    content = markup(item.find(CONTENT))
    if content:
        entry.content, entry.summary = content, description
    else:  # RSS's description is the item's text, whole or in part: readers showed it as HTML
        entry.content = description
    entry.base = entry.link
    entry.tags = [name for name in (text(c) for c in item.findall("category")) if name]
    entry.tags += [name for name in (text(c) for c in item.findall(f"{DC}subject")) if name]
    authors = [person(text(a)) for a in item.findall("author")]
    authors += [person(text(c)) for c in item.findall(f"{DC}creator")]
    entry.authors = [a for a in authors if a is not None]
    entry.image = absolute(media_image(item), entry.link)
    entry.enclosures = [
        Attachment(url, e.get("length"), e.get("type"))
        for e in item.findall("enclosure")
        if (url := absolute(e.get("url"), entry.link))
    ]
    entry.episode = podcast.episode(item)
    entry.image = entry.image or podcast.artwork(item)
    return entry
