"""How files are to be served: media types and cache lifetimes, one definition for every place
that serves them."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import pytest

from conftest import NGINX, NOW, NOW_TEXT, ROOT, SITE, catalogue_text, feedpub, free_port, nginx, parse, valid
from feedpub import layout, serve
from feedpub.render import hosting, render

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


# -- the files render writes for static hosts --------------------------------------------------


def sample(*, hosting: str = "[netlify, apache]", max_items: int = 3) -> str:
    """The sample catalogue with archives of `max_items` a page and `hosting`."""
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    return text.replace(
        "  max_items: 50\n", f"  max_items: {max_items}\n  archive: true\n  hosting: {hosting}\n"
    )


def rendered(text: str) -> dict[str, bytes]:
    return render(valid(text), NOW)


@pytest.mark.parametrize(
    ("hosting", "expected"),
    [
        ("[]", set()),
        ("[netlify]", {"_headers"}),
        ("[apache]", {".htaccess"}),
        ("[apache, netlify]", {"_headers", ".htaccess"}),
    ],
)
def test_render_writes_the_files_site_hosting_names(hosting: str, expected: set[str]) -> None:
    files = rendered(sample(hosting=hosting))
    assert {"_headers", ".htaccess"} & set(files) == expected
    assert {path for path in files if path not in expected} == set(rendered(sample(hosting="[]")))


def headers_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """The rules of a `_headers` file, read as Netlify's and Cloudflare's documentation
    describe it, asserting each of its constraints: a path line starts with '/', each header
    line under it is indented `Name: value`, '#' starts a comment; Cloudflare Pages takes at
    most 100 rules, 2,000 characters a line, one splat a path and placeholders
    `:[A-Za-z]\\w*` each named once."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        assert len(line) <= 2000
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), line
            assert line.count("*") <= 1, line
            names = re.findall(r":([A-Za-z]\w*)", line)
            assert len(names) == len(set(names)), line
            rules.append((line, {}))
            continue
        name, colon, value = line.strip().partition(":")
        assert colon and name and value.strip() and rules, line
        assert re.fullmatch(r"[A-Za-z0-9-]+", name), line
        rules[-1][1][name] = value.strip()
    assert 0 < len(rules) <= 100
    return rules


def pattern(path: str) -> re.Pattern[str]:
    """A `_headers` path as Cloudflare Pages matches it: a splat takes any characters, a
    placeholder any but '/'."""
    parts = re.split(r"(\*|:[A-Za-z]\w*)", path)
    return re.compile(
        "".join(".*" if p == "*" else "[^/]+" if p.startswith(":") else re.escape(p) for p in parts)
    )


def served_headers(rules: list[tuple[str, dict[str, str]]], url_path: str) -> dict[str, str]:
    """The headers every matching rule gives, joined with ', ' where two rules give one, as
    Cloudflare Pages does."""
    found: dict[str, list[str]] = {}
    for path, headers in rules:
        if pattern(path).fullmatch(url_path):
            for name, value in headers.items():
                found.setdefault(name, []).append(value)
    return {name: ", ".join(values) for name, values in found.items()}


def test_headers_file_follows_its_documented_format_and_gives_each_file_one_type_and_lifetime() -> None:
    files = rendered(sample())
    rules = headers_rules(files["_headers"].decode())
    assert len(rules) == 1 + len(hosting.MEDIA_TYPES)  # however many tags and pages
    for path in files:
        if path.startswith(("_headers", ".")):
            continue
        served = served_headers(rules, f"/feeds/{path}")
        assert served == {"Content-Type": hosting.media_type(path), "Cache-Control": hosting.LIVE}, path


def test_headers_file_paths_follow_site_feed_url() -> None:
    text = sample().replace("feed_url: https://example.org/feeds/", "feed_url: https://feeds.example.org/")
    rules = headers_rules(rendered(text)["_headers"].decode())
    assert [path for path, _ in rules][:2] == ["/*", "/*.xml"]


