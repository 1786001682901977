"""Every produced feed read back by real consumers: feedparser, the RFC 4287 schema with jing,
feedpub's own RSS and W3C-rule checks, and newsboat over HTTP."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import html5lib
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from conftest import DATA, NOW, ROOT, SITE, article, catalogue_text, feedpub, parse, scaled, tool, valid
from feedpub import verify
from feedpub.catalogue import tag_key
from feedpub.layout import FEED_FILES, OPML, PAGE, STYLESHEET
from feedpub.model import Catalogue
from feedpub.render import podcast, render
from feedpub.render.content import excerpt, sanitise, texts
from feedpub.render.plan import Feed, feeds
from feedpub.verify import verify_document, verify_folder
from feedpub.verify.common import ATOM, HISTORY, MAX_DEPTH
from strategies import Generated, catalogues

SCHEMA = ROOT / "src" / "feedpub" / "verify" / "atom.rnc"


def instant(text: str, rss: bool) -> datetime:
    return parsedate_to_datetime(text) if rss else datetime.fromisoformat(text)


def assert_shows(detail: dict[str, str], text: str) -> None:
    """A reader shows `text` for a value feedparser reports (with its `type`): plain text as it
    is; HTML rendered, which must then hold no markup at all, `text` being plain."""
    if detail["type"] != "text/html":
        assert detail["value"] == text
        return
    rendered = lxml.html.fragment_fromstring(f"<div>{detail['value']}</div>")
    assert not rendered.xpath(".//*"), detail["value"]  # no element: nothing live, nothing hidden
    assert rendered.text_content() == re.sub(r"\r\n?", "\n", text)  # as HTML reads line ends


def assert_page_lists(page: bytes, feed: Feed) -> None:
    """The feed's page is HTML without a parse error that names the feed and lists exactly its
    entries, each title and description as the text it is, each entry linked to its article."""
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    heading, description = tree.find(".//header/h1"), tree.find(".//header/p")
    assert heading is not None and (heading.text or "").startswith(feed.title)  # an archive page's says which
    assert description is not None and (description.text or "") == re.sub(r"\r\n?", "\n", feed.description)
    (listed,) = [ol for ol in tree.iter("ol") if ol.get("class") == "entries"] or [None]
    links = [(a.text or "", a.get("href")) for a in listed.iter("a")] if listed is not None else []
    assert links == [(re.sub(r"\r\n?", "\n", e.article.title), e.article.link) for e in feed.entries]


def assert_round_trip(found: Catalogue, files: dict[str, bytes], now: datetime) -> None:
    """feedparser reads back, from every file, exactly the catalogue's published entries."""
    planned = {feed.folder: feed for feed in feeds(found, now)}
    shows = podcast.shows(found)
    assert sorted(files) == sorted(
        [OPML, STYLESHEET, PAGE]
        + [
            f"{folder}/{name}".lstrip("/")
            for folder in planned
            for name in (*FEED_FILES, PAGE)
            if folder or name != PAGE
        ]
    )
    for folder, feed in planned.items():
        assert_page_lists(files[f"{folder}/index.html".lstrip("/")], feed)
    assert_opml(found, files["feeds.opml"], [feed for feed in planned.values() if feed.current is None])
    for path, data in files.items():
        if path.endswith("feed.json"):
            assert_json_feed(found, json.loads(data), planned[path.rpartition("/")[0]])
            continue
        if not path.endswith(".xml"):
            continue
        rss = path.endswith("rss.xml")
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        feed = planned[path.rpartition("/")[0]]
        assert_shows(parsed.feed.title_detail, feed.title)
        assert_shows(parsed.feed.subtitle_detail, feed.description)
        assert [e.id for e in parsed.entries] == [e.id for e in feed.entries], path
        if rss:
            # the logo, else the icon: the generated ones that are SVG the validator would not take;
            # else a podcast's artwork
            show, _ = podcast.show(found.site, shows, feed)
            image = next((u for u in (feed.logo, feed.icon) if u and not u.endswith(".svg")), None)
            image = image or (show.image.url if show else None)
            assert parsed.feed.get("image", {}).get("href") == image
        else:
            assert (parsed.feed.get("icon"), parsed.feed.get("logo")) == (feed.icon, feed.logo)
        for got, want in zip(parsed.entries, feed.entries, strict=True):
            article = want.article
            assert_shows(got.title_detail, article.title)
            assert got.link == article.link
            published = instant(got.published, rss)
            assert published == article.published
            # Atom keeps the offset as written; RSS is written in GMT (RFC 822 lacks offsets like +0545)
            assert published.utcoffset() == (timedelta(0) if rss else article.published.utcoffset())
            if not rss:
                updated = instant(got.updated, rss)
                assert updated == want.updated and updated.utcoffset() == want.updated.utcoffset()
            assert [t.term for t in got.get("tags", [])] == [t.name for t in article.tags]
            assert [a.name for a in got.authors] == [a.name for a in article.authors]
            if rss and "email" in got.author_detail:
                assert [(got.author_detail.email, got.author_detail.name)] == [
                    (a.email, a.name) for a in article.authors
                ]
            elif not rss:
                assert [a.get("email") for a in got.authors] == [a.email for a in article.authors]
            summary = html.unescape(got.summary)
            assert summary == (
                article.summary
                or (excerpt(sanitise(article.content, article.link)) if article.content else "")
                or article.title
            )
            body = sanitise(article.content, article.link) if article.content else ""
            if body and want.full:
                assert got.content[0].value == body
            else:
                assert "content" not in got
            if article.image:
                assert [t["url"] for t in got.media_thumbnail] == [article.image.url]
                assert [(c["url"], c["medium"]) for c in got.media_content] == [(article.image.url, "image")]
            else:
                assert "media_thumbnail" not in got and "media_content" not in got


