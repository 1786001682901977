"""`feedpub verify URL`: the feeds as readers get them, from real servers on 127.0.0.1 (nginx,
Apache, `feedpub serve`, Python's plain file server) and from one written here to misbehave."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from conftest import NGINX, SITE, article, built, called, catalogue_text, feedpub, free_port, nginx
from feedpub.render import hosting
from feedpub.verify.answers import Limits
from feedpub.verify.http import LARGE, MAX_REDIRECTS, verify_site
from s3server import SeaweedFS
from test_cli import serve
from test_deploy import PREFIX
from test_deploy import cli as deploy
from test_hosting import apache

HUB = "https://hub.example.net/"


def catalogue(feed_url: str, *, hosting_: str = "[]", body: str = "") -> str:
    """Five articles of one tag by the site's author, two a feed, so that each feed has a
    full archive page and a newest one; `body` as each article's content."""
    site = SITE.replace("https://example.org/feeds/", feed_url).replace(
        "articles:\n",
        f"  max_items: 2\n  archive: true\n  hosting: {hosting_}\n  websub_hub: {HUB}\narticles:\n",
    )
    content = [f"content: {json.dumps(body)}"] if body else []
    return catalogue_text(
        *(article(f"a{n}", "tags: [Gaza]", *content, published=f"2024-01-0{n}") for n in range(1, 6)),
        site=site,
    )


def build(folder: Path, feed_url: str, **options: str) -> Path:
    """The feeds of `catalogue(feed_url)`, built into folder/feeds."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles.yaml").write_text(catalogue(feed_url, **options), encoding="utf-8")
    built(folder)
    return folder / "feeds"


def published(feeds: Path) -> list[str]:
    """The paths readers may fetch under the folder: all but the hidden and the hosts' files."""
    return sorted(
        p.relative_to(feeds).as_posix()
        for p in feeds.rglob("*")
        if p.is_file() and not p.name.startswith((".", "_"))
    )


@dataclass
class Verified:
    status: int
    problems: list[dict[str, Any]]
    summary: str

    def kinds(self) -> set[tuple[str, str, str]]:
        """(URL, problem name, severity) of each problem."""
        return {
            (p["file"], p["message"].rpartition("[")[2].rstrip("]"), p["severity"]) for p in self.problems
        }


def verify(url: str, *options: str) -> Verified:
    """`feedpub verify URL --format json`, as a CI job runs it (called in this process)."""
    result = called("verify", url, "--format", "json", *options, cwd=Path.cwd())
    assert "Traceback" not in result.stderr, result.stderr
    return Verified(result.returncode, json.loads(result.stdout), result.stderr.strip().splitlines()[-1])


def feeds_in(feeds: Path) -> int:
    return sum(path.endswith((".xml", ".json")) for path in published(feeds) if "feed.xsl" not in path)


# -- real servers --------------------------------------------------------------------------------


def test_a_site_served_by_nginx_as_readme_says_passes_large_feeds_compressed(tmp_path: Path) -> None:
    port = free_port()
    feeds = build(tmp_path, f"http://127.0.0.1:{port}/feeds/", body="<p>" + "words " * 6000 + "</p>")
    assert (feeds / "atom.xml").stat().st_size > LARGE  # so compression is asked of nginx
    with nginx(tmp_path, tmp_path / "nginx", port) as base:
        found = verify(f"{base}/feeds/")
    assert found.problems == []
    assert found.status == 0
    assert (
        f"{feeds_in(feeds)} feeds of {len(published(feeds))} documents, 0 errors, 0 warnings" in found.summary
    )


DEBIAN_NGINX = "".join(
    "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
    if line.startswith("  types ")
    else ""
    if "gzip" in line or "default_type" in line
    else line
    for line in NGINX.splitlines(keepends=True)
)
"""nginx as Debian installs it: its mime.types, no types of the documentation's, no gzip."""


