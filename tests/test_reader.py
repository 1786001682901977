"""A real feed reader over real HTTP: newsboat reads feeds that nginx serves from a build,
and an unchanged rebuild is answered 304 Not Modified, to newsboat and to a plain client."""

from __future__ import annotations

import http.server
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import DATA, NOW, NOW_TEXT, ROOT, feedpub, nginx, tool, valid
from feedpub.layout import FEED_FILES
from feedpub.render import render
from feedpub.render.plan import feeds


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The sample catalogue built into tmp_path/feeds and served by nginx on 127.0.0.1."""
    assert (
        feedpub(
            "build", "-q", "--now", NOW_TEXT, "--catalogue", str(ROOT / "articles.yaml"), cwd=tmp_path
        ).returncode
        == 0
    )
    with nginx(tmp_path / "feeds", tmp_path / "nginx") as base:
        yield tmp_path, base


def run_newsboat(workdir: Path, *args: str) -> None:
    """newsboat with a throw-away home, urls file and config, as a person would run it."""
    (workdir / "config").write_text("")
    result = subprocess.run(
        [tool("newsboat"), "-u", str(workdir / "urls"), "-C", str(workdir / "config"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(workdir), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def newsboat(workdir: Path, urls: list[str], cache: str = "cache.db") -> dict[str, set[tuple[str, str, str]]]:
    """Reload `urls` in newsboat; (guid, title, link) per feed from its cache."""
    (workdir / "urls").write_text("\n".join(urls) + "\n")
    run_newsboat(workdir, "-c", str(workdir / cache), "-x", "reload")
    found: dict[str, set[tuple[str, str, str]]] = {url: set() for url in urls}
    with sqlite3.connect(workdir / cache) as db:
        for feedurl, guid, title, link in db.execute("SELECT feedurl, guid, title, url FROM rss_item"):
            found[feedurl].add((guid, title, link))
    return found


def expected(folder: str) -> set[tuple[str, str, str]]:
    found = valid((ROOT / "articles.yaml").read_text(encoding="utf-8"))
    (feed,) = [f for f in feeds(found, NOW) if f.folder == folder]
    return {(e.id, e.article.title, e.article.link) for e in feed.entries}


@pytest.mark.parametrize("path", ["atom.xml", "rss.xml", "tags/gaza/atom.xml", "tags/us-imperialism/rss.xml"])
def test_newsboat_reads_every_entry_with_its_title_and_link(site: tuple[Path, str], path: str) -> None:
    workdir, base = site
    url = f"{base}/{path}"
    assert newsboat(workdir, [url], cache=f"{path.replace('/', '_')}.db") == {
        url: expected(path.rpartition("/")[0])
    }


def test_newsboat_subscribed_to_three_feeds_sees_each_article_once(site: tuple[Path, str]) -> None:
    workdir, base = site
    urls = [f"{base}/atom.xml", f"{base}/tags/gaza/rss.xml", f"{base}/tags/palestine/atom.xml"]
    found = newsboat(workdir, urls)
    # the same article carries the same id in every feed, so a reader keeps it once
    assert set().union(*found.values()) == expected("")
    assert sum(len(items) for items in found.values()) == len(expected(""))


def test_an_unchanged_rebuild_is_answered_304(site: tuple[Path, str]) -> None:
    workdir, base = site
    url = f"{base}/tags/gaza/atom.xml"
    with urllib.request.urlopen(url) as first:
        assert first.headers["Content-Type"] == "application/xml; charset=utf-8"
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    time.sleep(1.1)  # a rewrite would now show in Last-Modified
    result = feedpub("build", "--now", NOW_TEXT, "--catalogue", str(ROOT / "articles.yaml"), cwd=workdir)
    sample = render(valid((ROOT / "articles.yaml").read_text(encoding="utf-8")), NOW)
    assert f"0 written, {len(sample)} unchanged" in result.stdout
    for header, value in (("If-None-Match", etag), ("If-Modified-Since", modified)):
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(urllib.request.Request(url, headers={header: value}))
        assert answer.value.code == 304
    # newsboat records Last-Modified only once the feed is in its cache, so its third reload
    # is the first to ask conditionally
    for _ in range(3):
        newsboat(workdir, [url])
    log = (workdir / "nginx" / "access.log").read_text().splitlines()
    statuses = [line.split('"')[2].split()[0] for line in log if "newsboat" in line.lower()]
    assert statuses == ["200", "200", "304"]


@pytest.mark.parametrize(
    ("catalogue", "kinds"),
    [
        (ROOT / "articles.yaml", {"site", "tags", "authors", "feeds"}),
        (DATA / "audiences.yaml", {"site", "tags", "authors", "lang", "feeds"}),
    ],
)
def test_newsboat_imports_the_opml_and_subscribes_to_every_feed(
    tmp_path: Path, catalogue: Path, kinds: set[str]
) -> None:
    assert (
        feedpub("build", "-q", "--now", NOW_TEXT, "--catalogue", str(catalogue), cwd=tmp_path).returncode == 0
    )
    (tmp_path / "urls").write_text("")
    run_newsboat(tmp_path, "-c", str(tmp_path / "cache.db"), "-i", str(tmp_path / "feeds" / "feeds.opml"))
    subscribed = [line.split()[0] for line in (tmp_path / "urls").read_text().splitlines() if line.strip()]
    found = valid(catalogue.read_text(encoding="utf-8"))
    planned = [feed for feed in feeds(found, NOW) if feed.current is None]
    assert sorted(subscribed) == sorted(feed.url(found.site, "atom.xml") for feed in planned)
    assert {feed.kind for feed in planned} == kinds


class Hub(http.server.BaseHTTPRequestHandler):
    """A WebSub hub on 127.0.0.1 that records the publish notifications it gets."""

    received: ClassVar[list[dict[str, list[str]]]] = []
    status: ClassVar[int] = 204

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Hub.received.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
        self.send_response(Hub.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    Hub.received.clear()
    Hub.status = 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_ping_tells_the_hub_exactly_the_feeds_that_changed(tmp_path: Path, hub: str) -> None:
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    text = text.replace("  max_items: 50\n", f"  max_items: 50\n  websub_hub: {hub}\n")
    (tmp_path / "articles.yaml").write_text(text, encoding="utf-8")
    assert feedpub("build", "-q", "--ping", "--now", NOW_TEXT, cwd=tmp_path).returncode == 0
    first = {url for request in Hub.received for url in request["hub.url"]}
    assert all(request["hub.mode"] == ["publish"] for request in Hub.received)
    assert len(first) == 36 and "https://example.org/feeds/tags/gaza/feed.json" in first
    assert {"authors/socialist-revolution/atom.xml", "analysis/rss.xml"} <= {
        url.removeprefix("https://example.org/feeds/") for url in first
    }
    atom = (tmp_path / "feeds" / "atom.xml").read_bytes()
    assert f'<link href="{hub}" rel="hub"/>'.encode() in atom
    Hub.received.clear()
    (tmp_path / "articles.yaml").write_text(
        text.replace("Stop Criminal Attack on Gaza!", "Stop the Criminal Attack on Gaza!"), encoding="utf-8"
    )
    assert feedpub("build", "-q", "--ping", "--now", NOW_TEXT, cwd=tmp_path).returncode == 0
    changed = sorted(
        url.removeprefix("https://example.org/feeds/") for r in Hub.received for url in r["hub.url"]
    )
    assert changed == sorted(
        f"{folder}{name}"
        for folder in ("", "tags/gaza/", "tags/israel/", "authors/socialist-revolution/", "analysis/")
        for name in FEED_FILES
    )
    Hub.received.clear()
    assert feedpub("build", "-q", "--ping", "--now", NOW_TEXT, cwd=tmp_path).returncode == 0
    assert Hub.received == []  # nothing changed, nothing to tell


def test_a_failing_hub_is_a_warning(tmp_path: Path, hub: str) -> None:
    Hub.status = 500
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    (tmp_path / "articles.yaml").write_text(
        text.replace("  max_items: 50\n", f"  max_items: 50\n  websub_hub: {hub}\n")
    )
    result = feedpub("build", "-q", "--ping", "--now", NOW_TEXT, cwd=tmp_path)
    assert result.returncode == 0
    assert f"feedpub: warning: hub {hub} answered 500" in result.stderr
    assert (tmp_path / "feeds" / "atom.xml").is_file()
    unreachable = text.replace("  max_items: 50\n", "  max_items: 50\n  websub_hub: http://127.0.0.1:9/\n")
    (tmp_path / "articles.yaml").write_text(unreachable)
    result = feedpub("build", "-q", "--ping", "--now", NOW_TEXT, cwd=tmp_path)
    assert result.returncode == 0
    assert "could not be reached" in result.stderr
