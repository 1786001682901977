"""`feedpub import` of WordPress exports (WXR): posts and drafts brought, the reasons for what is
left said, and the feed imported after the export bringing nothing twice."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser

from conftest import built, valid
from producers import NEW_YORK, WXR_OTHERS, Post, import_here, imported, wordpress_rss, write, wxr

# -- WordPress exports ----------------------------------------------------------------------------


def wxr_posts() -> list[Post]:
    base = datetime(2023, 10, 1, 9, 0, tzinfo=NEW_YORK)

    def post(number: int, slug: str, status: str, **extra: Any) -> Post:
        return Post(
            number,
            slug,
            slug.replace("-", " ").title(),
            base + timedelta(days=number),
            ["News", "Gaza"],
            f"First paragraph of {slug}.\n\nSecond paragraph.",
            status=status,
            **extra,
        )

    return [
        post(1, "published-one", "publish", extra={"_thumbnail_id": "99"}),
        post(2, "published-two", "publish", author="Jean Dupont"),
        post(3, "a-draft", "draft"),
        post(4, "pending-review", "pending"),
        post(5, "private-post", "private"),
        post(6, "in-the-trash", "trash"),
        post(7, "password-protected", "publish", extra={"post_password": "secret"}),
        post(8, "floating-draft", "no-date"),
    ]


def test_a_wordpress_export_brings_posts_drafts_and_the_reasons_for_what_it_leaves(tmp_path: Path) -> None:
    write(tmp_path, {"export.xml": wxr(wxr_posts(), WXR_OTHERS)})
    result = imported(tmp_path, "export.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "imported 7 entries (5 drafts) from 1 source into articles.yaml: 11 found, "
        "4 skipped (1 attachment, 1 nav_menu_item, 1 page, 1 with status trash)\n"
    )
    assert "\"In The Trash\" skipped: its status is 'trash'" in result.stderr
    assert "\"About\" skipped: its post_type is 'page', not a post" in result.stderr
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    catalogue = valid(text)
    by_id = {a.id: a for a in catalogue.articles}
    assert {i: a.draft for i, a in by_id.items()} == {
        "published-one": False,
        "published-two": False,
        "p-3": True,
        "p-4": True,
        "p-5": True,
        "password-protected": True,
        "p-8": True,
    }
    assert "# a draft in WordPress" in text and "# password-protected in WordPress" in text
    one = by_id["published-one"]
    assert one.guid == "https://blog.example.org/?p=1"
    assert one.published.isoformat() == "2023-10-02T09:00:00-05:00"  # local time with WordPress's offset
    assert one.content == "<p>First paragraph of published-one.</p>\n<p>Second paragraph.</p>"
    assert (
        one.image is not None
        and one.image.url == "https://blog.example.org/wp-content/uploads/2023/12/map.jpg"
    )
    assert [a.name for a in by_id["published-two"].authors] == ["Jean Dupont"]
    assert "private.example.org" not in text  # authors' addresses in an export are not for feeds
    assert [t.name for t in one.tags] == ["News", "Gaza"]
    # a draft WordPress gave no GMT time takes the offset most posts have
    assert by_id["p-3"].published.isoformat() == "2023-10-04T09:00:00-05:00"
    built(tmp_path)
    guids = [e.id for e in feedparser.parse((tmp_path / "feeds" / "rss.xml").read_bytes()).entries]
    assert guids == ["https://blog.example.org/?p=2", "https://blog.example.org/?p=1"]


def test_a_wordpress_post_without_a_local_date_takes_its_gmt_one_or_its_pubdate(tmp_path: Path) -> None:
    posts = [p for p in wxr_posts() if p.number in (1, 2)]
    posts.append(dataclasses.replace(posts[0], number=9, slug="impossible"))
    export = wxr(posts)
    no_local, only_pubdate, impossible = export.split("<item>")[1:]
    export = export.replace(no_local, re.sub(r"<wp:post_date>.*?</wp:post_date>", "", no_local))
    export = export.replace(
        only_pubdate, re.sub(r"<wp:post_date(_gmt)?>.*?</wp:post_date(_gmt)?>", "", only_pubdate)
    )
    # an impossible post_date, and no modified date to fall back on
    wrong = re.sub(r"<wp:post_modified_gmt>.*?</wp:post_modified_gmt>", "", impossible)
    export = export.replace(
        impossible,
        wrong.replace("2023-10-02 09:00:00]]></wp:post_date>", "2023-02-31 09:00:00]]></wp:post_date>"),
    )
    outcome, lines, text = import_here(tmp_path, "export.xml", export)
    assert (outcome.imported, outcome.skipped) == (2, 1)
    by_id = {a.id: a for a in valid(text).articles}
    assert by_id["published-one"].published.isoformat() == "2023-10-02T14:00:00+00:00"
    assert "# WordPress gave no local time: its GMT time is kept" in text
    assert by_id["published-two"].published.isoformat() == "2023-10-03T14:00:00+00:00"
    (line,) = lines
    assert line.endswith(
        "\"Published One\" skipped: its date '2023-02-31 09:00:00' is not a date: day is out of range for month"
    )


def test_the_feed_after_the_export_brings_nothing_twice(tmp_path: Path) -> None:
    posts = [p for p in wxr_posts() if p.status == "publish" and not p.extra.get("post_password")]
    write(tmp_path, {"export.xml": wxr(wxr_posts()), "feed.xml": wordpress_rss(posts)})
    assert imported(tmp_path, "export.xml").returncode == 0
    before = (tmp_path / "articles.yaml").read_bytes()
    again = imported(tmp_path, "feed.xml")
    assert (again.returncode, again.stdout) == (
        0,
        "imported 0 entries from 1 source into articles.yaml: 2 found, 0 skipped, 2 already there\n",
    )
    assert (tmp_path / "articles.yaml").read_bytes() == before
