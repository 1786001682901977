"""WordPress exports (WXR, "WordPress eXtended RSS") → a page of old entries.

Only posts are imported (WordPress's feeds hold nothing else): drafts, posts pending review,
private and password-protected posts become drafts; posts in the trash are left out and
reported. A post's date keeps WordPress's local time with its offset, which the export gives
as the difference between `post_date` and `post_date_gmt`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

from lxml import etree  # type: ignore[import-untyped]

from feedpub.importer import rss
from feedpub.importer.elements import CONTENT, DC, text
from feedpub.importer.old import OldEntry, Page, Person

PREFIX = "http://wordpress.org/export/"
DRAFTS = {
    "draft": "a draft in WordPress",
    "pending": "pending review in WordPress",
    "private": "private in WordPress",
}
LEFT_OUT = {"trash": "is in WordPress's trash", "auto-draft": "is an automatic draft WordPress made"}
_BLOCKS = re.compile(r"<(?:p|div|h[1-6]|ul|ol|dl|blockquote|pre|table|figure|hr)\b", re.I)
_NO_DATE = "0000-00-00"


def is_export(root: etree._Element) -> bool:
    return any(uri.startswith(PREFIX) and not uri.endswith("/excerpt/") for uri in root.nsmap.values() if uri)


def read(root: etree._Element, address: str) -> Page:
    uris = [uri for uri in root.nsmap.values() if uri and uri.startswith(PREFIX)]
    wp_uri = next(uri for uri in uris if not uri.endswith("/excerpt/"))
    wp = f"{{{wp_uri}}}"
    excerpt_uri = next((uri for uri in uris if uri.endswith("/excerpt/")), wp_uri + "excerpt/")
    excerpt = f"{{{excerpt_uri}}}encoded"
    page = rss.read(root, address)
    page.format = "WordPress export"
    page.wordpress = False  # an export is whole: there are no pages to follow
    channel = root.find("channel")
    names = {
        text(a.find(f"{wp}author_login")): text(a.find(f"{wp}author_display_name"))
        for a in (channel.findall(f"{wp}author") if channel is not None else [])
    }
    items = channel.findall("item") if channel is not None else []
    kinds = [text(item.find(f"{wp}post_type")) or "post" for item in items]
    attachments = {
        text(item.find(f"{wp}post_id")): text(item.find(f"{wp}attachment_url"))
        for item, kind in zip(items, kinds, strict=True)
        if kind == "attachment"
    }
    offsets = Counter(
        offset
        for item, kind in zip(items, kinds, strict=True)
        if kind == "post" and (offset := _offset(item, wp))
    )
    usual = offsets.most_common(1)[0][0] if offsets else None
    entries = []
    for item, kind, entry in zip(items, kinds, page.entries, strict=True):
        if kind != "post":
            continue
        status = text(item.find(f"{wp}status")) or "publish"
        if status in LEFT_OUT:
            page.skipped.append(f'{entry.where}: "{entry.title or entry.id}" {LEFT_OUT[status]}: skipped')
            page.left_out += 1
            continue
        _post(entry, item, wp, excerpt, status, names, attachments, usual)
        entries.append(entry)
    others = Counter(kind for kind in kinds if kind != "post")
    if others:
        listed = ", ".join(f"{count} {kind}" for kind, count in sorted(others.items()))
        page.skipped.append(
            f"{address}: not posts, so not imported (WordPress's feeds hold only posts): {listed}"
        )
    page.entries = entries
    return page


def _post(
    entry: OldEntry,
    item: etree._Element,
    wp: str,
    excerpt: str,
    status: str,
    names: dict[str | None, str | None],
    attachments: dict[str | None, str | None],
    usual: timedelta | None,
) -> None:
    local, offset = _local(item, f"{wp}post_date"), _offset(item, wp)
    gmt = _local(item, f"{wp}post_date_gmt")
    written = text(item.find(f"{wp}post_date"))
    if local is not None and offset is not None:
        entry.published = local.replace(tzinfo=timezone(offset)).isoformat()
    elif local is not None and usual is not None:
        entry.published = local.replace(tzinfo=timezone(usual)).isoformat()
        entry.notes.append(("published", "WordPress gave no GMT time: the offset is the one most posts have"))
    elif local is not None:
        entry.published = local.isoformat()
        entry.notes.append(("published", "WordPress gave no GMT time: read in site.timezone"))
    elif written and not written.startswith(_NO_DATE):
        entry.published = written  # not a date: the skip says what it was and why
    elif gmt is not None:
        entry.published = gmt.replace(tzinfo=UTC).isoformat()
        entry.notes.append(("published", "WordPress gave no local time: its GMT time is kept"))
    # else the item's pubDate, as RSS gives it
    modified = _local(item, f"{wp}post_modified_gmt")
    entry.updated = modified.replace(tzinfo=UTC).isoformat() if modified else None
    body = text(item.find(CONTENT))
    if body and not _BLOCKS.search(body) and "\n" in body:
        body = _paragraphs(body)
        entry.notes.append(("content", "paragraphs made from the blank lines, as WordPress shows them"))
    entry.content, entry.summary = body, text(item.find(excerpt))
    entry.tags = [
        name
        for c in item.findall("category")
        if c.get("domain") in ("category", "post_tag") and (name := text(c))
    ]
    login = text(item.find(f"{DC}creator"))
    entry.authors = [Person(names.get(login) or login)] if login else []
    thumbnail = next(
        (
            text(meta.find(f"{wp}meta_value"))
            for meta in item.findall(f"{wp}postmeta")
            if text(meta.find(f"{wp}meta_key")) == "_thumbnail_id"
        ),
        None,
    )
    entry.image = attachments.get(thumbnail) if thumbnail else None
    if text(item.find(f"{wp}post_password")):
        entry.draft = "password-protected in WordPress: a draft, so that its text is not published"
    elif status in DRAFTS:
        entry.draft = DRAFTS[status]
    elif status == "future":
        entry.notes.append(("published", "scheduled in WordPress: feedpub publishes it at this moment"))


def _local(item: etree._Element, name: str) -> datetime | None:
    value = text(item.find(name))
    if not value or value.startswith(_NO_DATE):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _offset(item: etree._Element, wp: str) -> timedelta | None:
    """The post's UTC offset: its local time less its GMT time, if the export gives both."""
    local, gmt = _local(item, f"{wp}post_date"), _local(item, f"{wp}post_date_gmt")
    if local is None or gmt is None:
        return None
    offset = local - gmt
    return offset if abs(offset) < timedelta(hours=24) and not offset % timedelta(minutes=1) else None


def _paragraphs(body: str) -> str:
    """WordPress's own display of text written without paragraph tags (wpautop, simply)."""
    runs = re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip())
    return "\n".join("<p>" + run.strip().replace("\n", "<br>\n") + "</p>" for run in runs if run.strip())
