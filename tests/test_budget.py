"""site.max_bytes: every feed file within the budget, the oldest entries giving up their
content and then their place, archives that still hold every article once, full archive
pages that never change, and warnings for what cannot fit."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import NOW, SITE, article, catalogue_text, feedpub, scaled, valid
from feedpub import build, catalogue, load, reading
from feedpub.layout import FEED_FILES
from feedpub.model import Catalogue
from feedpub.render import jsonfeed, rendered, syndication
from feedpub.render.plan import feeds
from feedpub.verify import verify_document
from strategies import Generated, catalogues
from test_conformance import jing, write

BUDGET = 524_288
ATOM = "http://www.w3.org/2005/Atom"


def large(count: int, size: int, extra: str = "", step: int = 1) -> str:
    """`count` articles with `size` characters of content each, a day apart, in one tag."""
    body = "<p>" + "word " * (size // 5 - 2) + "</p>"
    site = SITE.replace("articles:", f"  max_bytes: {BUDGET}\n  archive: true\n{extra}articles:")
    return catalogue_text(
        *(
            article(
                f"a{i:03}",
                "tags: [Long]",
                f"content: '{body[: size * (1 + i % step) // step]}'",
                published=f"2024-{1 + i // 28:02}-{1 + i % 28:02}",
            )
            for i in range(count)
        ),
        site=site,
    )


def walked(files: dict[str, bytes], feed_url: str, folder: str, name: str) -> list[list[str]]:
    """The entry ids of the feed in `folder` and of each archive page after it, following the
    links to older pages in format `name`."""
    pages, path = [], f"{folder}{name}"
    while path:
        data = files[path]
        if name == "feed.json":
            document = json.loads(data)
            pages.append([item["id"] for item in document["items"]])
            older = document.get("next_url")
        else:
            root = etree.fromstring(data)
            entries = root.findall(f"{{{ATOM}}}entry") or root.findall("channel/item")
            pages.append([(e.findtext(f"{{{ATOM}}}id") or e.findtext("guid")) for e in entries])
            link = root.find(f".//{{{ATOM}}}link[@rel='prev-archive']")
            older = None if link is None else link.get("href")
        path = older.removeprefix(feed_url) if older else ""
    return pages


def test_sixty_articles_of_40_kb_fit_half_a_megabyte_and_the_archive_holds_them_all(tmp_path: Path) -> None:
    found = valid(large(60, 40_000))
    files = rendered(found, NOW).files
    sizes = {path: len(data) for path, data in files.items() if path.endswith(FEED_FILES)}
    assert max(sizes.values()) <= BUDGET, sizes
    newest = found.articles[-1]
    for folder in ("", "tags/long/"):
        first = feedparser.parse(files[folder + "atom.xml"]).entries[0]
        assert first.title == newest.title and first.content  # the newest keeps its content
        assert feedparser.parse(files[folder + "rss.xml"]).entries[0].content
        assert "content_html" in json.loads(files[folder + "feed.json"])["items"][0]
        held = {folder: [feedparser.parse(files[folder + name]).entries for name in ("atom.xml", "rss.xml")]}
        assert all(not entries[-1].get("content") for entries in held[folder])  # the oldest gave it up
        for name in FEED_FILES:
            pages = walked(files, found.site.feed_url, folder, name)
            ids = [entry for page in pages for entry in page]
            assert len(ids) == len(set(ids)) == 60, (folder, name)
            assert len(pages) > 1
    write(files, tmp_path)
    assert jing(tmp_path).returncode == 0
    for path, data in files.items():
        if path.endswith(".xml"):
            assert verify_document(data, path, path, NOW) == [], path
    print("\n".join(f"{size:>9,} {path}" for path, size in sorted(sizes.items())))


def test_a_new_article_leaves_every_full_archive_page_as_it_was() -> None:
    # pages of at most 20 entries, of 20 to 60 KB each: a page ends by count or by bytes
    before = rendered(valid(large(60, 60_000, "  max_items: 20\n", step=3)), NOW).files
    for count in (61, 66):
        after = rendered(valid(large(count, 60_000, "  max_items: 20\n", step=3)), NOW).files
        pages = sorted((p for p in before if p.startswith("archive/")), key=lambda p: int(p.split("/")[1]))
        newest = max(int(p.split("/")[1]) for p in pages)
        full = [p for p in pages if int(p.split("/")[1]) < newest]
        assert full and all(after[p] == before[p] for p in full)


def empty_sizes(found: Catalogue) -> int:
    """The largest file of a feed of the catalogue holding no entry: the smallest budget that
    every feed can keep."""
    largest = 0
    for feed in feeds(found, NOW, lambda frame, entries: ((), ())):
        files = syndication.render(found.site, feed, {}) | jsonfeed.render(found.site, feed, {})
        largest = max(largest, *map(len, files.values()))
    return largest


@settings(max_examples=scaled(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues(), st.integers(0, 6_000))
def test_any_catalogue_and_any_budget_of_an_empty_feed_or_more_give_files_within_it(
    generated: Generated, room: int
) -> None:
    found = valid(generated.text)
    limit = max(1024, empty_sizes(found) + room)
    budgeted = replace(found, site=replace(found.site, max_bytes=limit))
    result = rendered(budgeted, NOW)
    unfit = {(u.article, u.folder) for u in result.unfit}
    for path, data in result.files.items():
        if path.endswith(FEED_FILES):
            assert len(data) <= limit, (path, len(data), limit)
        if path.endswith(".xml"):
            assert verify_document(data, path, path, NOW) == [], path
    if not found.site.archive:
        return
    planned = feeds(found, NOW)  # by count: every article that each feed and its archive hold
    for feed in planned:
        if feed.current is not None:
            continue
        walk = walked(result.files, found.site.feed_url, feed.path(""), "atom.xml")
        held = [entry for page in walk for entry in page]
        chain = [e for f in planned if feed.folder in (f.folder, f.current) for e in f.entries]
        fitting = [e.atom_id for e in chain if not {(e.article.id, feed.folder), (None, feed.folder)} & unfit]
        assert sorted(held) == sorted(fitting)


def test_check_and_build_warn_at_an_article_that_cannot_fit(tmp_path: Path) -> None:
    text = catalogue_text(
        article("small", "summary: fits"),
        article("big", f"summary: '{'x' * 60_000}'", published="2024-01-03"),
        site=SITE.replace("articles:", "  max_bytes: 40000\narticles:"),
    )
    (tmp_path / "articles.yaml").write_text(text, encoding="utf-8")
    checked = feedpub("check", cwd=tmp_path)
    assert checked.returncode == 0
    assert checked.stderr.startswith("articles.yaml:14:5: warning: article 'big' does not fit in "), (
        checked.stderr
    )
    assert "more than site.max_bytes (40,000); it is left out of that feed" in checked.stderr
    built = feedpub("build", "--now", "2024-06-01T00:00:00Z", cwd=tmp_path)
    assert built.returncode == 0 and "article 'big' does not fit" in built.stderr
    for name in FEED_FILES:
        data = (tmp_path / "feeds" / name).read_bytes()
        assert len(data) <= 40_000 and b"Article small" in data and b"Article big" not in data


def test_a_feed_that_cannot_hold_even_its_own_elements_is_a_warning_at_the_budget(tmp_path: Path) -> None:
    site = SITE.replace("An example site.", "'" + "y" * 30_000 + "'").replace(
        "articles:", "  max_bytes: 20000\narticles:"
    )
    (tmp_path / "articles.yaml").write_text(catalogue_text(site=site), encoding="utf-8")
    checked = feedpub("check", cwd=tmp_path)
    assert checked.returncode == 0
    assert checked.stderr.startswith("articles.yaml:7:14: warning: 'max_bytes': "), checked.stderr
    assert "with no entry at all" in checked.stderr


def counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    """The calls made to `module.name` from here on, each by its first argument."""
    calls: list[object] = []
    original = getattr(module, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_build_places_what_cannot_fit_from_its_one_reading_of_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = catalogue_text(
        article("small", "summary: fits"),
        article("big", f"summary: '{'x' * 60_000}'", published="2024-01-03"),
        site=SITE.replace("articles:", "  max_bytes: 40000\narticles:"),
    )
    path = tmp_path / "articles.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = counted(monkeypatch, load, "parse")
    found = build.build(build.Request(path, tmp_path / "feeds", NOW, jobs=1))
    assert isinstance(found, build.Built)
    assert found.warnings and {w.partition(" warning: ")[0] for w in found.warnings} == {f"{path}:14:5:"}
    assert len(parsed) == 1


def test_what_cannot_fit_is_placed_in_a_catalogue_read_in_two_parts_as_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "<p>" + "word " * 8_000 + "</p>"
    articles = [article(f"a{i:03}", f"content: '{body}'", published=f"2024-01-{1 + i:02}") for i in range(28)]
    articles[20] = article("big", f"summary: '{'x' * 30_000}'", published="2024-01-21")
    text = catalogue_text(*articles, site=SITE.replace("articles:", "  max_bytes: 25000\narticles:"))
    assert len(text) >= reading.PARALLEL_BYTES
    path = tmp_path / "articles.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("id: big")].count("\n") + 1
    joined = counted(monkeypatch, catalogue, "join")
    _, in_parts = build.check(path, jobs=2)
    assert len(joined) == 1  # read in two parts
    _, whole = build.check(path, jobs=1)
    assert len(joined) == 1
    over = [str(p) for p in whole if p.code == "over-budget"]
    assert over and all(w.startswith(f"{path}:{line}:5: warning: article 'big' ") for w in over)
    assert [str(p) for p in in_parts] == [str(p) for p in whole]


def test_a_page_in_a_long_language_tag_is_measured_with_it() -> None:
    """A page whose entries share a language declares it, not the site's: the budget must
    count it, however long the tag (private-use subtags make it up to 255 characters). An
    archive page leaves the least margin: its frame is measured with its own links."""
    tag = "en-x-" + "-".join(letter * 8 for letter in "abcdefghijklmnopqrstuvwxyz")
    text = catalogue_text(
        *(article(f"a{i}", f"language: {tag}", published=f"2024-01-0{i}") for i in range(1, 7)),
        site=SITE.replace("articles:", "  content: summary\n  archive: true\n  max_items: 2\narticles:"),
    )
    whole = rendered(valid(text), NOW).files
    pages = [path for path in whole if path.startswith("archive/") and path.endswith(FEED_FILES)]
    assert pages and all(tag.encode() in whole[path] for path in pages)
    largest = max(len(whole[path]) for path in pages)
    # a byte short of the largest page of two entries: no page may hold two there
    budgeted = text.replace("  archive: true\n", f"  archive: true\n  max_bytes: {largest - 1}\n")
    files = rendered(valid(budgeted), NOW).files
    assert max(len(files[path]) for path in files if path.endswith(FEED_FILES)) < largest


def test_an_archive_page_is_measured_with_its_own_longer_address() -> None:
    """An archive page's self links, JSON feed_url and path to feed.xsl name its own folder,
    longer than its feed's: from page 11 on, a page filled to the byte went a byte over."""
    text = catalogue_text(
        *(
            article(f"a{i:02}", "summary: '" + '"' * 600 + "'", published=f"2024-01-{1 + i:02}")
            for i in range(13)
        ),
        site=SITE.replace("articles:", "  archive: true\n  max_items: 1\narticles:"),
    )
    whole = rendered(valid(text), NOW).files
    largest = max(len(whole[f"archive/{n}/feed.json"]) for n in range(1, 13))
    budgeted = text.replace("articles:", f"  max_bytes: {largest - 1}\narticles:", 1)
    files = rendered(valid(budgeted), NOW).files
    sizes = {path: len(data) for path, data in files.items() if path.endswith(FEED_FILES)}
    assert max(sizes.values()) <= largest - 1, sorted(sizes.items(), key=lambda item: -item[1])[:3]
