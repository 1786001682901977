"""`feedpub import` of what real platforms write: a WordPress.com export (WXR 1.2 under an https
namespace), Blogger's export, a JSON Feed with a CMS's extension, Reddit's and YouTube's Atom,
a blog's Atom with only a self link, a podcast's RSS, a company blog's RSS with structured
authors, and a feed that repeats entries. The fixtures in tests/data/import/ are written in each
platform's shape. Every entry must be imported or counted and named; nothing that was not
public may be published; what changes is said on stderr."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import feedparser
import pytest

from conftest import NOW_TEXT, called, feedpub, nginx, valid
from feedpub import importer
from feedpub.importer import mapping
from test_import_moving import newsboat_items

DATA = Path(__file__).parent / "data" / "import"
SUMMARY = re.compile(
    r"imported (?P<imported>\d+) entr(?:y|ies)(?: \((?P<drafts>\d+) drafts?\))? from 1 source into "
    r"articles.yaml: (?P<found>\d+) found, (?P<skipped>\d+) skipped(?: \((?P<reasons>[^)]*)\))?"
    r"(?:, (?P<same>\d+) also in another source or page)?(?:, (?P<already>\d+) already there)?\n"
)


def imported(tmp_path: Path, name: str, text: str | None = None) -> tuple[re.Match[str], list[str]]:
    """Import the fixture `name` (or `text` under that name) through the CLI: the summary,
    read, and the lines said on stderr."""
    if text is None:
        shutil.copy(DATA / name, tmp_path / name)
    else:
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = called("import", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = SUMMARY.fullmatch(result.stdout)
    assert summary is not None, result.stdout
    return summary, result.stderr.splitlines()


def built(tmp_path: Path) -> dict[str, list[dict[str, str]]]:
    """Build the feeds; each of atom.xml, rss.xml and feed.json as (id, title) per entry."""
    result = called("build", "-q", "--now", NOW_TEXT, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    feeds = tmp_path / "feeds"
    found = {
        name: [{"id": e.id, "title": e.title} for e in feedparser.parse((feeds / name).read_bytes()).entries]
        for name in ("atom.xml", "rss.xml")
    }
    items = json.loads((feeds / "feed.json").read_text(encoding="utf-8"))["items"]
    found["feed.json"] = [{"id": i["id"], "title": i.get("title", "")} for i in items]
    return found


STARTS_A_CATALOGUE = {"blogger-takeout.atom"}
"""Exports that do not name the site's address: they are imported into a catalogue begun by hand."""
FIXTURES = sorted(p.name for p in DATA.iterdir() if p.name not in STARTS_A_CATALOGUE)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_platforms_feed_imports_into_a_new_catalogue_that_checks_builds_and_verifies(
    tmp_path: Path, name: str
) -> None:
    summary, lines = imported(tmp_path, name)
    counts = {k: int(v) for k, v in summary.groupdict().items() if v and v.isdigit()}
    reasons = summary.group("reasons") or ""
    # every entry is accounted for: imported, or skipped and counted by reason
    assert counts["found"] == counts["imported"] + counts["skipped"] + counts.get("same", 0)
    assert counts["skipped"] == sum(int(n) for n in re.findall(r"(\d+) [^,]+", reasons))
    skipped_lines = [line for line in lines if '" skipped: ' in line]
    assert len(skipped_lines) == counts["skipped"]  # each one named, with why
    assert any(line.startswith(importer.NEW_SITE) for line in lines)  # no `init` needed
    for command in (["check"], ["build", "-q", "--now", NOW_TEXT], ["verify"]):
        result = called(*command, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stdout, result.stderr)


WXR_NAMESPACES = [
    "http://wordpress.org/export/1.0/",
    "http://wordpress.org/export/1.1/",
    "http://wordpress.org/export/1.2/",
    "https://wordpress.org/export/1.2/",
    "https://wordpress.com/export/1.2/",
    "http://wordpress.org/export/1.3/",
    "https://wxr.example.net/export/",  # known by its wp:wxr_version
]


