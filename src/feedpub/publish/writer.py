"""Writing {path: bytes} into the output folder: unchanged files untouched, atomic replacement,
one build at a time, and removal of stale files only if feedpub wrote them.

Every path is opened relative to a directory descriptor with O_NOFOLLOW, so nothing is
written through a symbolic link inside the output folder, and a name is checked to be one
plain component before it is used, so nothing lands outside it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from feedpub.publish import records
from feedpub.publish.records import MANIFEST, TEMP_PREFIX, Build

LOCK = ".feedpub.lock"

_WRITERS = 8
"""Files written and flushed at once."""
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Locked(Exception):
    """Another build holds the output folder."""


class PublishError(Exception):
    """An I/O failure, with the path it concerns."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def publish(out: Path, files: dict[str, bytes], build: Build) -> Outcome:
    """Make `out` hold exactly `files` among the files feedpub manages, changing as little as
    possible, and record `build` with them; raises Locked or PublishError, leaving every file
    either old or new."""
    with _failures(out):
        out.mkdir(parents=True, exist_ok=True)
        root = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with _lock(out, root):
            return _Folder(out, root).update(files, build)
    finally:
        os.close(root)


@contextlib.contextmanager
def _failures(path: Path) -> Iterator[None]:
    """OSError → PublishError naming `path` and the reason."""
    try:
        yield
    except PublishError:
        raise
    except OSError as e:
        raise PublishError(path, e.strerror or str(e)) from e


@contextlib.contextmanager
def _lock(out: Path, root: int) -> Iterator[None]:
    with _failures(out / LOCK):
        fd = os.open(LOCK, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Locked(f"another build is writing {out}; try again later") from None
        yield  # the kernel releases the lock when the process dies, so a crash never blocks
    finally:
        os.close(fd)


class _Folder:
    def __init__(self, out: Path, root: int) -> None:
        self.out = out
        self.root = root
        self.dirs: dict[str, int] = {}
        self.touched: set[str] = set()

    def update(self, files: dict[str, bytes], build: Build) -> Outcome:
        try:
            return self._update(files, build)
        finally:
            for fd in self.dirs.values():
                os.close(fd)

    def _update(self, files: dict[str, bytes], build: Build) -> Outcome:
        outcome = Outcome()
        self._sweep_temporaries()
        before = self._manifest()
        if set(files) - before:
            # Record what this run may create before creating it, so a crash never orphans a file.
            self._put(MANIFEST, records.manifest_bytes(before | set(files), None))
        # Every new file is written in full before any replaces an old one, so that a full disk
        # or a folder that refuses writing fails the build while all feeds are still the old ones.
        for folder in sorted({path.rpartition("/")[0] for path in files}):
            self._dir(folder, create=True)
        # Writing and flushing wait on the disk, not on Python: several files at once overlap
        # their waits (and let the file system commit their flushes together).
        with ThreadPoolExecutor(_WRITERS) as pool:
            tasks = {path: pool.submit(self._stage, path, files[path]) for path in sorted(files)}
        failed = next((task.exception() for task in tasks.values() if task.exception()), None)
        staged = [(path, task.result()) for path, task in tasks.items() if not task.exception()]
        if failed:
            for path, temp in staged:
                if temp:
                    with contextlib.suppress(OSError):
                        os.unlink(temp, dir_fd=self._dir(path.rpartition("/")[0], create=False))
            raise failed
        for path, temp in staged:
            if temp:
                self._replace(path, temp)
                outcome.written.append(path)
            else:
                outcome.unchanged.append(path)
        for path in sorted(before - set(files)):
            if self._remove(path):
                outcome.removed.append(path)
        stats = {}
        for path in sorted(files):
            folder, _, name = path.rpartition("/")
            with _failures(self.out / path):
                found = os.stat(name, dir_fd=self._dir(folder, create=False), follow_symlinks=False)
            stats[path] = (found.st_size, found.st_mtime_ns)
        self._put(MANIFEST, records.manifest_bytes(set(files), replace(build, files=stats)))
        for folder in sorted(self.touched):
            with _failures(self.out / folder):
                os.fsync(self._dir(folder, create=False))
        return outcome

    def _dir(self, folder: str, *, create: bool) -> int:
        """A descriptor of `folder` (relative, '' for the root), never through a link."""
        if folder in self.dirs:
            return self.dirs[folder]
        if not folder:
            return self.root
        parent_name, _, name = folder.rpartition("/")
        parent = self._dir(parent_name, create=create)
        records.check_name(name)
        with _failures(self.out / folder):
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=parent)
                    self.touched.add(parent_name)
            try:
                fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(self.out / folder):
                    raise PublishError(
                        self.out / folder, "is a symbolic link; feedpub does not write through links"
                    ) from None
                raise
        self.dirs[folder] = fd
        return fd

    def _put(self, path: str, data: bytes) -> None:
        """Write `data` at `path` atomically unless it is there already."""
        temp = self._stage(path, data)
        if temp:
            self._replace(path, temp)

    def _stage(self, path: str, data: bytes) -> str | None:
        """Write `data`, flushed to disk, to a temporary file beside `path`, and name it;
        None if `path` holds those bytes already."""
        folder, _, name = path.rpartition("/")
        records.check_name(name)
        parent = self._dir(folder, create=True)
        if _holds(parent, name, data):
            return None
        temp = f"{TEMP_PREFIX}{os.getpid()}-{name}"
        with _failures(self.out / path):
            fd = os.open(
                temp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o644,
                dir_fd=parent,
            )
            try:
                with os.fdopen(fd, "wb", closefd=True) as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=parent)
                raise
        return temp

    def _replace(self, path: str, temp: str) -> None:
        folder, _, name = path.rpartition("/")
        parent = self._dir(folder, create=False)
        with _failures(self.out / path):
            os.rename(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
        self.touched.add(folder)

    def _remove(self, path: str) -> bool:
        """Remove a file feedpub wrote (True if it was there), then its folders if they are
        empty: a build killed before its first file in a new folder leaves the folder alone."""
        folder, _, name = path.rpartition("/")
        try:
            records.check_name(name)
            parent = self._dir(folder, create=False)
        except (ValueError, PublishError):
            return False  # a manifest entry that names nothing feedpub could have written
        removed = True
        with _failures(self.out / path):
            try:
                os.unlink(name, dir_fd=parent)
            except (FileNotFoundError, IsADirectoryError):
                removed = False
        self.touched.add(folder)
        while folder:
            up, _, name = folder.rpartition("/")
            os.close(self.dirs.pop(folder))
            try:
                os.rmdir(name, dir_fd=self._dir(up, create=False))
            except OSError:
                break  # not empty: something else lives there
            self.touched.discard(folder)
            self.touched.add(up)
            folder = up
        return removed

    def _manifest(self) -> set[str]:
        try:
            fd = os.open(MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self.root)
        except FileNotFoundError:
            return set()
        with _failures(self.out / MANIFEST), os.fdopen(fd, "rb") as f:
            raw = f.read()
        return records.listed(raw)

    def _sweep_temporaries(self) -> None:
        """Delete temporary files that a killed build left behind (we hold the lock)."""
        for folder, _, names in os.walk(self.out):  # links to folders are not followed
            for name in names:
                if name.startswith(TEMP_PREFIX):
                    with _failures(Path(folder) / name), contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(folder, name))


def _holds(parent: int, name: str, data: bytes) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    except OSError:
        return False  # missing, a link, or unreadable: write it anew
    with os.fdopen(fd, "rb") as f:
        if os.fstat(f.fileno()).st_size != len(data):
            return False
        return f.read() == data
