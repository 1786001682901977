"""Incremental builds: a build that reuses what the last one left gives the bytes a full build
gives, writes only the files whose bytes change, and trusts no state it cannot check."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import SITE, article, catalogue_text, feedpub, scaled, shared
from feedpub import build, load, publish, reading, rereading
from feedpub.catalogue import fields
from feedpub.layout import PAGE, feed_files
from feedpub.model import Tag
from feedpub.publish import cache
from feedpub.render import index_page, syndication

NOW = datetime(2024, 3, 1, tzinfo=UTC)
MOMENTS = [datetime(2024, 1, 4, 12, tzinfo=UTC), NOW, datetime(2024, 6, 1, tzinfo=UTC)]
"""Moments on either side of the articles' dates, so that moving `--now` publishes some."""
DATES = ["2024-01-02", "2024-01-05", "2024-02-03", "2024-04-10"]
TAGS = ["Gaza", "Art", "Sport"]
AUTHORS = [None, "Jane Doe", "Alex Kim"]


def files(folder: Path) -> dict[str, bytes]:
    """Every file of the output but feedpub's own bookkeeping, by path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not publish.records.is_bookkeeping(path.relative_to(folder).as_posix())
    }


@dataclass
class Piece:
    ident: str
    title: str
    published: str
    tags: tuple[str, ...] = ()
    author: str | None = None
    draft: bool = False
    content: str | None = None

    def text(self) -> str:
        extra = []
        if self.tags:
            extra.append(f"tags: [{', '.join(self.tags)}]")
        if self.author:
            extra.append(f"author: {{name: {self.author}}}")
        if self.draft:
            extra.append("draft: true")
        if self.content:
            extra.append(f"content: '<p>{self.content}</p>'")
        return article(self.ident, *extra, title=self.title, published=self.published)


@dataclass
class Catalogue:
    """A small catalogue as a test changes it, step by step."""

    pieces: list[Piece] = field(default_factory=list)
    title: str = "Example News"
    max_items: int = 2
    archive: bool = False
    tag_title: str | None = None
    selection: str | None = None
    desk: str = "Desk"
    budget: int | None = None
    made: int = 0

    def text(self) -> str:
        site = [
            "site:",
            f"  title: {self.title}",
            "  link: https://example.org/",
            "  feed_url: https://example.org/feeds/",
            "  description: An example site.",
            f"  author: {{name: {self.desk}}}",
            f"  max_items: {self.max_items}",
            f"  archive: {str(self.archive).lower()}",
            "  hosting: [apache]",
        ]
        if self.budget:
            site.append(f"  max_bytes: {self.budget}")
        if self.tag_title:
            site.append(f"  tags: {{Gaza: {{title: {self.tag_title}}}}}")
        if self.selection:
            site.append(f"  feeds: {{picked: {{title: Picked, {self.selection}}}}}")
        return catalogue_text(
            *(piece.text() for piece in self.pieces), site="\n".join(site) + "\narticles:\n"
        )


pieces = st.builds(
    Piece,
    ident=st.just(""),
    title=st.sampled_from(["Hello", "Ceasefire talks", "Élan", "Strike"]),
    published=st.sampled_from(DATES),
    tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple),
    author=st.sampled_from(AUTHORS),
    draft=st.booleans(),
    content=st.sampled_from([None, "One", "Two"]),
)
steps = st.one_of(
    st.tuples(
        st.just("edit"), st.integers(0, 99), st.sampled_from(["title", "content", "tags", "draft"]), pieces
    ),
    st.tuples(st.just("insert"), st.integers(0, 99), pieces),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(
        st.just("site"),
        st.sampled_from(["Example News", "Other News"]),
        st.integers(1, 3),
        st.booleans(),
        st.sampled_from(["Desk", "Newsroom"]),
    ),
    st.tuples(st.just("tag"), st.sampled_from([None, "Gaza news", "Gaza reports"])),
    st.tuples(
        st.just("selection"), st.sampled_from([None, "include: {tags: [Gaza]}", "exclude: {tags: [Art]}"])
    ),
    st.tuples(st.just("now"), st.sampled_from(MOMENTS)),
    st.tuples(st.just("budget"), st.sampled_from([None, 1500, 2600])),
)


def apply(catalogue: Catalogue, step: tuple[object, ...], now: datetime) -> datetime:
    """Change `catalogue` by `step`; the moment to build at next."""
    kind, *args = step
    held = catalogue.pieces
    if kind == "edit" and held:
        i, what, other = args
        assert isinstance(i, int) and isinstance(what, str)
        held[i % len(held)] = replace(held[i % len(held)], **{what: getattr(other, what)})
    elif kind == "insert":
        i, new = args
        assert isinstance(i, int) and isinstance(new, Piece)
        catalogue.made += 1
        held.insert(i % (len(held) + 1), replace(new, ident=f"a{catalogue.made}"))
    elif kind == "delete" and held:
        i = args[0]
        assert isinstance(i, int)
        del held[i % len(held)]
    elif kind == "move" and held:
        i, j = args
        assert isinstance(i, int) and isinstance(j, int)
        held.insert(j % len(held), held.pop(i % len(held)))
    elif kind == "site":
        catalogue.title, catalogue.max_items, catalogue.archive, catalogue.desk = args  # type: ignore[assignment]
    elif kind == "tag":
        catalogue.tag_title = args[0]  # type: ignore[assignment]
    elif kind == "selection":
        catalogue.selection = args[0]  # type: ignore[assignment]
    elif kind == "budget":
        catalogue.budget = args[0]  # type: ignore[assignment]
    elif kind == "now":
        assert isinstance(args[0], datetime)
        return args[0]
    return now


def read_whole(
    data: bytes, path: str, known: rereading.Known | None, *, jobs: int | None = None
) -> tuple[object, list[object], None]:
    """`rereading.read` as a build with nothing to reuse would have it: `reading.read`."""
    return (*reading.read(data, path, jobs=jobs), None)


def run(path: Path, out: Path, now: datetime) -> build.Result:
    return build.build(build.Request(path, out, now=now, jobs=1, allow_shrink=True))


HELLO = Piece("", "Hello", "2024-01-05", ("Gaza",), "Jane Doe", False, "One")
OLDER = Piece("", "Strike", "2024-01-02", ("Gaza", "Art"), None, False, None)
LATER = Piece("", "Élan", "2024-04-10", ("Art",), None, False, "Two")


@settings(max_examples=scaled(3))
@example([HELLO, OLDER], [("site", "Other News", 2, False, "Desk")])  # only the feeds' own titles
@example([HELLO, OLDER], [("site", "Example News", 2, False, "Newsroom")])  # only the site's author
@example([HELLO, OLDER], [("tag", "Gaza news"), ("tag", None)])
@example(  # a new archive page changes only the links of the page before it
    [OLDER, HELLO], [("site", "Example News", 1, True, "Desk"), ("now", MOMENTS[2]), ("insert", 0, LATER)]
)
@example(
    [HELLO, OLDER, LATER], [("selection", "include: {tags: [Gaza]}"), ("selection", "exclude: {tags: [Art]}")]
)
@example(
    [HELLO, OLDER, LATER],
    [("now", MOMENTS[0]), ("now", MOMENTS[2]), ("site", "Example News", 1, True, "Desk")],
)
@example(
    [HELLO, OLDER, LATER], [("move", 0, 2), ("delete", 1), ("insert", 0, OLDER), ("edit", 0, "draft", LATER)]
)
@example(  # what the budget leaves out is placed at its article's line, which an insert moves
    [HELLO, OLDER, LATER], [("budget", 1500), ("insert", 0, LATER), ("edit", 2, "title", LATER)]
)
@given(st.lists(pieces, min_size=1, max_size=5), st.lists(steps, min_size=1, max_size=6))
def test_an_incremental_build_is_a_full_build_after_any_edits(
    first: list[Piece], changes: list[tuple[object, ...]]
) -> None:
    """After each change, a build into a folder that keeps its state between builds gives
    what a build that renders everything gives: the same files and bytes, the same files
    written, kept and removed, the same counts and warnings."""
    catalogue = Catalogue()
    for piece in first:
        apply(catalogue, ("insert", len(catalogue.pieces), piece), NOW)
    now = NOW
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = folder / "articles.yaml"
        reusing, whole = folder / "reusing", folder / "whole"
        for step in [("now", NOW), *changes]:
            now = apply(catalogue, step, now)
            path.write_text(catalogue.text(), encoding="utf-8")
            (whole / publish.records.STATE).unlink(missing_ok=True)  # so it renders everything
            with mock.patch.object(rereading, "read", read_whole):
                expected = run(path, whole, now)
            found = run(path, reusing, now)
            assert found == expected, step
            assert files(reusing) == files(whole), step


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders of the feeds rendered, as builds in this process render them; a build that
    renders a feed's page without its feed, or the other way round, fails the test."""
    folders: list[str] = []
    since: list[str] = []  # the feeds rendered since the last pages were
    render, pages = syndication.render, index_page.pages

    def counted(site: object, feed: syndication.Feed, *args: object, **kwargs: object) -> dict[str, bytes]:
        folders.append(feed.folder)
        since.append(feed.folder)
        return render(site, feed, *args, **kwargs)  # type: ignore[arg-type]

    def paged(*args: Any) -> dict[str, bytes]:
        found = pages(*args)
        assert sorted(path.rpartition("/")[0] for path in found) == sorted(f for f in since if f)
        since.clear()
        return found

    monkeypatch.setattr(syndication, "render", counted)
    monkeypatch.setattr(index_page, "pages", paged)
    return folders


