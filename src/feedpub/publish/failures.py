"""How publishing fails: each a value the command turns into a message and an exit status."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


class Locked(Exception):
    """Another build holds the output folder."""


class PublishError(Exception):
    """An I/O failure, with the path it concerns and, once known, the state it left the output
    folder in."""

    def __init__(self, path: Path, reason: str, state: str | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.state = state


class ForeignFiles(Exception):
    """Files the build would replace or remove that feedpub did not write, or that changed
    since it wrote them: each path (under the output folder) with what would happen to it."""

    def __init__(self, out: Path, actions: dict[str, str]) -> None:
        super().__init__(f"{out}: {len(actions)} files feedpub did not write")
        self.out = out
        self.actions = actions
        """Path → "replace" or "remove"."""


@contextlib.contextmanager
def failures(path: Path, state: str | None = None) -> Iterator[None]:
    """OSError → PublishError naming `path`, the reason and, if given, the folder's state."""
    try:
        yield
    except PublishError:
        raise
    except OSError as e:
        raise PublishError(path, e.strerror or str(e), state) from e
