"""Atom 1.0 documents → a page of old entries."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from feedpub.catalogue.fields import ABSOLUTE_URI
from feedpub.importer.elements import (
    ATOM,
    absolute,
    each,
    html_text,
    is_kind,
    media_description,
    media_image,
    paragraphs,
    screen,
    text,
    where,
)
from feedpub.importer.old import Attachment, OldEntry, OldSite, Page, Person

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
_XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"


def read(root: etree._Element, address: str) -> Page:
    site = OldSite(
        title=_plain(root.find(f"{ATOM}title")),
        is_html=False,  # `_plain` reduced any HTML already
        link=_link(root, "alternate"),
        description=_plain(root.find(f"{ATOM}subtitle")),
        language=root.get(XML_LANG),
        authors=_people(root),
        feed_link=_link(root, "self"),
    )
    generator = root.find(f"{ATOM}generator")
    made_by = " ".join(
        filter(None, [text(generator), generator.get("uri") if generator is not None else None])
    )
    elements = root.findall(f"{ATOM}entry")
    page = Page(
        url=address,
        format="Atom 1.0",
        site=site,
        entries=each(elements, lambda entry: _entry(entry, address, site.authors)),
        older=_link(root, "prev-archive") or _link(root, "next"),
        wordpress="wordpress" in made_by.lower(),
    )
    screen(page, elements)
    return page


def _entry(element: etree._Element, address: str, feed_authors: list[Person]) -> OldEntry:
    entry = OldEntry(where=where(address, element), format="atom")
    entry.id = text(element.find(f"{ATOM}id"))
    title = element.find(f"{ATOM}title")
    entry.title, entry.title_is_html = _construct(title)
    # Blogger's export gives a post's path alone, which the import puts after the site's address
    entry.link = _link(element, "alternate") or text(element.find(f"{BLOGGER}filename"))
    entry.published = text(element.find(f"{ATOM}published"))
    entry.updated = text(element.find(f"{ATOM}updated"))
    summary = element.find(f"{ATOM}summary")
    entry.summary, is_html = _construct(summary)
    entry.summary_is_html = bool(is_html)
    if entry.summary is None and element.find(f"{ATOM}content") is None:
        entry.summary = media_description(element)
    content = element.find(f"{ATOM}content")
    if content is not None and content.get("src"):
        entry.notes.append(
            ("content", "the feed gave the content by reference only (src), which is not imported")
        )
    elif content is not None:
        body, is_html = _construct(content)
        entry.content = body if is_html or body is None else paragraphs(body)
        entry.base = content.base or entry.link
    entry.base = entry.base or entry.link
    entry.tags = [name for c in element.findall(f"{ATOM}category") if not is_kind(c) and (name := _tag(c))]
    entry.authors = _people(element) or list(feed_authors)  # an entry without one has the feed's
    entry.image = absolute(media_image(element), entry.link)
    entry.enclosures = [
        Attachment(href, link.get("length"), link.get("type"))
        for link in element.findall(f"{ATOM}link")
        if link.get("rel") == "enclosure" and (href := absolute(link.get("href"), link.base))
    ]
    return entry


def _tag(category: etree._Element) -> str:
    """A category's term, which says what it is (Reddit's `homelab`), not its label, which is
    how it was shown (`r/homelab`); the label only where the term is an address."""
    term, label = (category.get("term") or "").strip(), (category.get("label") or "").strip()
    return label if label and (not term or ABSOLUTE_URI.fullmatch(term)) else term


def _link(parent: etree._Element, rel: str) -> str | None:
    """The href of the first link with `rel` (Atom's default rel is alternate), HTML first."""
    links = [
        link
        for link in parent.findall(f"{ATOM}link")
        if (link.get("rel") or "alternate") == rel and link.get("href")
    ]
    links.sort(key=lambda link: link.get("type", "text/html") not in ("text/html", "application/xhtml+xml"))
    return absolute(links[0].get("href"), links[0].base) if links else None


def _construct(element: etree._Element | None) -> tuple[str | None, bool | None]:
    """An Atom text construct: its value, and whether that is HTML."""
    if element is None:
        return None, None
    kind = element.get("type", "text")
    if kind == "xhtml":
        div = element.find(_XHTML_DIV)
        holder = div if div is not None else element
        inner = (holder.text or "") + "".join(etree.tostring(c, encoding=str, with_tail=True) for c in holder)
        return inner.strip() or None, True
    return text(element), kind in ("html", "text/html")


def _plain(element: etree._Element | None) -> str | None:
    value, is_html = _construct(element)
    return (html_text(value) or None) if value is not None and is_html else value


def _people(parent: etree._Element) -> list[Person]:
    return [
        Person(
            text(a.find(f"{ATOM}name")),
            text(a.find(f"{ATOM}email")),
            absolute(text(a.find(f"{ATOM}uri")), a.base),
        )
        for a in parent.findall(f"{ATOM}author")
    ]
