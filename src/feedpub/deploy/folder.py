"""The folder a build wrote, as its manifest proves it: the files a reader may fetch, by digest.

Only the files the build's manifest (`.feedpub-manifest.json`) lists are deployed, each only
while it holds the bytes the manifest records; nothing else in the folder ever is, so a deploy
of the wrong folder (a web root, the catalogue's) uploads nothing and deletes nothing. A folder
without a manifest is no build's output; one whose build stopped part-way, or whose listed
files have been changed, removed or replaced by a link since, is refused whole.

Left out of what the manifest lists: hidden files (`.htaccess`) and `_headers`, which
configure a static host and mean nothing to S3. The files are hashed under a shared lock on the
build's lock file, so a build that is replacing them is waited for; they are read again when
uploaded, and a file whose bytes no longer have its digest (a build has run since) stops the
deploy before it deletes anything, so it never leaves half of one build and half of the next.
Only the files being uploaded are held in memory, never the whole folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from feedpub import publish
from feedpub.deploy.destination import Usage, key_problem
from feedpub.layout import HEADERS
from feedpub.publish.folder import READ, NotAFile, open_file

WAIT = 60.0
"""Seconds to wait for a build that holds the folder."""
SHOWN = 5
"""Files named in a refusal; the rest are counted."""

_CHUNK = 1 << 20


class Busy(Exception):
    """A build held the folder for longer than WAIT, or has changed it since it was hashed."""


class Unproven(Exception):
    """The folder is not as a complete build left it: nothing is deployed."""


def built(folder: Path) -> dict[str, str]:
    """The SHA-256 of each file the manifest of `folder` lists (but hidden files and `_headers`),
    by its path with '/', every one checked to hold those bytes. Raises Usage if `folder` has no
    manifest, Unproven if it does not prove the files, Busy if a build keeps the folder, and
    OSError."""
    with _shared(folder):
        raw = _manifest(folder)
        if raw is None:
            raise Usage(
                f"'{folder}' is not the output of feedpub build (it has no {publish.MANIFEST}), so "
                "nothing in it is deployed: give --out the folder build wrote"
            )
        manifest = publish.Manifest.from_bytes(raw)
        if manifest.pending:
            raise Unproven(
                f"the last build into {folder} stopped part-way, so its files are not proven to be "
                "what it wrote; nothing was deployed: build again"
            )
        if not manifest.files:
            raise Unproven(
                f"{folder / publish.MANIFEST} lists no files with their digests (it cannot be read); "
                "nothing was deployed: build again"
            )
        for path in _names(raw):  # as written: reading the manifest drops a name it cannot take
            problem = key_problem(path) or (None if path in manifest.files else "a part over 255 bytes")
            if problem:
                raise Unproven(
                    f"{folder / publish.MANIFEST} lists {path!r}, which has {problem}: no build writes "
                    "such a name, and no key may have it; nothing was deployed"
                )
        proven, unproven = {}, []
        for path, digest in sorted(manifest.files.items()):
            if path == HEADERS or any(part.startswith(".") for part in path.split("/")):
                continue
            if _digest(folder, path) == digest:
                proven[path] = digest
            else:
                unproven.append(path)
        if unproven:
            more = len(unproven) - SHOWN
            names = ", ".join(unproven[:SHOWN]) + (f" and {more} more" if more > 0 else "")
            raise Unproven(
                f"{len(unproven)} of the files the last build into {folder} wrote are not as it wrote "
                f"them (changed, removed or replaced by a link since): {names}; nothing was deployed: "
                "build again"
            )
        return proven


def _names(raw: bytes) -> list[str]:
    """The paths a manifest that `publish.Manifest` could read names under "files"."""
    return [str(path) for path in json.loads(raw)["files"]]


def _manifest(folder: Path) -> bytes | None:
    """The bytes of the folder's manifest, None if it has none; never read through a link."""
    full = folder / publish.MANIFEST
    try:
        f = open_file(full)
    except FileNotFoundError:
        return None
    except NotAFile:
        raise Unproven(f"{full} is not a regular file; nothing was deployed") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Unproven(f"{full} is a symbolic link, not what a build writes; nothing deployed") from None
        raise
    with f:
        return f.read()


def _digest(folder: Path, path: str) -> str | None:
    """The SHA-256 of the regular file at `path` under `folder`; None if there is none there, or
    a link on the way to it."""
    full = os.path.join(folder, path)
    if os.path.realpath(full) != os.path.join(os.path.realpath(folder), path):
        return None
    try:
        f = open_file(full)
    except NotAFile:
        return None
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            return None
        raise
    with f:
        digest = hashlib.sha256()
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
        fd = os.open(folder / publish.LOCK, READ)
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
