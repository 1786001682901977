"""Validation rules, each pinned to the exact place it reports and the field it names."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, ROOT, SITE, article, catalogue_text, parse, scaled, valid
from feedpub import catalogue, load
from feedpub.catalogue import tag_slug
from feedpub.problems import Severity

NEW_YORK = SITE.replace("articles:\n", "  timezone: America/New_York\narticles:\n")
"""SITE with a time zone: eight lines, so its first article starts on line 9."""


def errors(text: str) -> list[str]:
    found, problems = parse(text)
    assert found is None
    return [str(p) for p in problems if p.severity is Severity.ERROR]


def one_error(text: str) -> str:
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def with_feeds(selection: str) -> str:
    """SITE whose site.feeds holds `selection`, on line 8."""
    return SITE.replace("articles:", f"  feeds:\n    {selection}\narticles:")


RULES = [
    # (what, catalogue, line:col, words in the message)
    (
        "unknown key, with a suggestion",
        catalogue_text(article("a1", "titel: x")),
        "12:5",
        ["unknown key 'titel'", "did you mean 'title'?"],
    ),
    ("missing required field", catalogue_text(article(title=None)), "8:5", ["missing 'title'"]),
    ("duplicate id", catalogue_text(article("a1"), article("a1")), "12:9", ["duplicate id 'a1'", "line 8"]),
    (
        "duplicate mapping key",
        catalogue_text(article("a1", "title: Again")),
        "12:5",
        ["duplicate key 'title'", "line 9"],
    ),
    (
        "relative link",
        catalogue_text(article(link="/a1")),
        "10:11",
        ["'link'", "relative URL", "absolute http(s) URL"],
    ),
    (
        "non-http link",
        catalogue_text(article(link="ftp://example.org/a1")),
        "10:11",
        ["'link'", "http:// or https://"],
    ),
    (
        "link with spaces",
        catalogue_text(article(link="https://example.org/a b")),
        "10:11",
        ["'link'", "white space"],
    ),
    (
        "unparseable date",
        catalogue_text(article(published="yesterday")),
        "11:16",
        ["'published'", "'yesterday' is not a date", "YYYY-MM-DD"],
    ),
    (
        "impossible date",
        catalogue_text(article(published="2023-02-30")),
        "11:16",
        ["'published'", "'2023-02-30' is not a date", "out of range"],
    ),
    (
        "a number is not a date",
        catalogue_text(article(published="2023")),
        "11:16",
        ["'published'", "'2023' is not a date"],
    ),
    (
        "updated before published",
        catalogue_text(article("a1", "updated: 2023-12-31")),
        "12:14",
        ["'updated'", "before 'published'"],
    ),
    ("empty title", catalogue_text(article(title='""')), "9:12", ["'title' is empty"]),
    ("blank title", catalogue_text(article(title='"   "')), "9:12", ["'title' is empty"]),
    ("title that is a list", catalogue_text(article(title="[a, b]")), "9:12", ["'title' must be text"]),
    (
        "character XML cannot carry",
        catalogue_text(article(title='"bad \\x01"')),
        "9:12",
        ["'title'", "U+0001", "XML cannot carry"],
    ),
    ("non-character", catalogue_text(article("a1", 'summary: "\\uFFFE"')), "12:14", ["'summary'", "U+FFFE"]),
    (
        "two tags, one folder",
        catalogue_text(article("a1", "tags: [C++, C]")),
        "12:17",
        ["tags 'C' and 'C++'", "feeds/tags/c/"],
    ),
    (
        "tag without letters",
        catalogue_text(article("a1", "tags: ['!!!']")),
        "12:12",
        ["tag '!!!' has no letter or digit"],
    ),
    ("tags not a list", catalogue_text(article("a1", "tags: Gaza")), "12:11", ["'tags' must be a list"]),
    (
        "draft: no is not guessed",
        catalogue_text(article("a1", "draft: no")),
        "12:12",
        ["'draft' must be true or false, not 'no'"],
    ),
    ("bad id", catalogue_text(article("bad/id")), "8:9", ["'id': 'bad/id' is not valid"]),
    (
        "author and authors",
        catalogue_text(article("a1", "author: {name: A}", "authors: [{name: B}]")),
        "13:14",
        ["either 'author' or 'authors'"],
    ),
    (
        "bad e-mail",
        catalogue_text(article("a1", "author: {name: A, email: nope}")),
        "12:30",
        ["'email': 'nope' is not valid"],
    ),
    (
        "author without name",
        catalogue_text(article("a1", "author: {email: a@example.org}")),
        "12:13",
        ["an author is missing 'name'"],
    ),
    (
        "missing site field",
        catalogue_text(site=SITE.replace("  title: Example News\n", "")),
        "2:3",
        ["'site' is missing 'title'"],
    ),
    (
        "unknown site key",
        catalogue_text(site=SITE.replace("articles:", "  descripton: x\narticles:")),
        "7:3",
        ["unknown key 'descripton'", "did you mean 'description'?"],
    ),
    (
        "max_items out of range",
        catalogue_text(site=SITE.replace("articles:", "  max_items: 0\narticles:")),
        "7:14",
        ["'max_items' must be a whole number from 1 to 1000, not '0'"],
    ),
    (
        "max_items as text",
        catalogue_text(site=SITE.replace("articles:", '  max_items: "5"\narticles:')),
        "7:14",
        ["'max_items' must be a whole number"],
    ),
    *(
        (
            f"max_items as YAML 1.1 writes {how}, which editors checking the schema read as text",
            catalogue_text(site=SITE.replace("articles:", f"  max_items: {value}\narticles:")),
            "7:14",
            [f"'max_items' must be a whole number from 1 to 1000 written in decimal digits, not '{value}'"],
        )
        for how, value in (
            ("with an underscore", "1_000"),
            ("in hexadecimal", "0x10"),
            ("in base 60", "1:30"),
        )
    ),
    (
        "unknown time zone",
        catalogue_text(site=SITE.replace("articles:", "  timezone: Europe/Londn\narticles:")),
        "7:13",
        ["'Europe/Londn' is not a known time zone", "did you mean 'Europe/London'?"],
    ),
    (
        "bad language",
        catalogue_text(site=SITE.replace("articles:", "  language: english!\narticles:")),
        "7:13",
        ["'language': 'english!' is not valid", "BCP 47"],
    ),
    (
        "no author anywhere",
        catalogue_text(site=SITE.replace("  author: {name: Jane Doe, email: jane@example.org}\n", "")),
        "7:5",
        ["needs an author", "site.author"],
    ),
    (
        "unknown top-level key",
        "extra: 1\n" + catalogue_text(),
        "1:1",
        ["unknown key 'extra' in the catalogue"],
    ),
    ("articles not a list", SITE + "  a: 1\n", "8:3", ["'articles' must be a list"]),
    ("missing articles", SITE.replace("articles:\n", ""), "1:1", ["the catalogue is missing 'articles'"]),
    ("site not a mapping", "site: x\narticles: []\n", "1:7", ["'site' must be a mapping"]),
    ("article not a mapping", SITE + "  - just text\n", "8:5", ["an article must be a mapping"]),
    (
        "local time skipped by DST",
        catalogue_text(article(published="2024-03-10T02:30:00"), site=NEW_YORK),
        "12:16",
        ["'published'", "does not exist in America/New_York", "explicit UTC offset"],
    ),
    (
        "enclosure on an undotted host",
        catalogue_text(
            article("a1", "enclosures: [{url: 'http://localhost/a.mp3', length: 1, type: audio/mpeg}]")
        ),
        "12:24",
        ["'url'", "dotted host"],
    ),
    (
        "enclosure without length",
        catalogue_text(
            article("a1", "enclosures: [{url: 'https://cdn.example.org/a.mp3', type: audio/mpeg}]")
        ),
        "12:18",
        ["an enclosure is missing 'length'"],
    ),
    (
        "negative enclosure length",
        catalogue_text(
            article("a1", "enclosures: [{url: 'https://cdn.example.org/a', length: -1, type: a/b}]")
        ),
        "12:61",
        ["'length' must be a whole number from 0"],
    ),
    (
        "bad MIME type",
        catalogue_text(
            article("a1", "enclosures: [{url: 'https://cdn.example.org/a', length: 1, type: mp3}]")
        ),
        "12:70",
        ["'type': 'mp3' is not valid", "MIME"],
    ),
    (
        "enclosures not a list",
        catalogue_text(article("a1", "enclosures: https://cdn.example.org/a")),
        "12:17",
        ["'enclosures' must be a list"],
    ),
    ("relative image", catalogue_text(article("a1", "image: /i.png")), "12:12", ["'image'", "relative URL"]),
    (
        "image without url",
        catalogue_text(article("a1", "image: {alt: A}")),
        "12:12",
        ["an image is missing 'url'"],
    ),
    (
        "image width of zero",
        catalogue_text(article("a1", "image: {url: 'https://example.org/i.png', width: 0}")),
        "12:54",
        ["'width' must be a whole number from 1 to 65535, not '0'"],
    ),
    (
        "image height as text",
        catalogue_text(article("a1", "image: {url: 'https://example.org/i.png', height: tall}")),
        "12:55",
        ["'height' must be a whole number from 1 to 65535, not 'tall'"],
    ),
    (
        "relative icon",
        catalogue_text(site=SITE.replace("articles:", "  icon: /icon.png\narticles:")),
        "7:9",
        ["'icon'", "relative URL"],
    ),
    (
        "unknown content mode",
        catalogue_text(site=SITE.replace("articles:", "  content: summaries\narticles:")),
        "7:12",
        ["'content': 'summaries' is not a content mode", "did you mean 'summary'?", "full, summary"],
    ),
    (
        "tag content mode",
        catalogue_text(
            article("a1", "tags: [Gaza]"),
            site=SITE.replace("articles:", "  tags: {Gaza: {content: none}}\narticles:"),
        ),
        "7:26",
        ["'content': 'none' is not a content mode", "full, summary"],
    ),
    (
        "budget too small",
        catalogue_text(site=SITE.replace("articles:", "  max_bytes: 512\narticles:")),
        "7:14",
        ["'max_bytes' must be a whole number from 1024 to 67108864, not '512'"],
    ),
    (
        "full_text not a flag",
        catalogue_text(article("a1", "full_text: summary")),
        "12:16",
        ["'full_text' must be true or false, not 'summary'"],
    ),
    (
        "relative hub",
        catalogue_text(site=SITE.replace("articles:", "  websub_hub: /hub\narticles:")),
        "7:15",
        ["'websub_hub'", "relative URL"],
    ),
    (
        "feed_url with a query and a fragment, which the feeds' paths would follow",
        catalogue_text(site=SITE.replace("/feeds/", "/feeds/?x=1#top")),
        "4:13",
        [
            "'feed_url': 'https://example.org/feeds/?x=1#top' has a query and a fragment ('?x=1#top')",
            "expected the folder's URL alone, such as 'https://example.org/feeds/'",
        ],
    ),
    (
        "feed_url with an empty query",
        catalogue_text(site=SITE.replace("/feeds/", "/feeds?")),
        "4:13",
        ["'feed_url': 'https://example.org/feeds?' has a query ('?')"],
    ),
    (
        "feed_url with a fragment holding a question mark",
        catalogue_text(site=SITE.replace("/feeds/", "/feeds/#a?b")),
        "4:13",
        ["has a fragment ('#a?b')"],
    ),
    (
        "date before 1990",
        catalogue_text(article(published="1989-12-31")),
        "11:16",
        ["'published'", "not between 1990 and 9998", "implausible"],
    ),
    (
        "date at the end of time",
        catalogue_text(article(published="9999-12-31T23:59:59")),
        "11:16",
        ["'published'", "not between 1990 and 9998"],
    ),
    ("replacement character", catalogue_text(article(title='"caf\\ufffd"')), "9:12", ["U+FFFD"]),
    ("C1 control", catalogue_text(article(title='"caf\\x92s"')), "9:12", ["U+0092"]),
    (
        "UTF-8 read as Latin-1",
        catalogue_text(article(title="CafÃ© society")),
        "9:12",
        ["'title' looks like UTF-8 text that was read as Latin-1", "'Café society'"],
    ),
    (
        "end tag in plain text",
        catalogue_text(article(title="'Why </p> matters'")),
        "9:12",
        ["'title' contains '</p>'", "take for HTML"],
    ),
    (
        "end tag in a tag name",
        catalogue_text(article("a1", "tags: ['</b>bold']")),
        "12:12",
        ["'tags[0]' contains '</b>'"],
    ),
    (
        "e-mail a validator refuses",
        catalogue_text(article("a1", "author: {name: A, email: a@localhost}")),
        "12:30",
        ["'email': 'a@localhost' is not valid"],
    ),
    (
        "e-mail inside a name",
        catalogue_text(article("a1", "author: {name: 'Jane <jane@example.org>'}")),
        "12:20",
        ["'name'", "contains an e-mail address", "'email'"],
    ),
    (
        "unregistered language",
        catalogue_text(site=SITE.replace("articles:", "  language: zz\narticles:")),
        "7:13",
        ["'language': 'zz' is not a registered language tag"],
    ),
    (
        "UTC offset with seconds",
        catalogue_text(article(published="2023-12-01T10:00:00+00:00:30")),
        "11:16",
        ["'published'", "UTC offset with seconds", "+05:30"],
    ),
    (
        "UTC offset with a fraction of a second",
        catalogue_text(article("a1", "updated: 2024-12-01T10:00:00+05:30:00.25")),
        "12:14",
        ["'updated'", "UTC offset with seconds"],
    ),
    (
        "more tags than an article may have",
        catalogue_text(article("a1", f"tags: [{', '.join(f't{i}' for i in range(101))}]")),
        "12:11",
        ["'tags' lists 101 tags", "at most 100"],
    ),
    (
        "a title longer than a line may be",
        catalogue_text(article(title="x" * 1001)),
        "9:12",
        ["'title' has 1,001 characters; it may have at most 1,000"],
    ),
    (
        "content longer than a feed can carry",
        catalogue_text(article("a1", "content: " + "y" * 1_000_001)),
        "12:14",
        ["'content' has 1,000,001 characters; it may have at most 1,000,000"],
    ),
    (
        "more enclosures than an article may have",
        catalogue_text(
            article(
                "a1",
                "enclosures: ["
                + ", ".join(["{url: 'https://cdn.example.org/a', length: 1, type: a/b}"] * 101)
                + "]",
            )
        ),
        "12:17",
        ["'enclosures' lists 101; at most 100 are allowed"],
    ),
    (
        "a zero-width space in a tag",
        catalogue_text(article("a1", 'tags: [gaza, "ga\\u200bza"]')),
        "12:18",
        ["U+200B", "ZERO WIDTH SPACE", "look like another's"],
    ),
    (
        "a right-to-left override in a tag",
        catalogue_text(article("a1", 'tags: ["\\u202eazag"]')),
        "12:12",
        ["U+202E", "RIGHT-TO-LEFT OVERRIDE"],
    ),
    (
        "a time zone that depends on the machine",
        catalogue_text(site=SITE.replace("articles:", "  timezone: localtime\narticles:")),
        "7:13",
        ["'localtime' is not a known time zone"],
    ),
    (
        "merge of a non-mapping",
        catalogue_text(article("a1", "<<: [1]")),
        "12:10",
        ["'<<' must merge a mapping"],
    ),
    (
        "an article's language not in the registry",
        catalogue_text(article("a1", "language: qq-nope")),
        "12:15",
        ["'language': 'qq-nope' is not a registered language tag", "such as en or en-GB"],
    ),
    (
        "an article's language too long to name its feed's folder",
        catalogue_text(article("a1", "language: en-x-" + "-".join(["abcdefgh"] * 28))),
        "12:15",
        ["'language': a tag of 256 characters is too long", "at most 255"],
    ),
    (
        "an author without a letter or digit and without an id",
        catalogue_text(article("a1", "author: {name: '★'}")),
        "12:20",
        ["author '★' has no letter or digit", "give the author an 'id'"],
    ),
    (
        "an author id that cannot name a folder",
        catalogue_text(article("a1", "author: {name: Jane, id: Jane Doe}")),
        "12:30",
        ["'id': 'Jane Doe' is not valid", "lower-case letters, digits and hyphens"],
    ),
    (
        "two authors that would share a folder",
        catalogue_text(article("a1", "author: {name: C Team}"), article("a2", "author: {name: C++ Team}")),
        "17:13",
        ["authors 'C++ Team' and 'C Team' (line 12)", "feeds/authors/c-team/", "give one an 'id'"],
    ),
    (
        "an author's id taken by another's name",
        catalogue_text(article("a1", "author: {name: Ann}"), article("a2", "author: {name: Bo, id: ann}")),
        "17:13",
        [
            "authors 'Bo' and 'Ann' (line 12) would both be written to feeds/authors/ann/; give the "
            "one without an 'id' one of its own (or, if they are one person, the id 'ann')"
        ],
    ),
    (
        "an author without an id and one of the same name with an id",
        catalogue_text(
            article("a1", "author: {name: Jane Doe}"), article("a2", "author: {name: Jane Doe, id: jane-doe}")
        ),
        "17:13",
        ["(line 12) would both be written to feeds/authors/jane-doe/; give the one without an 'id' one"],
    ),
    (
        "two authors' ids written as one folder",
        catalogue_text(
            article("a1", "author: {name: A, id: con}"), article("a2", "author: {name: B, id: con-tag}")
        ),
        "17:13",
        [
            "authors 'B' and 'A' (line 12) would both be written to feeds/authors/con-tag/; give one another 'id'"
        ],
    ),
    (
        "a selection named as one of feedpub's folders",
        catalogue_text(site=with_feeds("authors: {title: T}")),
        "8:5",
        ["'authors' cannot name a feed's folder", "tags, authors, lang, archive"],
    ),
    (
        "a selection whose name is not a folder name",
        catalogue_text(site=with_feeds("My Feed: {title: T}")),
        "8:5",
        ["'My Feed' cannot name a feed's folder", "lower-case letters, digits and hyphens"],
    ),
    (
        "a selection without a title",
        catalogue_text(site=with_feeds("mine: {exclude: {tags: [X]}}")),
        "8:11",
        ["a selection is missing 'title'"],
    ),
    (
        "a selection of a tag no article has, with the likeliest",
        catalogue_text(
            article("a1", "tags: [Gaza, Israel]"),
            site=with_feeds("mine: {title: T, include: {tags: [Gazza]}}"),
        ),
        "8:39",
        ["no article has the tag 'Gazza'", "did you mean 'Gaza'?", "expected one of: Gaza, Israel"],
    ),
    (
        "a selection excluding an author no article has, with the likeliest",
        catalogue_text(
            article("a1", "author: {name: Alex Kim, id: alex-kim-paris}"),
            site=with_feeds("mine: {title: T, exclude: {authors: [alex-kim-pari]}}"),
        ),
        "8:42",
        [
            "no article has the author 'alex-kim-pari'",
            "did you mean 'alex-kim-paris'?",
            "one of: alex-kim-paris)",
        ],
    ),
    (
        "a selection naming an author with an id by the author's name",
        catalogue_text(
            article("a1", "author: {name: Alex Kim, id: alex-kim-paris}"),
            article("a2", "author: {name: Alex Kim, id: alex-kim-ny}"),
            site=with_feeds("mine: {title: T, include: {authors: [alex kim]}}"),
        ),
        "8:42",
        [
            "the author 'alex kim' has an id, which a selection names it by "
            "(expected 'alex-kim-paris' or 'alex-kim-ny')"
        ],
    ),
    (
        "a selection of an author no article has, nor any like it",
        catalogue_text(
            article("a1", "author: {name: Jane Doe}"),
            site=with_feeds("mine: {title: T, include: {authors: [Nobody]}}"),
        ),
        "8:42",
        ["no article has the author 'Nobody' (no author has a name close to it; expected one of: Jane Doe)"],
    ),
    (
        "a selection of an empty list",
        catalogue_text(site=with_feeds("mine: {title: T, include: {tags: []}}")),
        "8:38",
        ["'tags' must be a non-empty list of tag names"],
    ),
    (
        "a selection of a language not in the registry",
        catalogue_text(site=with_feeds("mine: {title: T, include: {languages: [qq-nope]}}")),
        "8:44",
        ["'qq-nope' is not a registered language tag"],
    ),
]


@pytest.mark.parametrize(("what", "text", "where", "words"), RULES, ids=[r[0] for r in RULES])
def test_rule_reports_place_and_field(what: str, text: str, where: str, words: list[str]) -> None:
    message = one_error(text)
    assert message.startswith(f"articles.yaml:{where}: error: "), message
    for word in words:
        assert word in message


def test_every_defect_is_reported_at_once_sorted_by_place() -> None:
    text = catalogue_text(
        article("a1", "draft: maybe", link="example.org/a1"),
        article("a1", title='""', published="2024-13-01"),
    )
    assert [m.split(": error: ")[0] for m in errors(text)] == [
        "articles.yaml:10:11",
        "articles.yaml:12:12",
        "articles.yaml:13:9",
        "articles.yaml:14:12",
        "articles.yaml:16:16",
    ]


def test_ambiguous_local_time_is_a_warning_and_takes_the_first() -> None:
    found, problems = parse(catalogue_text(article(published="2024-11-03T01:30:00"), site=NEW_YORK))
    assert found is not None
    assert [(p.line, p.col, p.severity) for p in problems] == [(12, 16, Severity.WARNING)]
    assert "happens twice" in problems[0].message
    assert found.articles[0].published.utcoffset() == timedelta(hours=-4)


def test_unused_tag_definition_is_a_warning() -> None:
    site = SITE.replace("articles:", "  tags:\n    Nowhere: {title: T}\narticles:")
    found, problems = parse(catalogue_text(site=site))
    assert found is not None
    assert [(p.line, p.col, p.severity) for p in problems] == [(8, 5, Severity.WARNING)]
    assert "no article has the tag 'Nowhere'" in problems[0].message


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("2023-12-01", "2023-12-01"),
        ("1.50", "1.50"),
        ("0x10", "0x10"),
        ("'null'", "null"),
        ("Off", "Off"),
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_titles_keep_the_text_as_written(written: str, text: str) -> None:
    assert valid(catalogue_text(article(title=written))).articles[0].title == text


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2023-12-01", datetime(2023, 12, 1, tzinfo=ZoneInfo("America/New_York"))),
        ("'2023-12-01'", datetime(2023, 12, 1, tzinfo=ZoneInfo("America/New_York"))),
        ("2023-07-01T10:00:00", datetime(2023, 7, 1, 10, tzinfo=ZoneInfo("America/New_York"))),
        ("2023-12-01T10:00:00-05:00", datetime(2023, 12, 1, 10, tzinfo=timezone(timedelta(hours=-5)))),
        ("2023-12-01T10:00:00Z", datetime(2023, 12, 1, 10, tzinfo=UTC)),
        ("2023-12-01 10:00:00+01:00", datetime(2023, 12, 1, 10, tzinfo=timezone(timedelta(hours=1)))),
    ],
)
def test_dates_are_timezone_aware(written: str, moment: datetime) -> None:
    published = valid(catalogue_text(article(published=written), site=NEW_YORK)).articles[0].published
    assert published.tzinfo is not None
    assert published == moment
    assert published.utcoffset() == moment.utcoffset()


def in_zone(zone: str) -> str:
    """SITE in `zone`: eight lines, so its first article's published is at 12:16."""
    return SITE.replace("articles:\n", f"  timezone: {zone}\narticles:\n")