def assert_json_feed(found: Catalogue, document: dict[str, Any], feed: Feed) -> None:
    """A JSON Feed 1.1 document with the spec's required fields, holding the feed's entries."""
    site = found.site
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == feed.title
    assert document["home_page_url"] == site.link
    assert document["feed_url"] == feed.url(site, "feed.json")
    assert [item["id"] for item in document["items"]] == [e.id for e in feed.entries]
    assert (document.get("icon"), document.get("favicon")) == (feed.icon, feed.icon)
    for item, entry in zip(document["items"], feed.entries, strict=True):
        article = entry.article
        assert isinstance(item["id"], str) and ("content_html" in item) != ("content_text" in item)
        assert ("content_html" in item) == bool(texts(article).body and entry.full)
        assert (item["url"], item["title"]) == (article.link, article.title)
        assert datetime.fromisoformat(item["date_published"]) == article.published
        assert datetime.fromisoformat(item["date_modified"]) == entry.updated
        assert [a["name"] for a in item["authors"]] == [a.name for a in article.authors]
        assert item.get("tags", []) == [t.name for t in article.tags]
        shown = texts(article)
        assert item["summary"] == shown.summary
        assert item.get("content_html", shown.body) == shown.body
        assert [a["url"] for a in item.get("attachments", [])] == [e.url for e in article.enclosures]
        assert item.get("image") == (article.image.url if article.image else None)


def assert_opml(found: Catalogue, data: bytes, planned: list[Feed]) -> None:
    """An OPML 2.0 document whose outlines subscribe to every feed, each by its Atom address."""
    root = etree.fromstring(data)
    assert (root.tag, root.get("version")) == ("opml", "2.0")
    assert root.find("head/title") is not None
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl")]
    assert [(o.get("text"), o.get("xmlUrl"), o.get("type")) for o in outlines] == [
        (feed.title, feed.url(found.site, "atom.xml"), "rss") for feed in planned
    ]


