"""Files and folders opened safely: the layer the writer, the build's records, `source`,
`verify` and `deploy` read and write through.

What it promises:

- a file is never opened through a symbolic link (unless the caller asks to follow one,
  as for the catalogue, which a user may well keep behind a link), and a folder below a
  directory handle is opened a component at a time, never through a link, so nothing
  outside the folder is reached;
- a file is opened without waiting (O_NONBLOCK), and what was opened is checked to be a
  regular file before a byte is read: a FIFO, a device, a socket or a folder put in its
  place is `NotAFile`, never a wait or a read without end;
- every handle is closed: on success when the caller's block ends, on failure at once, and
  a folder's handle as soon as the next component is open, so the files open at once stay
  a handful however deep or wide the folder is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from feedpub.publish.failures import PublishError, failures

READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
"""Never through a link, and never waiting on a FIFO."""
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class NotAFile(OSError):
    """What was opened is not a regular file: `kind` says what it is ("a FIFO", "a folder")."""

    def __init__(self, path: str, mode: int) -> None:
        self.kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        super().__init__(errno.EINVAL, f"it is {self.kind}, not a regular file", path)
        self.mode = mode


def open_file(path: str | os.PathLike[str], *, dir_fd: int | None = None, follow: bool = False) -> BinaryIO:
    """The regular file at `path` (relative to `dir_fd` if given), open for reading; the caller
    closes it (`with open_file(...) as f`). A link at `path` is OSError ELOOP unless `follow`;
    anything but a regular file is NotAFile, its handle already closed."""
    fd = os.open(path, READ & ~os.O_NOFOLLOW if follow else READ, dir_fd=dir_fd)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(os.fsdecode(path), mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def opened(
    out: Path, root: int, folder: str, *, made: Callable[[str], None] | None = None
) -> Iterator[int | None]:
    """A descriptor of `folder` (relative; '' for `root`, the output folder `out` open), open
    for the block; None if it, or a folder above it, is missing. With `made`, missing folders
    are made instead, and each one made is named to it. A link on the way is PublishError, and
    so is any other failure; ValueError if a component is not one plain name."""
    fd = _open(out, root, folder, made)
    try:
        yield fd
    finally:
        if fd is not None and fd != root:
            os.close(fd)


def _open(out: Path, root: int, folder: str, made: Callable[[str], None] | None) -> int | None:
    """A new descriptor of `folder` (`root` itself for ''), opened a component at a time, each
    closed once the next is open."""
    parts = folder.split("/") if folder else []
    fd = root
    for depth, name in enumerate(parts, 1):
        here = "/".join(parts[:depth])
        try:
            check_name(name)
            with failures(out / here):
                if made is not None:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o755, dir_fd=fd)
                        made(here)
                try:
                    below = os.open(name, FOLDER, dir_fd=fd)
                except FileNotFoundError:
                    if made is not None:
                        raise
                    return None
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(out / here):
                        raise PublishError(
                            out / here, "is a symbolic link; feedpub does not write through links"
                        ) from None
                    raise
        finally:
            if fd != root:
                os.close(fd)
        fd = below
    return fd


def check_name(name: str) -> None:
    """Raise ValueError unless `name` is one plain path component."""
    if not name or name in (".", "..") or "/" in name or "\0" in name or len(name.encode()) > 255:
        raise ValueError(f"unsafe file name {name!r}")