PAGO_PAGO_9999 = "is 9999-01-01T10:00:00Z in UTC, which is not between 1990 and 9998"
TOKYO_1989 = "is 1989-12-31T15:00:00Z in UTC, which is not between 1990 and 9998"


@pytest.mark.parametrize(
    ("zone", "written", "said"),
    [
        # each group is one instant, written in several ways: one verdict for all
        ("Pacific/Pago_Pago", "9998-12-31T23:00:00", f"in Pacific/Pago_Pago {PAGO_PAGO_9999}"),
        ("Pacific/Pago_Pago", "9998-12-31T23:00:00-11:00", PAGO_PAGO_9999),
        ("Pacific/Pago_Pago", "9999-01-01T10:00:00Z", "is not between 1990 and 9998"),
        ("Asia/Tokyo", "1990-01-01", f"in Asia/Tokyo {TOKYO_1989}"),
        ("Asia/Tokyo", "1990-01-01T00:00:00+09:00", TOKYO_1989),
        ("Asia/Tokyo", "1989-12-31T15:00:00Z", "is not between 1990 and 9998"),
        # Kiritimati was ten hours behind UTC until 1995: this instant is 1990-01-01T10:00Z
        ("Pacific/Kiritimati", "1990-01-01", None),
        ("Pacific/Kiritimati", "1990-01-01T00:00:00-10:00", None),
        ("Pacific/Kiritimati", "1990-01-01T10:00:00Z", None),
        ("Pacific/Kiritimati", "1990-01-01T00:00:00+14:00", "is 1989-12-31T10:00:00Z in UTC, which"),
        ("Pacific/Pago_Pago", "1989-12-31T23:00:00", None),  # 1990-01-01T10:00Z
    ],
)
def test_the_date_range_is_one_rule_on_the_utc_instant_and_says_what_it_compared(
    zone: str, written: str, said: str | None
) -> None:
    text = catalogue_text(article(published=written), site=in_zone(zone))
    if said is None:
        assert valid(text).articles[0].published.year in (1989, 1990)
    else:
        assert one_error(text).startswith(f"articles.yaml:12:16: error: 'published': {written} {said}")


