"""The catalogue's bytes, read with a limit: all a run with nothing new to publish needs."""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 512 * 1024 * 1024
"""Largest catalogue feedpub reads; larger files are refused before parsing."""


def read(path: Path) -> bytes:
    """The catalogue's bytes, at most MAX_BYTES + 1 of them; OSError is the caller's to report."""
    with path.open("rb") as f:
        return f.read(MAX_BYTES + 1)
