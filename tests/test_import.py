"""`feedpub import`: old feeds in the shapes real producers write them (producers.py),
imported, built again by feedpub, and read back: readers must see the same entries, with the
same ids, titles, links and dates; an existing catalogue added to, and what cannot be carried
said."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import SITE, article, built, called, catalogue_text, shared, valid, watch_second_process
from feedpub import importer
from feedpub.importer.elements import html_text
from feedpub.layout import FEED_FILES
from producers import (
    NEW_SITE,
    POSTS,
    SITES,
    Post,
    import_here,
    imported,
    jekyll_atom,
    many_posts,
    movable_type_atom,
    movable_type_rss,
    rfc822,
    seen,
    small_item,
    small_rss,
    wordpress_atom,
    wordpress_rss,
    wp_title,
    write,
)


@pytest.mark.parametrize("name", SITES)
def test_readers_see_the_same_entries_in_feedpubs_feeds(tmp_path: Path, name: str) -> None:
    files, read_as = SITES[name]
    result = imported(tmp_path, *write(tmp_path, files))
    sources = "1 source" if len(files) == 1 else f"{len(files)} sources"
    also = f", {3 * len(files) - 3} also in another source or page" if len(files) > 1 else ""
    assert (result.returncode, result.stdout) == (
        0,
        f"imported 3 entries from {sources} into articles.yaml: {3 * len(files)} found, 0 skipped{also}\n",
    ), result.stderr
    assert called("check", cwd=tmp_path).returncode == 0
    built(tmp_path)
    verified = called("verify", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    for old, new in read_as.items():
        before = seen((tmp_path / old).read_bytes(), json_feed=old.endswith(".json"))
        after = seen((tmp_path / "feeds" / new).read_bytes(), json_feed=new.endswith(".json"))
        assert len(before) == 3
        assert after == before, (old, new)


def test_what_each_format_carries_reaches_the_catalogue(tmp_path: Path) -> None:
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS), "atom.xml": wordpress_atom(POSTS)})
    assert imported(tmp_path, "feed.xml", "atom.xml").returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert (catalogue.site.title, catalogue.site.link, catalogue.site.language) == (
        "Example Blog",
        "https://blog.example.org",
        "en-US",
    )
    hello = next(a for a in catalogue.articles if a.id == "hello-world")
    assert hello.guid == "https://blog.example.org/?p=12" and hello.atom_id is None  # one id in both
    assert hello.title == "It\u2019s \u201chere\u201d & now"
    assert hello.published == datetime(2023, 12, 7, 15, 0, tzinfo=UTC)
    assert hello.updated == datetime(2023, 12, 8, 14, 30, tzinfo=UTC)  # from the Atom feed
    assert [t.name for t in hello.tags] == ["News", "Gaza"]
    assert [a.name for a in hello.authors] == ["Jane Doe"]
    assert [(e.url, e.length, e.type) for e in hello.enclosures] == [
        ("https://media.example.org/episode-1.mp3", 12345678, "audio/mpeg")
    ]
    assert hello.summary == html_text(POSTS[0].content)[:40] + " […]"
    # relative addresses made absolute against the article, as build does; scripts gone
    assert hello.content is not None
    assert 'href="https://blog.example.org/about/"' in hello.content
    assert 'src="https://blog.example.org/2023/12/07/hello-world/uploads/map.jpg"' in hello.content
    numbers = next(a for a in catalogue.articles if a.id == "numbers-2024")
    assert numbers.content is not None and "script" not in numbers.content and "alert" not in numbers.content
    cafe = next(a for a in catalogue.articles if a.id == "cafe-society")
    assert cafe.title == "Café society & its <discontents>"


def test_ids_that_differ_between_rss_and_atom_are_both_kept(tmp_path: Path) -> None:
    files, _ = SITES["Movable Type RSS and Atom"]
    assert imported(tmp_path, *write(tmp_path, files)).returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert sorted((a.guid, a.atom_id) for a in catalogue.articles) == [
        ("12@https://mt.example.org/", "tag:mt.example.org,2023:/weblog//1.12"),
        ("15@https://mt.example.org/", "tag:mt.example.org,2023:/weblog//1.15"),
        ("21@https://mt.example.org/", "tag:mt.example.org,2024:/weblog//1.21"),
    ]


def test_the_catalogue_is_yaml_a_person_will_want_to_edit(tmp_path: Path) -> None:
    write(tmp_path, {"atom.xml": jekyll_atom(POSTS)})
    assert imported(tmp_path, "atom.xml").returncode == 0
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "\n    content: |-\n      <p>" in text  # HTML as a literal block
    assert "\n  - id: hello-world\n    guid: https://jekyll.example.org/2023/12/07/hello-world\n" in text
    assert "\n    published: 2023-12-07T10:00:00-05:00\n" in text  # the offset as the feed had it
    assert "# guessed: where the feeds/ folder" in text
    assert "\n    tags: [News, Gaza]\n" in text


def test_a_comment_says_where_the_import_had_to_guess(tmp_path: Path) -> None:
    feed = jekyll_atom(POSTS[:1]).replace("<published>2023-12-07T10:00:00-05:00</published>", "")
    write(tmp_path, {"atom.xml": feed})
    assert imported(tmp_path, "atom.xml").returncode == 0
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert (
        "    # date taken from the feed's updated, the entry had no published\n"
        "    published: 2023-12-08T09:30:00-05:00\n"
    ) in text


# -- an existing catalogue ----------------------------------------------------------------------

EXISTING = catalogue_text(
    article(
        "mine",
        "summary: Written by hand.  # a comment of mine",
        link="https://blog.example.org/2023/12/07/hello-world/",
    )
)


def test_new_entries_are_appended_and_what_was_there_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(EXISTING, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    # the article already there (the same link) is not imported again
    assert (
        result.stdout
        == "imported 2 entries from 1 source into articles.yaml: 3 found, 0 skipped, 1 already there\n"
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert text.startswith(EXISTING)
    catalogue = valid(text)
    assert [a.id for a in catalogue.articles] == ["mine", "numbers-2024", "cafe-society"]
    assert catalogue.site.title == "Example News"  # the site block is the user's
    again = imported(tmp_path, "feed.xml")
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 3 found, 0 skipped, 3 already there\n"
    )
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == text


def test_new_ids_do_not_take_ids_in_use(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article("hello-world")), encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS[:1])})
    assert imported(tmp_path, "feed.xml").returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert [a.id for a in catalogue.articles] == ["hello-world", "hello-world-2"]


def test_line_ends_and_indentation_of_the_catalogue_are_followed(tmp_path: Path) -> None:
    own = EXISTING.replace("\n  - id:", "\n- id:").replace("\n    ", "\n  ").replace("\n", "\r\n")
    (tmp_path / "articles.yaml").write_bytes(own.encode())
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    assert imported(tmp_path, "feed.xml").returncode == 0
    data = (tmp_path / "articles.yaml").read_bytes()
    assert data.startswith(own.encode())
    added = data[len(own) :].decode()
    assert "\n" not in added.replace("\r\n", "")
    assert added.startswith("- id: numbers-2024\r\n  guid:")
    assert called("check", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("catalogue", "words"),
    [
        (SITE.replace("articles:\n", "articles: []\n"), "written as a [...] list"),
        (
            "articles:\n" + SITE.replace("articles:\n", ""),
            "'articles' is not the last top-level key ('site' follows it)",
        ),
        (catalogue_text(article("a1")) + "...\n", "the document ends"),
    ],
)
def test_a_catalogue_that_cannot_be_appended_to_safely_is_refused(
    tmp_path: Path, catalogue: str, words: str
) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert "cannot append to 'articles.yaml' safely" in result.stderr and words in result.stderr
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == catalogue


def test_an_invalid_catalogue_is_refused_with_its_problems(tmp_path: Path) -> None:
    bad = catalogue_text(article("a1", published="2023-02-30"))
    (tmp_path / "articles.yaml").write_text(bad, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert "fix them ('feedpub check') before importing" in result.stderr
    assert "articles.yaml:11:16: error: 'published'" in result.stderr
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == bad


# -- what cannot be carried ------------------------------------------------------------------------


def test_entries_that_cannot_be_carried_are_reported_and_skipped(tmp_path: Path) -> None:
    old = Post(22, "numbers-1979", "Numbers: 1979", datetime(1979, 1, 2, tzinfo=UTC), [], "<p>Old.</p>")
    text = wordpress_rss([*POSTS, old])
    first_item = text[: text.index("<item>")].count("\n") + 1
    text = text.replace("<pubDate>Thu, 07 Dec 2023 15:00:00 +0000</pubDate>", "")
    text = text.replace("<link>https://blog.example.org/2023/11/20/cafe-society/</link>", "")
    text = text.replace(
        "<link>https://blog.example.org/2024/01/02/numbers-2024/</link>", "<link>javascript:alert(1)</link>"
    )
    write(tmp_path, {"feed.xml": text})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert (
        f'feed.xml:{first_item}: "{POSTS[0].title}" skipped: it has no date (pubDate, dc:date, published or updated)'
        in lines
    )
    assert any('"Café society & its <discontents>" skipped: it has no link' in line for line in lines)
    assert any("'javascript:alert(1)' is not an absolute http(s) address" in line for line in lines)
    assert any('"Numbers: 1979" skipped:' in line and "not between 1990 and 9998" in line for line in lines)
    assert lines[-1].startswith(
        "feedpub: nothing to import: the sources hold no entry feedpub can carry (4 found, 4 skipped "
        "(1 no http(s) link, 1 no link, 1 no valid date, 1 refused by feedpub check))"
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_what_feedpub_refuses_in_an_entry_is_left_out_and_said(tmp_path: Path) -> None:
    feed = wordpress_rss(POSTS[:1])
    feed = feed.replace("<category><![CDATA[Gaza]]></category>", "<category><![CDATA[!!!]]></category>")
    feed = feed.replace("?p=12</guid>", "?p=12 (old)</guid>")
    feed = feed.replace('length="12345678"', 'length="unknown"')
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert (
        "left out its guid: 'guid': 'https://blog.example.org/?p=12 (old)' contains white space"
        in result.stderr
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "# the feed's category '!!!' has no letter or digit to name a tag: left out" in text
    assert "the feed gave no size in bytes, 0 stands for unknown" in text
    (hello,) = valid(text).articles
    assert hello.guid is None and [t.name for t in hello.tags] == ["News"]
    assert hello.enclosures[0].length == 0


@pytest.mark.parametrize(
    ("date", "published", "comment", "said"),
    [
        ("Mon, 04 Dec 2023 10:00:00 +0530", "2023-12-04T10:00:00+05:30", None, False),
        ("Mon, 04 Dec 2023 10:00:00 +05:30", "2023-12-04T10:00:00+05:30", None, False),
        ("Mon, 04 Dec 2023 10:00:00 PDT", "2023-12-04T10:00:00-07:00", None, False),
        ("Mon, 04 Dec 2023 10:00:00 +0000 (UTC)", "2023-12-04T10:00:00+00:00", None, False),
        ("4 Dec 99 10:00 GMT", "1999-12-04T10:00:00+00:00", None, False),
        (
            "Mon, 04 Dec 2023 10:00:00 -0000",
            "2023-12-04T10:00:00+00:00",
            "the feed wrote -0000: the time is UTC, the local zone unknown (RFC 5322)",
            False,
        ),
        (
            "Mon, 04 Dec 2023 10:00:00 A",
            "2023-12-04T10:00:00+00:00",
            "the feed's zone 'A' is a military letter, which RFC 5322 says to read as -0000",
            True,
        ),
        *(
            (
                f"Mon, 04 Dec 2023 10:00:00 {zone}",
                "2023-12-04T10:00:00",
                f"the feed's zone '{zone}' is not an offset feedpub can read",
                True,
            )
            for zone in ("CEST", "IST", "GMT+2")
        ),
        (
            "Mon, 04 Dec 2023 10:00:00",
            "2023-12-04T10:00:00",
            "the feed gave no offset: the time is read in site.timezone",
            False,
        ),
    ],
)
def test_a_dates_zone_is_its_offset_or_said_not_to_be(
    tmp_path: Path, date: str, published: str, comment: str | None, said: bool
) -> None:
    _, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, date)))
    assert f"    published: {published}\n" in text
    if comment is None:
        assert "    # " not in text.split("title: Item 1")[1]
    else:
        assert comment in text
    assert bool(lines) == said and all(line.startswith('feed.xml:3: "Item 1": the feed') for line in lines)


@pytest.mark.parametrize(
    ("date", "why"),
    [
        *(
            (f"Mon, 04 Dec 2023 10:00:00 {zone}", f"has the UTC offset {zone}, which is not one")
            for zone in ("+2400", "-2500", "+9999", "+0060")
        ),
        ("2023-01-01T00:00:00+25:00", "has the UTC offset +25:00, which is not one"),
        ("Mon, 31 Feb 2023 10:00:00 GMT", "is not a date: day is out of range for month"),
        ("Mon, 04 Dec 2023 24:00:00 GMT", "is not a date: hour must be in 0..23"),
        ("2023-02-30", "is not a date: day is out of range for month"),
        ("soon", "is not a date feedpub can read (expected RFC 822"),
    ],
)
def test_an_impossible_date_skips_its_entry_with_what_it_was_and_why(
    tmp_path: Path, date: str, why: str
) -> None:
    # and only that entry: the others of the source are imported
    outcome, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, date), small_item(2)))
    assert (outcome.imported, outcome.skipped) == (1, 1)
    (line,) = lines
    assert line.startswith(f"feed.xml:3: \"Item 1\" skipped: its date '{date}' {why}")
    assert "title: Item 2" in text


def test_a_json_feed_date_with_an_offset_of_a_day_skips_its_entry(tmp_path: Path) -> None:
    items = [
        {"id": str(n), "url": f"https://ex.org/{n}", "title": f"Item {n}", "date_published": date}
        for n, date in ((1, "2023-01-01T00:00:00+25:00"), (2, "2023-01-01T00:00:00+01:00"))
    ]
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "home_page_url": "https://ex.org/",
    }
    outcome, lines, _ = import_here(tmp_path, "feed.json", json.dumps({**document, "items": items}))
    assert (outcome.imported, outcome.skipped) == (1, 1)
    assert lines == [
        "feed.json: item 1: \"Item 1\" skipped: its date '2023-01-01T00:00:00+25:00' has the UTC offset "
        "+25:00, which is not one (offsets run from -23:59 to +23:59)"
    ]


def test_an_impossible_published_date_gives_way_to_a_valid_updated_one_said(tmp_path: Path) -> None:
    more = "<atom:updated>2023-12-05T10:00:00Z</atom:updated>"
    feed = small_rss(small_item(1, "Mon, 31 Feb 2023 10:00:00 GMT", more)).replace(
        '<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
    )
    _, lines, text = import_here(tmp_path, "feed.xml", feed)
    assert "    published: 2023-12-05T10:00:00+00:00\n" in text
    assert (
        "date taken from the feed's updated: its published 'Mon, 31 Feb 2023 10:00:00 GMT' is not a date"
        in text
    )
    assert lines == [
        "feed.xml:3: \"Item 1\": its updated date is kept, its date 'Mon, 31 Feb 2023 10:00:00 GMT' "
        "is not a date: day is out of range for month"
    ]


def test_two_tags_of_one_entry_that_would_share_a_folder_keep_the_first_and_say_so(tmp_path: Path) -> None:
    tags = "<category>C++</category><category>C</category><category>C++</category>"
    _, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, more=tags)))
    assert [t.name for t in valid(text).articles[0].tags] == ["C++"]
    assert "# the feed's category 'C' would share the folder 'c' with 'C++': left out" in text
    assert lines == [
        "feed.xml:3: \"Item 1\": left out its tag 'C', which would share the folder 'c' with 'C++'"
    ]


def test_an_entry_whose_author_is_refused_is_said_to_be_credited_to_the_site(tmp_path: Path) -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>S</title><id>tag:ex.org,2020:feed</id>
 <updated>2023-12-01T00:00:00Z</updated><link href="https://ex.org/"/><author><name>Ann</name></author>
 <entry><title>Other</title><id>tag:ex.org,2020:2</id><link href="https://ex.org/two"/>
  <updated>2023-12-02T00:00:00Z</updated><author><name>Bob bob@ex.org</name></author></entry>
</feed>
"""
    _, lines, text = import_here(tmp_path, "a.xml", feed)
    credited = "with no author of its own, the article is credited to the site's (Ann)"
    assert "# left out the entry's author: 'name': 'Bob bob@ex.org' contains an e-mail address" in text
    assert credited in text and "the feed's author" not in text
    (line,) = lines
    assert line.startswith('a.xml:4: "Other": left out its author:') and line.endswith(credited)