def test_offset_is_kept_as_written() -> None:
    published = valid(catalogue_text(article(published="2023-12-01T10:00:00+05:30"))).articles[0].published
    assert published.utcoffset() == timedelta(hours=5, minutes=30)
    assert published.tzinfo == timezone(timedelta(hours=5, minutes=30))


def test_tags_differing_in_case_accents_or_spacing_are_one_tag() -> None:
    found = valid(
        catalogue_text(
            article("a1", "tags: [Gaza, gaza]"),
            article("a2", "tags: [GÁZA, 'US  imperialism']"),
            article("a3", "tags: [us imperialism]"),
        )
    )
    assert [(t.slug, t.name) for t in found.tags] == [("gaza", "Gaza"), ("us-imperialism", "US imperialism")]
    assert [len(a.tags) for a in found.articles] == [1, 2, 1]
    assert found.articles[2].tags[0] is found.tags[1]


def test_joiners_in_a_tag_fold_away() -> None:
    found = valid(catalogue_text(article("a1", "tags: [gaza]"), article("a2", 'tags: ["ga\\u200dza"]')))
    assert [t.name for t in found.tags] == ["gaza"]
    assert found.articles[1].tags == found.tags


def test_site_tag_definitions_match_by_slug() -> None:
    site = SITE.replace(
        "articles:", "  tags:\n    us-imperialism: {title: The Empire, description: D}\narticles:"
    )
    (tag,) = valid(catalogue_text(article("a1", "tags: [US Imperialism]"), site=site)).tags
    assert (tag.name, tag.title, tag.description) == ("US Imperialism", "The Empire", "D")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Gaza", "gaza"),
        ("US imperialism", "us-imperialism"),
        ("Gázà", "gaza"),
        ("C++", "c"),
        ("../../etc", "etc"),
        ("/abs/path", "abs-path"),
        ("con", "con-tag"),
        ("NUL", "nul-tag"),
        ("Газа", "gaza"),
        ("x" * 300, "x" * 80),
        ("🔥", ""),
    ],
)
def test_slugs_are_lowercase_url_safe_and_stay_in_their_folder(name: str, slug: str) -> None:
    assert tag_slug(name) == slug


