"""JSON Feed 1.0 and 1.1 documents → a page of old entries."""

from __future__ import annotations

from typing import Any

from feedpub.importer.elements import Standing, absolute, paragraphs, standing, strongest
from feedpub.importer.old import Attachment, OldEntry, OldSite, Page, Person, Refused, Why

VERSION = "https://jsonfeed.org/version/"


def read(document: Any, address: str) -> Page:
    if isinstance(document, dict) and isinstance(document.get("db"), list):
        raise Refused(
            Why.INVALID,
            f"{address} is a Ghost export, which feedpub does not read: import the site's feed "
            "(https://your.site/rss/), which holds its public posts with the ids readers know",
        )
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(VERSION):
        raise Refused(Why.INVALID, f"{address} is JSON, but not a JSON Feed (it has no version {VERSION}…)")
    home = _text(document.get("home_page_url"))
    site = OldSite(
        title=_text(document.get("title")),
        is_html=False,
        link=absolute(home, address if "://" in address else None),
        description=_text(document.get("description")),
        language=_text(document.get("language")),
        authors=_people(document),
    )
    page = Page(
        url=address,
        format="JSON Feed",
        site=site,
        entries=[],
        older=absolute(_text(document.get("next_url")), address if "://" in address else None),
    )
    items = document.get("items")
    for number, item in enumerate(items if isinstance(items, list) else [], 1):
        if not isinstance(item, dict):
            continue
        entry = _item(item, f"{address}: item {number}", site.authors)
        said = _standing(item)
        if said is not None and not said.draft:
            page.leave_out(entry, said.counted, said.reason)
            continue
        entry.draft = said.reason if said is not None else None
        page.entries.append(entry)
    return page


def _standing(item: dict[str, Any]) -> Standing | None:
    """What the item's own keys (`status`, which JSON Feed does not define) and those of its
    extensions (`_blog: {"visibility": …}`) say of it, if it is not a public post."""
    fields = [*item.items()]
    for key, value in item.items():
        if key.startswith("_") and isinstance(value, dict):
            fields += value.items()
    return strongest(
        standing(key, str(value)) for key, value in fields if isinstance(value, str | bool | int)
    )


def _item(item: dict[str, Any], where: str, feed_authors: list[Person]) -> OldEntry:
    entry = OldEntry(where=where, format="json")
    ident = item.get("id")
    entry.id = (
        str(ident).strip() or None if isinstance(ident, str | int) and not isinstance(ident, bool) else None
    )
    entry.title = _text(item.get("title"))
    entry.title_is_html = False
    entry.link = _text(item.get("url")) or _text(item.get("external_url"))
    entry.published = _text(item.get("date_published"))
    entry.updated = _text(item.get("date_modified"))
    entry.summary = _text(item.get("summary"))
    entry.summary_is_html = False
    body = _text(item.get("content_html"))
    plain = _text(item.get("content_text"))
    entry.content = body or (paragraphs(plain) if plain else None)
    entry.base = entry.link
    tags = item.get("tags")
    entry.tags = (
        [t.strip() for t in tags if isinstance(t, str) and t.strip()] if isinstance(tags, list) else []
    )
    entry.authors = _people(item) or list(feed_authors)
    entry.image = _text(item.get("image")) or _text(item.get("banner_image"))
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict) and _text(attachment.get("url")):
            size = attachment.get("size_in_bytes")
            entry.enclosures.append(
                Attachment(
                    str(attachment["url"]).strip(),
                    str(size) if isinstance(size, int) and not isinstance(size, bool) else None,
                    _text(attachment.get("mime_type")),
                )
            )
    return entry


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _people(holder: dict[str, Any]) -> list[Person]:
    """JSON Feed 1.1's `authors`, or 1.0's `author`; a `url` that is mailto: is the address."""
    authors = holder.get("authors")
    if not isinstance(authors, list):
        authors = [holder.get("author")]
    people = []
    for author in authors:
        if not isinstance(author, dict):
            continue
        url = _text(author.get("url"))
        email = url.removeprefix("mailto:") if url and url.startswith("mailto:") else None
        people.append(Person(_text(author.get("name")), email, None if email else url))
    return [p for p in people if p.name or p.email]