def test_htaccess_marks_exactly_the_full_archive_pages(tmp_path: Path) -> None:
    files = rendered(sample())
    text = files[".htaccess"].decode()
    (condition,) = re.findall(r'<If "%\{REQUEST_URI\} =~ m#(.*)#">', text)
    newest = hosting.newest_pages(files)
    assert newest[""] > 2 and newest["tags/gaza"] > 1  # there is something to mark
    for path in files:
        full = bool(re.match(condition, f"/feeds/{path}"))
        assert full == hosting.is_full_page(path, newest), path


APACHE = """\
ServerRoot {run}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {run}/httpd.pid
ErrorLog {run}/error.log
LogLevel warn
DefaultRuntimeDir {run}
Mutex file:{run} default
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
TypesConfig /etc/mime.types
{user}
LogFormat "%r %>s" plain
CustomLog {run}/access.log plain
DocumentRoot {root}
Alias /feeds/ {root}/feeds/
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory {root}>
  AllowOverride FileInfo
  Require all granted
</Directory>
<FilesMatch "^\\.ht">
  Require all denied
</FilesMatch>
"""
"""Debian's apache2 with its stock mime.types and its rule for .ht* files, the modules the docs
name and nothing else, serving the folder at feed_url's path with `AllowOverride FileInfo`
as the docs say (how-to/web-servers.md)."""


@contextlib.contextmanager
def apache(root: Path, run: Path, port: int | None = None) -> Iterator[str]:
    """Apache httpd in the foreground serving `root` on 127.0.0.1 (its files in `run`); yields
    the base URL. As root it serves as nobody, so `root` must be readable by all."""
    port = port or free_port()
    run.mkdir()
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    (run / "httpd.conf").write_text(APACHE.format(run=run, port=port, root=root, user=user))
    server = subprocess.Popen(["apache2", "-f", str(run / "httpd.conf"), "-DFOREGROUND"])
    try:
        while True:  # until it listens, or has stopped for good
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                assert server.poll() is None, (run / "error.log").read_text()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str, **headers: str) -> tuple[int, Message]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