def test_links_become_plain_ascii_uris() -> None:
    found = valid(catalogue_text(article(link="https://例え.jp/パス?q=ü#frag")))
    assert found.articles[0].link == "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%C3%BC#frag"


def test_site_defaults_and_feed_url_slash() -> None:
    site = valid(catalogue_text(site=SITE.replace("feeds/", "feeds"))).site
    assert (site.feed_url, site.language, site.timezone, site.max_items, site.id) == (
        "https://example.org/feeds/",
        "en",
        "UTC",
        50,
        "https://example.org/",
    )


def test_images_content_modes_and_the_budget_reach_the_model() -> None:
    site = SITE.replace(
        "articles:",
        "  icon: https://example.org/icon.png\n  logo: https://example.org/logo.png\n  content: summary\n"
        "  max_bytes: 524288\n  tags:\n    Gaza: {icon: 'https://example.org/g.png', logo: 'https://example.org/gl.png', "
        "content: full}\narticles:",
    )
    found = valid(
        catalogue_text(
            article(
                "a1",
                "tags: [Gaza]",
                "full_text: false",
                "image: {url: 'https://example.org/i.png', alt: A, width: 640, height: 360}",
            ),
            article("a2"),
            site=site,
        )
    )
    assert (found.site.icon, found.site.logo, found.site.content, found.site.max_bytes) == (
        "https://example.org/icon.png",
        "https://example.org/logo.png",
        "summary",
        524288,
    )
    (tag,) = found.tags
    assert (tag.icon, tag.logo, tag.content) == (
        "https://example.org/g.png",
        "https://example.org/gl.png",
        "full",
    )
    first, second = found.articles
    assert (first.full_text, second.full_text) == (False, None)
    assert first.image and (first.image.width, first.image.height) == (640, 360)
    assert valid(catalogue_text()).site.content == "full"


