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
    people,
    screen,
    text,
    where,
)
from feedpub.importer.old import Attachment, OldEntry, OldSite, Page, Person

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCASTS = {ITUNES: "itunes", "http://www.google.com/schemas/play-podcasts/1.0": "googleplay"}
PODCASTS |= {"https://podcastindex.org/namespace/1.0": "podcast"}
"""The podcast namespaces, whose elements the catalogue has no fields for, but an image and
an author."""

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"


def read(root: etree._Element, address: str, screened: bool = True) -> Page:
    """An RSS 2.0 (or 0.91, 0.92) document: <rss><channel>…<item>…; unless not `screened`, its
    items that say they are not public posts are drafts or left out (`elements.screen`)."""
    channel = root.find("channel")
    if channel is None:
        channel = etree.Element("channel")
    base = absolute(text(channel.find("link")), address if "://" in address else None)
    site = OldSite(
        title=text(channel.find("title")),
        link=base,
        description=text(channel.find("description")),
        language=text(channel.find("language")) or text(channel.find(f"{DC}language")),
        authors=_people(channel, "managingEditor") or _people(channel, f"{{{ITUNES}}}author"),
        feed_link=_self(channel, address),
    )
    site.podcast = podcast.show(channel, site.podcast_notes)
    generator = text(channel.find("generator")) or ""
    items = channel.findall("item") or root.findall("item")
    page = Page(
        url=address,
        format=f"RSS {root.get('version') or '2.0'}",
        site=site,
        entries=each(items, lambda item: _item(item, address, base)),
        older=_older(channel, address),
        wordpress="wordpress.org" in generator.lower(),
    )
    for entry in page.entries:
        entry.authors = entry.authors or list(site.authors)  # as an Atom entry has its feed's
    _not_carried(page, channel, items)
    if screened:
        screen(page, items)
    return page


_AUTHORS = ("author", "managingEditor", f"{DC}creator")


def _people(parent: etree._Element, name: str) -> list[Person]:
    return [person for element in parent.findall(name) for person in people(element)]


def _not_carried(page: Page, channel: etree._Element, items: list[etree._Element]) -> None:
    """Count the podcast elements (itunes:duration, itunes:episode…) the catalogue cannot
    carry, and the parts of structured authors (a job title) that are not a name."""
    for parent, entry in [(channel, None), *zip(items, page.entries, strict=True)]:
        held = set()
        for child in parent:
            name = etree.QName(child) if isinstance(child.tag, str) else None
            if name is None:
                continue
            if name.namespace in PODCASTS:
                shown = f"{PODCASTS[name.namespace]}:{name.localname}"
                if entry is not None and name.localname in ("image", "author") and _used(child, entry):
                    continue
                if entry is None and name.localname == "author" and page.site.authors:
                    continue
                kept = (page.site.podcast if entry is None else entry.episode) or {}
                if podcast.CARRIED.get(shown) in kept:
                    continue
                held.add(shown if entry is not None else f"the channel's {shown}")
            elif child.tag in _AUTHORS:
                held.update(
                    f"{name.localname}'s {etree.QName(part).localname}"
                    for part in child
                    if isinstance(part.tag, str)
                    and etree.QName(part).localname not in ("name", "email")
                    and text(part)
                )
        page.not_carried.update(held)


def _used(element: etree._Element, entry: OldEntry) -> bool:
    """Whether the entry carries what a podcast's image or author element says."""
    if etree.QName(element).localname == "image":
        return entry.image is not None and entry.image == absolute(element.get("href"), entry.link)
    return any(a.name == text(element) for a in entry.authors)


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
    items = root.findall(f"{ns}item")
    page = Page(
        url=address,
        format="RSS 1.0" if ns == RSS1 else "RSS 0.90",
        site=site,
        entries=each(items, lambda item: _item(item, address, base, ns)),
        older=_older(channel, address),
    )
    screen(page, items)
    return page


def _self(channel: etree._Element, address: str) -> str | None:
    """The address the feed gives itself, which RSS writes as atom:link rel="self"."""
    link = next((link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"), None)
    return absolute(link.get("href"), address if "://" in address else None) if link is not None else None


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
    entry.authors = _people(item, "author") + _people(item, f"{DC}creator") or _people(
        item, f"{{{ITUNES}}}author"
    )
    cover = item.find(f"{{{ITUNES}}}image")
    entry.image = absolute(
        media_image(item) or (cover.get("href") if cover is not None else None), entry.link
    )
    entry.enclosures = [
        Attachment(url, e.get("length"), e.get("type"))
        for e in item.findall("enclosure")
        if (url := absolute(e.get("url"), entry.link))
    ]
    entry.episode = podcast.episode(item)
    entry.image = entry.image or podcast.artwork(item)
    return entry