@pytest.mark.parametrize("namespace", WXR_NAMESPACES)
def test_a_wordpress_export_of_any_version_publishes_only_its_published_posts(
    tmp_path: Path, namespace: str
) -> None:
    export = (DATA / "wordpress-com.wxr").read_text(encoding="utf-8")
    export = export.replace("https://wordpress.org/export/1.2/", namespace)
    if "wordpress" in namespace:  # known by its namespace alone
        export = export.replace("<wp:wxr_version>1.2</wp:wxr_version>", "")
    summary, lines = imported(tmp_path, "export.xml", export)
    assert summary.group("imported", "drafts", "found") == ("8", "7", "13")
    assert summary.group("reasons") == (
        "1 attachment, 1 jetpack-portfolio, 1 nav_menu_item, 1 page, 1 with status trash"
    )
    assert any("\"About the harbour\" skipped: its post_type is 'page', not a post" in line for line in lines)
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert {a.title for a in catalogue.articles if not a.draft} == {"High water at the quay"}
    assert [a.name for a in catalogue.site.authors] == ["Mira Holm"]  # the export's author, no address
    for entries in built(tmp_path).values():
        assert [e["title"] for e in entries] == ["High water at the quay"]


@pytest.mark.parametrize(
    ("status", "published"),
    [
        ("publish", True),
        ("draft", False),
        ("pending", False),
        ("private", False),
        ("future", False),
        ("inherit", False),
        ("pitch", False),  # a status a plugin made
    ],
)
def test_only_wordpress_status_publish_is_published(tmp_path: Path, status: str, published: bool) -> None:
    export = (DATA / "wordpress-com.wxr").read_text(encoding="utf-8")
    post = export[export.index("<item>") : export.index("</item>") + len("</item>")]
    changed = post.replace("<![CDATA[publish]]></wp:status>", f"<![CDATA[{status}]]></wp:status>")
    head, tail = export[: export.index("<item>")], export[export.rindex("</channel>") :]
    imported(tmp_path, "export.xml", head + changed + tail)
    (article,) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert article.draft is not published


@pytest.mark.parametrize(
    ("element", "published", "counted"),
    [
        ("<cms:status>published</cms:status>", True, None),
        ("<cms:status>draft</cms:status>", False, None),
        ("<cms:visibility>members</cms:visibility>", False, None),
        ("<cms:status>trash</cms:status>", None, "with status trash"),
        ("<cms:post_type>page</cms:post_type>", None, "page"),
        ("<cms:password>s3cret</cms:password>", False, None),
        ("<app:control><app:draft>yes</app:draft></app:control>", False, None),
        ("<blogger:status>SOFT_TRASHED</blogger:status>", None, "with status soft_trashed"),
        ("<blogger:type>COMMENT</blogger:type>", None, "COMMENT"),
        ("<blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status>", True, None),
        ("<cms:status>0</cms:status>", False, None),  # Drupal's unpublished
        ("<cms:draft>false</cms:draft>", True, None),
        ("<cms:type>conference</cms:type>", True, None),  # RSS's event module has ev:type
        ("<cms:state>CA</cms:state>", True, None),
        ("<dc:type>Text</dc:type>", True, None),
    ],
)
def test_any_feed_item_whose_platform_says_it_is_not_public_is_never_published(
    tmp_path: Path, element: str, published: bool | None, counted: str | None
) -> None:
    # a WXR read as plain RSS, Blogger's newer export, Atom Publishing's draft: whatever the
    # namespace, an unknown status is a draft and a thrown-away entry or a non-post is left out
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:cms="https://cms.example/ns/" '
        'xmlns:app="http://www.w3.org/2007/app" xmlns:blogger="http://schemas.google.com/blogger/2018" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>T</title><link>https://ex.org/</link><description>D</description>"
        "<item><title>Public</title><link>https://ex.org/1</link><pubDate>Mon, 04 Dec 2023 10:00:00 +0000</pubDate></item>"
        f"<item><title>Tested</title><link>https://ex.org/2</link><pubDate>Tue, 05 Dec 2023 10:00:00 +0000</pubDate>{element}</item>"
        "</channel></rss>"
    )
    summary, _ = imported(tmp_path, "feed.xml", feed)
    articles = {a.title: a for a in valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles}
    if counted is not None:
        assert "Tested" not in articles and summary.group("reasons") == f"1 {counted}"
    else:
        assert articles["Tested"].draft is not published
    assert [e["title"] for e in built(tmp_path)["atom.xml"]] == (["Tested"] if published else []) + ["Public"]