@pytest.fixture
def public() -> Iterator[Path]:
    """A folder every user can read, as Apache's unprivileged user must."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


def test_apache_serves_a_build_with_the_media_types_lifetimes_and_304s(public: Path) -> None:
    (public / "articles.yaml").write_text(sample(), encoding="utf-8")
    assert feedpub("build", "-q", "--now", NOW_TEXT, cwd=public).returncode == 0
    paths = sorted(
        p.relative_to(public / "feeds").as_posix()
        for p in (public / "feeds").rglob("*")
        if p.is_file() and not p.name.startswith((".", "_"))
    )
    newest = hosting.newest_pages(paths)
    with apache(public, public / "apache") as base:
        for path in paths:
            status, headers = fetch(f"{base}/feeds/{path}")
            assert status == 200, path
            assert headers["Content-Type"] == hosting.media_type(path), path
            assert headers["Cache-Control"] == hosting.cache_control(path, newest), path
            for header, value in (
                ("If-None-Match", headers["ETag"]),
                ("If-Modified-Since", headers["Last-Modified"]),
            ):
                status, again = fetch(f"{base}/feeds/{path}", **{header: value})
                assert status == 304, (path, header)
                assert again["Cache-Control"] == headers["Cache-Control"], path
        assert {hosting.cache_control(path, newest) for path in paths} == {hosting.LIVE, hosting.IMMUTABLE}
        for hidden in (".feedpub-manifest.json", ".feedpub.lock", ".htaccess", "_headers"):
            status, _ = fetch(f"{base}/feeds/{hidden}")
            assert status in (403, 404), hidden


# -- a browser opening a feed is given its page; everyone else, the feed -------------------------


def answer(url: str, **headers: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as got:
            return got.status, got.headers, got.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, b""


def assert_pages_for_browsers(base: str, folder: Path, page: Callable[[bytes], bytes] = bytes) -> None:
    """For every feed's file in `folder`, served at `base`: a request with Sec-Fetch-Dest:
    document (a browser opening it) gets the page in its folder as `page` gives it, any other
    request the file's own bytes, and each answer says it varies with Sec-Fetch-Dest."""
    feed_files = sorted(p for p in folder.rglob("*") if p.name in layout.FEED_FILES)
    assert len(feed_files) >= 6  # the site's, a tag's...
    own = folder / "tags" / "sitemap.xml"  # a file of the user's, beside no page
    own.write_bytes(b"<urlset/>")
    status, _, body = answer(f"{base}/tags/sitemap.xml", **{"Sec-Fetch-Dest": "document"})
    assert (status, body) == (200, own.read_bytes())
    for path in feed_files:
        name = path.relative_to(folder).as_posix()
        page_path = layout.page_of(name)
        assert page_path is not None
        expected_page = page((folder / page_path).read_bytes())
        url = f"{base}/{name}"
        for headers in (
            {},
            {"Sec-Fetch-Dest": "empty"},
            {"Sec-Fetch-Dest": "iframe"},
            {"Accept": "text/html"},
        ):
            status, found, body = answer(url, **headers)
            assert (status, body) == (200, path.read_bytes()), (name, headers)
            assert found["Content-Type"] == hosting.media_type(name), name
            assert "Sec-Fetch-Dest" in found.get_all("Vary", []), (name, headers)
        status, found, body = answer(url, **{"Sec-Fetch-Dest": "document"})
        assert (status, body) == (200, expected_page), name
        assert found.get_content_type() == "text/html", name  # nginx names no charset: the page does
        assert "Sec-Fetch-Dest" in found.get_all("Vary", []), name
        # a tag is the page's, never the feed's: the feed's tag does not make the page a 304
        _, feed_answer, _ = answer(url)
        status, _, body = answer(url, **{"Sec-Fetch-Dest": "document", "If-None-Match": feed_answer["ETag"]})
        assert (status, body) == (200, expected_page), name
        status, again, _ = answer(url, **{"Sec-Fetch-Dest": "document", "If-None-Match": found["ETag"]})
        assert status == 304 and "Sec-Fetch-Dest" in again.get_all("Vary", []), name


def documented_nginx() -> str:
    """The nginx block of how-to/web-servers.md, as the guide shows it."""
    guide = (ROOT / "docs" / "how-to" / "web-servers.md").read_text(encoding="utf-8")
    return guide.split("```nginx\n", 1)[1].split("```\n", 1)[0]


def test_the_documented_nginx_gives_browsers_the_page_and_readers_the_feed(public: Path) -> None:
    (public / "articles.yaml").write_text(sample(hosting="[]"), encoding="utf-8")
    assert feedpub("build", "-q", "--now", NOW_TEXT, cwd=public).returncode == 0
    server = NGINX.split("    root {root};\n")[0] + "    root {root};\n"
    block = "\n".join(
        f"    {line}" for line in documented_nginx().replace("{", "{{").replace("}", "}}").splitlines()
    )
    config = f"{server}{block}\n  }}}}\n}}}}\n"
    with nginx(public, public / "nginx", config=config) as base:
        assert_pages_for_browsers(f"{base}/feeds", public / "feeds")
        for hidden in sorted(p.name for p in (public / "feeds").iterdir() if p.name.startswith(".")):
            assert answer(f"{base}/feeds/{hidden}")[0] == 404, hidden


def test_the_htaccess_gives_browsers_the_page_and_readers_the_feed(public: Path) -> None:
    (public / "articles.yaml").write_text(sample(hosting="[apache]"), encoding="utf-8")
    assert feedpub("build", "-q", "--now", NOW_TEXT, cwd=public).returncode == 0
    with apache(public, public / "apache") as base:
        assert_pages_for_browsers(f"{base}/feeds", public / "feeds")