def test_entries_with_a_guid_an_earlier_entry_has_are_kept_by_their_links(tmp_path: Path) -> None:
    # three items with one guid (a broken feed template): readers showed the first by it; the
    # others are articles of their own, whose links become their guids, with a comment and a line
    def item(n: int, guid: str) -> str:
        return (
            f"<item><title>Item {n}</title><link>https://dup.example.org/{n}/</link>"
            f'<guid isPermaLink="false">{guid}</guid><pubDate>{rfc822(datetime(2024, 1, n, tzinfo=UTC))}</pubDate>'
            "<description>Text.</description></item>\n"
        )

    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Dup</title>\n'
        "<link>https://dup.example.org/</link><description>Dup.</description>\n"
        + item(1, "same")
        + item(2, "same")
        + item(3, "same")
        + item(4, "with spaces")
        + "</channel></rss>\n"
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 4 entries from 1 source into articles.yaml: 4 found, 0 skipped\n"
    for n in (2, 3):
        assert (
            f"feed.xml:{3 + n}: \"Item {n}\" has the id 'same' of an earlier entry: its link is its guid instead"
            in result.stderr.splitlines()
        )
    assert "left out its guid: 'guid': 'with spaces' contains white space" in result.stderr
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert text.count("the old feed gave this entry the id 'same', which an earlier entry of it has") == 2
    guids = {a.title: a.guid for a in valid(text).articles}
    assert guids == {
        "Item 1": "same",
        "Item 2": "https://dup.example.org/2/",
        "Item 3": "https://dup.example.org/3/",
        "Item 4": None,
    }
    again = imported(tmp_path, "feed.xml")  # and nothing twice
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 4 found, 0 skipped, 4 already there\n"
    )


