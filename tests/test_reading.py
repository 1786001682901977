"""Reading a catalogue in two parts at once agrees with reading it whole, on every input."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SITE, article, catalogue_text, feedpub, scaled, shared, watch_second_process
from feedpub import parallel, reading
from feedpub.model import Catalogue
from feedpub.problems import Problem
from strategies import Generated, catalogues

SAMPLE = (ROOT / "articles.yaml").read_text(encoding="utf-8")
PARALLEL_BYTES = reading.PARALLEL_BYTES
"""As the command has it: the tests here read even the smallest catalogue in two parts."""


@pytest.fixture(autouse=True)
def split_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read even the smallest catalogue in two parts."""
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)


def both_ways(text: str, share: float = 0.53) -> tuple[Outcome, Outcome, bool]:
    """What reading with two processes and reading whole in one give, and whether the
    catalogue was taken from two parts, the second read by another process."""
    data = text.encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "FIRST_PART", share)
        sent = watch_second_process(patch)
        cut = reading._cut(data)
        joined = cut is not None and reading._read_parts(data, "articles.yaml", *cut) is not None
        assert not joined or shared(sent), "the second part was read by another process"
        parts = _outcome(*reading.read(data, "articles.yaml", jobs=2))
    whole = _outcome(*reading.read(data, "articles.yaml", jobs=1))
    return parts, whole, joined


Outcome = tuple[Catalogue | None, list[str]]


def _outcome(found: Catalogue | None, problems: list[Problem]) -> Outcome:
    return found, [str(p) for p in problems]


def test_the_sample_is_read_the_same_in_two_parts() -> None:
    parts, whole, joined = both_ways(SAMPLE)
    assert joined
    assert parts == whole and whole[0] is not None and len(whole[0].articles) == 12


def _tagged(ident: str, *tags: str) -> str:
    return article(ident, f"tags: [{', '.join(tags)}]")


def shares(text: str) -> list[float]:
    """Shares that cut before each line that starts a list item, as an article does."""
    size = len(text.encode())
    return [len(text[: m.start()].encode()) / size for m in re.finditer(r"\n *- ", text)]


def last(text: str) -> float:
    """The share that cuts before the last article: the other process reads it alone."""
    return (text.rindex("\n  - id:") - 1) / len(text.encode())