def test_blogger_export_keeps_posts_drafts_its_unfinished_and_counts_the_rest(tmp_path: Path) -> None:
    summary, _ = imported(tmp_path, "blogger-export.atom")
    assert summary.group("reasons") == "1 comment, 1 page, 1 settings, 1 template"
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert {a.title: a.draft for a in catalogue.articles} == {
        "Herons at first light": False,
        "Owl survey notes (unfinished)": True,
    }
    # the kind is not a tag
    assert [t.name for a in catalogue.articles for t in a.tags] == ["herons"]


def test_a_json_feed_extensions_status_and_visibility_are_heeded(tmp_path: Path) -> None:
    summary, lines = imported(tmp_path, "cms-extension.json")
    assert summary.group("reasons") == "1 with status deleted"
    assert any("\"Withdrawn note\" skipped: its status is 'deleted'" in line for line in lines)
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert {a.title for a in catalogue.articles if not a.draft} == {"Weather mast repaired"}


def test_entries_with_different_ids_are_two_and_repeats_are_counted_and_named(tmp_path: Path) -> None:
    summary, lines = imported(tmp_path, "repeated.rss")
    assert summary.group("imported", "found", "skipped", "reasons") == ("3", "5", "2", "2 repeated")
    assert (
        'repeated.rss:21: "Sitting of 5 February: morning" skipped: it repeats the entry at repeated.rss:7 (the same id)'
        in lines
    )
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert sorted(a.guid or "" for a in catalogue.articles) == [
        "minutes-2024-02-05-am",
        "minutes-2024-02-05-pm",
        "minutes-2024-02-12",
    ]
    # imported again: every entry is there already, nothing is written twice
    before = (tmp_path / "articles.yaml").read_bytes()
    again, _ = imported(tmp_path, "repeated.rss")
    assert again.group("imported", "already") == ("0", "3")
    assert (tmp_path / "articles.yaml").read_bytes() == before


def test_atom_ids_that_are_not_iris_are_kept_as_guids_and_said_once_per_feed(tmp_path: Path) -> None:
    summary, lines = imported(tmp_path, "reddit.atom")
    assert summary.group("imported") == "25"
    (said,) = [line for line in lines if "not IRIs" in line]
    assert said.startswith("reddit.atom: entries whose Atom ids are not IRIs, which Atom requires: 25.")
    assert "redirect this feed's old address to feeds/rss.xml" in said
    old_ids = {e.id for e in feedparser.parse((DATA / "reddit.atom").read_bytes()).entries}
    feeds = built(tmp_path)
    # RSS and JSON Feed readers key the entries by the ids Reddit's Atom feed gave them
    assert {e["id"] for e in feeds["rss.xml"]} == old_ids == {e["id"] for e in feeds["feed.json"]}
    assert all(e["id"].startswith("urn:uuid:") for e in feeds["atom.xml"])  # valid Atom, said above
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert {t.name for a in catalogue.articles for t in a.tags} == {"homelab"}  # the term, not r/homelab