def _times(out: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def test_a_build_renders_again_only_the_feeds_an_edit_changes(tmp_path: Path, rendered: list[str]) -> None:
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    tagged = [article(f"a{i}", f"tags: [T{i}]", published=f"2024-01-{i + 10:02}") for i in range(6)]
    path.write_text(catalogue_text(*tagged), encoding="utf-8")
    run(path, out, NOW)
    assert len(rendered) == 8  # the site's, six tags' and the author's
    rendered.clear()
    path.write_text(catalogue_text(*tagged).replace("title: Article a2", "title: Edited"), encoding="utf-8")
    before = _times(out)
    result = run(path, out, NOW)
    assert sorted(rendered) == ["", "authors/jane-doe", "tags/t2"]
    assert isinstance(result, build.Built)
    after = _times(out)
    changed = {path for path, seen in before.items() if after.get(path) != seen}
    bookkeeping = {publish.MANIFEST, publish.RECORD, publish.records.STATE}
    assert changed == {*result.outcome.written, *bookkeeping}
    assert set(result.outcome.written) == {
        PAGE,  # the site's page, which shows its feed's newest entries
        *(path for folder in ("", "authors/jane-doe", "tags/t2") for path in feed_files(folder)),
    }
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def _state(out: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((out / publish.records.STATE).read_bytes())
    return loaded


def _name_state(out: Path, raw: bytes) -> None:
    """Put `raw` in place as the state, and make the record name it."""
    (out / publish.records.STATE).write_bytes(raw)
    record = json.loads((out / publish.RECORD).read_bytes())
    record["state"] = hashlib.sha256(raw).hexdigest()
    (out / publish.RECORD).write_bytes(json.dumps(record).encode())


def _stale(raw: bytes, out: Path) -> None:
    (out / publish.records.STATE).write_bytes(raw)  # the record still names the old state


def _other_version(raw: bytes, out: Path) -> None:
    _name_state(out, raw.replace(b'"version": "', b'"version": "0.0.1 '))


def _other_catalogue(raw: bytes, out: Path) -> None:
    _name_state(out, raw.replace(b'"catalogue": "', b'"catalogue": "/elsewhere'))


def _truncated(raw: bytes, out: Path) -> None:
    _name_state(out, raw[: len(raw) // 2])


def _not_json(raw: bytes, out: Path) -> None:
    _name_state(out, b"\x00" + raw)


@pytest.mark.parametrize("tamper", [_stale, _other_version, _other_catalogue, _truncated, _not_json])
def test_a_state_that_cannot_be_trusted_means_a_full_build(tmp_path: Path, tamper: object) -> None:
    """The output holds the old feeds while its state claims the keys of the new ones, as
    a state swapped in, left by another version or made for another catalogue would: the
    build must render every feed rather than keep the old files."""
    old = catalogue_text(article("a1", "tags: [Gaza]"))
    new = old.replace("Article a1", "Edited")
    path = tmp_path / "articles.yaml"
    path.write_text(new, encoding="utf-8")
    run(path, tmp_path / "new", NOW)
    claimed = (tmp_path / "new" / publish.records.STATE).read_bytes()
    path.write_text(old, encoding="utf-8")
    out = tmp_path / "feeds"
    run(path, out, NOW)
    assert callable(tamper)
    tamper(claimed, out)
    path.write_text(new, encoding="utf-8")
    run(path, out, NOW)
    assert files(out) == files(tmp_path / "new")


def test_the_state_of_the_same_catalogue_is_trusted(tmp_path: Path, rendered: list[str]) -> None:
    """The counterpart of the test above: a state named by the record, for this catalogue and
    this feedpub, lets the build keep the files (so that test shows what its tampering
    did); but not a feed's whose file has changed since."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    path.write_text(catalogue_text(article("a1", "tags: [Gaza]"), article("a2")), encoding="utf-8")
    run(path, out, NOW)
    state = _state(out)
    assert state["catalogue"] == hashlib.sha256(str(path).encode()).hexdigest()  # served: a digest
    feeds = state["feeds"]
    assert isinstance(feeds, dict) and sorted(feeds) == ["", "authors/jane-doe", "tags/gaza"]
    rendered.clear()
    os.utime(out / "tags" / "gaza" / "rss.xml", ns=(0, 0))
    path.write_text(
        catalogue_text(article("a1", "tags: [Gaza]"), article("a2", title="Edited")), encoding="utf-8"
    )
    result = run(path, out, NOW)
    assert sorted(rendered) == ["", "authors/jane-doe", "tags/gaza"]
    assert isinstance(result, build.Built) and "tags/gaza/rss.xml" not in result.outcome.written
    rendered.clear()
    path.write_text(
        catalogue_text(article("a1", "tags: [Gaza]"), article("a2", title="Again")), encoding="utf-8"
    )
    run(path, out, NOW)
    assert sorted(rendered) == ["", "authors/jane-doe"]
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def test_the_cli_rebuilds_after_the_state_is_deleted(site_dir: Path) -> None:
    """Deleting the state, as the docs say, makes the next build a full one that still
    publishes the same files."""
    assert feedpub("build", "-q", cwd=site_dir).returncode == 0
    state = site_dir / "feeds" / publish.records.STATE
    assert state.is_file()
    before = files(site_dir / "feeds")
    state.unlink()
    text = (site_dir / "articles.yaml").read_text(encoding="utf-8")
    (site_dir / "articles.yaml").write_text(text + "\n", encoding="utf-8")
    done = feedpub("build", cwd=site_dir)
    assert done.returncode == 0, done.stderr
    assert "0 written" in done.stdout
    assert files(site_dir / "feeds") == before and state.is_file()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The YAML documents parsed, as builds in this process parse them."""
    documents: list[bytes] = []
    parse = load.parse

    def counted(data: bytes, path: str) -> tuple[object, list[object]]:
        documents.append(data)
        return parse(data, path)  # type: ignore[return-value]

    monkeypatch.setattr(load, "parse", counted)
    return documents


def test_a_build_reads_again_only_the_articles_whose_bytes_changed(
    tmp_path: Path, parsed: list[bytes]
) -> None:
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    tagged = [article(f"a{i}", f"tags: [T{i}]", published=f"2024-01-{i + 10:02}") for i in range(6)]
    path.write_text(catalogue_text(*tagged), encoding="utf-8")
    run(path, out, NOW)
    parsed.clear()
    edited = catalogue_text(*tagged).replace("title: Article a2", "title: Edited")
    path.write_text(edited, encoding="utf-8")
    run(path, out, NOW)
    assert parsed == [(SITE + tagged[2]).replace("title: Article a2", "title: Edited").encode()]
    parsed.clear()
    path.write_text(catalogue_text(*tagged[:2], *tagged[3:]), encoding="utf-8")  # one deleted
    run(path, out, NOW)
    assert parsed == []
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def test_a_site_with_a_size_budget_reads_again_only_what_changed(tmp_path: Path, parsed: list[bytes]) -> None:
    """With site.max_bytes every feed is rendered, but the articles are still reused."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    site = SITE.replace("articles:", "  max_bytes: 2048\narticles:")
    long = [
        article(f"a{i}", f"content: '<p>{'Long text. ' * 40}</p>'", published=f"2024-01-{i + 10:02}")
        for i in range(4)
    ]
    path.write_text(catalogue_text(*long, site=site), encoding="utf-8")
    run(path, out, NOW)
    parsed.clear()
    path.write_text(catalogue_text(*long, site=site).replace("Article a1", "Edited"), encoding="utf-8")
    result = run(path, out, NOW)
    assert parsed == [(site + long[1]).replace("Article a1", "Edited").encode()]
    whole = run(path, tmp_path / "whole", NOW)
    assert isinstance(result, build.Built) and isinstance(whole, build.Built)
    assert result == whole._replace(outcome=result.outcome)
    assert files(out) == files(tmp_path / "whole")


def test_what_a_budget_leaves_out_is_placed_where_its_article_now_starts(tmp_path: Path) -> None:
    """An article kept from the last build is placed at its line in the catalogue as it is
    now, and at the column it starts at, however its item is written."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    site = SITE.replace("articles:", "  max_bytes: 1500\narticles:")
    wide = article("a2", "tags: [Gaza, Art]").replace("- id:", "-   id:").replace("\n    ", "\n      ")
    path.write_text(catalogue_text(article("a1"), wide, site=site), encoding="utf-8")
    run(path, out, NOW)
    path.write_text(catalogue_text(article("a0"), article("a1"), wide, site=site), encoding="utf-8")
    found = run(path, out, NOW)
    with mock.patch.object(rereading, "read", read_whole):
        expected = run(path, tmp_path / "whole", NOW)
    assert isinstance(found, build.Built) and isinstance(expected, build.Built)
    line = 1 + catalogue_text(article("a0"), article("a1"), site=site).count("\n")
    assert any(f":{line}:7: warning: article 'a2'" in text for text in found.warnings)
    assert found.warnings == expected.warnings


@pytest.mark.parametrize(
    "value",
    [
        '"Two lines\n  - id: a9\n    title: Inside the quotes"',  # the cut would fall inside the value
        "'one\n  - two'",
        "[Gaza,\n  - x]",  # a flow list that YAML refuses: the whole is read and the error placed
    ],
)
def test_a_catalogue_cut_inside_a_value_is_read_as_a_whole(tmp_path: Path, value: str) -> None:
    """A line that starts like an article inside a quoted value or a flow list is no
    article: the build gives what reading the whole gives, the first time and after an edit."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    first = article("a1", f"summary: {value}")
    text = catalogue_text(first, article("a2", published="2024-02-03"))
    path.write_text(text, encoding="utf-8")
    results = [run(path, out, NOW)]
    path.write_text(text.replace("Article a2", "Edited"), encoding="utf-8")
    results.append(run(path, out, NOW))
    whole = reading.read(path.read_bytes(), str(path), jobs=1)
    if whole[0] is None:
        assert all(isinstance(result, build.Invalid) for result in results)
        assert results[-1].problems == whole[1]  # type: ignore[union-attr]
    else:
        assert isinstance(results[-1], build.Built) and results[-1].articles == len(whole[0].articles) == 2
        run(path, tmp_path / "whole", NOW)
        assert files(out) == files(tmp_path / "whole")


class _Runs:
    """What unpickling this would run, if a state were unpickled without restriction."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("kind", ["code", "truncated", "shape"])
def test_articles_a_state_names_are_never_unpickled_into_code(tmp_path: Path, kind: str) -> None:
    """Even with every digest made to match, articles that are not feedpub's model are not
    loaded (nor run): the catalogue is read whole and the output is a full build's."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    text = catalogue_text(article("a1", "tags: [Gaza]"), article("a2"))
    path.write_text(text, encoding="utf-8")
    run(path, out, NOW)
    marker = tmp_path / "ran"
    articles = cache.location(out)
    assert articles is not None
    kept = articles.read_bytes()
    header = pickle.loads(kept)
    bad = {
        "code": pickle.dumps(_Runs(marker)),
        "truncated": kept[:-10],
        "shape": pickle.dumps(header) + pickle.dumps([(b"x", (Tag("gaza", "Gaza"), 3))] * header[-1]),
    }[kind]
    articles.write_bytes(bad)
    state = json.loads((out / publish.records.STATE).read_bytes())
    state["articles"] = [[len(bad), hashlib.sha256(bad).hexdigest()]]
    _name_state(out, json.dumps(state).encode())
    path.write_text(text.replace("Article a2", "Edited"), encoding="utf-8")
    assert isinstance(run(path, out, NOW), build.Built)
    assert not marker.exists()
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def test_a_large_catalogue_is_read_in_two_processes_and_then_in_part(
    tmp_path: Path, second_process: list[int | None], parsed: list[bytes]
) -> None:
    """A catalogue with nothing to reuse is read in two processes, as `reading` reads it;
    after an edit, only the edited article is read."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    many = [
        article(f"a{i}", f"tags: [T{i % 7}]", f"content: '<p>{'Text. ' * 150}</p>'", published="2024-01-02")
        for i in range(1200)
    ]
    text = catalogue_text(*many)
    assert len(text) > reading.PARALLEL_BYTES
    path.write_text(text, encoding="utf-8")
    build.build(build.Request(path, out, now=NOW, jobs=2))
    assert shared(second_process)
    parsed.clear()
    path.write_text(text.replace("title: Article a600\n", "title: Edited\n"), encoding="utf-8")
    build.build(build.Request(path, out, now=NOW, jobs=2))
    assert parsed == [(SITE + many[600]).replace("title: Article a600\n", "title: Edited\n").encode()]
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def _unpublished(marker: str, warned: bool) -> list[str]:
    """A draft and an article published after `NOW`, each with `marker` in every text; if
    `warned`, by the public articles' author with another uri, which a warning quotes."""
    texts = (f"summary: {marker} summary", f"content: '<p>{marker} content</p>'")
    author = f"author: {{name: Jane Doe, uri: 'https://example.org/{marker if warned else 'jd'}'}}"
    return [
        article("draft", *texts, "draft: true", author, title=f"{marker} draft"),
        article("embargoed", *texts, author, title=f"{marker} embargoed", published="2024-06-01"),
    ]


@pytest.mark.parametrize(("warned", "suffix"), [(False, ".pickle"), (True, ".warnings.json")])
def test_no_article_that_is_not_public_is_written_into_the_output_folder(
    tmp_path: Path, cache_home: Path, warned: bool, suffix: str
) -> None:
    """The output folder is served and copied as it is: neither the first build nor the
    incremental ones after it leave a draft's or an embargoed article's text in any file
    there, bookkeeping included, though the articles they read (or, where a warning means
    reading the whole, the warnings, which quote them) are kept for the next build."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    public = [
        article(f"a{i}", f"tags: [T{i}]", "author: {name: Jane Doe, uri: 'https://example.org/jd'}")
        for i in range(3)
    ]
    text = catalogue_text(*public, *_unpublished("Secret", warned))
    steps = [
        text,
        text.replace("Article a1", "Edited"),  # a public article edited
        text.replace("Secret draft", "Secret redrafted"),  # the draft edited
        text + _unpublished("Hidden", warned)[0].replace("id: draft", "id: draft2"),  # a draft added
    ]
    for step in steps:
        path.write_text(step, encoding="utf-8")
        built = feedpub("build", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path)
        assert built.returncode == 0 and ("https://example.org/Secret" in built.stderr) == warned
        served = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert publish.records.STATE in {p.name for p in served}
        assert [p for p, data in served.items() if b"Secret" in data or b"Hidden" in data] == []
        assert any(b"Article a0" in data for data in served.values())  # the scan reads feeds
        (kept,) = [p for p in cache_home.rglob("*") if p.is_file()]
        assert kept.name.endswith(suffix) and b"Secret" in kept.read_bytes()  # kept elsewhere
        assert kept.stat().st_mode & 0o077 == 0  # readable by its owner alone
    again = feedpub("build", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path)  # nothing new
    assert again.returncode == 0 and again.stderr == built.stderr  # the warnings kept there


def test_an_article_whose_tag_another_article_names_is_rendered_again_when_that_changes(
    tmp_path: Path,
) -> None:
    """A tag is named as the first article spells it: respelling it there renames it in a
    later article whose lines did not change, and every feed holding that one (here its
    author's, which does not hold the first) must be rendered again."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    first = article("a1", "tags: [Gaza]", "author: {name: Alex Kim}", published="2024-01-05")
    later = article("a2", "tags: [gaza]", "author: {name: Sam Lee}", published="2024-01-02")
    path.write_text(catalogue_text(first, later), encoding="utf-8")
    run(path, out, NOW)
    assert b">Gaza<" in (out / "authors" / "sam-lee" / "rss.xml").read_bytes()
    path.write_text(catalogue_text(first.replace("[Gaza]", "[GAZA]"), later), encoding="utf-8")
    run(path, out, NOW)
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def test_the_articles_kept_grow_by_what_each_build_read_and_are_written_whole_now_and_then(
    tmp_path: Path, parsed: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit appends the article it read to the file that keeps them, rather than writing
    every article again; a build that fails leaves what the last one kept usable; past
    `SEGMENTS` segments the file is written whole again. Each build gives a full build's bytes."""
    monkeypatch.setattr(cache, "SEGMENTS", 3)
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    text = catalogue_text(*(article(f"a{i}", f"tags: [T{i % 3}]") for i in range(8)))
    path.write_text(text, encoding="utf-8")
    run(path, out, NOW)
    kept = cache.location(out)
    assert kept is not None
    sizes = [kept.stat().st_size]
    segments = [len(_state(out)["articles"])]  # type: ignore[arg-type]
    for edit in range(1, 5):
        text = text.replace(f"title: Article a{edit}\n", f"title: Edited {edit}\n")
        path.write_text(text, encoding="utf-8")
        parsed.clear()
        run(path, out, NOW)
        assert len(parsed) == 1  # the edited article alone
        sizes.append(kept.stat().st_size)
        segments.append(len(_state(out)["articles"]))  # type: ignore[arg-type]
        run(path, tmp_path / f"whole{edit}", NOW)
        assert files(out) == files(tmp_path / f"whole{edit}")
    assert segments == [1, 2, 3, 1, 2]
    assert sizes[0] < sizes[1] < sizes[2] and sizes[3] < sizes[2] and sizes[1] - sizes[0] < sizes[0]


def test_a_build_that_fails_leaves_the_articles_kept_usable(tmp_path: Path, parsed: list[bytes]) -> None:
    """A build that appended what it read and then failed to publish is as if it never ran:
    the next build still reads only what changed since the last one that published."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    text = catalogue_text(*(article(f"a{i}", f"tags: [T{i}]") for i in range(8)))
    path.write_text(text, encoding="utf-8")
    run(path, out, NOW)
    path.write_text(text.replace("tags: [T2]", "tags: [T2, New]"), encoding="utf-8")
    (out / "tags" / "new").mkdir(parents=True)
    (out / "tags" / "new" / "rss.xml").write_text("someone else's")
    with pytest.raises(publish.ForeignFiles):
        run(path, out, NOW)
    (out / "tags" / "new" / "rss.xml").unlink()
    for old, new in [("tags: [T2]", "tags: [T2, Other]"), ("Article a3", "Edited")]:  # unread
        text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        parsed.clear()
        run(path, out, NOW)
        assert [document.count(b"\n  - id: ") for document in parsed] == [1]  # one article read
    run(path, tmp_path / "whole", NOW)
    assert files(out) == files(tmp_path / "whole")


def test_a_temporary_a_killed_build_left_in_the_cache_is_removed(tmp_path: Path) -> None:
    """A build killed while writing the articles it read leaves a temporary beside the file:
    the next build that writes the file whole removes it, and no file of another output."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    path.write_text(catalogue_text(article("a1"), article("a2")), encoding="utf-8")
    kept = cache.location(out)
    assert kept is not None
    kept.parent.mkdir(parents=True)
    left = kept.with_name(f".tmp-999999-{kept.name}")
    other = kept.with_name(f".tmp-999999-{'0' * 64}.pickle")
    left.write_bytes(b"half")
    other.write_bytes(b"another output's")
    run(path, out, NOW)
    assert kept.is_file() and not left.exists() and other.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_catalogue_with_nothing_to_reuse_is_parsed_without_a_copy_of_it(
    parsed: list[bytes], second_process: list[int | None], jobs: int
) -> None:
    """Read whole in one process, the catalogue's own bytes are parsed, not a copy held
    beside them; in two, the part read here is one copy of its bytes, as `reading` makes."""
    many = [article(f"a{i}", f"content: '<p>{'Text. ' * 150}</p>'") for i in range(1200)]
    data = catalogue_text(*many).encode()
    found, problems, known = rereading.read(data, "articles.yaml", None, jobs=jobs)
    assert found is not None and known is not None and problems == []
    if jobs == 1:
        assert len(parsed) == 1 and parsed[0] is data
    else:
        assert shared(second_process) and len(parsed) == 1  # the other part is parsed there
        assert data.startswith(parsed[0])


@pytest.mark.parametrize(
    "anchored",
    [
        ("summary: &s Two",),
        ("summary:", "  &s Two"),  # on the line after its key
        ("summary: !!str &s Two",),  # after a tag
        ("tags: [Gaza, &s Art]",),
        ("author: {name: &s Ann Lee}",),
    ],
)
def test_an_anchor_an_edit_names_again_is_refused_as_reading_the_whole_refuses_it(
    tmp_path: Path, anchored: tuple[str, ...]
) -> None:
    """YAML refuses a document that names one anchor twice, though each article that names
    it reads alone without a problem: an edit that names in one article the anchor another
    names fails as a full build does, wherever in a value the anchor is written."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    first = article("a1", "summary: &s One")
    path.write_text(catalogue_text(first, article("a2"), article("a3")), encoding="utf-8")
    assert isinstance(run(path, out, NOW), build.Built)
    path.write_text(catalogue_text(first, article("a2"), article("a3", *anchored)), encoding="utf-8")
    found = run(path, out, NOW)
    with mock.patch.object(rereading, "read", read_whole):
        expected = run(path, tmp_path / "whole", NOW)
    assert isinstance(expected, build.Invalid) and "duplicate anchor" in expected.problems[0].message
    assert found == expected


def test_local_times_are_read_again_when_the_rules_of_the_time_zone_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update of the time zone database changes the offset a local time is given: an
    article kept from the last build is read again by the new rules, as a full build reads
    it. (Here the site's zone is given other rules by a folder of zones of our own.)"""
    zones = tmp_path / "zones"
    (zones / "Europe").mkdir(parents=True)
    shutil.copyfile(Path(zoneinfo.TZPATH[0], "Asia", "Tokyo"), zones / "Europe" / "Paris")
    site = SITE.replace("articles:", "  timezone: Europe/Paris\narticles:")
    first = article("a1", published="2024-01-02T10:00:00")
    later = article("a2", published="2024-01-05T10:00:00")
    path = tmp_path / "articles.yaml"
    now = ("--now", "2024-03-01T00:00:00Z")
    path.write_text(catalogue_text(first, later, site=site), encoding="utf-8")
    assert feedpub("build", *now, cwd=tmp_path).returncode == 0
    monkeypatch.setenv("PYTHONTZPATH", str(zones))  # the new rules
    path.write_text(catalogue_text(first, later.replace("Article a2", "Edited"), site=site), encoding="utf-8")
    for out in ("feeds", "whole"):
        assert feedpub("build", *now, "--out", out, cwd=tmp_path).returncode == 0
    assert b"2024-01-02T10:00:00+09:00" in (tmp_path / "whole" / "atom.xml").read_bytes()
    assert files(tmp_path / "feeds") == files(tmp_path / "whole")


@pytest.mark.parametrize("in_place", [True, False])
def test_a_feed_edited_by_hand_with_its_size_and_time_kept_is_not_kept(
    tmp_path: Path, in_place: bool
) -> None:
    """A feed's file changed since the last build (in place, or replaced by another file),
    its size and modification time put back: a full build finds it is not the file it wrote
    and stops (ForeignFiles, exit status 73); an incremental one must not publish around it."""
    path = tmp_path / "articles.yaml"
    first, later = article("a1", "tags: [Gaza]"), article("a2", "tags: [Art]", published="2024-01-05")
    path.write_text(catalogue_text(first, later), encoding="utf-8")
    outcomes = []
    for out, reading_with in [(tmp_path / "feeds", rereading.read), (tmp_path / "whole", read_whole)]:
        path.write_text(catalogue_text(first, later), encoding="utf-8")
        run(path, out, NOW)
        edited = out / "tags" / "gaza" / "rss.xml"
        before = edited.stat()
        other = edited if in_place else edited.with_name("other")
        other.write_bytes(edited.read_bytes().replace(b"Article a1", b"Article b1"))
        other.replace(edited)
        os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
        path.write_text(catalogue_text(first, later.replace("Article a2", "Edited")), encoding="utf-8")
        with mock.patch.object(rereading, "read", reading_with):
            try:
                outcomes.append(run(path, out, NOW))
            except publish.ForeignFiles as e:
                outcomes.append(sorted(e.actions))
    assert outcomes[1] == ["tags/gaza/rss.xml"]
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("inside", [".cache", "tags/.cache", "link"])
def test_nothing_is_kept_for_the_next_build_in_a_cache_folder_inside_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    """A cache folder set inside the output folder (or a link to it) would serve the articles
    read and the warnings, drafts' and embargoed articles' included: nothing is kept there,
    and the builds are full ones, with the same files."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    out.mkdir()
    (tmp_path / "link").symlink_to(out / "tags")
    monkeypatch.setenv("XDG_CACHE_HOME", str(out / inside if inside != "link" else tmp_path / "link"))
    author = "author: {name: Jane Doe, uri: 'https://example.org/jd'}"
    public = [article(f"a{i}", f"tags: [T{i}]", author) for i in range(3)]
    text = catalogue_text(*public, *_unpublished("Secret", warned=True))
    for step in [text, text.replace("Article a1", "Edited")]:
        path.write_text(step, encoding="utf-8")
        found = run(path, out, NOW)
        assert isinstance(found, build.Built) and found.warnings
        served = [p for p in out.rglob("*") if p.is_file() and b"Secret" in p.read_bytes()]
        assert served == []
    with mock.patch.object(rereading, "read", read_whole):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        whole = run(path, tmp_path / "whole", NOW)
    assert isinstance(whole, build.Built) and whole._replace(outcome=found.outcome) == found
    assert files(out) == files(tmp_path / "whole")


def test_articles_kept_from_the_last_build_are_read_again_after_a_library_that_reads_them_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag's folder is python-slugify's slug of its name: after an upgrade that slugs it
    otherwise (here another version, as `importlib.metadata` would report it, whose slugs
    end in '-new'), an article kept from the last build is read again, as a full build
    reads it, not kept with the old version's slug."""
    path, out = tmp_path / "articles.yaml", tmp_path / "feeds"
    first, later = article("a1", "tags: [Gaza]"), article("a2", "tags: [Art]", published="2024-01-05")
    path.write_text(catalogue_text(first, later), encoding="utf-8")
    run(path, out, NOW)
    slugify, version = fields.slugify, metadata.version
    monkeypatch.setattr(fields, "slugify", lambda *args, **kwargs: slugify(*args, **kwargs) + "-new")
    monkeypatch.setattr(
        metadata, "version", lambda name: "99.0" if name == "python-slugify" else version(name)
    )
    path.write_text(catalogue_text(first, later.replace("Article a2", "Edited")), encoding="utf-8")
    run(path, out, NOW)
    run(path, tmp_path / "whole", NOW)
    assert "tags/gaza-new/atom.xml" in files(tmp_path / "whole")
    assert files(out) == files(tmp_path / "whole")


@pytest.mark.parametrize("unusable", ["under a file", "a link to itself"])
def test_a_cache_folder_that_cannot_be_used_means_full_builds_that_print_their_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unusable: str
) -> None:
    """With XDG_CACHE_HOME where no folder can be made (under a file, or a link to itself),
    nothing is kept for the next build, and each build, warnings and all, is a full one:
    never a traceback."""
    cache_home = tmp_path / "cache"
    if unusable == "under a file":
        cache_home.write_text("a file")
        cache_home = cache_home / "below"
    else:
        cache_home.symlink_to(cache_home)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    path = tmp_path / "articles.yaml"
    public = [article(f"a{i}", "author: {name: Jane Doe, uri: 'https://example.org/jd'}") for i in range(2)]
    text = catalogue_text(*public, *_unpublished("Secret", warned=True))
    for step in [text, text.replace("Article a1", "Edited"), text.replace("Article a1", "Edited")]:
        path.write_text(step, encoding="utf-8")
        done = feedpub("build", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "https://example.org/Secret" in done.stderr and "Traceback" not in done.stderr
    with mock.patch.object(rereading, "read", read_whole):
        run(path, tmp_path / "whole", NOW)
    assert files(tmp_path / "feeds") == files(tmp_path / "whole")


@pytest.mark.parametrize("kept", [".pickle", ".warnings.json"])
def test_a_fifo_in_place_of_what_is_kept_in_the_cache_is_not_waited_on(tmp_path: Path, kept: str) -> None:
    """A FIFO where the articles or the warnings are kept would make a build wait for a writer
    for ever (and every later run find the lock held): it is not read, and the build is a
    full one."""
    path = tmp_path / "articles.yaml"
    public = [article(f"a{i}", "author: {name: Jane Doe, uri: 'https://example.org/jd'}") for i in range(2)]
    warned = kept == ".warnings.json"  # articles are kept only from a reading without warnings
    text = catalogue_text(*public, *_unpublished("Secret", warned=warned))
    path.write_text(text, encoding="utf-8")
    assert feedpub("build", "-q", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path).returncode == 0
    found = publish.records.cached((tmp_path / "feeds").absolute(), kept)
    assert found is not None
    found.unlink()
    os.mkfifo(found)
    if kept == ".pickle":  # read only after an edit; the warnings, by a run with nothing new
        path.write_text(text.replace("Article a1", "Edited"), encoding="utf-8")
    done = feedpub("build", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path, timeout=20)
    assert done.returncode == 0 and ("https://example.org/Secret" in done.stderr) == warned
    with mock.patch.object(rereading, "read", read_whole):
        run(path, tmp_path / "whole", NOW)
    assert files(tmp_path / "feeds") == files(tmp_path / "whole")


def test_a_home_that_is_no_absolute_path_keeps_nothing_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XDG spec ignores a relative XDG_CACHE_HOME; a relative HOME is as meaningless (the
    cache would move with the working folder, perhaps into a served one): nothing is kept,
    and the builds are full ones."""
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "site")
    monkeypatch.chdir(tmp_path)  # where the builds here would keep it
    path = tmp_path / "articles.yaml"
    text = catalogue_text(article("a1", "tags: [Gaza]"), article("a2"))
    for step in [text, text.replace("Article a2", "Edited")]:
        path.write_text(step, encoding="utf-8")
        assert feedpub("build", "-q", "--now", "2024-03-01T00:00:00Z", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.yaml", "feeds"]
    run(path, tmp_path / "whole", NOW)
    assert files(tmp_path / "feeds") == files(tmp_path / "whole")