@pytest.mark.parametrize(
    ("text", "expected", "joins"),
    [
        pytest.param(
            catalogue_text(article("a1", "summary: &s one"), article("a2"), article("a3", "summary: &s two")),
            [
                "articles.yaml:21:14: error: invalid YAML: found duplicate anchor; first occurrence, "
                "second occurrence; give each &anchor its own name"
            ],
            False,
            id="an anchor named in both parts",
        ),
        pytest.param(
            catalogue_text(
                article("a1", "summary: Tom &amp; Jerry"), article("a2", "summary: R&D &x, wow! &amp;")
            ),
            [],
            True,
            id="an ampersand within text, which is no anchor",
        ),
        pytest.param(
            catalogue_text(article("a1"), article("a2"), article("a1")),
            ["articles.yaml:16:9: error: duplicate id 'a1' (first used at line 8); ids must be unique"],
            False,
            id="an id in both parts",
        ),
        pytest.param(
            catalogue_text(_tagged("a1", "Gaza"), _tagged("a2", "x"), _tagged("a3", "Gaza", "Ĝaza")),
            [],
            True,
            id="a tag spelt in both parts, folded alike",
        ),
        pytest.param(
            catalogue_text(_tagged("a1", "Gaza"), _tagged("a2", "x"), _tagged("a3", "Gaza!")),
            None,
            False,
            id="tags of both parts that share a folder",
        ),
        pytest.param(
            catalogue_text(
                _tagged("a1", "x"),
                _tagged("a2", "y"),
                _tagged("a3", "gaza"),
                site=SITE.replace("articles:", "  tags:\n    gaza: {title: Gaza}\narticles:"),
            ),
            [],
            True,
            id="a tag defined for the site and used only in the second part",
        ),
        pytest.param(
            catalogue_text(
                article("a1"),
                article("a2"),
                site=SITE.replace("articles:", "  tags:\n    gaza: {title: Gaza}\narticles:"),
            ),
            ["articles.yaml:8:5: warning: no article has the tag 'gaza', so this entry is unused"],
            False,
            id="a tag definition neither part uses",
        ),
        pytest.param(
            catalogue_text(
                article("a1"), article("a2", "updated: 2024-10-27T01:30:00"), article("a3")
            ).replace("  author:", "  timezone: Europe/London\n  author:", 1),
            None,
            False,
            id="a warning in the second part only",
        ),
        pytest.param(
            catalogue_text(article("a1", 'summary: "begins here'), '  - id: a2\n    ends" \n', article("a3")),
            None,
            True,
            id="a quoted scalar over a line that looks like an article",
        ),
        pytest.param(
            catalogue_text(
                article("a1", "content: |", "  <p>one</p>", "  - id: a9", "  <p>two</p>"), article("a2")
            ),
            [],
            True,
            id="a block scalar with a line that looks like an article",
        ),
        pytest.param(
            catalogue_text(article("a1", "tags: [x,"), "  - y]\n", article("a2")),
            None,
            False,
            id="a flow list over a line that looks like an article",
        ),
        pytest.param(
            catalogue_text(
                article("a1", "tags: &t [x]"), article("a2", "tags: *t"), article("a3", "tags: *t")
            ),
            [],
            False,
            id="an anchor used in the other part",
        ),
        pytest.param(
            "articles:\n" + article("a1") + article("a2") + SITE.replace("articles:\n", ""),
            [],
            False,
            id="the site after the articles",
        ),
        pytest.param(
            catalogue_text(article("a1"), article("a2"), "---\nsite: {}\n"),
            None,
            False,
            id="a second document",
        ),
        pytest.param(
            catalogue_text(article("a1"), "...\n", article("a2"), article("a3")),
            None,
            False,
            id="a document end before an article",
        ),
        pytest.param(
            catalogue_text(article("a1"), "...\n# gone\n", article("a2")),
            None,
            False,
            id="a document end and a comment before an article",
        ),
        pytest.param(
            catalogue_text(article("a1"), "...\n%YAML 1.1\n---\n", article("a2")),
            None,
            False,
            id="a directive and a new document before an article",
        ),
        pytest.param(
            catalogue_text(article("a1"), article("a2"), "extra: 1\n"),
            [
                "articles.yaml:16:1: error: unknown key 'extra' in the catalogue (expected one of: site, articles)"
            ],
            False,
            id="a key after the articles",
        ),
        pytest.param(
            catalogue_text(
                article("a1"),
                article("a2", '<<: {"authors":*A}'),
                site=SITE.replace("  author: {", "  authors: &A [{").replace(".org}", ".org}]"),
            ),
            [],
            False,
            id="an alias right after a colon in a flow mapping",
        ),
        pytest.param(
            catalogue_text(article("a1", "summary: 'begins here"), "  - id: a2\n    ends'\n", article("a3")),
            None,
            True,
            id="a single-quoted scalar over a line that looks like an article",
        ),
        pytest.param(
            catalogue_text(article("a1", "author: {name: A,"), "  - id: a9}\n", article("a2")),
            None,
            False,
            id="a flow mapping over a line that looks like an article",
        ),
        pytest.param(
            catalogue_text(article("a1", "content: |+", "  <p>kept</p>", ""), "\n", article("a2")),
            [],
            True,
            id="a block scalar that keeps its trailing lines, ending at the cut",
        ),
        pytest.param(
            catalogue_text(article("a1", "summary: one", "  two"), article("a2")),
            [],
            True,
            id="a plain scalar over two lines, ending at the cut",
        ),
        pytest.param(
            catalogue_text(article("a1"), "# a comment at the margin\n", article("a2")),
            [],
            True,
            id="a comment at the margin between articles",
        ),
        pytest.param(
            catalogue_text(
                article("a1", "summary: !!str tagged"), article("a2", "summary: !!str tagged too")
            ),
            [],
            True,
            id="explicit tags",
        ),
        pytest.param(
            catalogue_text(article("a1", "title: x\ry"), article("a2")),
            None,
            False,
            id="a carriage return alone, which YAML takes for a line break",
        ),
        pytest.param(
            catalogue_text(article("a1", "title: x\u2028..."), article("a2")),
            None,
            False,
            id="a line separator, which YAML 1.1 takes for a line break",
        ),
        pytest.param(
            catalogue_text(article("a1"), "\ufeff...\n", article("a2")),
            None,
            False,
            id="a byte-order mark and a document end",
        ),
        pytest.param(
            catalogue_text(article("a1"), "? - id: a2\n", article("a3")),
            None,
            False,
            id="an explicit key at the margin",
        ),
    ],
)
def test_parts_and_whole_agree(text: str, expected: list[str] | None, joins: bool) -> None:
    joined = []
    for share in shares(text):
        parts, whole, was_joined = both_ways(text, share)
        assert parts == whole
        joined.append(was_joined)
    assert any(joined) == joins
    if expected is not None:
        assert whole[1] == expected