def test_nginx_as_debian_installs_it_serves_types_readers_cope_with_but_not_the_stylesheet(
    tmp_path: Path,
) -> None:
    assert "feed+json" not in DEBIAN_NGINX and "gzip" not in DEBIAN_NGINX
    port = free_port()
    feeds = build(tmp_path, f"http://127.0.0.1:{port}/feeds/", body="<p>" + "words " * 6000 + "</p>")
    with nginx(tmp_path, tmp_path / "nginx", port, DEBIAN_NGINX) as base:
        found = verify(f"{base}/feeds/")
    assert found.status == 1
    base = f"http://127.0.0.1:{port}/feeds/"
    large = {
        p for p in published(feeds) if p.endswith((".xml", ".json")) and (feeds / p).stat().st_size > LARGE
    }
    assert large
    expected = {(base + "feed.xsl", "ContentType", "error")}  # browsers do not apply it
    expected |= {
        (base + p, "ContentType", "warning")
        for p in published(feeds)
        if p.endswith((".xml", ".json", ".opml")) and p != "feed.xsl"
    }
    expected |= {(base + p, "NotCompressed", "warning") for p in large}
    assert found.kinds() == expected


def test_apache_with_the_htaccess_feedpub_writes_passes_and_without_it_warns_of_types() -> None:
    with tempfile.TemporaryDirectory() as folder:  # that Apache's unprivileged user may read
        os.chmod(folder, 0o755)
        public, port = Path(folder), free_port()
        feeds = build(public, f"http://127.0.0.1:{port}/feeds/", hosting_="[apache]")
        with apache(public, public / "apache", port) as base:
            found = verify(f"{base}/feeds/")
            assert found.problems == []
            assert found.status == 0
            assert f"{feeds_in(feeds)} feeds of {len(published(feeds))} documents" in found.summary
            (feeds / ".htaccess").unlink()
            found = verify(f"{base}/feeds/")
        assert found.status == 1
        assert found.kinds() == {
            (f"{base}/feeds/{path}", "ContentType", "warning")
            for path in published(feeds)
            if path.endswith((".json", ".opml"))
        }


