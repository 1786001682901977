"""How each output file is to be served: its media type and how long caches may keep it.

One definition for `feedpub serve`, for `feedpub deploy` (the headers each object carries)
and for the files that tell static hosts the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MEDIA_TYPES = {
    ".xml": "application/xml; charset=utf-8",  # what browsers show through feed.xsl
    ".json": "application/feed+json; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
"""The media type of each kind of file feedpub writes, by its extension."""
UNKNOWN_TYPE = "application/octet-stream"

LIVE = "public, max-age=300, stale-while-revalidate=60"
"""Feeds, the index page, the OPML file, the stylesheet and the newest archive page: a cache
may serve them for five minutes, and a minute more while it asks again (answered 304 when
nothing changed). Cron runs a build every few minutes, so a reader waits at most that long."""
IMMUTABLE = "public, max-age=31536000, immutable"
"""A full archive page: new articles never change its bytes, so it may be kept for a year."""

_ARCHIVE_PAGE = re.compile(r"(?:(.+)/)?archive/([1-9][0-9]*)/[^/]+")
"""A file of an archive page: the folder of the feed it belongs to ('' for the site's), then
the page's number."""


def media_type(path: str) -> str:
    """The Content-Type to serve `path` with."""
    _, dot, extension = path.rpartition(".")
    return MEDIA_TYPES.get(f".{extension}", UNKNOWN_TYPE) if dot else UNKNOWN_TYPE


def newest_pages(paths: Iterable[str]) -> dict[str, int]:
    """The number of each feed's newest archive page, by the feed's folder ('' for the site's),
    for the feeds that have archive pages among `paths`."""
    newest: dict[str, int] = {}
    for path in paths:
        page = _ARCHIVE_PAGE.fullmatch(path)
        if page:
            folder, number = page[1] or "", int(page[2])
            newest[folder] = max(number, newest.get(folder, 0))
    return newest


def is_full_page(path: str, newest: Mapping[str, int]) -> bool:
    """Whether `path` is a file of a full archive page: page N of a feed that has a page
    numbered above N. Pages are filled from the oldest article on, so only the newest page of
    each feed can still change when articles are published."""
    page = _ARCHIVE_PAGE.fullmatch(path)
    return page is not None and int(page[2]) < newest.get(page[1] or "", 0)


def cache_control(path: str, newest: Mapping[str, int]) -> str:
    """The Cache-Control to serve `path` with, given `newest_pages` of all the files."""
    return IMMUTABLE if is_full_page(path, newest) else LIVE