def test_a_tag_spelt_differently_in_the_second_part_takes_the_first_spelling() -> None:
    text = catalogue_text(_tagged("a1", "Gaza"), _tagged("a2", "x"), _tagged("a3", "GAZA", "Lebanon"))
    parts, whole, joined = both_ways(text, last(text))
    assert joined and parts == whole
    found = whole[0]
    assert found is not None
    assert [t.name for t in found.articles[2].tags] == ["Gaza", "Lebanon"]
    assert found.articles[2].tags[0] is found.tags[0]
    assert [t.name for t in found.tags] == ["Gaza", "x", "Lebanon"]


def test_a_tag_given_twice_is_held_once_in_either_part() -> None:
    """The same text twice reads as one object: found once in a list of them, it stayed twice
    when read whole, where a second process's equal copies made the join drop the second."""
    text = catalogue_text(
        _tagged("a1", "Gaza", "Gaza"), _tagged("a2", "x"), _tagged("a3", "Gaza", "Gaza", "gaza")
    )
    for share in shares(text):
        parts, whole, joined = both_ways(text, share)
        assert parts == whole
        found = whole[0]
        assert found is not None
        assert [[t.name for t in a.tags] for a in found.articles] == [["Gaza"], ["x"], ["Gaza"]]
    assert joined  # at the last cut, at least