def test_feedpub_serve_passes(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "articles.yaml").write_text(catalogue(f"http://127.0.0.1:{port}/"), encoding="utf-8")
    server = serve(tmp_path, "--port", str(port), "--out", "served")
    try:
        assert server.stdout is not None
        while not server.stdout.readline().startswith("serving "):
            assert server.poll() is None
        found = verify(f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert found.problems == []
    assert found.status == 0
    assert f"{feeds_in(tmp_path / 'served')} feeds" in found.summary


def test_a_plain_file_server_at_another_address_missing_an_archive_page_fails(tmp_path: Path) -> None:
    """The feeds say they are at feed_url; served elsewhere, each self link is named, and the
    copy's own links are followed there, where the page that is missing answers 404."""
    feeds = build(tmp_path, "http://127.0.0.1:9/feeds/")  # the discard port: never connected to
    (feeds / "tags/gaza/archive/1/rss.xml").unlink()
    with plain_server(tmp_path) as root:
        found = verify(f"{root}feeds/")
    base = f"{root}feeds/"
    assert found.status == 1
    kinds = found.kinds()
    assert (base + "tags/gaza/archive/1/rss.xml", "HttpStatus", "error") in kinds
    assert {
        (base + p, "SelfDoesntMatchLocation", "warning")
        for p in published(feeds)
        if p.endswith((".xml", ".json")) and p != "feed.xsl"
    } <= kinds
    missing = [p for p in found.problems if p["file"].endswith("tags/gaza/archive/1/rss.xml")]
    assert "answers 404" in missing[0]["message"]
    assert f"linked from {base}tags/gaza/archive/2/rss.xml as prev-archive" in missing[0]["message"]


def test_an_address_beyond_ascii_is_one_address_however_it_is_spelt(tmp_path: Path) -> None:
    port = free_port()
    build(tmp_path, f"http://127.0.0.1:{port}/flux-été/")
    (tmp_path / "feeds").rename(tmp_path / "flux-été")
    with plain_server(tmp_path, port):
        found = verify(f"http://127.0.0.1:{port}/flux-été/")
    assert {name for _, name, _ in found.kinds()} == {
        "ContentType"
    }  # Python's types, not the documentation's
    escaped = f"http://127.0.0.1:{port}/flux-%C3%A9t%C3%A9/"
    assert found.summary.startswith(f"{escaped}: {feeds_in(tmp_path / 'flux-été')} feeds of ")


@contextlib.contextmanager
def plain_server(folder: Path, port: int | None = None) -> Iterator[str]:
    """`python -m http.server` serving `folder`; yields its address."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(port: int) -> None:
    for _ in range(200):
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port}")


# -- a server that misbehaves as it is told ------------------------------------------------------


class Site(http.server.ThreadingHTTPServer):
    """Serves `feeds` under /feeds/ as the documentation says (types, validators and 304s, lifetimes,
    gzip for large files), except for the paths `faults` names."""

    daemon_threads = True

    def __init__(self, feeds: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.feeds = feeds
        self.faults: dict[str, Callable[[Handler], None]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.flying = self.most_flying = 0
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/feeds/"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers)))
            self.server.flying += 1
            self.server.most_flying = max(self.server.most_flying, self.server.flying)
        time.sleep(0.05)  # long enough for requests to overlap
        with self.server.lock:  # before the answer, which lets the client send its next request
            self.server.flying -= 1
        fault = self.server.faults.get(self.path)
        if fault:
            fault(self)
        else:
            self.send_file(self.path)

    def send_file(
        self,
        path: str,
        *,
        headers: dict[str, str | None] | None = None,
        body: bytes | None = None,
        conditional: bool = True,
        compress: bool = True,
    ) -> None:
        relative = path.removeprefix("/feeds/")
        file = self.server.feeds / relative
        if body is None:
            if not file.is_file():
                self.send_error(404)
                return
            body = file.read_bytes()
        newest = hosting.newest_pages(published(self.server.feeds))
        sent: dict[str, str | None] = {
            "Content-Type": hosting.media_type(relative),
            "ETag": f'"{hashlib.sha256(body).hexdigest()[:16]}"',
            "Last-Modified": formatdate(1700000000, usegmt=True),
            "Cache-Control": hosting.cache_control(relative, newest),
        }
        sent.update(headers or {})
        sent.setdefault("Content-Length", str(len(body)))
        if conditional and sent["ETag"] and self.headers["If-None-Match"] == sent["ETag"]:
            self.send_response(304)
            self.end_headers()
            return
        if compress and len(body) > LARGE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body, sent["Content-Encoding"] = gzip.compress(body), "gzip"
        self.send_response(200)
        for name, value in sent.items():
            if value is not None:
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, to: str) -> None:
        self.send_response(status)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    server = Site(Path())
    server.feeds = build(tmp_path_factory.mktemp("site"), server.base)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(site: Site) -> Iterator[Site]:
    """The site, served right unless the test says otherwise."""
    site.faults.clear()
    site.requests.clear()
    site.most_flying = 0
    yield site
    site.faults.clear()


def test_the_misbehaving_server_serves_right_when_told_nothing(served: Site) -> None:
    found = verify(served.base)
    assert found.problems == []
    assert found.status == 0
    assert f"{feeds_in(served.feeds)} feeds of {len(published(served.feeds))} documents" in found.summary
    assert (
        f"; {len(served.requests)} requests, " in found.summary
    )  # two a document: GET, then a conditional one
    assert len(served.requests) == 2 * len(published(served.feeds))


def file(path: str, **options: Any) -> Callable[[Handler], None]:
    return lambda handler: handler.send_file(path, **options)


def redirect(status: int, to: str) -> Callable[[Handler], None]:
    return lambda handler: handler.redirect(status, to)


def closed(handler: Handler) -> None:
    handler.close_connection = True  # no answer at all


def page_not_found(handler: Handler) -> None:
    handler.send_file(
        "/x.html",
        body=b"<!doctype html><title>Not found</title><p>Sorry",
        headers={"Content-Type": "text/html"},
    )


def truncated(handler: Handler) -> None:
    handler.send_file(
        handler.path, body=(handler.server.feeds / handler.path.removeprefix("/feeds/")).read_bytes()[:-30]
    )


def padded(handler: Handler) -> None:
    data = (handler.server.feeds / "atom.xml").read_bytes() + b"<!-- " + b"x" * LARGE + b" -->\n"
    handler.send_file("/feeds/atom.xml", body=data, compress=False)


def bytes_of(path: str) -> Callable[[Handler], None]:
    return lambda handler: handler.send_file(handler.path, body=(handler.server.feeds / path).read_bytes())


HOPS = {f"/feeds/hop/{n}": redirect(302, f"/feeds/hop/{n + 1}") for n in range(MAX_REDIRECTS + 2)}

# (faults, then the problems they make: path, name, severity); nothing else may be found
FAULTS = [
    (
        {"/feeds/atom.xml": file("/feeds/atom.xml", headers={"Content-Type": "text/html"})},
        [("atom.xml", "ContentType", "error")],
    ),
    (
        {"/feeds/rss.xml": file("/feeds/rss.xml", headers={"Content-Type": "text/xml"})},
        [("rss.xml", "ContentType", "warning")],
    ),
    (
        {"/feeds/feed.json": file("/feeds/feed.json", headers={"Content-Type": "application/json"})},
        [("feed.json", "ContentType", "warning")],
    ),
    (
        {"/feeds/feed.xsl": file("/feeds/feed.xsl", headers={"Content-Type": "application/octet-stream"})},
        [("feed.xsl", "ContentType", "error")],
    ),
    (
        {"/feeds/index.html": file("/feeds/index.html", headers={"Content-Type": "text/plain"})},
        [("index.html", "ContentType", "error")],
    ),
    (
        {
            "/feeds/tags/gaza/atom.xml": file(
                "/feeds/tags/gaza/atom.xml", headers={"Content-Type": "application/xml; charset=iso-8859-1"}
            )
        },
        [("tags/gaza/atom.xml", "Charset", "error")],
    ),
    (
        {"/feeds/feed.json": file("/feeds/feed.json", headers={"ETag": None, "Last-Modified": None})},
        [("feed.json", "NoValidator", "warning")],
    ),
    (
        {"/feeds/feed.json": file("/feeds/feed.json", conditional=False)},
        [("feed.json", "NotConditional", "warning")],
    ),
    ({"/feeds/atom.xml": padded}, [("atom.xml", "NotCompressed", "warning")]),
    (
        {"/feeds/atom.xml": file("/feeds/atom.xml", headers={"Cache-Control": hosting.IMMUTABLE})},
        [("atom.xml", "CacheControl", "error")],
    ),
    (
        {
            "/feeds/archive/2/rss.xml": file(
                "/feeds/archive/2/rss.xml", headers={"Cache-Control": hosting.IMMUTABLE}
            )
        },
        [("archive/2/rss.xml", "CacheControl", "error")],
    ),
    (
        {"/feeds/rss.xml": file("/feeds/rss.xml", headers={"Cache-Control": "max-age=86400"})},
        [("rss.xml", "CacheControl", "warning")],
    ),
    (
        {
            "/feeds/archive/1/atom.xml": file(
                "/feeds/archive/1/atom.xml", headers={"Cache-Control": hosting.LIVE}
            )
        },
        [("archive/1/atom.xml", "CacheControl", "warning")],
    ),
    (
        {
            "/feeds/atom.xml": file(
                "/feeds/atom.xml", headers={"Link": '<https://other.example/hub>; rel="hub"'}
            )
        },
        [("atom.xml", "HubHeader", "error")],
    ),
    (
        {"/feeds/atom.xml": file("/feeds/atom.xml", headers={"Link": '</feeds/elsewhere.xml>; rel="self"'})},
        [("atom.xml", "SelfDoesntMatchLocation", "warning")],
    ),
    (
        {
            "/feeds/archive/2/atom.xml": redirect(301, "/feeds/archive/2/moved.xml"),
            "/feeds/archive/2/moved.xml": bytes_of("archive/2/atom.xml"),
        },
        [
            ("archive/2/atom.xml", "Redirect", "warning"),
            ("archive/2/moved.xml", "SelfDoesntMatchLocation", "warning"),
        ],
    ),
    (
        {
            "/feeds/archive/1/atom.xml": redirect(302, "/feeds/loop"),
            "/feeds/loop": redirect(302, "/feeds/archive/1/atom.xml"),
        },
        [("archive/1/atom.xml", "RedirectLoop", "error")],
    ),
    (
        {"/feeds/archive/1/rss.xml": redirect(302, "/feeds/hop/0"), **HOPS},
        [("archive/1/rss.xml", "RedirectChain", "error")],
    ),
    (
        {"/feeds/feed.json": redirect(308, "http://localhost:9/feeds/feed.json")},
        [("feed.json", "OffSiteRedirect", "error")],
    ),
    (
        {"/feeds/archive/1/feed.json": lambda h: h.send_error(404)},
        [("archive/1/feed.json", "HttpStatus", "error")],
    ),
    (
        {"/feeds/tags/gaza/atom.xml": lambda h: h.send_error(500)},
        [("tags/gaza/atom.xml", "HttpStatus", "error")],
    ),
    ({"/feeds/tags/gaza/rss.xml": closed}, [("tags/gaza/rss.xml", "Unreachable", "error")]),
    (
        {
            "/feeds/tags/gaza/feed.json": file(
                "/feeds/tags/gaza/feed.json", headers={"Content-Length": str(1 << 30)}, body=b""
            )
        },
        [("tags/gaza/feed.json", "TooLarge", "error")],
    ),
    ({"/feeds/tags/gaza/atom.xml": page_not_found}, [("tags/gaza/atom.xml", "NotAFeed", "error")]),
    ({"/feeds/feeds.opml": bytes_of("rss.xml")}, [("feeds.opml", "NotAFeed", "error")]),
    ({"/feeds/tags/gaza/feed.json": truncated}, [("tags/gaza/feed.json", "NotAFeed", "error")]),
    ({"/feeds/authors/jane-doe/atom.xml": truncated}, [("authors/jane-doe/atom.xml", "SAXError", "error")]),
    (
        {"/feeds/archive/1/atom.xml": bytes_of("archive/2/atom.xml")},
        [("archive/1/atom.xml", "SelfDoesntMatchLocation", "warning")],
    ),
    (
        {"/feeds/feed.json": bytes_of("tags/gaza/feed.json")},
        [("feed.json", "SelfDoesntMatchLocation", "warning")],
    ),
]


@pytest.mark.parametrize(("faults", "expected"), FAULTS, ids=[f"{e[0][1]}-{e[0][0]}" for _, e in FAULTS])
def test_each_way_of_serving_wrong_is_named_at_its_url(
    served: Site, faults: dict[str, Callable[[Handler], None]], expected: list[tuple[str, str, str]]
) -> None:
    served.faults.update(faults)
    found = verify(served.base)
    assert found.status == 1
    assert found.kinds() == {(served.base + path, name, severity) for path, name, severity in expected}


def test_a_feed_given_alone_is_followed_to_its_archive_pages_and_the_stylesheet(served: Site) -> None:
    found = verify(served.base + "tags/gaza/atom.xml")
    assert found.problems == []
    assert found.status == 0
    assert "3 feeds of 4 documents" in found.summary  # the feed, its two pages, feed.xsl
    fetched = {path for path, _ in served.requests}
    assert {
        "/feeds/tags/gaza/archive/1/atom.xml",
        "/feeds/tags/gaza/archive/2/atom.xml",
        "/feeds/feed.xsl",
    } <= fetched
    assert "/feeds/feeds.opml" not in fetched


def test_an_html_page_is_followed_by_its_alternate_links(served: Site) -> None:
    served.faults["/home.html"] = lambda h: h.send_file(
        "/home.html",
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=b'<!doctype html><link rel="alternate" type="application/rss+xml" href="/feeds/rss.xml"><p>Hello',
    )
    found = verify(served.base.removesuffix("feeds/") + "home.html")
    assert found.problems == []
    assert found.status == 0
    fetched = {path for path, _ in served.requests}
    assert {"/feeds/rss.xml", "/feeds/archive/1/rss.xml", "/feeds/archive/2/rss.xml"} <= fetched
    assert "/feeds/atom.xml" not in fetched


class Moved(http.server.BaseHTTPRequestHandler):
    """Sends every request on to the same path at `to` (as http:// to https:// would)."""

    to = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(301)
        self.send_header("Location", self.to + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize("path", ["/feeds/", "/feeds/atom.xml"])
def test_the_site_is_where_the_address_given_leads(served: Site, path: str) -> None:
    Moved.to = served.base.removesuffix("/feeds/")
    old = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=old.serve_forever, daemon=True).start()
    try:
        found = verify(f"http://127.0.0.1:{old.server_address[1]}{path}")
    finally:
        old.shutdown()
        old.server_close()
    assert found.problems == []
    assert found.summary.startswith(f"{Moved.to}{path}: ")


def test_a_document_reached_by_a_redirect_and_a_link_is_checked_once(served: Site) -> None:
    served.faults["/feeds/rss.xml"] = redirect(301, "/feeds/atom.xml")
    found = verify(served.base)
    assert found.kinds() == {(served.base + "rss.xml", "Redirect", "warning")}
    # rss.xml's archive pages are linked from it alone
    assert (
        f"{feeds_in(served.feeds) - 3} feeds of {len(published(served.feeds)) - 3} documents" in found.summary
    )


def test_a_page_that_names_no_feed_is_a_problem(served: Site) -> None:
    served.faults["/home.html"] = lambda h: h.send_file(
        "/home.html", headers={"Content-Type": "text/html"}, body=b"<!doctype html><p>Hello"
    )
    found = verify(served.base.removesuffix("feeds/") + "home.html")
    assert found.status == 1
    assert found.kinds() == {(served.base.removesuffix("feeds/") + "home.html", "NoFeeds", "error")}


def test_links_to_other_hosts_are_named_and_never_fetched(served: Site, tmp_path: Path) -> None:
    other = Site(tmp_path)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        opml = (
            (served.feeds / "feeds.opml")
            .read_bytes()
            .replace(
                b"</body>", f'<outline type="rss" text="x" xmlUrl="{other.base}atom.xml"/></body>'.encode()
            )
        )
        served.faults["/feeds/feeds.opml"] = lambda h: h.send_file("/feeds/feeds.opml", body=opml)
        result = feedpub("verify", served.base, cwd=Path.cwd(), timeout=120)
    finally:
        other.shutdown()
        other.server_close()
    assert result.returncode == 0, result.stderr
    assert other.requests == []
    assert f"not followed (another host): {other.base}atom.xml\n" in result.stdout
    assert f"not followed (another host): {HUB}\n" in result.stdout
    assert all(headers["User-Agent"].startswith("feedpub/") for _, headers in served.requests)


def test_requests_stop_at_max_requests_and_say_what_was_not_checked(served: Site) -> None:
    found = verify(served.base, "--max-requests", "7")
    assert len(served.requests) == 7
    assert found.status == 1
    assert found.kinds() == {(served.base, "Unfinished", "error")}
    assert "not checked, as --max-requests 7 were sent" in found.problems[0]["message"]
    assert "7 requests" in found.summary


def test_addresses_waiting_are_no_more_than_requests_left(
    served: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OPML list of thousands of feeds does not make thousands of requests wait."""
    outlines = "".join(
        f'<outline type="rss" text="x" xmlUrl="{served.base}many/{n}.xml"/>' for n in range(5000)
    )
    opml = (served.feeds / "feeds.opml").read_bytes().replace(b"</body>", f"{outlines}</body>".encode())
    served.faults["/feeds/feeds.opml"] = lambda h: h.send_file("/feeds/feeds.opml", body=opml)
    submitted = []
    submit = ThreadPoolExecutor.submit
    monkeypatch.setattr(ThreadPoolExecutor, "submit", lambda *a, **k: submitted.append(a) or submit(*a, **k))
    found = verify_site(served.base, Limits(max_requests=20))
    assert len(submitted) < 20
    (unfinished,) = found.problems
    assert int(unfinished.message.split()[0]) >= 5000
    assert "addresses not checked, as --max-requests 20 were sent" in unfinished.message


def test_requests_in_flight_are_bounded_and_overlap(served: Site) -> None:
    found = verify_site(served.base, Limits(threads=3))
    assert found.problems == []
    assert served.most_flying == 3  # never more, and as many as allowed at once


@contextlib.contextmanager
def misbehaving(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server on 127.0.0.1 that gives each connection to `answer`, in a thread of its own;
    yields its address. On leaving, every connection is shut, which ends each answer, and its
    thread joined: no thread of it outlives the test (a forked second process needs none)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    answering: list[tuple[socket.socket, threading.Thread]] = []

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                thread = threading.Thread(target=answer, args=(connection,), daemon=True)
                answering.append((connection, thread))
                thread.start()

    accepting = threading.Thread(target=accept, daemon=True)
    accepting.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feeds/atom.xml"
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        accepting.join(60)
        for connection, thread in answering:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            thread.join(60)


def silent(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while connection.recv(4096):  # takes the request, says nothing, until shut
            pass
    connection.close()


def trickling(connection: socket.socket) -> None:
    """Headers one byte at a time, each well within any idle timeout."""
    with contextlib.suppress(OSError):
        connection.recv(4096)
        for byte in b"HTTP/1.1 200 OK\r\n" + b"X: " + b"y" * 10_000:
            connection.sendall(bytes([byte]))
            time.sleep(0.05)
    connection.close()


def dripping(connection: socket.socket) -> None:
    """A whole head, then a body one byte at a time, without end."""
    with contextlib.suppress(OSError):
        connection.recv(4096)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n<feed>")
        while True:
            connection.sendall(b" ")
            time.sleep(0.05)
    connection.close()


@pytest.mark.parametrize("answer", [silent, trickling, dripping])
def test_the_deadline_holds_against_servers_that_stall(answer: Callable[[socket.socket], None]) -> None:
    deadline = 2.0
    with misbehaving(answer) as url:
        began = time.monotonic()
        found = verify_site(url, Limits(deadline=deadline, idle=deadline * 5))
        took = time.monotonic() - began
    assert deadline <= took < deadline * 3
    assert [p.message for p in found.problems] == [
        f"1 address not checked, as the deadline of {deadline:g} s passed (first: {url}) [Unfinished]"
    ]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_it_at_once_whatever_the_servers_do(served: Site, stop: signal.Signals) -> None:
    """Requests still waiting on a server end with the command, not at their idle timeout."""
    stalled, released = threading.Event(), threading.Event()

    def stall(handler: Handler) -> None:
        stalled.set()
        released.wait(Limits().idle * 2)  # until the test is done: no thread outlives it

    served.faults["/feeds/atom.xml"] = stall
    process = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "verify", served.base],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert stalled.wait(Limits().deadline)
        began = time.monotonic()
        process.send_signal(stop)
        _, errors = process.communicate(timeout=Limits().deadline)
        took = time.monotonic() - began
    finally:
        released.set()
    assert process.returncode == (130 if stop == signal.SIGINT else 128 + stop)
    assert "Traceback" not in errors
    assert took < Limits().idle / 2


def endless(connection: socket.socket, *, compressed: bool = False) -> None:
    with contextlib.suppress(OSError):
        connection.recv(4096)
        coding = b"Content-Encoding: gzip\r\n" if compressed else b""
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n" + coding + b"\r\n")
        chunk = gzip.compress(b"\0" * (1 << 24)) if compressed else b"x" * (1 << 16)
        while True:  # a gzip stream of many members, each 16 MiB of zeros inflated
            connection.sendall(chunk)
    connection.close()


@pytest.mark.parametrize("compressed", [False, True])
def test_an_endless_body_is_read_no_further_than_the_limit(compressed: bool) -> None:
    most = 1 << 20
    with misbehaving(lambda c: endless(c, compressed=compressed)) as url:
        found = verify_site(url, Limits(max_bytes=most))
    assert [p.message.rpartition("[")[2] for p in found.problems] == ["TooLarge]"]
    assert found.bytes_read <= most + (1 << 16)
    assert found.requests == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example.org/feeds/"], "is not a folder (nor an http or https URL)"),
        (["http:///feeds/"], "is not a URL with a host"),
        (["http://127.0.0.1:99999/feeds/"], "is not a URL with a host (and a port from 1 to 65535)"),
        (["http://127.0.0.1:0/feeds/"], "is not a URL with a host (and a port from 1 to 65535)"),
        (
            ["http://127.0.0.1:9/", "--deadline", "0"],
            "'0' is not a number of seconds (more than 0, at most 3600)",
        ),
        (
            ["http://127.0.0.1:9/", "--deadline", "nan"],
            "'nan' is not a number of seconds (more than 0, at most 3600)",
        ),
        (["http://127.0.0.1:9/", "--max-requests", "0"], "'0' is not a whole number of 1 or more"),
    ],
)
def test_a_bad_url_or_bound_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = called("verify", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_formats_for_ci_say_the_same_problems(served: Site) -> None:
    served.faults["/feeds/archive/1/feed.json"] = lambda h: h.send_error(404)
    found = verify(served.base)
    github = feedpub("verify", served.base, "--format", "github", cwd=Path.cwd(), timeout=120)
    text = feedpub("verify", served.base, cwd=Path.cwd(), timeout=120)
    assert found.status == github.returncode == text.returncode == 1
    url = served.base + "archive/1/feed.json"
    assert [p["file"] for p in found.problems] == [url]
    assert github.stdout.startswith(f"::error file={url.replace(':', '%3A')},line=1,col=1,")
    assert text.stderr.startswith(f"{url}:1:1: error: answers 404")
    for summary in (found.summary, github.stdout.splitlines()[-1], text.stdout.splitlines()[-1]):
        assert summary.startswith(f"{served.base}: {feeds_in(served.feeds) - 1} feeds of ")
        assert "1 error, 0 warnings" in summary


def test_a_bucket_after_deploy_passes_but_for_compression(s3: SeaweedFS, tmp_path: Path) -> None:
    """SeaweedFS, as S3 serves a public bucket: the types and lifetimes deploy set, its
    validators and 304s; it does not compress (a CDN in front would)."""
    s3.client().create_bucket(Bucket="verify-after-deploy")
    address = f"{s3.endpoint}/verify-after-deploy/{PREFIX}/"
    feeds = build(tmp_path, address, body="<p>" + "words " * 6000 + "</p>")
    deployed = deploy(s3, tmp_path, "verify-after-deploy", "-q")
    assert deployed.returncode == 0, deployed.stderr
    found = verify(address)
    large = {p for p in published(feeds) if (feeds / p).stat().st_size > LARGE}
    assert large
    assert found.kinds() == {(address + p, "NotCompressed", "warning") for p in large}


def test_the_documentation_names_each_problem_the_tests_make() -> None:
    section = (Path(__file__).parent.parent / "docs" / "how-to" / "live-site.md").read_text(encoding="utf-8")
    named = {
        name for row in re.findall(r"^\| (`.*?) \|", section, re.M) for name in re.findall(r"`(\w+)`", row)
    }
    made = {name for _, expected in FAULTS for _, name, _ in expected} | {"NoFeeds", "Unfinished"}
    assert named == made - {"SAXError"}  # the W3C's names are verify DIR's


def test_verify_dir_speaks_the_formats_ci_reads(tmp_path: Path) -> None:
    feeds = build(tmp_path, "https://example.org/feeds/")
    (feeds / "atom.xml").write_bytes((feeds / "atom.xml").read_bytes()[:-30])
    found = feedpub("verify", "feeds", "--format", "json", cwd=tmp_path)
    github = feedpub("verify", "feeds", "--format", "github", cwd=tmp_path)
    assert found.returncode == github.returncode == 1
    (problem,) = json.loads(found.stdout)
    assert (problem["file"], problem["severity"]) == ("feeds/atom.xml", "error")
    assert github.stdout.startswith("::error file=feeds/atom.xml,")
