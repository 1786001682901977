"""The documentation: reference pages made from the code and kept current, examples that
`check` accepts, and what the pages show that a user types."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

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