@settings(max_examples=scaled(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues(), st.floats(0, 1))
def test_generated_catalogues_read_the_same_in_two_parts(generated: Generated, share: float) -> None:
    parts, whole, _ = both_ways(generated.text, share)
    assert parts == whole


HOSTILE_LINES = [
    "...",
    "%YAML 1.1",
    "? x",
    '    <<: {"authors":*A}',
    "    summary: 'a",
    "    content: |+",
    "\ufeff---",
    "  - id: a1",
    "- id: z",
    "  -",
    '    title: "open',
    "    title: 'open",
    "  - |",
    "    content: |",
    "    tags: [x,",
    "    tags: &t [x]",
    "    tags: *t",
    "articles:",
    "---",
    "...",
    "site: {}",
    "    <<: {title: merged}",
    "# - id: comment",
    "\t- id: tab",
    "  - title: no id",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The sample with lines added, removed or repeated and bytes changed to ones YAML reads
    as structure."""
    lines = SAMPLE.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["insert", "delete", "repeat", "byte"]))
        if change == "insert":
            lines.insert(at, draw(st.sampled_from(HOSTILE_LINES)) + "\n")
        elif change == "delete":
            del lines[at]
        elif change == "repeat":
            lines.insert(at, lines[at])
        elif lines[at].strip():
            where = draw(st.integers(0, len(lines[at]) - 1))
            byte = draw(st.sampled_from(list("\"'\n -:#[]{}|>&*!%@,\t")))
            lines[at] = lines[at][:where] + byte + lines[at][where + 1 :]
    return "".join(lines)


def _document_end_before(article_id: str) -> tuple[str, float]:
    """The sample with `...` (YAML's document end) before an article, and the share that
    cuts there: read in parts it was once accepted, though the whole is not YAML."""
    at = SAMPLE.index(f"  - id: {article_id}\n")
    return SAMPLE[:at] + "...\n" + SAMPLE[at:], (at - 1) / len(SAMPLE.encode())


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.floats(0, 1))
@example(*_document_end_before("intifada-until-victory"))
def test_mutated_catalogues_read_the_same_in_two_parts(text: str, share: float) -> None:
    parts, whole, _ = both_ways(text, share)
    assert parts == whole


def test_a_second_process_that_fails_or_is_killed_gives_none() -> None:
    def fails() -> int:
        raise ValueError("no")

    def killed() -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 1

    assert parallel.both(lambda: "here", lambda: 42) == ("here", 42)
    assert parallel.both(lambda: "here", fails) == ("here", None)
    assert parallel.both(lambda: "here", killed) == ("here", None)


def test_an_error_here_still_waits_for_the_other_process(monkeypatch: pytest.MonkeyPatch) -> None:
    forked = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    with pytest.raises(ZeroDivisionError):
        parallel.both(lambda: 1 // 0, lambda: 42)
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # reaped already (servers other tests started may run on)


def test_without_a_temporary_file_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", "/proc/no-such-folder")  # not even root writes there
    assert parallel.both(lambda: "here", lambda: 42) == ("here", None)
    parts, whole, _ = both_ways(SAMPLE)
    assert parts == whole and whole[0] is not None


def test_work_is_shared_by_default_only_with_two_cores_and_never_beside_another_thread() -> None:
    # each in a new interpreter: a thread another test left in this one would count
    threads = (
        "import threading; from feedpub import parallel; "
        "print(parallel.available(2), parallel.available(1)); "
        "release = threading.Event(); other = threading.Thread(target=release.wait); other.start(); "
        "print(parallel.available(2), parallel.available(None)); release.set(); other.join()"
    )
    run = subprocess.run([sys.executable, "-c", threads], capture_output=True, text=True)
    assert run.stdout == "True False\nFalse False\n"  # beside another thread, never
    pinned = (
        "import os; os.sched_setaffinity(0, {0}); from feedpub import parallel; "
        "print(parallel.available(None), parallel.available(2))"
    )
    run = subprocess.run([sys.executable, "-c", pinned], capture_output=True, text=True)
    assert run.stdout == "False True\n"  # on one core only when asked for


def _large(*extra: str, site: str = SITE, articles: int = 9000) -> str:
    """A catalogue over PARALLEL_BYTES as the command reads it, with `extra` lines spliced in
    just before the article near the middle."""
    items = [article(f"a{i}", "summary: " + "words " * 20) for i in range(articles)]
    items.insert(articles // 2, "".join(extra))
    return catalogue_text(*items, site=site)


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        pytest.param(_large("...\n"), 1, "did not find expected", id="a document end where the cut falls"),
        pytest.param(
            _large(
                *(article(f"d{i}", "draft: true", '<<: {"authors":*A}') for i in range(100)),
                site=SITE.replace(
                    "  author: {name: Jane Doe, email: jane@example.org}\n",
                    "  authors: &A\n" + "".join(f"    - {{name: Writer {i}}}\n" for i in range(5000)),
                ),
                articles=4000,
            ),
            1,
            "an 'alias bomb'",
            id="an alias bomb spread over both parts",
        ),
        pytest.param(_large(), 0, "ok", id="an ordinary catalogue"),
    ],
)
def test_the_command_gives_the_same_answer_with_one_process_or_two(
    text: str, status: int, words: str, tmp_path: Path
) -> None:
    (tmp_path / "articles.yaml").write_text(text, encoding="utf-8")
    assert len(text.encode()) > PARALLEL_BYTES
    runs = [feedpub("check", "--jobs", jobs, cwd=tmp_path) for jobs in ("1", "2")]
    assert [run.returncode for run in runs] == [status, status]
    assert runs[0].stderr == runs[1].stderr
    assert words in runs[0].stderr + runs[0].stdout
