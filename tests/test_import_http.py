"""`feedpub import` of hostile sources, refused with a clear message and nothing written, and of
sources over HTTP, from servers written for each case: pages and archives followed, slow,
large and looping answers given up on."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import DATA, SITE, article, built, catalogue_text, valid
from feedpub import importer
from feedpub.importer import fetch
from producers import NEW_SITE, POSTS, Post, imported, many_posts, wordpress_rss

# -- hostile sources: refused with a clear message, nothing written ------------------------------

HOSTILE = DATA / "hostile"
"""Feeds that declare XML entities, each in the way of a known attack."""
BILLION_LAUGHS = (HOSTILE / "billion-laughs.xml").read_text(encoding="utf-8")
EXTERNAL_ENTITY = (HOSTILE / "external-entity.xml").read_text(encoding="utf-8")
"""Names the file `{path}` as an entity."""
QUADRATIC_BLOWUP = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 50_000 + '">]>'
    '<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>'
    + "&a;" * 10_000
    + "</description></channel></rss>"
)


@pytest.mark.parametrize(
    ("document", "status", "words"),
    [
        (BILLION_LAUGHS, 1, "declares XML entities (<!ENTITY …>)"),
        (QUADRATIC_BLOWUP, 1, "declares XML entities (<!ENTITY …>)"),
        (EXTERNAL_ENTITY, 1, "declares XML entities (<!ENTITY …>)"),
        (
            "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hello</body></html>",
            1,
            "is a web page, not a feed",
        ),
        ("<rss version='2.0'><channel><title>Broken</title>", 1, "is not well-formed XML"),
        ("<opml version='2.0'><body/></opml>", 1, "its root element is <opml>"),
        ('{"version": "1", "items": []}', 1, "is JSON, but not a JSON Feed"),
        ("[" * 100_000 + "]" * 100_000, 1, "is not valid JSON"),
    ],
    ids=[
        "billion laughs",
        "quadratic blowup",
        "external entity",
        "web page",
        "not well-formed",
        "not a feed",
        "other JSON",
        "deep JSON",
    ],
)
def test_a_hostile_or_wrong_document_is_refused_and_nothing_is_written(
    tmp_path: Path, document: str, status: int, words: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    (tmp_path / "feed.xml").write_text(document.replace("{path}", str(secret)), encoding="utf-8")
    result = imported(tmp_path, "feed.xml")
    assert (result.returncode, result.stdout) == (status, "")
    # refused for declaring entities, which is before any is expanded
    assert result.stderr.startswith("feedpub: feed.xml ") and words in result.stderr, result.stderr
    assert "the secret" not in result.stderr
    assert not (tmp_path / "articles.yaml").exists()


def test_a_document_of_a_gigabyte_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as f:
        f.truncate(1 << 30)  # sparse: a gigabyte that takes no room
    result = imported(tmp_path, "huge.xml")
    assert result.returncode == 1
    assert (
        result.stderr == "feedpub: huge.xml is larger than 256 MiB, the most feedpub reads of one document\n"
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_missing_source_file_is_a_usage_error(tmp_path: Path) -> None:
    result = imported(tmp_path, "nowhere.xml")
    assert (result.returncode, result.stderr) == (
        2,
        "feedpub: cannot read 'nowhere.xml': No such file or directory\n",
    )
    assert imported(tmp_path, "ftp://example.org/feed.xml").returncode == 2


# -- over HTTP: servers written for each case -----------------------------------------------------


class Server(http.server.BaseHTTPRequestHandler):
    """Answers each path from `routes`: (status, headers, body) or a callable that answers."""

    routes: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Server.requests.append(self.path)
        route = Server.routes.get(self.path, (404, {}, b"not found"))
        if callable(route):
            route(self)
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Server.routes, Server.requests = {}, []
    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    http_server.daemon_threads = True
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http_server.server_address[1]}"
    finally:
        http_server.shutdown()
        http_server.server_close()


def xml(text: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, text.encode()


def test_wordpress_pages_are_followed_to_the_first_post(tmp_path: Path, server: str) -> None:
    posts = many_posts(25)[::-1]  # newest first, ten a page as WordPress serves them
    for number in range(3):
        page = wordpress_rss(posts[number * 10 : number * 10 + 10])
        Server.routes["/feed/" + (f"?paged={number + 1}" if number else "")] = xml(page)
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 25 entries from 1 source into articles.yaml: 25 found, 0 skipped\n"
    assert Server.requests == ["/feed/", "/feed/?paged=2", "/feed/?paged=3", "/feed/?paged=4"]
    # the 404 after the last page is how WordPress says it is the last
    assert [line for line in result.stderr.splitlines() if not line.startswith(NEW_SITE)] == []


def test_rfc_5005_archives_are_followed_to_the_start(tmp_path: Path, server: str) -> None:
    # a feedpub site with archives: every older page named by prev-archive
    site = tmp_path / "old"
    site.mkdir()
    text = catalogue_text(
        *(article(f"a{n}", published=f"2024-01-{n:02d}") for n in range(1, 8)),
        site=SITE.replace("articles:\n", "  max_items: 2\n  archive: true\narticles:\n").replace(
            "https://example.org/feeds/", server + "/"
        ),
    )
    (site / "articles.yaml").write_text(text, encoding="utf-8")
    built(site)
    for path in (site / "feeds").rglob("*.xml"):
        Server.routes["/" + path.relative_to(site / "feeds").as_posix()] = (
            200,
            {"Content-Type": "application/xml"},
            path.read_bytes(),
        )
    result = imported(tmp_path, f"{server}/atom.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 7 entries from 1 source into articles.yaml: 7 found, 0 skipped\n"
    assert Server.requests == [
        "/atom.xml",
        "/archive/3/atom.xml",
        "/archive/2/atom.xml",
        "/archive/1/atom.xml",
    ]
    old = valid(text)
    new = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    # moving from feedpub to feedpub: the urn:uuid ids become the guids
    from feedpub.render.plan import entry_id

    assert sorted(a.guid or "" for a in new.articles) == sorted(
        entry_id(old.site, a.id) for a in old.articles
    )


def test_archives_that_loop_or_lead_nowhere_stop_with_a_warning(tmp_path: Path, server: str) -> None:
    def page(posts: list[Post], older: str) -> tuple[int, dict[str, str], bytes]:
        feed = wordpress_rss(posts).replace("<generator>https://wordpress.org/?v=6.4.2</generator>", "")
        link = f'<atom:link href="{server}{older}" rel="prev-archive" type="application/rss+xml" />'
        return xml(feed.replace("<language>", link + "\n\t<language>"))

    posts = many_posts(6)
    Server.routes["/feed.xml"] = page(posts[4:], "/archive/2.xml")
    Server.routes["/archive/2.xml"] = page(posts[2:4], "/archive/1.xml")
    Server.routes["/archive/1.xml"] = page(posts[:2], "/archive/2.xml")  # back to a page read already
    looped = imported(tmp_path, f"{server}/feed.xml")
    assert looped.returncode == 0
    assert looped.stdout.startswith("imported 6 entries")
    assert (
        f"{server}/archive/2.xml was read already (the pages link in a loop): stopped there" in looped.stderr
    )
    Server.routes["/archive/1.xml"] = page(posts[:2], "/archive/0.xml")  # which is missing
    (tmp_path / "articles.yaml").unlink()
    missing = imported(tmp_path, f"{server}/feed.xml")
    assert missing.returncode == 0
    assert f"the older page {server}/archive/0.xml is missing (404): stopped there" in missing.stderr


def test_a_server_that_never_answers_is_given_up_on(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        port = listener.getsockname()[1]
        started = time.monotonic()
        result = imported(tmp_path, f"http://127.0.0.1:{port}/feed/")
        assert result.returncode == 74
        assert result.stderr == f"feedpub: http://127.0.0.1:{port}/feed/: no answer within 10 s\n"
        took = time.monotonic() - started
        assert fetch.Limits().idle_seconds <= took < 3 * fetch.Limits().idle_seconds  # room in proportion
    finally:
        listener.close()
    assert not (tmp_path / "articles.yaml").exists()


def test_a_server_that_trickles_is_given_up_on_and_a_large_answer_refused(server: str) -> None:
    def trickle(handler: Server) -> None:
        handler.send_response(200)
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)

    Server.routes["/slow"] = trickle
    limits = fetch.Limits(idle_seconds=1, document_seconds=1)
    with pytest.raises(importer.Refused, match="took longer than 1 s to send"):
        fetch.fetch(f"{server}/slow", limits, fetch.Budget(limits.total_bytes))
    Server.routes["/claims"] = (200, {"Content-Length": str(1 << 30)}, b"")
    with pytest.raises(importer.Refused, match="larger than 256 MiB"):
        fetch.fetch(f"{server}/claims", fetch.Limits(), fetch.Budget(1 << 30))


@pytest.mark.parametrize("part", ["status line", "headers"])
def test_a_server_that_trickles_its_status_line_or_headers_is_given_up_on_at_the_deadline(
    tmp_path: Path, server: str, part: str
) -> None:
    # each byte, or each header line, comes well within the time a read may wait: only the
    # deadline for the whole document, counted from connecting, can stop it
    def trickle(handler: Server) -> None:
        head = b"HTTP/1.1 200 OK\r\n"
        pieces = [head[i : i + 1] for i in range(len(head))] if part == "status line" else [head]
        pieces += [f"X-Header-{n}: {n}\r\n".encode() for n in range(40)]
        with contextlib.suppress(OSError):
            for piece in pieces:
                handler.wfile.write(piece)
                handler.wfile.flush()
                time.sleep(0.2)

    Server.routes["/feed/"] = trickle
    limits = fetch.Limits(idle_seconds=1, document_seconds=1.5)
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(importer.Refused) as refused:
        importer.run([f"{server}/feed/"], tmp_path / "articles.yaml", said.append, limits)
    took = time.monotonic() - started
    assert limits.document_seconds <= took < 3 * limits.document_seconds  # room in proportion
    assert str(refused.value) == f"{server}/feed/: took longer than 1.5 s to send"
    assert said == []
    assert not (tmp_path / "articles.yaml").exists()


def test_a_gzip_answer_of_several_members_is_inflated_whole(tmp_path: Path, server: str) -> None:
    feed = wordpress_rss(POSTS).encode()
    half = len(feed) // 2
    answer = gzip.compress(feed[:half]) + gzip.compress(feed[half:]) + b"\0" * 8  # padding, as gzip allows
    Server.routes["/feed/"] = (
        200,
        {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"},
        answer,
    )
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert len(valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles) == len(POSTS)


def test_redirects_in_a_loop_or_too_many_are_refused_on_one_line(tmp_path: Path, server: str) -> None:
    Server.routes["/feed/"] = (302, {"Location": "/feed/"}, b"")
    for n in range(12):
        Server.routes[f"/hop/{n}"] = (301, {"Location": f"/hop/{n + 1}"}, b"")
    for path in ("/feed/", "/hop/0"):
        result = imported(tmp_path, f"{server}{path}")
        assert result.returncode == 74
        assert result.stderr == (
            f"feedpub: {server}{path}: the redirects lead in a loop or go on for more than 10 addresses "
            f"(the last answered {302 if path == '/feed/' else 301}): given up\n"
        )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_gzip_bomb_is_inflated_only_up_to_the_limit(tmp_path: Path, server: str) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (300 << 20), compresslevel=9)
    assert len(bomb) < 1 << 20
    Server.routes["/feed/"] = (200, {"Content-Encoding": "gzip", "Content-Type": "application/xml"}, bomb)
    result = imported(tmp_path, f"{server}/feed/")
    assert (result.returncode, result.stderr) == (
        1,
        f"feedpub: {server}/feed/ is larger than 256 MiB, the most feedpub reads of one document\n",
    )


def test_an_external_dtd_is_never_fetched(tmp_path: Path, server: str) -> None:
    Server.routes["/evil.dtd"] = (200, {}, b'<!ENTITY x "y">')
    feed = wordpress_rss(POSTS[:1]).replace(
        "<rss version", f'<!DOCTYPE rss SYSTEM "{server}/evil.dtd">\n<rss version', 1
    )
    feed = feed.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8"?>\n')
    Server.routes["/feed/"] = xml(feed)
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert "/evil.dtd" not in Server.requests


def test_a_redirect_to_anything_but_http_is_refused(tmp_path: Path, server: str) -> None:
    Server.routes["/feed/"] = (301, {"Location": "file:///etc/passwd"}, b"")
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 74
    assert "Redirection to url 'file:///etc/passwd' is not allowed" in result.stderr
    Server.routes["/feed/"] = (302, {"Location": "ftp://example.org/feed.xml"}, b"")
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 74
    assert "redirected to ftp://example.org/feed.xml, which is not an http(s) address" in result.stderr
    assert not (tmp_path / "articles.yaml").exists()


def test_following_pages_stops_at_the_limit(server: str) -> None:
    posts = many_posts(30)[::-1]
    for number in range(3):
        Server.routes["/feed/" + (f"?paged={number + 1}" if number else "")] = xml(
            wordpress_rss(posts[number * 10 : number * 10 + 10])
        )
    said: list[str] = []
    pages = list(
        importer.history.pages(f"{server}/feed/", fetch.Limits(pages=2), fetch.Budget(1 << 30), said.append)
    )
    assert [len(p.entries) for p in pages] == [10, 10]
    assert said == [
        f"{server}/feed/: stopped after 2 pages, the most feedpub follows; older entries are not imported"
    ]