def test_article_fields_reach_the_model() -> None:
    found = valid(
        catalogue_text(
            article(
                "a1",
                "updated: 2024-01-03",
                "summary: S",
                "content: <p>C</p>",
                "draft: true",
                "authors: [{name: A, email: a@example.org, uri: https://example.org/a}, {name: B}]",
            )
        )
    )
    a = found.articles[0]
    assert (a.summary, a.content, a.draft) == ("S", "<p>C</p>", True)
    assert a.updated == datetime(2024, 1, 3, tzinfo=UTC)
    assert [(x.name, x.email, x.uri) for x in a.authors] == [
        ("A", "a@example.org", "https://example.org/a"),
        ("B", None, None),
    ]
    assert valid(catalogue_text()).articles[0].authors[0].name == "Jane Doe"


def test_authors_are_one_per_id_or_folded_name_as_first_written() -> None:
    found = valid((DATA / "audiences.yaml").read_text(encoding="utf-8"))
    assert [(a.name, a.id) for a in found.authors] == [
        ("Ann Lee", None),  # also written 'ann  lee'
        ("Alex Kim", "alex-kim-paris"),
        ("Alex Kim", "alex-kim-nyc"),
        ("Desk", None),  # the site's, for the articles that name none
        ("Only Drafts", None),
        ("Future Writer", None),
    ]
    assert [a.language for a in found.articles] == [None, "fr", None, "fr", "en", None, None, "fr", None]
    no_opinion, paris, ann = found.site.feeds
    assert (no_opinion.name, no_opinion.excluded_tags, no_opinion.description) == (
        "no-opinion",
        ("opinion",),
        None,
    )
    assert (paris.authors, paris.languages) == (("alex-kim-paris",), ("fr",))
    assert (ann.tags, ann.authors, ann.excluded_authors) == (("world", "science"), ("ann-lee",), ("desk",))


