"""How files are to be served: media types and cache lifetimes, one definition for every place
that serves them."""

from __future__ import annotations

import pytest

from conftest import SITE, catalogue_text, parse, valid
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


def with_hosting(value: str) -> str:
    """The catalogue of one article whose site block ends, on line 7, with `hosting: value`."""
    return catalogue_text(site=SITE.replace("articles:", f"  hosting: {value}\narticles:"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[netlify]", ("netlify",)),
        ("[apache, netlify]", ("apache", "netlify")),
        ("[]", ()),
        ("['apache']", ("apache",)),
    ],
)
def test_site_hosting_names_static_hosts(value: str, expected: tuple[str, ...]) -> None:
    assert valid(with_hosting(value)).site.hosting == expected


def test_site_hosting_is_empty_unless_given() -> None:
    assert valid(catalogue_text()).site.hosting == ()


@pytest.mark.parametrize(
    ("value", "place", "message"),
    [
        (
            "[netlfy]",
            (7, 13),
            "'hosting[0]': 'netlfy' is not a static host feedpub writes configuration for "
            "(did you mean 'netlify'? expected one of: netlify, apache)",
        ),
        ("[apache, nginx]", (7, 21), "'hosting[1]': 'nginx' is not a static host"),
        ("[Apache]", (7, 13), "(did you mean 'apache'?"),
        ("['netlify ']", (7, 13), "'hosting[0]': 'netlify ' is not a static host"),
        (
            "[[netlify]]",
            (7, 13),
            "'hosting[0]' must be a static host feedpub writes configuration for, not a list",
        ),
        (
            "netlify",
            (7, 12),
            "'hosting' must be a list of static hosts, such as [netlify, apache], not a value",
        ),
        ("{netlify: true}", (7, 12), "'hosting' must be a list of static hosts"),
        ("", (7, 11), "'hosting' must be a list of static hosts"),
    ],
)
def test_site_hosting_problems_are_placed(value: str, place: tuple[int, int], message: str) -> None:
    found, problems = parse(with_hosting(value))
    assert found is None
    assert [(p.line, p.col) for p in problems] == [place]
    assert message in problems[0].message
    assert problems[0].field == "site.hosting" or problems[0].field.startswith("site.hosting[")