@settings(max_examples=scaled(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_generated_catalogues_round_trip(generated: Generated) -> None:
    found, problems = parse(generated.text)
    assert found is not None, [str(p) for p in problems]
    for parsed, data in zip(found.articles, generated.data["articles"], strict=True):  # type: ignore[call-overload]
        assert parsed.title == " ".join(data["title"].split())
        tags = [tag_key(t) for t in data.get("tags", [])]
        assert [tag_key(t.name) for t in parsed.tags] == list(dict.fromkeys(tags))
    assert_round_trip(found, render(found, NOW), NOW)


HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SITE = f"""\
site:
  title: 'News {HOSTILE}'
  link: https://example.org/
  feed_url: https://example.org/feeds/
  description: 'Site {HOSTILE} <b>bold'
  author: {{name: 'Desk {HOSTILE}', email: desk@example.org}}
  tags:
    'Tag {HOSTILE}': {{title: 'Tag title {HOSTILE}', description: 'About {HOSTILE}'}}
articles:
"""
HOSTILE_ARTICLES = [
    article(
        "plain", f"tags: ['Tag {HOSTILE}']", f"author: {{name: 'Ann {HOSTILE}'}}", title=f"'Plain {HOSTILE}'"
    ),
    # an entity reference has readers that guess take an RSS title for HTML
    article("entity", f"summary: 'Sum {HOSTILE}'", title=f"'AT&amp;T {HOSTILE}'", published="2024-01-03"),
]


def test_plain_text_shows_as_written_and_never_as_markup_in_every_format() -> None:
    found = valid(catalogue_text(*HOSTILE_ARTICLES, site=HOSTILE_SITE))
    files = render(found, NOW)
    planned = feeds(found, NOW)
    assert len(planned) == 4  # the site, the tag and the two authors
    for feed in planned:
        articles = [entry.article for entry in feed.entries]
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse(files[feed.path(name)])
            assert not parsed.bozo
            assert_shows(parsed.feed.title_detail, feed.title)
            assert_shows(parsed.feed.subtitle_detail, feed.description)
            if name == "atom.xml":
                assert [a.name for a in parsed.feed.authors] == [a.name for a in found.site.authors]
            for got, want in zip(parsed.entries, articles, strict=True):
                assert_shows(got.title_detail, want.title)
                assert_shows(got.summary_detail, texts(want).summary)
                assert [a.name for a in got.authors] == [a.name for a in want.authors]
                assert [t.term for t in got.get("tags", [])] == [t.name for t in want.tags]
        document = json.loads(files[feed.path("feed.json")])
        assert (document["title"], document["description"]) == (feed.title, feed.description)
        assert [a["name"] for a in document["authors"]] == [a.name for a in found.site.authors]
        for item, want in zip(document["items"], articles, strict=True):
            assert (item["title"], item["summary"]) == (want.title, texts(want).summary)
            assert [a["name"] for a in item["authors"]] == [a.name for a in want.authors]
            assert item.get("tags", []) == [t.name for t in want.tags]
    outlines = [o for o in etree.fromstring(files["feeds.opml"]).iter("outline") if o.get("xmlUrl")]
    assert [(o.get("text"), o.get("title"), o.get("description")) for o in outlines] == [
        (feed.title, feed.title, feed.description) for feed in planned
    ]
    page = lxml.html.fromstring(files["index.html"])
    assert not page.xpath("//img | //script | //b | //*[@onerror]")
    assert page.findtext(".//h1") == f"{found.site.title}: feeds"
    assert page.findtext(".//header/p") == found.site.description
    assert [a.text_content() for a in page.xpath("//tbody/tr/td[1]/a")] == [feed.title for feed in planned]


# -- RFC 4287 schema with jing, and feedpub verify's RSS and W3C rules ------------------------


def jing(folder: Path) -> subprocess.CompletedProcess[str]:
    """The real RELAX NG validator over every Atom file under `folder`, against RFC 4287's schema."""
    atoms = sorted(str(p) for p in folder.rglob("atom.xml"))
    assert atoms
    return subprocess.run(
        [tool("jing"), "-c", str(SCHEMA), *atoms], capture_output=True, text=True, check=False
    )


def write(files: dict[str, bytes], folder: Path) -> Path:
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("catalogue", "count"),
    [(ROOT / "articles.yaml", 24), (DATA / "audiences.yaml", 46), (DATA / "podcast.yaml", 10)],
)
def test_sample_feeds_round_trip_and_pass_jing_and_verify(
    tmp_path: Path, catalogue: Path, count: int
) -> None:
    """The sample, a catalogue with feeds of authors, languages and selections and their
    archive pages, and one of three podcasts."""
    found = valid(catalogue.read_text(encoding="utf-8"))
    files = render(found, NOW)
    assert_round_trip(found, files, NOW)
    folder = write(files, tmp_path)
    result = jing(folder)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert verify_folder(folder, NOW) == (count, [])


@settings(max_examples=scaled(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_generated_feeds_pass_the_schema_and_every_w3c_rule(generated: Generated) -> None:
    found = valid(generated.text)
    for path, data in render(found, NOW).items():
        if path.endswith(".xml"):
            assert verify_document(data, path, path, NOW) == [], path


@settings(
    max_examples=scaled(20),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(catalogues())
def test_generated_atom_feeds_pass_jing(
    tmp_path_factory: pytest.TempPathFactory, generated: Generated
) -> None:
    folder = write(render(valid(generated.text), NOW), tmp_path_factory.mktemp("feeds"))
    result = jing(folder)
    assert result.returncode == 0, result.stdout


GOOD = catalogue_text(
    article(
        "a1",
        "tags: [Gaza]",
        "summary: S",
        "content: '<p>C <a href=\"https://example.org/x\">x</a></p>'",
        "image: {url: 'https://example.org/i.png', alt: A map, width: 640, height: 360}",
    ),
    article("a2", "author: {name: Bob}", published="2024-02-03"),
    site=SITE.replace("articles:", "  logo: https://example.org/logo.png\narticles:"),
)


def bad(path: str, old: str, new: str) -> bytes:
    data = render(valid(GOOD), NOW)[path]
    assert old.encode() in data, (old, data.decode())
    return data.replace(old.encode(), new.encode(), 1)


DEFECTS = [
    (
        "rss.xml",
        '<atom:link href="https://example.org/feeds/rss.xml" rel="self" type="application/rss+xml"/>',
        "",
        "MissingAtomSelfLink",
    ),
    ("rss.xml", "feeds/rss.xml", "feeds/other.xml", "SelfDoesntMatchLocation"),
    (
        "rss.xml",
        "Sat, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "Fri, 03 Feb 1989 00:00:00 GMT</pubDate>",
        "ImplausibleDate",
    ),
    (
        "rss.xml",
        "Sat, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "Sat, 03 Feb 2024 00:00:00 UTC</pubDate>",
        "InvalidRFC2822Date",
    ),
    (
        "rss.xml",
        "Sat, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "Sun, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "IncorrectDOW",
    ),
    (
        "rss.xml",
        "Sat, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "Sat, 03 Feb 2024 00:00:00 +0545</pubDate>",
        "InvalidRFC2822Date",
    ),
    (
        "rss.xml",
        "Sat, 03 Feb 2024 00:00:00 GMT</pubDate>",
        "Sat, 03 Feb 2029 00:00:00 GMT</pubDate>",
        "ImplausibleDate",
    ),
    ("rss.xml", 'isPermaLink="false"', 'isPermaLink="true"', "InvalidPermalink"),
    ("rss.xml", 'isPermaLink="false"', 'isPermaLink="False"', "InvalidBooleanAttribute"),
    (
        "rss.xml",
        "<description>S</description>",
        "<description>&#x3C;script&#x3E;x()&#x3C;/script&#x3E;</description>",
        "SecurityRisk",
    ),
    (
        "rss.xml",
        "<description>S</description>",
        "<description>S &#x3C;img src=x onerror=alert(1)&gt;</description>",
        "SecurityRiskAttr",
    ),
    (
        "rss.xml",
        "<description>An example site.</description>",
        "<description>Site &#x3C;img src=https://example.org/i onerror=alert(1)&gt;</description>",
        "SecurityRiskAttr",
    ),
    (
        "rss.xml",
        "<description>An example site.</description>",
        "<description>Site &#x3C;script&gt;alert(1)&#x3C;/script&gt;</description>",
        "SecurityRisk",
    ),
    (
        "rss.xml",
        "<description>An example site.</description>",
        "<description>Site &#x3C;b&gt;bold</description>",
        "ContainsHTML",
    ),
    (
        "rss.xml",
        "<description>An example site.</description>",
        "<description>Tom &#x26;amp; Jerry &#x26;lt;b&#x26;gt;</description>",
        None,
    ),
    ("rss.xml", "https://example.org/x", "/x", "ContainsRelRef"),
    ("rss.xml", "https://example.org/x", "javascript:x()", "SecurityRisk"),
    (
        "rss.xml",
        "<description>S</description>",
        "<description>&#x3C;p onclick='x()'&#x3E;S&#x3C;/p&#x3E;</description>",
        "SecurityRiskAttr",
    ),
    ("rss.xml", "<description>S</description>", "<description>a &#x3C; b</description>", "NotHtml"),
    ("rss.xml", "<title>Article a1</title>", "<title>Why &lt;/p&gt; matters</title>", "ContainsHTML"),
    ("rss.xml", "<title>Article a1</title>", "<title>a &lt;b</title>", "CharacterData"),
    ("rss.xml", "<title>Article a1</title>", "<title></title>", "NotBlank"),
    ("rss.xml", "<title>Article a1</title>", "<title>caf\u0092</title>", "BadCharacters"),
    (
        "rss.xml",
        "<author>jane@example.org (Jane Doe)</author>",
        "<author>Jane Doe &#x3C;jane@example.org&#x3E;</author>",
        "InvalidContact",
    ),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        "<dc:creator>Bob</dc:creator><author>b@example.org (Bob)</author>",
        "DuplicateItemSemantics",
    ),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        "<dc:creator>Bob</dc:creator><foo>x</foo>",
        "UndefinedElement",
    ),
    ("rss.xml", "<docs>", "<link>https://example.org/</link><docs>", "DuplicateElement"),
    ("rss.xml", 'version="2.0"', 'xmlns:foo="urn:x" version="2.0"', "UnknownNamespace"),
    ("rss.xml", "<language>en</language>", "<language>en_US</language>", "InvalidLanguage"),
    (
        "rss.xml",
        "<link>https://example.org/a1</link>",
        "<link>https://example.org/a b</link>",
        "InvalidFullLink",
    ),
    ("rss.xml", "</channel>", "<generator>late</generator></channel>", "MisplacedItem"),
    ("rss.xml", "</rss>", "", "SAXError"),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        '<dc:creator>Bob</dc:creator><enclosure url="http://localhost/a.mp3" length="-1" type="mp3"/>',
        "InvalidURLAttribute",
    ),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        '<dc:creator>Bob</dc:creator><enclosure url="https://e.example.org/a.mp3" length="-1" type="audio/mpeg"/>',
        "InvalidIntegerAttribute",
    ),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        '<dc:creator>Bob</dc:creator><enclosure url="https://e.example.org/a.mp3" length="1" type="mp3"/>',
        "InvalidMIMEAttribute",
    ),
    (
        "rss.xml",
        "<dc:creator>Bob</dc:creator>",
        '<dc:creator>Bob</dc:creator><enclosure url="https://e.example.org/a" length="1" type="a/b"/><enclosure url="https://e.example.org/b" length="1" type="a/b"/>',
        "DuplicateEnclosure",
    ),
    (
        "atom.xml",
        '<link href="https://example.org/feeds/atom.xml" rel="self" type="application/atom+xml"/>',
        "",
        "MissingSelf",
    ),
    (
        "atom.xml",
        "<updated>2024-02-03T00:00:00+00:00</updated>\n  <author>",
        "<updated>yesterday</updated>\n  <author>",
        "InvalidRFC3339Date",
    ),
    (
        "atom.xml",
        "<updated>2024-02-03T00:00:00+00:00</updated>\n  <author>",
        "<updated>1989-02-03T00:00:00+00:00</updated>\n  <author>",
        "ImplausibleDate",
    ),
    (
        "atom.xml",
        "<updated>2024-01-02T00:00:00+00:00</updated>",
        "<updated>2024-02-03T00:00:00+00:00</updated>",
        "DuplicateUpdated",
    ),
    ("atom.xml", '<summary type="html">Article a2</summary>', "", "MissingTextualContent"),
    ("atom.xml", "<id>urn:uuid:", "<id>URN:UUID:", "NonCanonicalURI"),
    (
        "atom.xml",
        'xmlns="http://www.w3.org/2005/Atom"',
        'xmlns="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom"',
        "AvoidNamespacePrefix",
    ),
    (
        "atom.xml",
        "<title>Article a1</title>",
        "<title>Why &lt;/p&gt; matters</title>",
        "ContainsUndeclaredHTML",
    ),
    ("atom.xml", "<title>Article a1</title>", "", "RFC 4287"),
    (
        "atom.xml",
        '<link href="https://example.org/a1" rel="alternate" type="text/html"/>',
        '<link href="https://example.org/a1" rel="alternate" type="text/html"/><link href="https://example.org/b" type="text/html"/>',
        "DuplicateAtomLink",
    ),
    ("atom.xml", "<generator>feedpub</generator>", "", None),
    (
        "rss.xml",
        "<title>Example News</title>\n      <link>",
        "<title>News</title>\n      <link>",
        "ImageTitleDoesntMatch",
    ),
    (
        "rss.xml",
        "<link>https://example.org/</link>\n    </image>",
        "<link>https://example.org/x</link></image>",
        "ImageLinkDoesntMatch",
    ),
    ("rss.xml", "<link>https://example.org/</link>\n    </image>", "</image>", "MissingLink"),
    ("rss.xml", "logo.png</url>", "logo.webp</url>", "ImageUrlFormat"),
    ("rss.xml", "<image>", "<image><width>200</width>", "InvalidWidth"),
    ("rss.xml", 'medium="image"', 'medium="picture"', "InvalidMediaMedium"),
    ("atom.xml", 'width="640"', 'width="wide"', "InvalidPositiveInteger"),
    ("atom.xml", '<media:title type="plain">', '<media:title type="text">', "InvalidMediaTextType"),
    (
        "rss.xml",
        '<media:title type="plain">A map',
        '<media:title type="plain">A &amp;lt;b&amp;gt;',
        "ContainsUndeclaredHTML",
    ),
    (
        "rss.xml",
        "<media:thumbnail",
        '<media:group><media:content url="https://example.org/i.png"/></media:group><media:thumbnail',
        "MediaGroupWithoutAlternatives",
    ),
    ("atom.xml", "<media:thumbnail url", "<media:thumbnail href", "MissingAttribute"),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "w3c"), DEFECTS, ids=[f"{d[3]}-{i}" for i, d in enumerate(DEFECTS)]
)
def test_verify_reports_each_defect_by_its_w3c_name(path: str, old: str, new: str, w3c: str | None) -> None:
    problems = verify_document(bad(path, old, new), path, path, NOW)
    if w3c is None:  # a change that is still valid: the checks do not cry wolf
        assert problems == []
    else:
        assert any(p.message.endswith(f"[{w3c}]") for p in problems), [str(p) for p in problems]


