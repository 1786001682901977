"""Crash safety: real builds SIGKILLed at random moments never leave a partial or foreign feed,
and the next build that completes leaves exactly its reference output with no temporary file.

A short run of bench/soak.py; `python bench/soak.py` runs the long one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SOAK = Path(__file__).resolve().parent.parent / "bench" / "soak.py"


def load_soak() -> ModuleType:
    """bench/soak.py, a script outside any package, imported from its file."""
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_killed_builds_leave_only_whole_old_or_new_feeds(tmp_path: Path) -> None:
    result = load_soak().run_soak(kills=40, articles=300, seed=7, workdir=tmp_path, mid_writes=1)
    assert result.inconsistencies == 0, result.problems
    assert result.kills >= 40
    assert result.mid_write > 0  # some kills caught a build between its first and last write
    assert result.completed > 0  # delays reach past the end of a build, so kills spread over all of it
    assert result.only_in_a > 0 and result.only_in_b > 0  # B's tag feeds replace A's, and back