@pytest.mark.parametrize(
    ("written", "conventional"), [("FR", "fr"), ("en-gb", "en-GB"), ("ZH-hant-tw", "zh-Hant-TW")]
)
def test_an_articles_language_takes_the_case_bcp_47_recommends(written: str, conventional: str) -> None:
    assert valid(catalogue_text(article("a1", f"language: {written}"))).articles[0].language == conventional


DEPRECATED_LANGUAGES = [
    # grandfathered and redundant tags, whole
    ("i-klingon", "tlh", "'i-klingon' is deprecated; use 'tlh' (its preferred value in the IANA registry"),
    ("I-Klingon", "tlh", "'I-Klingon' is deprecated; use 'tlh'"),
    ("en-GB-oed", "en-GB-oxendict", "'en-GB-oed' is deprecated; use 'en-GB-oxendict'"),
    ("zh-min-nan", "nan", "'zh-min-nan' is deprecated; use 'nan'"),
    ("sgn-BE-FR", "sfb", "'sgn-BE-FR' is deprecated; use 'sfb'"),
    ("zh-yue", "yue", "'zh-yue' is deprecated; use 'yue'"),
    ("zh-min", "zh-min", "'zh-min' is deprecated, with nothing in its place"),
    # deprecated subtags, each in its place
    ("iw", "he", "'iw' is deprecated; use 'he'"),
    ("iw-IL", "he-IL", "'iw-IL' is deprecated; use 'he-IL'"),
    ("en-BU", "en-MM", "'en-BU' is deprecated; use 'en-MM'"),
    ("sr-YU", "sr-YU", "'YU' in 'sr-YU' is deprecated, with nothing in its place"),
]


