"""How problems print: one line each, whatever text of the user's they quote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import article, catalogue_text, feedpub
from feedpub.problems import Problem, Severity, shown

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
    assert shown(text) == printed


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
