"""The folder a build wrote, read whole at one moment: every file a reader may fetch.

Left out: hidden files and folders (feedpub's `.feedpub-manifest.json`, `.feedpub.lock` and
temporary files, `.htaccess`) and `_headers`, which configure a static host and mean nothing
to S3, and symbolic links, which feedpub never writes. The files are read under a shared
lock on the build's lock file, so a build that is replacing them is waited for and a deploy
never uploads half of one build and half of the next.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from feedpub import publish
from feedpub.render.hosting import HEADERS

WAIT = 60.0
"""Seconds to wait for a build that holds the folder."""


class Busy(Exception):
    """A build held the folder for longer than WAIT."""


def read(folder: Path) -> dict[str, bytes]:
    """Each file's bytes by its path relative to `folder` (with '/'); raises OSError, and
    Busy if a build keeps the folder."""
    with _shared(folder):
        contents = {}
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))
            )
            for name in names:
                full = os.path.join(root, name)
                path = Path(full).relative_to(folder).as_posix()
                if name.startswith(".") or path == HEADERS or os.path.islink(full):
                    continue
                with open(full, "rb") as f:
                    contents[path] = f.read()
        return contents


@contextlib.contextmanager
def _shared(folder: Path) -> Iterator[None]:
    try:
        fd = os.open(folder / publish.LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        yield  # no build has run here: nothing to wait for
        return
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(f"a build has been writing {folder} for over {WAIT:.0f} s") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)
