"""The command as users run it: a real subprocess, real files, documented exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, article, catalogue_text, feedpub
from feedpub import reading


def test_check_accepts_the_sample_catalogue() -> None:
    result = feedpub("check", cwd=ROOT)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "articles.yaml: 12 articles, 8 tags, ok\n",
        "",
    )


def test_console_script_and_module_both_run() -> None:
    script = Path(sys.executable).parent / "feedpub"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("feedpub ")


def test_check_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        catalogue_text(article("a1", "titel: x", published="2023-02-30"), article("a1", link="/x")),
        encoding="utf-8",
    )
    result = feedpub("check", "--catalogue", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": error: ")[0] for line in lines] == [
        "bad.yaml:11:16",
        "bad.yaml:12:5",
        "bad.yaml:13:9",
        "bad.yaml:15:11",
    ]
    assert "did you mean 'title'?" in lines[1]
    assert "Traceback" not in result.stderr


def test_warnings_do_not_fail_check(tmp_path: Path) -> None:
    site = catalogue_text().replace("articles:", "  tags:\n    Unused: {title: T}\narticles:")
    (tmp_path / "articles.yaml").write_text(site, encoding="utf-8")
    result = feedpub("check", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("articles.yaml:8:5: warning: no article has the tag 'Unused'")
    assert result.stdout == "articles.yaml: 1 article, 0 tags, ok\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "--catalogue", "missing.yaml"], "cannot read catalogue 'missing.yaml': No such file"),
        (["check", "--catalogue", "."], "cannot read catalogue '.'"),
        (["check", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "required: COMMAND"),
        (["publish"], "invalid choice: 'publish'"),
        (["build", "--now", "tomorrow"], "'tomorrow' is not an ISO 8601 date-time"),
        (["build", "--out=--"], "argument --out: expected a value, not '--'"),
        (["check", "--catalogue=--"], "argument --catalogue: expected a value, not '--'"),
        (["check", "--jobs", "0"], "'0' is not a whole number of 1 or more"),
        (["build", "-j", "two"], "'two' is not a whole number of 1 or more"),
    ],
)
def test_usage_errors_exit_2_and_say_why(tmp_path: Path, args: list[str], words: str) -> None:
    result = feedpub(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_help_documents_the_exit_statuses() -> None:
    for command in ([], ["build"], ["check"]):
        text = feedpub(*command, "--help", cwd=ROOT).stdout
        for status in ("0 ", "1 ", "2 ", "74", "75"):
            assert f"\n  {status}" in text


def test_unreadable_catalogue_is_an_io_failure(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        path = "/proc/self/mem"  # root may read any file; this one fails to read all the same
    else:
        (tmp_path / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
        (tmp_path / "articles.yaml").chmod(0)
        path = "articles.yaml"
    result = feedpub("check", "--catalogue", path, cwd=tmp_path)
    assert result.returncode == 74
    assert f"cannot read catalogue '{path}'" in result.stderr


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=64), st.integers(0, 2000))
def test_mutated_bytes_through_the_cli_exit_0_or_1(tmp_path: Path, junk: bytes, at: int) -> None:
    data = (ROOT / "articles.yaml").read_bytes()
    (tmp_path / "articles.yaml").write_bytes(data[:at] + junk + data[at:])
    result = feedpub("check", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


# -- hostile catalogues: a clear error or a safe result, never a file outside the output folder ---


def test_tags_built_to_escape_stay_inside_the_output_folder(tmp_path: Path) -> None:
    tags = ["../../escape", "/etc/passwd", "con", "NUL", "x" * 300, "a/../../b", "C:\\\\Windows"]
    listing = ", ".join(f'"{t}"' for t in tags)
    (tmp_path / "articles.yaml").write_text(
        catalogue_text(article("a1", f"tags: [{listing}]")), encoding="utf-8"
    )
    result = feedpub("build", "--now", "2024-06-01T12:00:00Z", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.yaml", "feeds"]
    folders = sorted(p.name for p in (tmp_path / "feeds" / "tags").iterdir())
    assert folders == sorted(["escape", "etc-passwd", "con-tag", "nul-tag", "x" * 80, "a-b", "c-windows"])


def test_a_tag_of_dots_only_is_refused(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article("a1", "tags: ['..']")), encoding="utf-8")
    result = feedpub("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "articles.yaml:12:12: error: tag '..' has no letter or digit" in result.stderr


@pytest.mark.parametrize(
    ("ident", "where"),
    [("../x", "8:9"), ("/abs", "8:9"), ('"a\\0b"', "8:9"), ("x" * 300, "8:9"), ('"a b"', "8:9")],
)
def test_ids_built_to_escape_are_refused(tmp_path: Path, ident: str, where: str) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article(ident)), encoding="utf-8")
    result = feedpub("build", cwd=tmp_path)
    assert result.returncode == 1
    assert f"articles.yaml:{where}: error: 'id'" in result.stderr
    assert not (tmp_path / "feeds").exists()


def test_lookalike_tags_that_share_a_folder_are_refused(tmp_path: Path) -> None:
    # Latin "Gaza" and one spelled with a Cyrillic a: different tags, one transliterated folder
    (tmp_path / "articles.yaml").write_text(
        catalogue_text(article("a1", "tags: [Gaza, G\u0430za]")), encoding="utf-8"
    )
    result = feedpub("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "would both be written to feeds/tags/gaza/" in result.stderr


def test_check_formats_problems_for_scripts_and_for_github(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        catalogue_text(article("a1", "titel: x"), article("a2", link="/x")), encoding="utf-8"
    )
    (tmp_path / "good.yaml").write_text(catalogue_text(), encoding="utf-8")
    as_json = feedpub("check", "--format", "json", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert as_json.returncode == 1 and as_json.stderr == ""
    assert json.loads(as_json.stdout) == [
        {
            "file": "bad.yaml",
            "line": 12,
            "column": 5,
            "severity": "error",
            "field": "articles[0].titel",
            "message": "unknown key 'titel' in an article (did you mean 'title'? expected one of: id, title, link, "
            "published, updated, summary, content, tags, author, authors, draft, image, enclosures, guid, atom_id)",
        },
        {
            "file": "bad.yaml",
            "line": 15,
            "column": 11,
            "severity": "error",
            "field": "articles[1].link",
            "message": "'link': '/x' is a relative URL (expected an absolute http(s) URL such as https://example.org/page)",
        },
    ]
    as_github = feedpub("check", "--format", "github", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert as_github.returncode == 1
    assert as_github.stdout.splitlines() == [
        "::error file=bad.yaml,line=12,col=5,title=articles[0].titel::unknown key 'titel' in an article "
        "(did you mean 'title'? expected one of: id, title, link, published, updated, summary, content, tags, "
        "author, authors, draft, image, enclosures, guid, atom_id)",
        "::error file=bad.yaml,line=15,col=11,title=articles[1].link::'link': '/x' is a relative URL "
        "(expected an absolute http(s) URL such as https://example.org/page)",
        "good.yaml: 1 article, 0 tags, ok",
    ]
    assert feedpub("check", "--format", "json", "good.yaml", cwd=tmp_path).stdout == "[]\n"


def test_github_annotations_escape_what_would_break_them() -> None:
    from feedpub.problems import Problem, Severity

    problem = Problem("a,b:c.yaml", 1, 2, Severity.WARNING, "100% sure\nnext line", "site.title")
    assert (
        problem.as_github()
        == "::warning file=a%2Cb%3Ac.yaml,line=1,col=2,title=site.title::100%25 sure%0Anext line"
    )


def test_one_process_or_two_check_and_build_alike(tmp_path: Path) -> None:
    catalogue = tmp_path / "articles.yaml"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "600", str(catalogue)], check=True)
    assert catalogue.stat().st_size > reading.PARALLEL_BYTES  # large enough to be read in two parts
    checked = [feedpub("check", "--jobs", jobs, cwd=tmp_path) for jobs in ("1", "2")]
    assert checked[0].returncode == checked[1].returncode == 0
    assert checked[0].stdout == checked[1].stdout == "articles.yaml: 600 articles, 6 tags, ok\n"
    for jobs in ("1", "2"):
        built = feedpub(
            "build",
            "-q",
            "--jobs",
            jobs,
            "--out",
            f"out{jobs}",
            "--now",
            "2030-01-01T00:00:00Z",
            cwd=tmp_path,
        )
        assert built.returncode == 0, built.stderr
    one, two = (
        sorted(p.relative_to(tmp_path / f"out{j}") for p in (tmp_path / f"out{j}").rglob("*") if p.is_file())
        for j in "12"
    )
    assert one == two and len(one) > 20
    for path in one:
        if path.name != ".feedpub-manifest.json":  # which records the files' times
            assert (tmp_path / "out1" / path).read_bytes() == (tmp_path / "out2" / path).read_bytes()
