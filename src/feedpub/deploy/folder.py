"""The folder a build wrote, as it is at one moment: every file a reader may fetch, by digest.

Left out: hidden files and folders (feedpub's `.feedpub-manifest.json`, `.feedpub.lock` and
temporary files, `.htaccess`) and `_headers`, which configure a static host and mean nothing
to S3; symbolic links, which feedpub never writes; and anything but a regular file (a FIFO, a
socket, a device), which has no bytes to upload and could make a reader wait for ever. The
files are hashed under a shared lock on the build's lock file, so a build that is replacing
them is waited for; they are read again when uploaded, and a file whose bytes no longer have
its digest (a build has run since) stops the deploy before it deletes anything, so it never
leaves half of one build and half of the next. Only the files being uploaded are held in
memory, never the whole folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from feedpub import publish
from feedpub.render.hosting import HEADERS

WAIT = 60.0
"""Seconds to wait for a build that holds the folder."""


_CHUNK = 1 << 20


class Busy(Exception):
    """A build held the folder for longer than WAIT, or has changed it since it was hashed."""


def digests(folder: Path) -> dict[str, str]:
    """Each file's SHA-256 by its path relative to `folder` (with '/'); raises OSError, and
    Busy if a build keeps the folder."""
    with _shared(folder):
        found = {}
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))
            )
            for name in names:
                full = os.path.join(root, name)
                path = Path(full).relative_to(folder).as_posix()
                if name.startswith(".") or path == HEADERS or os.path.islink(full):
                    continue
                fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
                with os.fdopen(fd, "rb") as f:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        continue
                    digest = hashlib.sha256()
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                found[path] = digest.hexdigest()
        return found


def read(folder: Path, path: str, sha256: str) -> bytes:
    """The bytes of the file at `path`, which must still have the digest `sha256`."""
    try:
        data = (folder / path).read_bytes()
    except FileNotFoundError:
        data = b""  # removed by a build since: changed all the same
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Busy(f"{folder / path} changed during the deploy (a build has run): deploy again")
    return data


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