def test_verify_checks_a_feed_written_on_one_line_item_by_item() -> None:
    # Twenty thousand items on one line: the line was searched whole for every title in it,
    # which took minutes; the title of the last is the one that reads as HTML.
    items = "".join(
        f"<item><title>Item {n}{' &amp;amp; co' if n == 19_999 else ''}</title>"
        f"<link>https://example.org/{n}</link><description>Text {n}</description>"
        f'<guid isPermaLink="false">urn:uuid:00000000-0000-4000-8000-{n:012}</guid></item>'
        for n in range(20_000)
    )
    data = (
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>One line</title>'
        "<link>https://example.org/</link><description>All on one line.</description>"
        '<atom:link href="https://example.org/feeds/rss.xml" rel="self" type="application/rss+xml"/>'
        f"{items}</channel></rss>"
    ).encode()
    problems = verify_document(data, "rss.xml", "rss.xml", NOW)
    assert [str(p) for p in problems] == [
        "rss.xml:1:1: warning: <title>: plain text contains '&amp', which reads as an HTML entity [ContainsHTML]"
    ]


def test_verify_checks_html_as_deep_as_browsers_nest_it_and_no_deeper() -> None:
    """The HTML5 tree builder walks its open elements at every tag: 20,000 nested elements
    took a minute to check, and a million characters of them hours."""

    def item(depth: int) -> bytes:
        markup = html.escape("<div>" * depth + "<script>x</script>" + "</div>" * depth)
        return (
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Deep</title>'
            "<link>https://example.org/</link><description>Nested.</description>"
            '<atom:link href="https://example.org/feeds/rss.xml" rel="self" type="application/rss+xml"/>'
            "<item><title>Deep</title><link>https://example.org/1</link><description>D</description>"
            f'<guid isPermaLink="false">urn:uuid:00000000-0000-4000-8000-000000000001</guid>'
            f"<content:encoded>{markup}</content:encoded></item></channel></rss>"
        ).encode()

    shallow = [str(p) for p in verify_document(item(MAX_DEPTH - 2), "rss.xml", "rss.xml", NOW)]
    assert len(shallow) == 1 and "[SecurityRisk]" in shallow[0]  # checked to the bottom
    deep = [str(p) for p in verify_document(item(20_000), "rss.xml", "rss.xml", NOW)]
    assert deep == [
        f"rss.xml:1:1: warning: <content:encoded>: HTML nests elements more than {MAX_DEPTH} deep, "
        "which browsers do not (not checked further) [TooDeep]"
    ]