@pytest.mark.parametrize(
    ("name", "link", "author", "guessed"),
    [
        # a blog's Atom with only a self link and an address as its author's name
        (
            "blog-self-link.atom",
            "https://shed.example.net/",
            "jane",
            "link (https://shed.example.net/, from the feed's own address",
        ),
        # YouTube's playlist feed: its site is the playlist, its text the media:description
        (
            "youtube-playlist.atom",
            "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
            "Shed Channel",
            "description (its title)",
        ),
        # a podcast without a <link>: its entries' host; its author the itunes:author
        (
            "podcast.rss",
            "https://bench.example.com/",
            "Sam Host",
            "link (https://bench.example.com/, from the host of its entries' links",
        ),
    ],
)
def test_a_new_catalogue_is_derived_from_the_feed_and_what_was_guessed_is_said(
    tmp_path: Path, name: str, link: str, author: str, guessed: str
) -> None:
    _, lines = imported(tmp_path, name)
    (said,) = [line for line in lines if line.startswith(importer.NEW_SITE)]
    assert guessed in said
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert catalogue.site.link == link
    assert [a.name for a in catalogue.site.authors] == [author]
    assert "example.org" not in catalogue.site.link and not any(a.draft for a in catalogue.articles)


def test_a_site_description_in_html_is_its_text_and_an_addressed_name_is_its_name(tmp_path: Path) -> None:
    podcast = (DATA / "podcast.rss").read_text(encoding="utf-8")
    podcast = podcast.replace(
        "<language>", "<managingEditor>sam@bench.example.com (Sam Host)</managingEditor><language>"
    )
    imported(tmp_path, "podcast.rss", podcast)
    site = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).site
    assert site.description == "A podcast about workbenches and the people at them."
    assert [(a.name, a.email) for a in site.authors] == [("Sam Host", "sam@bench.example.com")]


def test_made_up_titles_dropped_dates_and_podcast_data_are_said(tmp_path: Path) -> None:
    _, lines = imported(tmp_path, "podcast.rss")
    assert (
        "podcast.rss: entries without a title, given the start of their text as one (a comment marks each): 1"
        in lines
    )
    assert any(
        '"Episode 2: vices": left out its updated date 2024-02-01T06:00:00Z, which is before its published date'
        in line
        for line in lines
    )
    (podcast,) = [line for line in lines if "not carried" in line]
    assert podcast == (  # the show's and episodes' other elements come over into podcast fields
        "podcast.rss: not carried, the catalogue having no field for them: itunes:title (2 entries), "
        "the channel's itunes:summary"
    )
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    by_guid = {a.guid: a for a in catalogue.articles}
    assert [(a.duration, a.episode, a.season) for a in catalogue.articles] == [(2530, 2, 1), (2380, 1, 1)]
    assert by_guid["bench-talk-ep-2"].image is not None
    assert (
        by_guid["bench-talk-ep-2"].image.url == "https://bench.example.com/ep2.jpg"
    )  # itunes:image is carried
    assert by_guid["bench-talk-ep-1"].title.startswith("In the first episode we talk about the bench")


def test_an_author_written_as_a_structure_keeps_the_name_alone(tmp_path: Path) -> None:
    _, lines = imported(tmp_path, "cloud-blog.rss")
    (article,) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert [a.name for a in article.authors] == ["Jane Doe"]
    assert (
        "cloud-blog.rss: not carried, the catalogue having no field for them: author's title (1 entry)"
        in lines
    )


@pytest.mark.parametrize(("served", "unread"), [("rss.xml", 0), ("atom.xml", 25)])
def test_newsboat_finds_nothing_new_when_the_old_atom_address_serves_rss_xml(
    tmp_path: Path, served: str, unread: int
) -> None:
    # what the stderr line and the documentation advise, checked with a real reader: its Atom ids, not
    # IRIs, live on as rss.xml's guids; atom.xml, which must give IRIs, shows every entry again
    www, site, reader = tmp_path / "www", tmp_path / "site", tmp_path / "reader"
    for folder in (www, site, reader):
        folder.mkdir()
    shutil.copy(DATA / "reddit.atom", www / "homelab.rss")
    with nginx(www, tmp_path / "nginx") as base:
        urls = [f"{base}/homelab.rss"]
        assert newsboat_items(reader, urls) == (25, 25)
        with sqlite3.connect(reader / "cache.db") as db:  # the subscriber reads everything
            db.execute("UPDATE rss_item SET unread = 0")
        imported(site, "reddit.atom")
        built(site)
        shutil.copyfile(site / "feeds" / served, www / "homelab.rss")
        assert newsboat_items(reader, urls) == (25 + unread, unread)