@pytest.mark.parametrize(("written", "preferred", "words"), DEPRECATED_LANGUAGES)
def test_a_deprecated_language_is_a_warning_and_the_feeds_say_its_preferred_value(
    written: str, preferred: str, words: str
) -> None:
    """One rule for every field that holds a language: the site's, an article's, a selection's."""
    site = SITE.replace(
        "articles:",
        f"  language: {written}\n  feeds: {{mine: {{title: T, include: {{languages: [{written}]}}}}}}\narticles:",
    )
    found, problems = parse(catalogue_text(article("a1", f"language: {written}"), site=site))
    assert found is not None, [str(p) for p in problems]
    assert [(p.severity, words in p.message) for p in problems] == [(Severity.WARNING, True)] * 3, [
        str(p) for p in problems
    ]
    assert (found.site.language, found.articles[0].language) == (preferred, preferred)
    assert found.site.feeds[0].languages == (preferred.lower(),)


def test_a_grandfathered_tag_feeds_cannot_carry_is_refused_and_a_current_one_is_quiet() -> None:
    for tag in ("i-default", "i-enochian", "i-mingo"):
        problems = parse(catalogue_text(article("a1", f"language: {tag}")))[1]
        assert [
            (p.severity, "feed validators refuse a language tag starting 'i-'" in p.message) for p in problems
        ] == [(Severity.ERROR, True)], tag
    found, problems = parse(
        catalogue_text(article("a1", "language: i-klingon"), article("a2", "language: tlh"))
    )
    assert found is not None and len(problems) == 1  # the one written 'tlh' is in the same language
    assert {a.language for a in found.articles} == {"tlh"}


def test_one_name_with_two_uris_is_a_warning_that_ids_tell_people_apart() -> None:
    ann = "author: {name: Ann, uri: 'https://example.org/%s'}"
    found, problems = parse(
        catalogue_text(article("a1", ann % 1), article("a2", ann % 2), article("a3", ann % 3))
    )
    assert found is not None and len(found.authors) == 1
    assert [(p.line, p.col, p.severity) for p in problems] == [(17, 13, Severity.WARNING)]
    assert "taken for one author" in problems[0].message and "give each an 'id'" in problems[0].message
    ided = catalogue_text(
        article("a1", (ann % 1)[:-1] + ", id: ann-1}"), article("a2", (ann % 2)[:-1] + ", id: ann-2}")
    )
    found, problems = parse(ided)
    assert found is not None and not problems and [a.id for a in found.authors] == ["ann-1", "ann-2"]


def test_images_and_enclosures_reach_the_model() -> None:
    found = valid(
        catalogue_text(
            article(
                "a1",
                "image: {url: 'https://example.org/i.png', alt: A map}",
                "enclosures: [{url: 'https://cdn.example.org/a.mp3', length: 1234, type: audio/mpeg}, "
                "{url: 'https://cdn.example.org/a.pdf', length: 0, type: application/pdf}]",
            ),
            article("a2", "image: 'https://example.org/j.png'"),
            site=SITE.replace("articles:", "  websub_hub: https://hub.example.org/\narticles:"),
        )
    )
    first, second = found.articles
    assert first.image and second.image
    assert (first.image.url, first.image.alt, second.image.url, second.image.alt) == (
        "https://example.org/i.png",
        "A map",
        "https://example.org/j.png",
        None,
    )
    assert [(e.url, e.length, e.type) for e in first.enclosures] == [
        ("https://cdn.example.org/a.mp3", 1234, "audio/mpeg"),
        ("https://cdn.example.org/a.pdf", 0, "application/pdf"),
    ]
    assert found.site.websub_hub == "https://hub.example.org/"


def test_empty_article_list_is_valid() -> None:
    assert valid(SITE.replace("articles:", "articles: []")).articles == ()
    assert valid(SITE).articles == ()


# -- property: no mutation of a valid catalogue makes validation crash -------------------------


SAMPLE = (ROOT / "articles.yaml").read_text(encoding="utf-8")
SAMPLE_DATA = yaml.safe_load(SAMPLE)

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates() | st.datetimes(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw: st.DrawFn) -> object:
    """The sample catalogue with a few keys dropped, renamed or given values of other types."""
    data = yaml.safe_load(SAMPLE)
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            child = node[draw(st.sampled_from(keys))]
            if not isinstance(child, (dict, list)) or not child:
                break
            node = child
        if not node or not isinstance(node, (dict, list)):
            continue
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["drop", "rename", "replace"]))
        if action == "drop":
            del node[key]
        elif action == "rename" and isinstance(node, dict):
            node[draw(st.text(max_size=10))] = node.pop(key)
        else:
            node[key] = draw(values)
    return data


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_catalogues_never_crash(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    found, problems = parse(text)
    assert (found is None) == any(p.severity is Severity.ERROR for p in problems)
    for p in problems:
        assert p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=scaled(300), deadline=None)
@given(st.data())
def test_random_bytes_in_the_catalogue_never_crash(data: st.DataObject) -> None:
    raw = bytearray(SAMPLE.encode())
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at : at + data.draw(st.integers(0, 3))] = data.draw(st.binary(max_size=6))
    root, problems = load.parse(bytes(raw), "articles.yaml")
    if root is not None:
        found, problems = catalogue.validate(root, "articles.yaml")
        assert (found is None) == any(p.severity is Severity.ERROR for p in problems)
    else:
        assert problems