def without(data: bytes, *relations: str, complete: bool = False) -> bytes:
    """An archive page with its atom:links of `relations` taken out (and fh:complete added)."""
    root = etree.fromstring(data)
    head = root if root.tag == f"{{{ATOM}}}feed" else root.find("channel")
    for link in head.findall(f"{{{ATOM}}}link"):
        if link.get("rel") in relations:
            head.remove(link)
    if complete:
        head.find(f"{{{HISTORY}}}archive").addnext(etree.Element(f"{{{HISTORY}}}complete"))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_verify_warns_of_an_archive_page_that_links_to_no_other_page_or_not_to_its_feed(name: str) -> None:
    """As the W3C validator does of Atom (ArchiveIncomplete, MissingCurrentInArchive), and
    RFC 5005 asks of RSS too: every page feedpub writes has its links (the audiences sample
    passes verify whole), and a page without them is warned of."""
    path = f"archive/1/{name}"
    page = render(valid((DATA / "audiences.yaml").read_text(encoding="utf-8")), NOW)[path]

    def warned(data: bytes) -> list[str]:
        problems = verify_document(data, path, path, NOW) or []
        assert all(p.severity.value == "warning" for p in problems), [str(p) for p in problems]
        return [p.message.rpartition(" [")[2].rstrip("]") for p in problems]

    assert warned(page) == []
    assert warned(without(page, "next-archive")) == ["ArchiveIncomplete"]  # the oldest page
    assert warned(without(page, "next-archive", "current")) == [
        "ArchiveIncomplete",
        "MissingCurrentInArchive",
    ]
    assert warned(without(page, "next-archive", "current", complete=True)) == []


