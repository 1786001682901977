"""Podcasts: the show in tests/data/podcast.yaml built and read back by podcast-partytime (the
Podcast Index's parser) and feedparser, checked by the W3C validator's iTunes rules; and what
`check` and `verify` say of what directories refuse or advise against."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import DATA, NOW, ROOT, feedpub, parse, scaled
from feedpub.catalogue.directories import (
    CATEGORY_NAMES,
    EPISODE_TYPES,
    ITUNES,
    PLAYABLE,
    SHOW_TYPES,
    TRANSCRIPT_TYPES,
    podcast_guid,
)
from feedpub.model import Article, Catalogue, Podcast
from feedpub.render import render
from feedpub.render.plan import Feed, feeds
from feedpub.render.podcast import show, shows
from feedpub.verify import verify_document, verify_folder
from strategies import text
from test_schema import schema_errors

SHOW = DATA / "podcast.yaml"
PARTYTIME = ROOT / ".node" / "node_modules" / "podcast-partytime"


def show_text() -> str:
    return SHOW.read_text(encoding="utf-8")


def built() -> tuple[Catalogue, dict[str, bytes]]:
    found, problems = parse(show_text(), str(SHOW))
    assert found is not None and problems == [], [str(p) for p in problems]
    return found, render(found, NOW)


def partytime(path: Path) -> dict[str, Any]:
    """The feed at `path` as podcast-partytime reads it."""
    if not PARTYTIME.is_dir():
        pytest.fail("podcast-partytime is not installed: tests/run installs it with npm", pytrace=False)
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "partytime.cjs"), str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(PARTYTIME.parent), "PARTYTIME_LOG": "silent"},
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def podcast_feeds(found: Catalogue) -> list[tuple[Feed, Podcast, bool]]:
    given = shows(found)
    chosen = [(feed, *show(found.site, given, feed)) for feed in feeds(found, NOW)]
    return [(feed, podcast, own) for feed, podcast, own in chosen if podcast]


def test_the_show_builds_into_feeds_with_no_w3c_error_or_warning(tmp_path: Path) -> None:
    _, files = built()
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    count, problems = verify_folder(tmp_path, NOW)
    assert (count, [str(p) for p in problems]) == (10, [])


_SRT = {"application/x-subrip": "application/srt"}


def expected_episode(article: Article, podcast: Podcast) -> dict[str, Any]:
    image = article.image.url if article.image and article.image.url.endswith((".jpg", ".png")) else None
    transcript = article.transcript
    return {
        "duration": article.duration,
        "itunesEpisode": article.episode,
        "itunesSeason": article.season,
        "itunesEpisodeType": article.episode_type,
        "explicit": podcast.explicit if article.explicit is None else article.explicit,
        "itunesImage": image,
        # partytime names SRT's every type application/srt
        "podcastTranscripts": [
            {"url": transcript.url, "type": _SRT.get(transcript.type, transcript.type), "language": "en"}
        ]
        if transcript
        else None,
        "podcastChapters": {"url": article.chapters, "type": "application/json+chapters"}
        if article.chapters
        else None,
        "podcastSeason": {"number": article.season} if article.season else None,
        "podcastEpisode": {"number": article.episode} if article.episode else None,
        "enclosure": {"url": e.url, "length": e.length, "type": e.type}
        if (e := article.enclosures[0])
        else None,
    }


def test_podcast_partytime_reads_back_every_field_of_every_show(tmp_path: Path) -> None:
    """The site's show, a tag's own (with a guid of its own), a selection's, and the site's as
    a tag feed without one of its own carries it (with a guid derived from its address)."""
    found, files = built()
    chosen = podcast_feeds(found)
    assert {feed.folder for feed, _, own in chosen if own} == {"", "tags/night-shift", "best"}
    for feed, podcast, own in chosen:
        path = tmp_path / feed.path("rss.xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[feed.path("rss.xml")])
        read = partytime(path)
        owner = podcast.owner
        assert owner is not None
        guid = podcast.guid if own and podcast.guid else podcast_guid(feed.url(found.site, "rss.xml"))
        assert {
            "guid": read.get("guid"),
            "locked": read.get("locked"),
            "podcastOwner": read.get("podcastOwner"),
            "owner": read.get("owner"),
            "itunesCategory": read.get("itunesCategory"),
            "itunesImage": read.get("itunesImage"),
            "explicit": read.get("explicit"),
            "itunesType": read.get("itunesType"),
            "podcastFunding": read.get("podcastFunding"),
        } == {
            "guid": guid,
            "locked": podcast.locked,
            "podcastOwner": owner.email if podcast.locked is not None else None,
            "owner": {"name": owner.name, "email": owner.email},
            "itunesCategory": list(podcast.categories),
            "itunesImage": podcast.image.url,
            "explicit": podcast.explicit,
            "itunesType": podcast.type,
            "podcastFunding": [{"message": f.title, "url": f.url} for f in podcast.funding] or None,
        }, feed.folder
        assert len(read["items"]) == len(feed.entries)
        for item, entry in zip(read["items"], feed.entries, strict=True):
            want = expected_episode(entry.article, podcast)
            assert {key: item.get(key) for key in want} == want, (feed.folder, entry.article.id)


def test_the_podcast_namespace_guid_is_the_specifications_uuid() -> None:
    """The examples the Podcast Namespace gives (docs/tags/guid.md)."""
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_feedparser_reads_the_itunes_fields() -> None:
    """feedparser reads itunes:explicit only as 'yes' (Apple and the W3C validator now ask for
    true or false, which it gives as None): the other fields as written."""
    found, files = built()
    site = found.site.podcast
    assert site is not None and site.owner is not None
    parsed = feedparser.parse(files["rss.xml"])
    assert not parsed.bozo
    assert parsed.feed.image.href == site.image.url
    assert [t.term for t in parsed.feed.tags] == ["Society & Culture", "Documentary", "Technology"]
    assert parsed.feed.publisher_detail == {"name": site.owner.name, "email": site.owner.email}
    assert parsed.feed.itunes_type == site.type
    storm = next(e for e in parsed.entries if e.title == "The storm")
    assert (storm.itunes_duration, storm.itunes_season, storm.itunes_episode, storm.itunes_episodetype) == (
        "3723",
        "1",
        "3",
        "full",
    )
    assert storm.podcast_transcript == {"url": "https://radio.example.org/3.vtt", "type": "text/vtt"}


def test_atom_and_json_feed_keep_their_enclosures_and_no_podcast_elements() -> None:
    _, files = built()
    atom, json_feed = files["atom.xml"], json.loads(files["feed.json"])
    assert b"itunes" not in atom and b"podcast:" not in atom
    assert b'rel="enclosure"' in atom
    assert all(len(item["attachments"]) == 1 for item in json_feed["items"])


def test_a_feed_of_no_show_has_no_podcast_element() -> None:
    """With shows on a tag only, the site's feed and the other tags' are no podcasts."""
    text = show_text()
    start, end = text.index("  podcast:\n    image"), text.index("  tags:\n")
    found, problems = parse(text[:start] + text[end:])
    assert found is not None, [str(p) for p in problems]
    files = render(found, NOW)
    assert b"itunes:" not in files["rss.xml"] and b"podcast:" not in files["rss.xml"]
    assert b"<itunes:duration>" in files["tags/night-shift/rss.xml"]
    assert verify_document(files["rss.xml"], "rss.xml", "rss.xml", NOW) == []


def place(text: str, at: str) -> tuple[int, int]:
    index = text.index(at)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


# (what the show's catalogue has, what it is changed to, where the problem is: the first
# occurrence of this text after the change, its severity, words of its message)
CHECKS = [
    (
        'categories: ["Society & Culture > Documentary", Technology]',
        'categories: ["Society & Culture > Documentary", Technolgy]',
        "Technolgy",
        "error",
        "'Technolgy' is not one of Apple's podcast categories (did you mean 'Technology'?",
    ),
    (
        "categories: [History]",
        "categories: [Documentary]",
        "Documentary]",
        "error",
        "did you mean 'Society & Culture > Documentary'?",
    ),
    (
        "categories: [History]",
        'categories: ["Games & Hobbies > Video Games"]',
        '"Games',
        "error",
        "no longer one of Apple's; its nearest is now 'Leisure > Video Games'",
    ),
    (
        "image: https://radio.example.org/cover.jpg",
        "image: https://radio.example.org/cover.webp",
        "https://radio.example.org/cover.webp",
        "error",
        "does not end in .jpg or .png",
    ),
    (
        "width: 3000, height: 3000",
        "width: 1400, height: 1500",
        '{url: "https://radio.example.org/night.png',
        "error",
        "1400 by 1500 pixels is not square",
    ),
    (
        "width: 3000, height: 3000",
        "width: 1000, height: 1000",
        '{url: "https://radio.example.org/night.png',
        "error",
        "a side of 1000 pixels",
    ),
    (
        "        owner: {name: Night Shift, email: night@radio.example.org}\n",
        "",
        "image: {url",
        "warning",
        "a podcast without an 'owner'",
    ),
    (
        "{name: Night Shift, email: night@radio.example.org}",
        "{name: Night Shift}",
        "{name: Night",
        "error",
        "missing 'email'",
    ),
    ("type: serial", "type: daily", "daily", "error", "'daily' is not a podcast type"),
    ("guid: 0f8f3f3a-2c59-5c52-9a3e-3a0ec1d2b3c4", "guid: night-shift", "night-shift\n", "error", "a UUID"),
    (
        '0.mp3", length: 1048576, type: audio/mpeg',
        '0.ogg", length: 1048576, type: audio/ogg',
        "audio/ogg",
        "error",
        "audio/ogg is not a type podcast directories play",
    ),
    (
        '0.mp3", length: 1048576',
        '0.mp3?from=feed", length: 1048576',
        '"https://media.radio.example.org/0.mp3?',
        "warning",
        "does not end in .mp3",
    ),
    ("length: 1048576", "length: 0", "0, type", "warning", "'length': 0"),
    (
        '0.mp3", length: 1048576, type: audio/mpeg}]',
        '0.mp3", length: 1048576, type: audio/mpeg}, {url: "https://media.radio.example.org/0.m4a", '
        "length: 1, type: audio/x-m4a}]",
        '{url: "https://media.radio.example.org/0.m4a',
        "warning",
        "one enclosure in RSS",
    ),
    ('duration: "42:10"', 'duration: "42:70"', '"42:70"', "error", "is not a length"),
    ("    duration: 90\n", "", "id: ep-0", "warning", "without 'duration'"),
    (
        "    episode: 2\n    explicit: false\n",
        "    explicit: false\n",
        "id: night-2",
        "error",
        "serial podcast",
    ),
    (
        "episode: 2\n    season: 1",
        "episode: 1\n    season: 1",
        "1\n    season: 1\n    transcript",
        "warning",
        "episode number 1",
    ),
    (
        '2.m4a", length: 25165824, type: audio/x-m4a',
        '1.mp3", length: 25165824, type: audio/mpeg',
        '[{url: "https://media.radio.example.org/1.mp3", length: 25165824',
        "error",
        "the same enclosure",
    ),
    ("episode_type: bonus", "episode_type: teaser", "teaser", "error", "'teaser' is not an episode type"),
    ("type: text/vtt", "type: text/srt", "text/srt", "error", "'text/srt' is not a transcript type"),
    (
        "image: https://radio.example.org/1.jpg",
        "image: https://radio.example.org/1.webp",
        "https://radio.example.org/1.webp",
        "warning",
        "as no episode's art",
    ),
    (
        '    enclosures: [{url: "https://media.radio.example.org/4.mp3", length: 5242880, type: audio/mpeg}]\n',
        "",
        "id: ep-4",
        "warning",
        "without 'enclosures'",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "severity", "words"), CHECKS)
def test_check_says_what_directories_refuse_and_advise_at_its_place(
    old: str, new: str, at: str, severity: str, words: str
) -> None:
    text = show_text()
    assert old in text
    changed = text.replace(old, new, 1)
    _, problems = parse(changed, "podcast.yaml")
    line, col = place(changed, at)
    assert [(p.line, p.col, p.severity.value, words in p.message) for p in problems] == [
        (line, col, severity, True)
    ], [str(p) for p in problems]


def test_check_refuses_an_unknown_category_at_its_line_from_the_command_line(tmp_path: Path) -> None:
    text = show_text().replace("Technology]", "Podcasting]", 1)
    (tmp_path / "articles.yaml").write_text(text, encoding="utf-8")
    result = feedpub("check", cwd=tmp_path)
    line, col = place(text, "Podcasting]")
    assert result.returncode == 1
    assert f"articles.yaml:{line}:{col}: error: 'Podcasting' is not one of Apple's podcast categories" in (
        result.stdout + result.stderr
    )


def bad(old: str, new: str) -> bytes:
    data = built()[1]["tags/night-shift/rss.xml"]
    assert old.encode() in data, (old, data.decode())
    return data.replace(old.encode(), new.encode(), 1)


DEFECTS = [
    ("<itunes:explicit>true</itunes:explicit>", "<itunes:explicit>yes</itunes:explicit>", "InvalidTrueFalse"),
    (
        '<itunes:category text="Music">',
        '<itunes:category text="Games &amp; Hobbies">',
        "ObsoleteItunesCategory",
    ),
    ('<itunes:category text="Music">', '<itunes:category text="Podcasts">', "InvalidItunesCategory"),
    (
        '<itunes:category text="Music Interviews"/>',
        '<itunes:category text="Interviews"/>',
        "InvalidItunesCategory",
    ),
    ('<itunes:category text="Music">', "<itunes:category>", "MissingAttribute"),
    ("<itunes:email>night@radio.example.org</itunes:email>", "", "MissingElement"),
    (
        "<itunes:email>night@radio.example.org</itunes:email>",
        "<itunes:email>night</itunes:email>",
        "InvalidContact",
    ),
    (
        "<itunes:duration>5400</itunes:duration>",
        "<itunes:duration>1:2:3</itunes:duration>",
        "InvalidDuration",
    ),
    ("<itunes:episode>1</itunes:episode>", "<itunes:episode>0</itunes:episode>", "InvalidPositiveInteger"),
    ("<itunes:type>serial</itunes:type>", "<itunes:type>daily</itunes:type>", "InvalidItunesChannelType"),
    (
        "<itunes:type>serial</itunes:type>",
        "<itunes:type>serial</itunes:type><itunes:episodeType>x</itunes:episodeType>",
        "UndefinedElement",
    ),
    ("<podcast:guid>0f8f3f3a", "<podcast:guid>x0f8f3f3a", "podcast:guid"),
    ("/night/1.mp4", "/night/1.ogg", "UnsupportedItunesFormat"),
    ("<itunes:image href=", "<itunes:image hrf=", "MissingAttribute"),
    ("<language>en</language>", "", "MissingItunesElement"),
    ("<itunes:explicit>true</itunes:explicit>", "", "MissingItunesElement"),
    ("/night/1.mp4", "/night/2.mp3", "DuplicateEpisode"),
    ("<itunes:episode>1</itunes:episode>", "<itunes:episode>2</itunes:episode>", "DuplicateEpisode"),
    ('type="video/mp4"', 'type="video/webm"', "UnsupportedItunesFormat"),
    ("night.png", "night.webp", "ImageUrlFormat"),
    (
        "<itunes:type>serial</itunes:type>",
        "<itunes:type>serial</itunes:type><itunes:type>serial</itunes:type>",
        "DuplicateElement",
    ),
]


@pytest.mark.parametrize(("old", "new", "w3c"), DEFECTS)
def test_verify_reports_each_podcast_defect_by_its_name(old: str, new: str, w3c: str) -> None:
    path = "tags/night-shift/rss.xml"
    problems = verify_document(bad(old, new), path, path, NOW)
    assert any(p.message.endswith(f"[{w3c}]") for p in problems), [str(p) for p in problems]


def test_verify_warns_of_a_podcast_without_an_owner() -> None:
    path = "tags/night-shift/rss.xml"
    data = built()[1][path]
    start, end = (
        data.index(b"    <itunes:owner>"),
        data.index(b"</itunes:owner>\n") + len(b"</itunes:owner>\n"),
    )
    problems = verify_document(data[:start] + data[end:], path, path, NOW)
    assert [p.message.rsplit("[", 1)[-1] for p in problems] == ["MissingItunesEmail]"]


def test_a_hosted_show_imported_and_rebuilt_keeps_its_podcast_fields(tmp_path: Path) -> None:
    """A show as hosts publish it, imported into a new catalogue and built: podcast-partytime
    reads the same show and episodes from the new feed as from the old, but for what the
    catalogue keeps otherwise (a category of Apple's old list as its nearest today, one that
    is none of Apple's left out, durations in whole seconds, rounded up)."""
    source = DATA / "hosted-podcast.xml"
    imported = feedpub("import", str(source), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "left out the feed's category 'Audio Drama'" in imported.stderr
    assert "the feed is locked (podcast:locked)" in imported.stderr
    built = feedpub("build", "--now", "2024-06-01T00:00:00Z", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    old, new = partytime(source), partytime(tmp_path / "feeds" / "rss.xml")
    show_fields = (
        "guid",
        "itunesImage",
        "owner",
        "locked",
        "podcastOwner",
        "podcastFunding",
        "itunesType",
        "explicit",
    )
    assert {k: new.get(k) for k in show_fields} == {k: old.get(k) for k in show_fields}
    assert old["itunesCategory"] == ["Fiction > Drama"]  # partytime knows only today's list
    assert new["itunesCategory"] == ["Fiction > Drama", "Technology"]
    episode_fields = (
        "guid",
        "itunesEpisode",
        "itunesSeason",
        "itunesEpisodeType",
        "explicit",
        "itunesImage",
        "podcastTranscripts",
        "podcastChapters",
        "enclosure",
    )
    assert [{k: i.get(k) for k in episode_fields} for i in new["items"]] == [
        {k: i.get(k) for k in episode_fields} for i in old["items"]
    ]
    assert [i["duration"] for i in old["items"]] == [5400.5, 3723, 2530, 95]
    assert [i["duration"] for i in new["items"]] == [5401, 3723, 2530, 95]


@pytest.mark.parametrize(
    ("old", "new", "said", "kept"),
    [
        ("cover-3000.jpg", "cover-3000.webp", "the site's podcast is left out", False),
        (
            "<itunes:email>keeper@shell-island.example.org</itunes:email>",
            "<itunes:email>keeper at shell-island</itunes:email>",
            "the site's podcast's owner is left out",
            True,
        ),
    ],
)
def test_an_imported_show_check_would_refuse_loses_only_the_part_it_refuses(
    tmp_path: Path, old: str, new: str, said: str, kept: bool
) -> None:
    source = tmp_path / "feed.xml"
    source.write_text(
        (DATA / "hosted-podcast.xml").read_text(encoding="utf-8").replace(old, new), encoding="utf-8"
    )
    result = feedpub("import", str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert said in result.stderr
    found, problems = parse((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert found is not None, [str(p) for p in problems]
    podcast = found.site.podcast
    assert (podcast is not None) == kept
    if podcast is not None:
        assert podcast.owner is None and podcast.image.url.endswith("cover-3000.jpg")


def test_a_trailer_or_bonus_episode_of_a_serial_show_needs_no_number() -> None:
    text = show_text().replace(
        "    episode: 2\n    explicit: false\n", "    episode_type: bonus\n    explicit: false\n"
    )
    _, problems = parse(text)
    assert problems == []


def test_the_json_schema_takes_the_show_and_refuses_what_check_refuses() -> None:
    assert schema_errors(show_text()) == []
    unknown = show_text().replace("Technology]", "Podcasting]", 1)
    assert schema_errors(unknown)
    assert parse(unknown)[0] is None


def test_a_podcast_feed_stays_within_its_byte_budget() -> None:
    """An episode's elements, and its explicit, are counted in every feed that may be a podcast's."""
    text = show_text().replace("  language: en\n", "  language: en\n  max_bytes: 6000\n", 1)
    found, problems = parse(text)
    assert found is not None, [str(p) for p in problems]
    files = render(found, NOW)
    sizes = {path: len(data) for path, data in files.items() if path.endswith("rss.xml")}
    assert max(sizes.values()) <= 6000, sizes
    assert all(data.count(b"<item>") for path, data in files.items() if path.endswith("rss.xml"))


@st.composite
def shows_of(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A catalogue of one show, every field drawn, and each episode's duration in seconds."""
    site = {
        "title": draw(text),
        "link": "https://show.example.org/",
        "feed_url": "https://show.example.org/feeds/",
        "description": draw(text),
        "author": {"name": "Show Team"},
        "podcast": {
            "image": "https://show.example.org/cover.png",
            "categories": draw(
                st.lists(st.sampled_from(CATEGORY_NAMES), min_size=1, max_size=3, unique=True)
            ),
            "explicit": draw(st.booleans()),
            "owner": {"name": draw(text), "email": "owner@show.example.org"},
            "type": draw(st.sampled_from(SHOW_TYPES)),
            "locked": draw(st.booleans()),
            "funding": [{"url": "https://show.example.org/give?a=1&b=2", "title": draw(text)}],
        },
    }
    articles, durations = [], []
    for n in range(1, draw(st.integers(1, 4)) + 1):
        seconds = draw(st.integers(1, 99 * 3600))
        durations.append(seconds)
        kind, extension = draw(st.sampled_from(sorted(PLAYABLE.items())))
        articles.append(
            {
                "id": f"ep-{n}",
                "title": draw(text),
                "link": f"https://show.example.org/{n}?from=feed&n={n}",
                "published": f"2024-01-{n:02}",
                "enclosures": [
                    {
                        "url": f"https://media.example.org/{n}.{extension}",
                        "length": draw(st.integers(1, 2**40)),
                        "type": kind,
                    }
                ],
                "duration": draw(
                    st.sampled_from([seconds, f"{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"])
                ),
                "episode": n,
                "season": draw(st.integers(1, 3)),
                "episode_type": draw(st.sampled_from(EPISODE_TYPES)),
                "explicit": draw(st.booleans()),
                "transcript": {
                    "url": f"https://show.example.org/{n}.t?x=1&y=2",
                    "type": draw(st.sampled_from(TRANSCRIPT_TYPES)),
                },
                "chapters": f"https://show.example.org/{n}.json",
            }
        )
    return yaml.safe_dump(
        {"site": site, "articles": articles}, allow_unicode=True, sort_keys=False
    ), durations


@settings(max_examples=scaled(40), deadline=None)
@given(shows_of())
def test_generated_shows_pass_every_w3c_and_podcast_rule(show: tuple[str, list[int]]) -> None:
    text, durations = show
    found, problems = parse(text)
    assert found is not None and problems == [], [str(p) for p in problems]
    files = render(found, NOW)
    for path, data in files.items():
        if path.endswith(".xml"):
            assert verify_document(data, path, path, NOW) == [], path
    parsed = feedparser.parse(files["rss.xml"])
    assert not parsed.bozo
    assert sorted(int(e.itunes_duration) for e in parsed.entries) == sorted(durations)


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("  author: {name: Desert Radio, email: hosts@radio.example.org}", "Desert Radio"),
        ("  authors: [{name: Ann}, {name: Bo}]", "Ann, Bo"),
        ("  authors: [{name: " + "A" * 200 + "}, {name: " + "B" * 100 + "}]", "A" * 200),
        ("  author: {name: " + "A" * 300 + "}", "Desert Radio"),  # the owner's name
    ],
)
def test_the_show_author_is_one_directories_take_whole(authors: str, expected: str) -> None:
    text = show_text().replace("  author: {name: Desert Radio, email: hosts@radio.example.org}", authors, 1)
    found, problems = parse(text)
    assert found is not None, [str(p) for p in problems]
    data = render(found, NOW)["rss.xml"]
    assert etree.fromstring(data).findtext(f"channel/{{{ITUNES}}}author") == expected
    assert verify_document(data, "rss.xml", "rss.xml", NOW) == []
