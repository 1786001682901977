"""WordPress exports (WXR, "WordPress eXtended RSS") → a page of old entries.

Every WXR version (1.0 to 1.2, and 1.3's proposal) is recognised, by its namespace written
with http or https and wordpress.org or wordpress.com, or by its wp:wxr_version. Only posts
are imported (WordPress's feeds hold nothing else): pages, attachments, menu items and other
post types are left out, each counted. A published post is an article; a post in the trash
or an automatic draft is left out; any other status (draft, pending, private, future,
inherit, or one a plugin made), and a password, make it a draft: nothing that was not public
is published. A post's date keeps WordPress's local time with its offset, which the export
gives as the difference between `post_date` and `post_date_gmt`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

from lxml import etree  # type: ignore[import-untyped]

from feedpub.importer import rss
from feedpub.importer.elements import CONTENT, DC, screen, text
from feedpub.importer.old import OldEntry, Page, Person

NAMESPACE = re.compile(r"https?://(?:www\.)?wordpress\.(?:org|com)/export/[0-9.]+/", re.I)
DRAFTS = {
    "draft": "a draft in WordPress",
    "pending": "pending review in WordPress",
    "private": "private in WordPress",
    "future": "scheduled in WordPress, not yet published: a draft (feedpub would publish it at its date)",
}
_BLOCKS = re.compile(r"<(?:p|div|h[1-6]|ul|ol|dl|blockquote|pre|table|figure|hr)\b", re.I)
_NO_DATE = "0000-00-00"


def is_export(root: etree._Element) -> bool:
    return _namespace(root) is not None


def _namespace(root: etree._Element) -> str | None:
    """The export's wp namespace: a WXR one, or whichever holds the channel's wxr_version."""
    for uri in root.nsmap.values():
        if uri and NAMESPACE.fullmatch(uri):
            return str(uri)
    channel = root.find("channel")
    for child in channel if channel is not None else []:
        name = etree.QName(child) if isinstance(child.tag, str) else None
        if name is not None and name.localname == "wxr_version" and name.namespace:
            return str(name.namespace)
    return None


def read(root: etree._Element, address: str) -> Page:
    wp_uri = _namespace(root)
    assert wp_uri is not None
    wp = f"{{{wp_uri}}}"
    excerpt_uri = next(
        (uri for uri in root.nsmap.values() if uri and uri.lower().endswith("/excerpt/")), wp_uri + "excerpt/"
    )
    excerpt = f"{{{excerpt_uri}}}encoded"
    page = rss.read(root, address, screened=False)
    page.format = "WordPress export"
    page.wordpress = False  # an export is whole: there are no pages to follow
    channel = root.find("channel")
    names = {
        text(a.find(f"{wp}author_login")): text(a.find(f"{wp}author_display_name"))
        for a in (channel.findall(f"{wp}author") if channel is not None else [])
    }
    # the export's authors (their addresses were never public) are the site's
    page.site.authors = page.site.authors or [Person(name) for name in names.values() if name]
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
    for item, kind, entry in zip(items, kinds, page.entries, strict=True):
        if kind == "post":
            _post(entry, item, wp, excerpt, names, attachments, usual)
    screen(page, items)  # what wp:post_type, wp:status and wp:post_password say
    return page


def _post(
    entry: OldEntry,
    item: etree._Element,
    wp: str,
    excerpt: str,
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
    status = text(item.find(f"{wp}status")) or "publish"
    if text(item.find(f"{wp}post_password")):
        entry.draft = "password-protected in WordPress: a draft, so that its text is not published"
    elif status in DRAFTS:
        entry.draft = DRAFTS[status]


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