@settings(max_examples=scaled(200), deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_unicode_title_is_accepted_or_refused_cleanly(title: str) -> None:
    text = catalogue_text(
        article(
            title=yaml.safe_dump(title, allow_unicode=True, width=10**6)
            .strip()
            .removesuffix("\n...")
            .removesuffix("...")
            .strip()
        )
    )
    found, problems = parse(text)
    if found is not None:
        assert found.articles[0].title == " ".join(title.split())
    else:
        assert problems


RISKY = "\x00\x07\x1b\x7f\x80\x85\x9f\xa0\xa9\xad\xbf\xc2\xc3\xe9\xef\ufeff\ufdd0\ufffd\ufffe\uffff\U0001fffe\U0001f600ÃÂ©é'\"\\\n\t "


@st.composite
def scalars(draw: st.DrawFn) -> str:
    """A title with characters the text checks look for, written as YAML does or could."""
    value = draw(st.text(st.one_of(st.sampled_from(RISKY), st.characters(codec="utf-8")), min_size=1))
    style = draw(st.sampled_from(["double", "ascii", "single", "escapes"]))
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    if style == "ascii":
        return json.dumps(value)
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    escape = draw(st.sampled_from(["\\x85", "\\N", "\\_", "\\u00e9", "\\xc3\\xa9", "\\0", "\\e", "\\\n  "]))
    return json.dumps(value, ensure_ascii=False)[:-1] + escape + '"'


@settings(max_examples=scaled(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalars())
def test_screening_the_bytes_hides_no_problem_of_any_field(title: str) -> None:
    text = catalogue_text(article("a1", title=title), article("a2", f"summary: {title}"))
    data = text.encode()
    root, _ = load.parse(data, "articles.yaml")
    if root is not None:  # else YAML itself refused it, before any field is checked
        screened = catalogue.screened(data)
        assert catalogue.validate(root, "articles.yaml", screened=screened) == catalogue.validate(
            root, "articles.yaml"
        )


@pytest.mark.parametrize(
    "title",
    [
        '"bell \\a"',
        '"next line \\N"',
        '"caf\\xc3\\xa9"',
        "Café \u0085",
        "CafÃ©",
        '"\\ufffd"',
        '"joined Ã\\\n  ©"',
    ],
)
def test_the_bytes_of_every_character_problem_are_found(title: str) -> None:
    data = catalogue_text(article("a1", title=title)).encode()
    assert not catalogue.screened(data)


def test_a_count_with_leading_zeros_is_the_decimal_number_editors_read() -> None:
    """YAML 1.1 reads 010 as octal 8; YAML 1.2, and editors checking the JSON Schema, as 10."""
    assert (
        valid(catalogue_text(site=SITE.replace("articles:", "  max_items: 010\narticles:"))).site.max_items
        == 10
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Gardening", "Gardenning"),
        ("How-to", "Howto"),
        ("e-mail", "Email"),
        ("Colour", "Coloour"),
        ("Tor", "T.O.R."),
    ],
)
def test_tags_that_look_like_one_misspelt_are_a_warning_naming_both_lines(first: str, second: str) -> None:
    text = catalogue_text(article("a1", f"tags: ['{first}']"), article("a2", f"tags: [News, '{second}']"))
    found, problems = parse(text)
    assert found is not None and len(found.tags) == 3  # still two feeds, as written
    (warning,) = [str(p) for p in problems]
    assert warning.startswith(
        f"articles.yaml:17:18: warning: tag '{second}' looks like '{first}' (line 12) misspelt: they make two tag feeds"
    ), warning
    assert f"add [{first}, {second}] to site.distinct_tags" in warning


@pytest.mark.parametrize(
    ("first", "second"),
    [("Art", "Arts"), ("Python 2", "Python 3"), ("2020", "2002"), ("Gaza", "Israel"), ("AI", "UI")],
)
def test_tags_that_differ_by_more_than_doubling_or_punctuation_pass(first: str, second: str) -> None:
    found, problems = parse(catalogue_text(article("a1", f"tags: ['{first}', '{second}']")))
    assert found is not None and problems == []


def test_distinct_tags_silences_a_pair_that_is_meant() -> None:
    site = SITE.replace(
        "articles:", "  distinct_tags: [[how-to, Howto], [Gardening, Gardenning, Garden-ing]]\narticles:"
    )
    text = catalogue_text(
        article("a1", "tags: [How-to, Gardening]"),
        article("a2", "tags: [Howto, Gardenning, Garden-ing, Colour, Coloour]"),
        site=site,
    )
    found, problems = parse(text)
    assert found is not None
    assert [p.message[:41] for p in problems] == ["tag 'Coloour' looks like 'Colour' (line 1"]


def test_lookalike_tags_are_found_by_one_lookup_each_not_by_comparing_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    key = catalogue.fields.lookalike_key
    monkeypatch.setattr(catalogue.fields, "lookalike_key", lambda slug: calls.append(slug) or key(slug))
    names = [f"tag{n:05d}x" for n in range(20_000)]
    tags = "".join(
        article(f"a{i}", f"tags: [{', '.join(names[i * 100 : i * 100 + 100])}]") for i in range(200)
    )
    found, problems = parse(catalogue_text(tags, article("z", "tags: [tag00042xx]")))
    assert found is not None and len(found.tags) == 20_001
    assert len(calls) == 20_001  # each tag's key once: no pair of tags compared
    assert [p.message[:39] for p in problems] == ["tag 'tag00042xx' looks like 'tag00042x'"]
