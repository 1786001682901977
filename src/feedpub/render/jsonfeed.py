"""JSON Feed 1.1 documents (https://www.jsonfeed.org/version/1.1/), written with the standard
library's json: sorted keys, one item a line, so the same feed gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from feedpub.layout import JSON
from feedpub.model import Author, Site
from feedpub.render.content import Texts
from feedpub.render.plan import Entry, Feed

MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


_ITEMS = "\ufffeitems\ufffe"
"""Stands for the items while the rest is encoded: U+FFFE is in no catalogue text."""


def item(entry: Entry, shown: Texts) -> bytes:
    """The entry's item, encoded as it stands in every feed that holds it, in UTF-8: a feed
    is then put together by copying bytes, with no text to encode again."""
    return _encode(_item(entry, shown)).encode()


def render(site: Site, feed: Feed, items: Mapping[tuple[str, bool], bytes]) -> dict[str, bytes]:
    """The feed's JSON Feed file, keyed by its path under the output folder."""
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": site.link,
        "feed_url": feed.url(site, JSON),
        "description": feed.description,
        "language": feed.language or site.language,
        "items": _ITEMS,
    }
    if site.authors:
        document["authors"] = [_person(a) for a in site.authors]
    if feed.icon:  # JSON Feed's two images are both square: the timeline's and the source list's
        document["icon"] = document["favicon"] = feed.icon
    if site.websub_hub:
        document["hubs"] = [{"type": "WebSub", "url": site.websub_hub}]
    if feed.prev_archive is not None:  # JSON Feed's way to the older entries
        document["next_url"] = feed.url(site, JSON, feed.prev_archive)
    head, _, tail = _encode(document).encode().partition(_encode(_ITEMS).encode())
    listed = b",\n".join(items[entry.key] for entry in feed.entries)
    return {feed.path(JSON): b"".join([head, b"[\n", listed, b"\n]", tail, b"\n"])}


def _encode(value: object) -> str:
    # No indentation: it would make json fall back from its C encoder to a far slower one.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _item(entry: Entry, shown: Texts) -> dict[str, Any]:
    article = entry.article
    item: dict[str, Any] = {
        "id": entry.id,
        "url": article.link,
        "title": article.title,
        "summary": shown.summary,
        "date_published": article.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "authors": [_person(a) for a in article.authors],
    }
    # JSON Feed requires content_html or content_text in every item
    if shown.body and entry.full:
        item["content_html"] = shown.body
    else:
        item["content_text"] = shown.summary
    if article.tags:
        item["tags"] = [tag.name for tag in article.tags]
    if entry.language:
        item["language"] = entry.language
    if article.image:
        item["image"] = article.image.url
    if article.enclosures:
        item["attachments"] = [
            {"url": e.url, "mime_type": e.type, "size_in_bytes": e.length} for e in article.enclosures
        ]
    return item


def _person(author: Author) -> dict[str, str]:
    """JSON Feed authors have a name and a URL; the address serves as one when there is no URI."""
    url = author.uri or (f"mailto:{author.email}" if author.email else None)
    return {"name": author.name, "url": url} if url else {"name": author.name}