def test_a_ghost_export_is_refused_with_the_feed_to_import_instead(tmp_path: Path) -> None:
    # Ghost's export holds drafts, members-only posts and pages beside the public posts, under
    # its own keys: it is not read as a feed, and nothing is written
    export = {
        "db": [{"meta": {"version": "5.80.0"}, "data": {"posts": [{"status": "draft", "type": "post"}]}}]
    }
    (tmp_path / "ghost.json").write_text(json.dumps(export), encoding="utf-8")
    result = feedpub("import", "ghost.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "feedpub: ghost.json is a Ghost export, which feedpub does not read: import the site's feed "
        "(https://your.site/rss/), which holds its public posts with the ids readers know\n"
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_paged_podcast_is_said_once_for_its_source_with_the_counts_of_all_its_pages(tmp_path: Path) -> None:
    www, site = tmp_path / "www", tmp_path / "site"
    www.mkdir(), site.mkdir()
    podcast = (DATA / "podcast.rss").read_text(encoding="utf-8")
    first, second = podcast.split("  <item>")[1:]
    head = podcast.split("  <item>")[0]
    (www / "older.xml").write_text(head + "  <item>" + second, encoding="utf-8")
    with nginx(www, tmp_path / "nginx") as base:
        older = f'<atom:link rel="prev-archive" href="{base}/older.xml"/>'
        (www / "feed.xml").write_text(
            head.replace("<itunes:author>", older + "<itunes:author>")
            + "  <item>"
            + first
            + "</channel></rss>\n",
            encoding="utf-8",
        )
        result = called("import", f"{base}/feed.xml", cwd=site)
    assert result.returncode == 0, result.stderr
    (said,) = [line for line in result.stderr.splitlines() if "not carried" in line]
    assert said.startswith(f"{base}/feed.xml: not carried, the catalogue having no field for them: ")
    assert said.endswith(": itunes:title (2 entries), the channel's itunes:summary")
    (titles,) = [line for line in result.stderr.splitlines() if "without a title" in line]
    assert titles.startswith(f"{base}/feed.xml: entries without a title")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://www.youtube.com/watch?v=AbCdEfGhIjK", "watch-abcdefghijk"),
        (
            "https://medium.com/@jane/why-queues-matter-3f2a1b?source=rss-8c1d------2",
            "why-queues-matter-3f2a1b",
        ),
        ("https://blog.example.org/?p=12", "p-12"),
        ("https://blog.example.org/2024/01/hello/?utm_source=rss&utm_medium=feed", "hello"),
        ("https://news.example.org/article.php?id=4411", "article-4411"),
    ],
)
def test_an_id_made_from_a_link_keeps_what_names_the_page_and_drops_where_readers_came_from(
    link: str, expected: str
) -> None:
    drafts = [mapping.Draft("feed.xml:1", "T", {"link": link, "title": "T"})]
    mapping.name(drafts, set())
    assert drafts[0].fields["id"] == expected


def test_json_feed_ids_that_cannot_be_kept_beside_rss_guids_are_said_with_a_count(tmp_path: Path) -> None:
    rss = (DATA / "repeated.rss").read_text(encoding="utf-8")
    (tmp_path / "feed.rss").write_text(rss, encoding="utf-8")
    items = [
        {"id": f"json-{n}", "url": url, "title": "T", "date_published": "2024-02-05T12:00:00Z"}
        for n, url in enumerate(["https://council.example.org/minutes/2024-02-12"])
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "C", "items": items}
    (tmp_path / "feed.json").write_text(json.dumps(feed), encoding="utf-8")
    result = called("import", "feed.rss", "feed.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "feed.json: entries whose JSON Feed id is not the guid the RSS feed gave them, which feedpub "
        "keeps: 1; readers of this JSON Feed will show them once more (an article keeps one guid)"
    ) in result.stderr.splitlines()


