"""The fuzz target of bench/fuzz.py on a small budget: hostile catalogue bytes and command lines.

Whatever the catalogue's bytes and the arguments, the command exits 0, 1, 2, 74 or 75, prints no
traceback, and changes nothing outside the output folder build used (check, verify and a run
that exits 1 or 2 change nothing at all). `python bench/fuzz.py` runs the same on a larger
budget and shrinks each kind of failure to a minimal example, printed as an `@example` line:
each goes above the test it fails, here, so that every run tries it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from conftest import scaled

ROOT = Path(__file__).resolve().parent.parent


def _load_fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feedpub_bench_fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()


# What bench/fuzz.py found: argparse on Python 3.11 reads '--out=--' as no value at all; dates at
# the end of time overflowed when checked against daylight-saving gaps.
@example(fuzz.Example(fuzz.SAMPLE, ("build", "--out=--")))
@example(fuzz.Example(fuzz.SAMPLE, ("check", "--catalogue=--")))
@example(
    fuzz.Example(
        fuzz.edited(
            fuzz.SAMPLE,
            b"    published: 2023-12-07T10:00:00-05:00\n",
            b"    published: 9999-12-31T23:59:59\n",
        ),
        ("build", "--now", "9999-12-31T23:59:59.999999"),
    )
)
@settings(max_examples=scaled(150), deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzz.strategies())
def test_no_catalogue_or_arguments_break_the_command(example: Any) -> None:
    result = fuzz.check(example)
    assert not result.problems, fuzz.describe(example, result)


@settings(max_examples=scaled(4), deadline=None, suppress_health_check=list(HealthCheck))
@given(fuzz.strategies())
def test_the_real_command_behaves_as_in_process(example: Any) -> None:
    inside, real = fuzz.check(example), fuzz.check(example, real=True)
    assert not real.problems, fuzz.describe(example, real)
    assert not fuzz.agree(example, inside, real), fuzz.describe(example, real)


@settings(max_examples=scaled(100), suppress_health_check=list(HealthCheck))
@given(fuzz.strategies())
def test_a_failure_is_printed_as_an_example_of_itself(found: Any) -> None:
    written = fuzz.as_example(found)
    assert written.startswith("@example(") and written.endswith(")")
    assert eval(written.removeprefix("@example(")[:-1], {"fuzz": fuzz}) == found


@pytest.mark.parametrize(
    ("catalogue", "written"),
    [
        (fuzz.SAMPLE, "fuzz.SAMPLE"),
        (b"site: []\n", "b'site: []\\n'"),
        (
            fuzz.SAMPLE.replace(b"  max_items: 50\n", b"  max_items: -1\n"),
            "fuzz.edited(fuzz.SAMPLE, b'  max_items: 50\\n', b'  max_items: -1\\n')",
        ),
        (
            fuzz.SAMPLE.replace(b"  max_items: 50\n", b""),
            "fuzz.edited(fuzz.SAMPLE, b'  max_items: 50\\n', b'')",
        ),
    ],
)
def test_a_catalogue_is_written_as_the_sample_the_lines_changed_or_its_bytes(
    catalogue: bytes, written: str
) -> None:
    assert (
        fuzz.as_example(fuzz.Example(catalogue, ("check",)))
        == f"@example(fuzz.Example({written}, ('check',)))"
    )


def test_the_sandbox_check_sees_a_file_touched_outside_the_output_folder() -> None:
    before = {"articles.yaml": ("file", b"a"), "feeds": ("dir", b"")}
    after = {**before, "articles.yaml": ("file", b"b"), "feeds/rss.xml": ("file", b"x"), "out": ("dir", b"")}
    assert fuzz.changes(before, after, ["feeds"]) == ["'articles.yaml' changed", "'out' created"]
    assert fuzz.changes(before, after | {"articles.yaml": ("file", b"a")}, ["out/x"]) == [
        "'feeds/rss.xml' created"
    ]
