"""How files are to be served: media types and cache lifetimes, one definition for every place
that serves them."""

from __future__ import annotations

import pytest

from feedpub import serve
from feedpub.render import hosting

ARCHIVED = [
    "atom.xml",
    "archive/1/atom.xml",
    "archive/2/rss.xml",
    "archive/3/feed.json",
    "tags/gaza/atom.xml",
    "tags/gaza/archive/1/atom.xml",
    "tags/archive/archive/1/rss.xml",
    "tags/archive/archive/2/rss.xml",
    "tags/israel/atom.xml",
]
"""A site with three archive pages, a tag with one and a tag named 'archive' with two."""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("atom.xml", "application/xml; charset=utf-8"),
        ("tags/gaza/rss.xml", "application/xml; charset=utf-8"),
        ("archive/3/feed.json", "application/feed+json; charset=utf-8"),
        ("feed.xsl", "text/xsl; charset=utf-8"),
        ("feeds.opml", "text/x-opml; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("logo", "application/octet-stream"),
        ("notes.unknown", "application/octet-stream"),
    ],
)
def test_media_type_by_extension(path: str, expected: str) -> None:
    assert hosting.media_type(path) == expected


def test_serve_uses_the_same_media_types() -> None:
    assert serve._Handler.extensions_map is hosting.MEDIA_TYPES


def test_newest_pages_by_feed_folder() -> None:
    assert hosting.newest_pages(ARCHIVED) == {"": 3, "tags/gaza": 1, "tags/archive": 2}
    assert hosting.newest_pages(["atom.xml", "tags/gaza/rss.xml"]) == {}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("archive/1/atom.xml", hosting.IMMUTABLE),
        ("archive/2/rss.xml", hosting.IMMUTABLE),
        ("archive/3/feed.json", hosting.LIVE),  # the newest page still fills up
        ("tags/gaza/archive/1/atom.xml", hosting.LIVE),  # the tag's only page is its newest
        ("tags/archive/archive/1/rss.xml", hosting.IMMUTABLE),
        ("tags/archive/archive/2/rss.xml", hosting.LIVE),
        ("tags/archive/atom.xml", hosting.LIVE),  # a tag named 'archive' is no archive page
        ("atom.xml", hosting.LIVE),
        ("index.html", hosting.LIVE),
        ("feed.xsl", hosting.LIVE),
        ("archive/0/atom.xml", hosting.LIVE),  # not a page feedpub numbers
        ("archive/01/atom.xml", hosting.LIVE),
    ],
)
def test_only_full_archive_pages_are_immutable(path: str, expected: str) -> None:
    assert hosting.cache_control(path, hosting.newest_pages(ARCHIVED)) == expected
