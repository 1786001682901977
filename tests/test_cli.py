"""The command as users run it: a real subprocess, real files, documented exit statuses."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, article, called, catalogue_text, feedpub, free_port, scaled, serve
from feedpub import publish, reading, source
from feedpub.catalogue import fields


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
        (["check", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "required: COMMAND"),
        (["publish"], "invalid choice: 'publish'"),
        (["build", "--now", "tomorrow"], "'tomorrow' is not an ISO 8601 date-time"),
        (["build", "--out=--"], "argument --out: expected a value, not '--'"),
        (["check", "--catalogue=--"], "argument --catalogue: expected a value, not '--'"),
        (["check", "--jobs", "0"], "'0' is not a whole number of 1 or more"),
        (["build", "-j", "two"], "'two' is not a whole number of 1 or more"),
        # an empty path, as an unset variable in a cron line gives: never taken as '.'
        (["build", "--out", ""], "argument --out: an empty path names no file or folder"),
        (["build", "--out="], "argument --out: an empty path"),
        (["build", "--catalogue", ""], "argument --catalogue: an empty path"),
        (["check", "--catalogue", ""], "argument --catalogue: an empty path"),
        (["check", ""], "argument FILE: an empty path"),
        (["check", "articles.yaml", ""], "argument FILE: an empty path"),
        (["init", "--catalogue", ""], "argument --catalogue: an empty path"),
        (["serve", "--out", ""], "argument --out: an empty path"),
        (["serve", "--catalogue", ""], "argument --catalogue: an empty path"),
        (["verify", ""], "argument DIR|URL: an empty path"),
        (["serve", "--port", "-1"], "argument --port: '-1' is not a port number (0 to 65535)"),
        (["serve", "--port", "70000"], "argument --port: '70000' is not a port number (0 to 65535)"),
        (["serve", "--port", "\u0663"], "is not a port number"),  # a digit, but not an ASCII one
        (
            ["serve", "--timeout", "0"],
            "argument --timeout: '0' is not a number of seconds (more than 0, at most 3600)",
        ),
        (["serve", "--timeout", "nan"], "is not a number of seconds"),
        (["serve", "--timeout", "3601"], "is not a number of seconds"),
        (["build", "--jobs", "\u0662"], "is not a whole number of 1 or more"),
    ],
)
def test_usage_errors_exit_2_and_say_why(tmp_path: Path, args: list[str], words: str) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
    result = feedpub(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["articles.yaml"]  # nothing written anywhere


@pytest.mark.parametrize(
    ("command", "statuses"),
    [
        ("", set()),  # each command's own: the top level gives a first session instead
        ("build", {0, 1, 2, 73, 74, 75, 130}),
        ("check", {0, 1, 2, 74, 130}),
        ("init", {0, 2, 74, 130}),
        ("import", {0, 1, 2, 74, 130}),
        ("serve", {2, 74, 130}),
        ("deploy", {0, 2, 73, 74, 75, 130}),
        ("verify", {0, 1, 2, 74, 130}),
        ("schema", {0, 74, 130}),
    ],
)
def test_help_documents_each_commands_own_exit_statuses_in_80_columns(
    command: str, statuses: set[int]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feedpub", *([command] if command else []), "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    listed = result.stdout.partition("\nexit status")[2]
    assert {int(status) for status in re.findall(r"^  (\d+) ", listed, re.MULTILINE)} == statuses
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    # an example to copy, which the command takes
    examples = result.stdout.partition(
        "\na first session, in a new folder:\n" if not command else "\nexample:\n"
    )[2]
    lines = [line.strip() for line in examples.split("\n\n")[0].splitlines()]
    assert lines and all(line.startswith(f"feedpub {command}") for line in lines), result.stdout
    for line in lines:
        args = shlex.split(line.partition(" >")[0])[1:]
        parsed = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from feedpub import cli; cli._parser().parse_args(sys.argv[1:])",
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert parsed.returncode == 0, (line, parsed.stderr)


def test_help_lists_the_commands_in_the_order_a_site_uses_them() -> None:
    text = feedpub("--help", cwd=ROOT).stdout
    listed = re.findall(r"^    (\w+)  ", text, re.MULTILINE)
    assert listed == ["init", "check", "serve", "build", "verify", "deploy", "import", "schema"]


def test_every_option_the_docs_show_is_one_the_command_takes() -> None:
    shown: dict[str, set[str]] = {}
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        for command, rest in re.findall(
            r"feedpub (init|check|serve|build|verify|deploy|import|schema)\b([^`\n]*)", page.read_text()
        ):
            shown.setdefault(command, set()).update(re.findall(r"(?<![\w-])(--[a-z][-a-z]*)", rest))
    assert set(shown) == {"init", "check", "serve", "build", "verify", "deploy", "import", "schema"}
    for command, options in shown.items():
        text = feedpub(command, "--help", cwd=ROOT).stdout
        taken = set(re.findall(r"(?<![\w-])(--?[a-z][-a-z]*)", text))
        assert options <= taken, f"{command}: {options - taken}"


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


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("fifo", "it is a FIFO, not a regular file"),
        ("/dev/zero", "it is a character device, not a regular file"),
        ("loop", "Too many levels of symbolic links"),
        ("folder", "Is a directory"),
    ],
)
def test_a_catalogue_that_is_no_regular_file_is_an_io_failure(
    tmp_path: Path, command: str, kind: str, reason: str
) -> None:
    if kind == "fifo":
        os.mkfifo(tmp_path / "articles.yaml")
    elif kind == "loop":
        (tmp_path / "articles.yaml").symlink_to("articles.yaml")
    elif kind == "folder":
        (tmp_path / "articles.yaml").mkdir()
    else:
        (tmp_path / "articles.yaml").symlink_to(kind)
    result = feedpub(command, cwd=tmp_path)  # within the helper's time limit: never waits or reads for ever
    assert result.returncode == 74
    assert result.stderr == f"feedpub: cannot read catalogue 'articles.yaml': {reason}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.yaml"]  # no output folder either


@pytest.mark.parametrize("form", ["text", "json", "github"])
def test_check_reads_every_file_it_is_given_whatever_the_others_hold(tmp_path: Path, form: str) -> None:
    (tmp_path / "good.yaml").write_text(catalogue_text(), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(catalogue_text(article(link="nope")), encoding="utf-8")
    result = feedpub("check", "--format", form, "good.yaml", "missing.yaml", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 2  # a file that is not there is a usage error, before an invalid one
    assert "feedpub: cannot read catalogue 'missing.yaml': No such file or directory\n" in result.stderr
    if form == "json":  # the file that cannot be read is in the list, for scripts
        problems = json.loads(result.stdout)
        assert [(p["file"], p["code"]) for p in problems] == [
            ("missing.yaml", "unreadable"),
            ("bad.yaml", "invalid-url"),
        ]
    elif form == "github":  # and annotated, so that a failing run marks it
        assert (
            "\n::error file=missing.yaml,line=1,col=1,title=feedpub (unreadable)::cannot read catalogue"
            in result.stdout
        )
    else:
        assert result.stdout == "good.yaml: 1 article, 0 tags, ok\n"
        assert "bad.yaml:" in result.stderr


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_catalogue_too_large_is_refused_without_being_read(tmp_path: Path, command: str) -> None:
    catalogue = tmp_path / "articles.yaml"
    with open(catalogue, "wb") as f:
        f.truncate(source.MAX_BYTES + 1)  # sparse: takes no room on disk, but reading it would
    result = feedpub(command, cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr
        == "articles.yaml:1:1: error: catalogue is larger than 512 MiB, the most feedpub reads\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["articles.yaml"]
    if shutil.which("strace"):  # and not a byte of it was read
        log = tmp_path.parent / f"trace-{command}"
        subprocess.run(
            [
                "strace",
                "-f",
                "-qq",
                "-e",
                "trace=openat,read,close",
                "-o",
                str(log),
                sys.executable,
                "-m",
                "feedpub",
                command,
            ],
            cwd=tmp_path,
            capture_output=True,
            check=False,
        )
        lines = log.read_text().splitlines()
        (opened,) = [line for line in lines if '"articles.yaml"' in line and "openat(" in line]
        fd = opened.rsplit("=", 1)[1].strip()
        after = lines[lines.index(opened) + 1 :]
        closed = next(i for i, line in enumerate(after) if f"close({fd})" in line)
        assert not [line for line in after[:closed] if f"read({fd}," in line]
        assert "O_NONBLOCK" in opened


def test_output_that_cannot_be_printed_is_an_io_failure_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article(link="/x")), encoding="utf-8")
    reader, writer = os.pipe()
    os.close(reader)  # every write to the pipe fails: EPIPE
    try:
        command = [sys.executable, "-m", "feedpub", "check", "--format", "json"]
        piped = subprocess.run(
            command, cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE, text=True, check=False
        )
    finally:
        os.close(writer)
    assert (piped.returncode, piped.stderr) == (74, "feedpub: cannot write to standard output: Broken pipe\n")
    (tmp_path / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-m", "feedpub", "build", "--now", "2024-06-01T12:00:00Z"]
        filled = subprocess.run(
            command, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert filled.returncode == 74
    assert filled.stderr == "feedpub: cannot write to standard output: No space left on device\n"
    assert (tmp_path / "feeds" / "atom.xml").is_file()  # the build itself was done
    for command, expected in (("schema", 74), ("--version", 74), ("build -q", 0)):
        # a closed standard output fails as its descriptor would, once something is written
        closed = subprocess.run(
            ["sh", "-c", f"exec '{sys.executable}' -m feedpub {command} >&-"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert closed.returncode == expected, command
        assert closed.stderr == (
            "feedpub: cannot write to standard output: Bad file descriptor\n" if expected else ""
        )


def test_serve_refuses_a_catalogue_in_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = feedpub("serve", "--port", "0", "--catalogue", "nowhere/articles.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "cannot watch catalogue 'nowhere/articles.yaml'" in result.stderr and "Traceback" not in result.stderr
    )


@settings(
    max_examples=scaled(15),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
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


ARTICLE_FIELDS = ", ".join(fields.ARTICLE.names)


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
            "code": "unknown-field",
            "message": f"unknown key 'titel' in an article (did you mean 'title'? expected one of: {ARTICLE_FIELDS})",
        },
        {
            "file": "bad.yaml",
            "line": 15,
            "column": 11,
            "severity": "error",
            "field": "articles[1].link",
            "code": "invalid-url",
            "message": "'link': '/x' is a relative URL (expected an absolute http(s) URL such as https://example.org/page)",
        },
    ]
    as_github = feedpub("check", "--format", "github", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert as_github.returncode == 1
    assert as_github.stdout.splitlines() == [
        "::error file=bad.yaml,line=12,col=5,title=articles[0].titel (unknown-field)::unknown key 'titel' in an article "
        f"(did you mean 'title'? expected one of: {ARTICLE_FIELDS})",
        "::error file=bad.yaml,line=15,col=11,title=articles[1].link (invalid-url)::'link': '/x' is a relative URL "
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
    assert checked[0].stdout == checked[1].stdout == "articles.yaml: 600 articles (9 drafts), 6 tags, ok\n"
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
    # the record holds the files' times; the state names the digest of the articles kept,
    # whose pickle shows which values one reading shared, but the feeds' keys are the same
    own = {publish.RECORD, publish.records.STATE}
    for path in one:
        if path.name not in own:
            assert (tmp_path / "out1" / path).read_bytes() == (tmp_path / "out2" / path).read_bytes()
    states = [json.loads((tmp_path / f"out{j}" / publish.records.STATE).read_bytes()) for j in "12"]
    assert states[0]["feeds"] == states[1]["feeds"]


@pytest.mark.parametrize(
    ("stop", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 128 + signal.SIGHUP)],
)
def test_serve_as_readme_shows_it_builds_serves_and_stops_on_ctrl_c(
    tmp_path: Path, stop: signal.Signals, status: int
) -> None:
    """Ctrl-C, a service manager's SIGTERM and a closed terminal's SIGHUP all stop it cleanly."""
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    port = free_port()
    process = serve(tmp_path, "--port", str(port))
    assert process.stdout is not None
    try:
        printed = [process.stdout.readline()]
        while printed[-1] and not printed[-1].startswith("serving "):
            printed.append(process.stdout.readline())
        assert re.match(r"12 articles → (\d+) files: \1 written", printed[0]), printed
        assert printed[-1].startswith("serving "), printed
        folder = Path(printed[-1].split()[1])  # a temporary folder, without --out
        assert f"at http://127.0.0.1:{port}/ " in printed[-1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/atom.xml", timeout=10) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
            assert b"<feed" in answer.read()
    finally:
        process.send_signal(stop)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == status, errors  # as for any command stopped so
    assert "Traceback" not in errors
    assert not folder.exists()  # removed on exit
    assert [p.name for p in tmp_path.iterdir()] == ["articles.yaml"]


def test_serve_builds_as_build_does_and_keeps_serving_after_a_refusal(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "index.html").write_text("MY HOMEPAGE")
    port = free_port()
    process = serve(tmp_path, "--port", str(port), "--out", "w")
    assert process.stdout is not None
    try:
        serving = process.stdout.readline()
        assert serving.startswith("serving w at "), serving
        assert process.poll() is None  # still serving
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert (
        "w holds files that feedpub did not write" in errors and "w/index.html (would be replaced)" in errors
    )
    assert (tmp_path / "w" / "index.html").read_text() == "MY HOMEPAGE"
    # the advice it gave can be followed with serve itself
    process = serve(tmp_path, "--port", str(port), "--out", "w", "--overwrite")
    assert process.stdout is not None
    try:
        assert " written, " in process.stdout.readline()  # the first build's summary
        assert process.stdout.readline().startswith("serving w at ")
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert errors == ""
    assert (tmp_path / "w" / "index.html").read_text() != "MY HOMEPAGE"
    assert (tmp_path / "w" / "atom.xml").is_file()


def test_now_without_an_offset_is_read_in_the_site_time_zone_as_the_catalogue_dates_are(
    tmp_path: Path,
) -> None:
    """A local time the clocks skip is a usage error, before and after a build whose record
    would let a run skip reading the catalogue; one they show twice is the first."""
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())  # America/New_York
    skipped = feedpub("build", "--now", "2024-03-10T02:30:00", cwd=tmp_path)
    assert skipped.returncode == 2
    assert skipped.stderr == (
        "feedpub: --now 2024-03-10T02:30:00 does not exist in America/New_York, the site's time zone "
        "(the clocks skip it); give it a UTC offset, such as 2024-03-10T02:30:00Z\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["articles.yaml"]
    twice = feedpub("build", "-q", "--now", "2024-11-03T01:30:00", cwd=tmp_path)
    assert twice.returncode == 0, twice.stderr
    first = feedpub("build", "--now", "2024-11-03T05:30:00Z", cwd=tmp_path)  # 01:30 EDT, the first
    assert ": 0 written, " in first.stdout and " unchanged, 0 removed" in first.stdout, first.stdout
    assert feedpub("build", "--now", "2024-03-10T02:30:00", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:00:00", "9999-06-01T00:00:00Z", "0001-01-01T00:00:00", "1989-12-31T23:59:59Z"]
)
def test_now_outside_the_years_a_catalogue_may_have_is_a_usage_error(tmp_path: Path, now: str) -> None:
    """Before and after a build whose record would let a run skip reading the catalogue; near
    year 9999 or year 1 without an offset, the site's time zone (America/New_York) would carry
    it past what dates can hold."""
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    for _ in range(2):
        result = feedpub("build", "--now", now, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr == (
            f"feedpub: --now {now.replace('Z', '+00:00')} is not between 1990 and 9998, the years a "
            "catalogue's dates may have\n"
        )
        assert feedpub("build", "-q", cwd=tmp_path).returncode == 0


def test_a_failure_naming_the_users_text_prints_on_one_line(tmp_path: Path) -> None:
    """A path with a line break or an escape sequence cannot forge a second message or
    reach the terminal as a control."""
    result = feedpub("check", "--catalogue", "a\nfeedpub: forged\x1b[31m.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "feedpub: cannot read catalogue 'a\\nfeedpub: forged\\x1b[31m.yaml': No such file or directory\n"
    )


def test_a_message_of_several_lines_escapes_the_names_it_quotes(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
    out = tmp_path / "w\nfeedpub: forged"
    out.mkdir()
    (out / "index.html").write_text("MINE", encoding="utf-8")
    result = feedpub("build", "--out", out.name, cwd=tmp_path)
    assert result.returncode == 73
    lines = result.stderr.splitlines()
    assert lines[0].startswith("feedpub: w\\nfeedpub: forged holds files that feedpub did not write")
    assert lines[1] == "  w\\nfeedpub: forged/index.html (would be replaced)"
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("args", "built"),
    [
        (["build", "--now", "2024-06-01T12:00:00Z"], False),  # written
        (["build", "--now", "2024-06-01T12:00:00Z"], True),  # unchanged
        (["check", "--format", "json"], False),
        (["build", "--out="], False),  # a usage error, printed by argparse
        (["verify", "feeds"], True),
        (["check", "--catalogue", "a\nforged\x1b[31m.yaml"], False),  # escaped on the way out
    ],
    ids=["build", "rebuild", "check json", "usage", "verify", "escaped"],
)
def test_the_cli_called_in_process_answers_as_the_command_does(
    tmp_path: Path, args: list[str], built: bool
) -> None:
    """What the tests that call the CLI in their own process stand on: the same exit status
    and output as the command's, and the test's working folder and signal handlers left as
    they were."""
    ran, here = tmp_path / "ran", tmp_path / "here"
    for folder in (ran, here):
        folder.mkdir()
        shutil.copy(ROOT / "articles.yaml", folder)
        if built:
            assert feedpub("build", "-q", "--now", "2024-06-01T12:00:00Z", cwd=folder).returncode == 0
    before = Path.cwd(), signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    command, call = feedpub(*args, cwd=ran), called(*args, cwd=here)
    assert (Path.cwd(), signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
    timed = re.compile(r" in \d+\.\d\d s$", re.MULTILINE)
    assert (call.returncode, timed.sub("", call.stdout), call.stderr) == (
        command.returncode,
        timed.sub("", command.stdout),
        command.stderr,
    )
