"""What a person sees: the feeds and their pages opened in a real headless Chromium, with XSLT
and without it (as browsers will be once they drop it), served on 127.0.0.1 by nginx as the
documentation configures it, by nginx as a static host that cannot route on a header, and by
`feedpub serve`, read back from the DOM the browser rendered.

Screenshots go to test-artifacts/ (not committed) for a person to look at.
"""

from __future__ import annotations

import struct
import subprocess
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html

from conftest import NGINX, NOW, NOW_TEXT, ROOT, feedpub, free_port, nginx, tool, valid
from feedpub.layout import ATOM
from feedpub.render.plan import feeds
from test_serve import listening

ARTIFACTS = ROOT / "test-artifacts"
NO_XSLT = "--disable-features=XSLT"
"""Chromium as it will be: it shows a feed's XML as it is, through its own viewer."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_TITLE = '<script>document.body.dataset.pwned = "title"'
HOSTILE_TAG = '"><img src=x onerror="document.body.dataset.pwned = 1">'
HOSTILE_SUMMARY = '<img src=x onerror="document.body.dataset.pwned = 2"><b>not bold'
HOSTILE_DESCRIPTION = 'Marxist <img src=x onerror="document.body.dataset.pwned = 3"><b>analysis'
# an entity reference has readers that guess take an RSS title for HTML
HOSTILE_ENTITY_TITLE = 'AT&amp;T <img src=x onerror="document.body.dataset.pwned = 4">'


def png(width: int, height: int, shade: int) -> bytes:
    """A grey PNG of that size, to stand for the sample's pictures."""
    row = b"\0" + bytes([shade]) * width  # filter 0, one grey byte a pixel

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def browse(url: str, profile: Path, screenshot: str | None = None, *flags: str) -> html.HtmlElement:
    """The DOM Chromium (given `flags`) renders for `url`, after stylesheets (and any script) ran."""
    flags = (tool("chromium"), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags)
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True)
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(
            [*flags, f"--screenshot={ARTIFACTS / screenshot}", "--window-size=1000,1400", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return html.fromstring(dom.stdout)


STATIC_NGINX = "".join(
    line for line in NGINX.splitlines(keepends=True) if "sec-fetch-dest" not in line.lower().replace("_", "-")
)
"""The documentation's nginx without the lines that give browsers the feeds' pages: as a host
that cannot route on a request header serves the feeds."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """The sample, with a hostile article added, built for and served from 127.0.0.1 by nginx as
    the documentation configures it."""
    work = tmp_path_factory.mktemp("browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8").replace("https://example.org/feeds/", base)
    text = text.replace("https://example.org/images/", f"{base}images/")  # served beside the feeds
    text = text.replace(
        "  description: Marxist analysis and news of the Palestinian struggle against occupation and imperialism.",
        f"  description: '{HOSTILE_DESCRIPTION}'",
    )
    text += f"""
  - id: hostile
    title: '{HOSTILE_TITLE}'
    link: https://example.org/articles/hostile/
    published: 2023-12-08
    summary: '{HOSTILE_SUMMARY}'
    tags: ['{HOSTILE_TAG.replace("'", "''")}', Gaza]
  - id: hostile-entity
    title: '{HOSTILE_ENTITY_TITLE}'
    link: https://example.org/articles/hostile-entity/
    published: 2023-12-08T01:00:00Z
    tags: [Gaza]
"""
    (work / "articles.yaml").write_text(text, encoding="utf-8")
    result = feedpub("build", "-q", "--now", NOW_TEXT, cwd=work)
    assert result.returncode == 0, result.stderr
    (work / "feeds" / "images").mkdir()
    site = valid(text).site
    pictures = [(site.icon, 64, 64), (site.logo, 400, 100)]
    pictures += [(a.image.url, a.image.width, a.image.height) for a in valid(text).articles if a.image]
    for number, (url, width, height) in enumerate(pictures):
        assert url and width and height
        (work / "feeds" / "images" / url.rpartition("/")[2]).write_bytes(png(width, height, 64 + 24 * number))
    with nginx(work / "feeds", work / "nginx", port) as url:
        yield url, work, work / "profile"


@pytest.fixture(scope="module")
def static(served: tuple[str, Path, Path]) -> Iterator[str]:
    """The same files served as a static host serves them (STATIC_NGINX)."""
    _, work, _ = served
    assert STATIC_NGINX != NGINX
    with nginx(work / "feeds", work / "static-nginx", config=STATIC_NGINX) as url:
        yield url


@pytest.fixture(scope="module")
def previewed(served: tuple[str, Path, Path]) -> Iterator[str]:
    """The same catalogue served by `feedpub serve`."""
    _, work, _ = served
    preview = work / "preview"
    preview.mkdir()
    (preview / "articles.yaml").write_bytes((work / "articles.yaml").read_bytes())
    with listening(preview, "out") as (url, _):
        yield url


@pytest.mark.parametrize(
    ("path", "shot"), [("atom.xml", "atom.png"), ("rss.xml", "rss.png"), ("tags/gaza/atom.xml", None)]
)
def test_feeds_render_through_the_stylesheet_with_every_entry(
    served: tuple[str, Path, Path], static: str, path: str, shot: str | None
) -> None:
    url, work, profile = served
    found = valid((work / "articles.yaml").read_text(encoding="utf-8"))
    (feed,) = [f for f in feeds(found, NOW) if f.url(found.site, path.rpartition("/")[2]) == f"{url}/{path}"]
    dom = browse(f"{static}/{path}", profile, shot)
    assert dom.findtext(".//h1") == feed.title
    assert dom.xpath("//header/p")[1].text_content().strip() == feed.description
    assert "This is a web feed" in dom.text_content() and f"{url}/{path}" in dom.findtext(".//code")
    links = [(a.text_content(), a.get("href")) for a in dom.findall(".//article//h2/a")]
    assert links == [(e.article.title, e.article.link) for e in feed.entries]
    assert dom.find(".//body").get("data-pwned") is None  # nothing hostile ran
    assert not dom.xpath("//img[@src='x'] | //*[@onerror]")  # and the hostile summary stayed text
    assert HOSTILE_SUMMARY in dom.text_content()  # every feed here holds the hostile article
    # the site's logo, then each entry's thumbnail, described by its alt text
    assert dom.xpath("//header/img/@src") == [found.site.logo]
    thumbnails = [(img.get("src"), img.get("alt")) for img in dom.xpath("//article//img")]
    pictured = [e.article.image for e in feed.entries if e.article.image]
    assert thumbnails == [(image.url, image.alt) for image in pictured] and pictured


def test_index_lists_every_feed_and_its_links_resolve(served: tuple[str, Path, Path]) -> None:
    url, work, profile = served
    found = valid((work / "articles.yaml").read_text(encoding="utf-8"))
    planned = feeds(found, NOW)
    dom = browse(f"{url}/index.html", profile, "index.png")
    assert dom.find(".//body").get("data-pwned") is None
    assert not dom.xpath("//img[@src='x'] | //*[@onerror]")
    assert dom.xpath("//header/img/@src") == [found.site.logo]
    thumbnails = [(img.get("src"), img.get("alt")) for img in dom.xpath("//td/img[@class='thumbnail']")]
    newest = [f.entries[0].article.image for f in planned if f.entries[0].article.image]
    assert thumbnails == [(image.url, image.alt) for image in newest] and newest
    rows = dom.xpath(".//table[thead]/tbody/tr[td]")  # each group of feeds is headed by a row of its own
    assert [r.find("td/a").text_content() for r in rows] == [f.title for f in planned]
    # each feed's title leads to its page
    assert [r.find("td/a").get("href") for r in rows] == [f.url(found.site, "index.html") for f in planned]
    groups = dom.xpath(".//table[thead]/tbody/tr/th")
    assert [h.text_content() for h in groups] == ["Tags", "Authors", "Selections"]
    assert [int(r.find("td[@class='count']").text) for r in rows] == [len(f.entries) for f in planned]
    # served as the documentation suggests: feeds as application/xml, which browsers style and readers accept
    expected_types = {
        "atom.xml": "application/xml",
        "rss.xml": "application/xml",
        "feed.json": "application/feed+json",
        "index.html": "text/html",
    }
    hrefs = {a.get("href") for a in dom.xpath("//td/a")} | {a.get("href") for a in dom.xpath("//main/p/a")}
    assert len(hrefs) == 1 + 4 * len(planned)
    for href in sorted(hrefs):
        with urllib.request.urlopen(href) as answer:
            assert answer.status == 200
            kind = answer.headers["Content-Type"]
            name = href.rpartition("/")[2]
            assert kind.startswith(expected_types.get(name, "text/x-opml")), (href, kind)
    discovery = dom.xpath("//head/link[@rel='alternate']")
    assert [(link.get("type"), link.get("href")) for link in discovery] == [
        ("application/atom+xml", f"{url}/atom.xml"),
        ("application/rss+xml", f"{url}/rss.xml"),
        ("application/feed+json", f"{url}/feed.json"),
    ]
    snippet = dom.findtext(".//pre/code")
    assert snippet.count('<link rel="alternate"') == 3 and f'href="{url}/atom.xml"' in snippet
    assert HOSTILE_TAG in dom.text_content()  # shown as the text it is
    assert dom.findtext(".//header/p") == HOSTILE_DESCRIPTION


def test_the_stylesheet_is_served_as_xsl(served: tuple[str, Path, Path]) -> None:
    url, _, _ = served
    with urllib.request.urlopen(f"{url}/feed.xsl") as answer:
        assert answer.headers["Content-Type"].startswith("text/xsl")


def test_without_xslt_a_host_that_cannot_route_shows_the_raw_xml(
    served: tuple[str, Path, Path], static: str
) -> None:
    """What the feeds' pages are for: Chromium without XSLT shows a feed's XML as it is."""
    _, _, profile = served
    dom = browse(f"{static}/tags/gaza/atom.xml", profile, "atom-without-xslt.png", NO_XSLT)
    assert dom.xpath("//style[@id='xml-viewer-style']") and not dom.xpath("//h1")


@pytest.mark.parametrize("flags", [(), (NO_XSLT,)], ids=["xslt", "no-xslt"])
@pytest.mark.parametrize("server", ["nginx", "serve"])
@pytest.mark.parametrize(
    "path", ["tags/gaza/atom.xml", "tags/gaza/rss.xml", "tags/gaza/feed.json", "rss.xml"]
)
def test_a_browser_opening_a_feed_is_shown_its_page_and_a_reader_gets_the_feed(
    request: pytest.FixtureRequest,
    served: tuple[str, Path, Path],
    server: str,
    path: str,
    flags: tuple[str, ...],
) -> None:
    url, work, profile = served
    base = url if server == "nginx" else request.getfixturevalue("previewed")
    found = valid((work / "articles.yaml").read_text(encoding="utf-8"))
    (feed,) = [
        f for f in feeds(found, NOW) if f.path(ATOM) == f"{path.rpartition('/')[0]}/atom.xml".lstrip("/")
    ]
    shot = (
        f"page-{server}-{'-'.join(flags) or 'xslt'}-{path.replace('/', '-')}.png"
        if path.endswith("atom.xml")
        else None
    )
    dom = browse(f"{base}/{path}", profile, shot, *flags)
    assert dom.find(".//body").get("data-pwned") is None  # nothing hostile ran
    assert not dom.xpath("//img[@src='x'] | //*[@onerror]")
    heading = feed.title if feed.folder else f"{found.site.title}: feeds"
    assert dom.findtext(".//h1") == heading
    newest = dom.xpath("//ol[@class='entries']/li/a")
    assert [a.text_content() for a in newest] == [e.article.title for e in feed.entries]
    assert {HOSTILE_TITLE, HOSTILE_ENTITY_TITLE} <= {a.text_content() for a in newest}  # shown as text
    addresses = [code.text_content() for code in dom.xpath("//code[@class='address']")]
    assert addresses == [feed.url(found.site, name) for name in ("atom.xml", "rss.xml", "feed.json")]
    # and what a feed reader asks for is the feed, byte for byte
    with urllib.request.urlopen(f"{base}/{path}") as answer:
        assert answer.read() == (work / ("feeds" if server == "nginx" else "preview/out") / path).read_bytes()
