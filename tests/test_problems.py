"""How problems print: one line each, whatever text of the user's they quote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import article, catalogue_text, feedpub, parse
from feedpub.problems import Code, Problem, Severity, escaped

# A key that, printed raw, would forge a second problem line and colour the terminal red.
FORGING_KEY = '"x\\nfake.yaml:1:1: error: forged\\e[31mRED"'


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("plain 'text' é 中 \\n", "plain 'text' é 中 \\n"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b[31m\x00\x7f", "\\x1b[31m\\x00\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),  # C1: a next line, and a terminal's command introducer
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\u00a0\u200f", "\u00a0\u200f"),  # printable elsewhere, and no line break
    ],
)
def test_control_characters_are_shown_escaped(text: str, printed: str) -> None:
    assert escaped(text) == printed


def test_a_problem_prints_on_one_line_whatever_its_path_and_message_hold() -> None:
    problem = Problem("new\nline.yaml", 3, 4, Severity.WARNING, "key 'a\x1b[2Jb\u2028c'")
    assert str(problem) == "new\\nline.yaml:3:4: warning: key 'a\\x1b[2Jb\\u2028c'"


def test_check_prints_one_line_for_a_key_that_would_forge_another(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article("a1", f"{FORGING_KEY}: 1")))
    checked = feedpub("check", cwd=tmp_path)
    assert checked.returncode == 1
    assert checked.stderr.startswith(
        "articles.yaml:12:5: error: unknown key 'x\\nfake.yaml:1:1: error: forged\\x1b[31mRED' in an article"
    )
    assert len(checked.stderr.splitlines()) == 1 and "\x1b" not in checked.stderr

    as_json = feedpub("check", "--format", "json", cwd=tmp_path)
    (found,) = json.loads(as_json.stdout)
    assert "'x\nfake.yaml:1:1: error: forged\x1b[31mRED'" in found["message"]  # the true text

    as_github = feedpub("check", "--format", "github", cwd=tmp_path)
    assert len(as_github.stdout.splitlines()) == 1
    assert "'x%0Afake.yaml:1:1: error: forged\x1b[31mRED'" in as_github.stdout


# Every code feedpub has given, with its severity: a promise to scripts that match on codes. A
# code is never renamed, removed or given another meaning; a new one is added here.
CODES = {
    "unreadable": "error",
    "too-large": "error",
    "not-utf-8": "error",
    "invalid-yaml": "error",
    "too-deep": "error",
    "empty-catalogue": "error",
    "recursive-alias": "error",
    "yaml-tag": "error",
    "alias-bomb": "error",
    "wrong-type": "error",
    "unknown-field": "error",
    "duplicate-key": "error",
    "missing-field": "error",
    "empty-value": "error",
    "too-long": "error",
    "too-many": "error",
    "unfit-character": "error",
    "mojibake": "error",
    "markup-in-text": "error",
    "invalid-url": "error",
    "url-not-a-folder": "error",
    "invalid-value": "error",
    "invalid-date": "error",
    "date-out-of-range": "error",
    "skipped-time": "error",
    "repeated-time": "warning",
    "email-in-name": "error",
    "unnameable": "error",
    "invisible-character": "error",
    "invalid-language": "error",
    "deprecated-language": "warning",
    "author-and-authors": "error",
    "updated-before-published": "error",
    "missing-author": "error",
    "duplicate-value": "error",
    "folder-clash": "error",
    "lookalike-tags": "warning",
    "unused-tag": "warning",
    "author-uris-differ": "warning",
    "unknown-reference": "error",
    "podcast-category": "error",
    "podcast-artwork": "error",
    "podcast-owner": "warning",
    "episode-enclosure": "warning",
    "episode-type": "error",
    "episode-extension": "warning",
    "episode-length": "warning",
    "episode-duration": "warning",
    "episode-number": "error",
    "episode-art": "warning",
    "episode-number-clash": "warning",
    "episode-enclosure-clash": "error",
    "budget-too-small": "warning",
    "over-budget": "warning",
}


def test_codes_keep_their_names_and_severities() -> None:
    assert {code.value: code.severity.value for code in Code} == CODES
    assert all(code.meaning and code.value.islower() and " " not in code.value for code in Code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site: [", (Code.INVALID_YAML, "")),
        ("site: !!python/name:os.system x\narticles:\n", (Code.YAML_TAG, "")),
        (catalogue_text(article("a1", "titel: x")), (Code.UNKNOWN_FIELD, "articles[0].titel")),
        (catalogue_text(article("a1", link="/x")), (Code.INVALID_URL, "articles[0].link")),
        (catalogue_text(article("a1", published="2023-02-30")), (Code.INVALID_DATE, "articles[0].published")),
        (catalogue_text(article("a1"), article("a1")), (Code.DUPLICATE_VALUE, "articles[1].id")),
        (
            catalogue_text(article("a1", "tags: [Gardening]"), article("a2", "tags: [Gardenning]")),
            (Code.LOOKALIKE_TAGS, "articles[1].tags[0]"),
        ),
    ],
)
def test_each_problem_carries_the_code_of_its_kind(text: str, expected: tuple[Code, str]) -> None:
    _, problems = parse(text)
    assert [(p.code, p.field) for p in problems] == [expected]
    assert problems[0].severity is expected[0].severity
