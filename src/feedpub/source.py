"""The catalogue's bytes, read with a limit: all a run with nothing new to publish needs."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_BYTES = 512 * 1024 * 1024
"""Largest catalogue feedpub reads; larger files are refused before parsing."""

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class NotAFile(OSError):
    """The catalogue's path names something other than a regular file, such as a FIFO or a
    device, which could make a reader wait for ever or read without end."""

    def __init__(self, path: Path, mode: int) -> None:
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        super().__init__(errno.EINVAL, f"it is {kind}, not a regular file", str(path))


def read(path: Path) -> bytes:
    """The catalogue's bytes, at most MAX_BYTES + 1 of them. A folder is IsADirectoryError and
    anything else that is not a regular file NotAFile, both found before reading; OSError is
    the caller's to report."""
    _check(path, os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        _check(path, os.fstat(fd).st_mode)  # the same file still, and no FIFO put in its place
        return f.read(MAX_BYTES + 1)


def _check(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotAFile(path, mode)