def test_verify_command(tmp_path: Path) -> None:
    assert (
        feedpub(
            "build", "--now", "2024-06-01T12:00:00Z", "--catalogue", str(ROOT / "articles.yaml"), cwd=tmp_path
        ).returncode
        == 0
    )
    result = feedpub("verify", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "feeds: 24 feeds, no errors, no warnings\n",
        "",
    )
    atom = tmp_path / "feeds" / "tags" / "gaza" / "atom.xml"
    atom.write_bytes(atom.read_bytes().replace(b"<id>urn:uuid:", b"<id>URN:UUID:", 1))
    result = feedpub("verify", "feeds", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "feeds/tags/gaza/atom.xml:4:1: warning: <id>: "
    )  # line 2 is the stylesheet PI
    assert "[NonCanonicalURI]" in result.stderr
    assert feedpub("verify", "nowhere", cwd=tmp_path).returncode == 2


def test_verify_reads_only_regular_files_in_the_folder_and_says_what_it_did_not(tmp_path: Path) -> None:
    folder = write(render(valid(GOOD), NOW), tmp_path / "feeds")
    elsewhere = write(render(valid(GOOD), NOW), tmp_path / "elsewhere")
    (folder / "zero.xml").symlink_to("/dev/zero")  # read whole, it never ends
    (folder / "null.xml").symlink_to("/dev/null")
    (folder / "outside.xml").symlink_to(elsewhere / "atom.xml")
    (folder / "away").symlink_to(elsewhere)
    (folder / "tags" / "again").symlink_to(folder)  # inside: its feeds are checked where they are
    os.mkfifo(folder / "fifo.xml")  # opened for reading, it waits for a writer
    with (folder / "big.xml").open("wb") as big:
        big.truncate(verify.MAX_FEED_BYTES + 1)
    (folder / "same.xml").symlink_to("rss.xml")  # inside: read
    result = feedpub("verify", "feeds", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"feeds/away:1:1: error: is a symbolic link to {elsewhere}, outside feeds; not followed",
        "feeds/big.xml:1:1: error: is larger than 64 MiB; not read",
        "feeds/fifo.xml:1:1: error: is a FIFO, not a file; not read",
        "feeds/null.xml:1:1: error: is a symbolic link to /dev/null, outside feeds; not read",
        f"feeds/outside.xml:1:1: error: is a symbolic link to {elsewhere / 'atom.xml'}, outside feeds; not read",
        "feeds/same.xml:8:1: warning: <atom:link>: self link 'https://example.org/feeds/rss.xml' "
        "does not end with 'same.xml' [SelfDoesntMatchLocation]",
        "feeds/zero.xml:1:1: error: is a symbolic link to /dev/zero, outside feeds; not read",
    ]


def test_committed_schema_is_trangs_conversion_of_rfc_4287(tmp_path: Path) -> None:
    subprocess.run(
        [tool("trang"), "-I", "rnc", "-O", "rng", str(SCHEMA), str(tmp_path / "atom.rng")], check=True
    )
    assert (tmp_path / "atom.rng").read_bytes() == SCHEMA.with_suffix(".rng").read_bytes()