def test_blogger_takeout_names_no_address_so_the_refusal_says_what_to_write_and_that_works(
    tmp_path: Path,
) -> None:
    shutil.copy(DATA / "blogger-takeout.atom", tmp_path)
    refused = called("import", "blogger-takeout.atom", cwd=tmp_path)
    assert refused.returncode == 1 and not (tmp_path / "articles.yaml").exists()
    line = refused.stderr.splitlines()[-1]
    assert line.startswith("feedpub: the sources name no address for the site or its entries")
    written = re.search(
        r"write articles.yaml as the two lines `(.*)` and `(.*)` with the site's own values", line
    )
    assert written is not None
    site = written.group(1).replace("https://…/feeds/", "https://valleybirding.blogspot.com/feeds/")
    site = site.replace("https://…/", "https://valleybirding.blogspot.com/").replace("…", "Valley Birding")
    (tmp_path / "articles.yaml").write_text(f"{site}\n{written.group(2)}\n", encoding="utf-8")
    summary, lines = imported(tmp_path, "blogger-takeout.atom")
    assert summary.group("imported", "drafts", "reasons") == (
        "2",
        "1",
        "1 COMMENT, 1 PAGE, 1 with status soft_trashed",
    )
    assert (
        "blogger-takeout.atom: entries whose source gave only their path, put after the site's address: 2"
        in lines
    )
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert {a.link: a.draft for a in catalogue.articles} == {
        "https://valleybirding.blogspot.com/2024/02/herons.html": False,
        "https://valleybirding.blogspot.com/2024/02/owl-survey.html": True,
    }
    for command in (["check"], ["build", "-q", "--now", NOW_TEXT], ["verify"]):
        result = called(*command, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stdout, result.stderr)


def test_a_relative_xml_base_in_a_file_is_no_traceback_links_resolve_against_the_entry(
    tmp_path: Path,
) -> None:
    feed = (DATA / "blog-self-link.atom").read_text(encoding="utf-8")
    feed = feed.replace(
        '<content type="html">&lt;p&gt;It turns.&lt;/p&gt;</content>',
        '<content type="html" xml:base="/2024/">&lt;a href="motor.html"&gt;Motor&lt;/a&gt;</content>',
    )
    imported(tmp_path, "feed.atom", feed)
    (article,) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert article.content == '<a href="https://shed.example.net/2024/motor.html">Motor</a>'


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("<author>jane@example.org (Jane Doe)</author>", [("Jane Doe", "jane@example.org")]),
        ("<author><name>Jane Doe</name><title>Staff Engineer</title></author>", [("Jane Doe", None)]),
        (
            "<author><name>Jane Doe</name><email>jane@example.org</email></author>",
            [("Jane Doe", "jane@example.org")],
        ),
        ("<author>Jane Doe<company>Example</company></author>", [("Jane Doe", None)]),
        ("<dc:creator><name>Ann</name><name>Bo</name></dc:creator>", [("Ann", None), ("Bo", None)]),
    ],
)
def test_an_rss_author_is_its_name_never_its_job_title_run_in(
    tmp_path: Path, author: str, expected: list[tuple[str, str | None]]
) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>T</title><link>https://ex.org/</link><description>D</description><managingEditor>ed@ex.org (Ed)"
        "</managingEditor><item><title>One</title><link>https://ex.org/1</link>"
        f"<pubDate>Mon, 04 Dec 2023 10:00:00 +0000</pubDate>{author}</item></channel></rss>"
    )
    imported(tmp_path, "feed.xml", feed)
    (article,) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert [(a.name, a.email) for a in article.authors] == expected
