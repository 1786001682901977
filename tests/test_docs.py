"""The documentation: reference pages made from the code and kept current, examples that
`check` accepts, and what the pages show that a user types."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

import feedparser
import pytest

from conftest import ROOT, SITE, parse
from feedpub.catalogue import fields
from feedpub.problems import Severity

BASE = SITE.replace("articles:\n", "{site}articles:\n") + (
    "  -\n    id: a1\n    title: Article\n    link: https://example.org/a1\n    published: 2024-01-02\n"
    "    tags: [Gaza, Statements]\n{article}"
)
"""conftest's site, then one article; {site} and {article} take more fields."""

SHOW = "  podcast:\n    image: https://example.org/show.jpg\n    categories: [Technology]\n"
# Where each table's fields go in a catalogue, and what else they need there.
PLACES = {
    "site": ("  {f}: {e}\n", ""),
    "article": ("", "    {f}: {e}\n"),
    "author": ("", "    author:\n      name: Jane Doe\n      {f}: {e}\n"),
    "image": ("", "    image:\n      url: https://example.org/i.png\n      {f}: {e}\n"),
    "enclosure": (
        "",
        "    enclosures:\n      -\n        url: https://media.example.org/a.mp3\n        length: 1\n        type: audio/mpeg\n        {f}: {e}\n",
    ),
    "tag": ("  tags:\n    Gaza:\n      {f}: {e}\n", ""),
    "selection": ("  feeds:\n    analysis:\n      title: Analysis\n      {f}: {e}\n", ""),
    "include": ("  feeds:\n    analysis:\n      title: Analysis\n      include:\n        {f}: {e}\n", ""),
    "exclude": ("  feeds:\n    analysis:\n      title: Analysis\n      exclude:\n        {f}: {e}\n", ""),
    "podcast": (SHOW + "    {f}: {e}\n", ""),
    "owner": (
        SHOW + "    owner:\n      name: The Editors\n      email: editors@example.org\n      {f}: {e}\n",
        "",
    ),
    "funding": (
        SHOW
        + "    funding:\n      -\n        url: https://example.org/support\n        title: Support\n        {f}: {e}\n",
        "",
    ),
    "transcript": (
        "",
        "    transcript:\n      url: https://example.org/1.vtt\n      type: text/vtt\n      {f}: {e}\n",
    ),
}
FIELDS = [(table, f) for table, records in fields.RECORDS.items() for f in records.fields]


def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen", ROOT / "docs" / "gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_catalogue_with_every_field_passes_check() -> None:
    found, problems = parse(gen().example())
    assert found is not None and [str(p) for p in problems] == []
    assert len(found.articles) == 1 and found.site.max_bytes == 524288


def test_the_generated_reference_pages_are_what_the_code_makes_now() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.parametrize(("table", "field"), FIELDS, ids=[f"{t}.{f.name}" for t, f in FIELDS])
def test_every_field_has_an_example_that_check_accepts_and_says_what_holds_without_it(
    table: str,
    field: fields.Field,  # type: ignore[type-arg]
) -> None:
    assert field.example
    assert field.required or field.default is not None or field.unset
    added = {"site": "  ", "article": "    "}.get(table)  # a field the base gives already goes
    base = "".join(
        line
        for line in BASE.splitlines(keepends=True)
        if not (added and line.startswith(f"{added}{field.name}:"))
        and not (table == "site" and field.name.startswith("author") and line.startswith("  author:"))
    )
    site, article = (
        "".join(
            line
            for line in part.splitlines(keepends=True)
            if "{f}" in line or not line.lstrip(" -").startswith(f"{field.name}:")
        ).format(f=field.name, e=field.example)
        for part in PLACES[table]
    )
    found, problems = parse(base.replace("{site}", site).replace("{article}", article))
    assert [str(p) for p in problems if p.severity is Severity.ERROR] == []
    assert found is not None


def quick_start(readme: str) -> list[str]:
    """The shell blocks of README's Quick start, each a list of lines."""
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```sh\n")[1:]]


def test_readme_puts_install_and_quick_start_in_its_first_60_lines_and_stays_short() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = readme.splitlines()[:60]
    assert "## Install" in headings and "## Quick start" in headings
    assert len(readme.encode()) <= 16_000
    assert "pip install feedpub" not in readme and "feedpub[" not in readme
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):  # the picture and the pages it links to
        assert (ROOT / target).is_file(), target


def test_the_readme_quick_start_runs_as_written_in_a_new_folder(tmp_path: Path) -> None:
    """Each command as README shows it, in order, in one shell that starts in an empty folder;
    `feedpub serve` is started, asked for the index page and stopped with Ctrl-C, as a person
    would, on a free port rather than 8000."""
    blocks = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert commands[:2] == ["mkdir my-site && cd my-site", "feedpub init"] and "feedpub serve" in commands
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    here = tmp_path
    shown = []
    for command in commands:
        if command == "feedpub serve":
            serving = subprocess.Popen(
                [*command.split(), "--port", "0"], cwd=here, env=env, stdout=subprocess.PIPE, text=True
            )
            assert serving.stdout is not None
            lines = iter(serving.stdout.readline, "")  # the build's summary, then where it serves
            address = next(
                found.group(1) for line in lines if (found := re.search(r"at (http://\S+/) ", line))
            )
            with urllib.request.urlopen(address + "index.html", timeout=10) as page:
                assert b"My Publication" in page.read()
            serving.send_signal(signal.SIGINT)
            assert serving.wait(timeout=30) == 130
            continue
        # each command in the folder the one before left, as one shell would run them
        ran = subprocess.run(
            ["bash", "-euc", f'{command}\npwd > "$0"', str(tmp_path / "cwd")],
            cwd=here,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 0, (command, ran.stderr)
        shown.append(ran.stdout)
        here = Path((tmp_path / "cwd").read_text().strip())
    assert "articles.yaml: 2 articles (1 draft), 1 tag, ok\n" in shown
    atom = feedparser.parse((here / "feeds" / "atom.xml").read_bytes())
    assert [entry.title for entry in atom.entries] == ["The first article"]