def test_html_in_titles_becomes_the_text_readers_showed(tmp_path: Path) -> None:
    feed = wordpress_rss(POSTS[:1]).replace(
        f"<title>{wp_title(POSTS[0].title)}</title>",
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;Breaking &lt;b&gt;news&lt;/b&gt; &lt;img src=x onerror=alert(2)&gt;</title>",
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0
    assert (
        'feed.xml:23: the title "<script>alert(1)</script>Breaking <b>news</b> <img src=x on…" held HTML'
        in result.stderr
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "    title: Breaking news\n" in text
    assert "# the feed's title held HTML" in text
    built(tmp_path)
    for name in FEED_FILES:
        data = (tmp_path / "feeds" / name).read_text(encoding="utf-8")
        assert "alert" not in data and "onerror" not in data, name


def test_plain_text_that_mentions_a_tag_keeps_its_words_without_angle_brackets(tmp_path: Path) -> None:
    # Atom's type="text" is plain text: '</div>' in it is words, which check refuses as they
    # are, so they are written as check asks, said, and the entry kept
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Web &lt;/dev&gt;</title><id>tag:ex.org,2020:feed</id>
 <updated>2023-12-01T00:00:00Z</updated><link href="https://ex.org/"/><author><name>Ann</name></author>
 <entry><title type="text">Why &lt;/div&gt; matters</title><id>tag:ex.org,2020:1</id>
  <link href="https://ex.org/one"/><updated>2023-12-01T00:00:00Z</updated>
  <summary>Close &lt;/p&gt;</summary><category term="&lt;/b&gt;old"/><author><name>Bob &lt;/i&gt;</name></author>
 </entry>
</feed>
"""
    outcome, lines, text = import_here(tmp_path, "a.xml", feed)
    assert (outcome.imported, outcome.skipped) == (1, 0)
    (one,) = valid(text).articles
    assert (one.title, one.summary, [t.name for t in one.tags], [a.name for a in one.authors]) == (
        "Why /div matters",
        "Close /p",
        ["/bold"],
        ["Bob /i"],
    )
    assert valid(text).site.title == "Web /dev"
    assert (
        "# the feed's text held '</div>', which plain text cannot carry: written without '<' and '>'" in text
    )
    assert (
        'a.xml:4: "Why </div> matters": its title held \'</div>\', which plain text cannot carry: written "Why /div matters"'
        in lines
    )
    assert sum("which plain text cannot carry" in line for line in lines) == 5


def test_a_site_title_with_markup_is_reduced_to_its_text_as_entry_titles_are(tmp_path: Path) -> None:
    feed = small_rss(small_item(1), channel_title="<![CDATA[My <b>Blog</b> &amp; Co]]>")
    _, lines, text = import_here(tmp_path, "feed.xml", feed)
    assert valid(text).site.title == "My Blog & Co"
    assert (
        "  # the feed's text held HTML (My <b>Blog</b> &amp; Co): its text is kept\n  title: My Blog & Co\n"
        in text
    )
    assert lines == [
        "the site's title: the feed's text held HTML (My <b>Blog</b> &amp; Co): its text is kept"
    ]


def test_a_site_title_check_refuses_gives_way_to_the_host_said(tmp_path: Path) -> None:
    write(tmp_path, {"feed.xml": small_rss(small_item(1), channel_title="A\ufffdB")})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert any(
        line.startswith("the site's title is replaced by its host: 'title' contains U+FFFD")
        for line in result.stderr.splitlines()
    )
    assert valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).site.title == "ex.org"


def test_a_site_block_that_cannot_be_made_valid_is_refused_on_one_line_naming_the_field(
    tmp_path: Path,
) -> None:
    feed = small_rss(small_item(1)).replace(
        "<link>https://ex.org/</link>", "<link>https://ex.org/a b/</link>"
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    line = result.stderr.splitlines()[-1]
    assert line.startswith(
        "feedpub: the site block made from the sources would not pass 'feedpub check' (site.link: "
    )
    assert line.endswith(
        "write articles.yaml as the two lines `site: {title: …, link: https://…/, feed_url: https://…/feeds/, "
        "description: …, author: {name: …}}` and `articles:` with the site's own values, and import into it"
    )
    assert "\\n" not in line
    assert not (tmp_path / "articles.yaml").exists()


def test_a_large_import_shared_with_a_second_process_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # from 500 entries on, a second process reads half the items and makes half the drafts,
    # on any machine: the catalogue must not tell
    (tmp_path / "feed.xml").write_text(wordpress_rss(many_posts(600)[::-1]), encoding="utf-8")
    written = []
    for share in (True, False):
        if not share:
            monkeypatch.setattr(importer.elements, "PARALLEL_ITEMS", 10**9)
            monkeypatch.setattr(importer, "PARALLEL_ENTRIES", 10**9)
        catalogue = tmp_path / f"shared-{share}.yaml"
        with pytest.MonkeyPatch.context() as patch:
            sent = watch_second_process(patch)
            outcome = importer.run(
                [str(tmp_path / "feed.xml")],
                catalogue,
                lambda line: line.startswith(NEW_SITE) or pytest.fail(line),
            )
        assert shared(sent) == share
        assert outcome.imported == 600
        written.append(catalogue.read_text(encoding="utf-8").replace(str(tmp_path), ""))
    assert written[0] == written[1]


def test_an_old_id_an_article_already_there_does_not_carry_is_said(tmp_path: Path) -> None:
    # the site's RSS feed first, its Atom feed (other ids) in a second run: the articles are
    # there already and are not changed, so the Atom ids they lack are said, with the fix
    write(tmp_path, {"index.xml": movable_type_rss(POSTS), "atom.xml": movable_type_atom(POSTS)})
    assert imported(tmp_path, "index.xml").returncode == 0
    before = (tmp_path / "articles.yaml").read_bytes()
    again = imported(tmp_path, "atom.xml")
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 3 found, 0 skipped, 3 already there\n"
    )
    assert (
        "already in the catalogue as 'hello-world', which does not carry the id this feed gave it: "
        "add `atom_id: tag:mt.example.org,2023:/weblog//1.12` to it, or that feed's readers will show it once more"
    ) in again.stderr
    assert again.stderr.count("add `atom_id:") == 3
    assert (tmp_path / "articles.yaml").read_bytes() == before
    # in one run, both are kept
    (tmp_path / "articles.yaml").unlink()
    both = imported(tmp_path, "index.xml", "atom.xml")
    assert [line for line in both.stderr.splitlines() if not line.startswith(NEW_SITE)] == []
    assert "atom_id: tag:mt.example.org" in (tmp_path / "articles.yaml").read_text()
