"""The catalogue's bytes, read with a limit: all a run with nothing new to publish needs."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from feedpub.publish.folder import NotAFile, open_file

MAX_BYTES = 512 * 1024 * 1024
"""Largest catalogue feedpub reads; larger files are refused before parsing."""


class TooLarge(Exception):
    """The catalogue is larger than MAX_BYTES; nothing of it was read."""

    def __init__(self, size: int) -> None:
        super().__init__(f"catalogue is larger than {MAX_BYTES >> 20} MiB, the most feedpub reads")
        self.size = size


def read(path: Path) -> bytes:
    """The catalogue's bytes, at most MAX_BYTES + 1 of them (a file that grows while it is read
    is cut there, for `load` to refuse). Found before reading: a file larger than MAX_BYTES is
    TooLarge, a folder IsADirectoryError, anything else but a regular file NotAFile; OSError is
    the caller's to report."""
    _check(path, os.stat(path).st_mode)
    with open_file(path, follow=True) as f:  # the same file still, and no FIFO put in its place
        opened = os.fstat(f.fileno())
        if opened.st_size > MAX_BYTES:
            raise TooLarge(opened.st_size)
        return f.read(MAX_BYTES + 1)


def _check(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotAFile(str(path), mode)
