"""Moving a site's feeds to feedpub's as its readers see it: newsboat subscribed to the old
feeds, then served feedpub's at the same addresses, and the documentation's redirects."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import conftest
from conftest import built, called, feedpub, free_port, nginx
from producers import POSTS, SITES, wordpress_atom, wordpress_rss, write
from test_reader import run_newsboat

# -- a real reader: newsboat, subscribed to the old feeds, then to feedpub's at the same address --


def newsboat_items(workdir: Path, urls: list[str]) -> tuple[int, int]:
    """Reload `urls` in newsboat; how many entries its cache holds, and how many are unread."""
    (workdir / "urls").write_text("\n".join(urls) + "\n")
    run_newsboat(workdir, "-c", str(workdir / "cache.db"), "-x", "reload")
    with sqlite3.connect(workdir / "cache.db") as db:
        total, unread = db.execute("SELECT count(*), coalesce(sum(unread), 0) FROM rss_item").fetchone()
    return int(total), int(unread)


@pytest.mark.parametrize(
    "name",
    [
        "WordPress RSS and Atom",
        "Ghost RSS",
        "Hugo RSS",
        "jekyll-feed Atom",
        "Movable Type RSS and Atom",
    ],
)
def test_newsboat_shows_nothing_new_when_the_old_addresses_serve_feedpubs_feeds(
    tmp_path: Path, name: str
) -> None:
    before, after = move(tmp_path, name)
    assert before == (after[0], after[0]) and after[0] >= 3  # all new to a new subscriber, at first
    assert after[1] == 0, f"{before[0]} entries, {before[1]} unread at first; after the move: {after}"


def test_newsboat_knows_entries_without_guid_by_link_and_date_text_so_they_show_once_more(
    tmp_path: Path,
) -> None:
    # no id can match what each reader made up for an entry its feed gave no id: feedpub keeps
    # the link, which most readers use; newsboat used the link followed by the pubDate's text
    # (the tutorial "Move a WordPress blog" says so)
    before, after = move(tmp_path, "RSS without guids")
    assert before == (3, 3)
    assert after == (6, 3)


def move(tmp_path: Path, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """newsboat subscribed to `name`'s old feeds served by nginx reads them all; the old
    addresses then serve feedpub's build of the catalogue imported from them, and newsboat
    reloads. (entries, unread) in newsboat's cache at the first reload, and after the move."""
    files, read_as = SITES[name]
    www, site, reader = tmp_path / "www", tmp_path / "site", tmp_path / "reader"
    for folder in (www, site, reader):
        folder.mkdir()
    write(www, files)
    with nginx(www, tmp_path / "nginx") as base:
        urls = [f"{base}/{old}" for old in files]
        before = newsboat_items(reader, urls)
        with sqlite3.connect(reader / "cache.db") as db:  # the subscriber reads everything
            db.execute("UPDATE rss_item SET unread = 0")
        result = feedpub("import", *urls, cwd=site)  # from the old addresses, over HTTP
        assert result.returncode == 0, result.stderr
        built(site)
        for old, new in read_as.items():
            shutil.copyfile(site / "feeds" / new, www / old)
        after = newsboat_items(reader, urls)
    print(
        f"newsboat, {name}: {before[0]} entries, {before[1]} unread at first; after the move: {after[0]}, {after[1]} unread"
    )
    return before, after


# -- moving the feeds' own addresses: the documentation's redirects, served -----------------------


def documented_block(language: str) -> str:
    """The `language` code block of the how-to guide "Redirect the old feed addresses"."""
    section = (Path(__file__).parent.parent / "docs" / "how-to" / "redirects.md").read_text(encoding="utf-8")
    return section[
        section.index(f"```{language}\n") + len(language) + 4 : section.index(
            "```\n", section.index(f"```{language}\n") + 4
        )
    ]


@contextlib.contextmanager
def nginx_with(lines: str, www: Path, run: Path, port: int) -> Iterator[str]:
    """conftest's nginx, with `lines` added to its server block."""
    template = conftest.NGINX.replace(
        "    root {root};\n", "    root {root};\n" + lines.replace("{", "{{").replace("}", "}}")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conftest, "NGINX", template)
        with nginx(www, run, port) as base:
            yield base


def test_the_documented_nginx_redirects_answer_301_to_the_new_feeds(tmp_path: Path) -> None:
    with nginx_with(documented_block("nginx"), tmp_path, tmp_path / "nginx", free_port()) as base:
        for old, new in [
            ("/feed/", "/feeds/rss.xml"),
            ("/feed/?paged=2", "/feeds/rss.xml"),
            ("/feed/rss2/", "/feeds/rss.xml"),
            ("/feed/atom/", "/feeds/atom.xml"),
            ("/category/gaza/feed/", "/feeds/tags/gaza/rss.xml"),
        ]:
            connection = http.client.HTTPConnection(base.removeprefix("http://"))
            connection.request("GET", old)
            answer = connection.getresponse()
            assert (answer.status, answer.getheader("Location")) == (301, "https://blog.example.org" + new), (
                old
            )
            connection.close()


def test_newsboat_follows_the_redirect_to_feedpubs_feed_and_finds_nothing_new(tmp_path: Path) -> None:
    www, site, reader = tmp_path / "www", tmp_path / "site", tmp_path / "reader"
    for folder in (www / "old", site, reader):
        folder.mkdir(parents=True)
    (www / "old" / "feed.xml").write_text(wordpress_rss(POSTS), encoding="utf-8")
    (www / "old" / "atom.xml").write_text(wordpress_atom(POSTS), encoding="utf-8")
    old_site = (
        "location = /feed/      { try_files /old/feed.xml =404; }\n"
        "location = /feed/atom/ { try_files /old/atom.xml =404; }\n"
    )
    port = free_port()
    with nginx_with(old_site, www, tmp_path / "old-nginx", port) as base:
        urls = [f"{base}/feed/", f"{base}/feed/atom/"]
        before = newsboat_items(reader, urls)
        with sqlite3.connect(reader / "cache.db") as db:
            db.execute("UPDATE rss_item SET unread = 0")
        result = called("import", *urls, cwd=site)
        assert result.returncode == 0, result.stderr
    built(site)
    shutil.copytree(site / "feeds", www / "feeds")
    moved = documented_block("nginx").replace("https://blog.example.org", base)
    with nginx_with(moved, www, tmp_path / "new-nginx", port):
        after = newsboat_items(reader, urls)
    log = (tmp_path / "new-nginx" / "access.log").read_text()
    assert '"GET /feed/ HTTP/1.1" 301' in log and '"GET /feeds/rss.xml HTTP/1.1" 200' in log
    assert before == (3, 3) and after == (3, 0)
