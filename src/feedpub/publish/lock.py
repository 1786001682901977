"""One build at a time: the lock on the output folder, taken before anything else is done.

The lock is an flock on `.feedpub.lock` in the folder, which the kernel releases when the
process dies, so a crash never blocks the next run. A build that ends without changing the
folder (an invalid catalogue, a refusal) removes the lock file, and the folders, it made:
it leaves no trace. Whoever takes the lock therefore checks, once it holds it, that the file
it locked is still the one in the folder, and starts again if not.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from feedpub.publish.failures import Locked, PublishError, failures
from feedpub.publish.folder import READ
from feedpub.publish.records import LOCK, Kept

_ATTEMPTS = 20
"""Times to start again when the folder or lock file vanished under us (another build removed
what it made); each time means another build came and went."""


class Output:
    """The output folder, locked: its path, a descriptor of it, and whether this build has
    changed anything in it (if not, what the lock made is removed with the lock)."""

    def __init__(self, path: Path, root: int, made: list[Path]) -> None:
        self.path = path
        self.root = root
        self.changed = False
        self.made = made
        """Folders made to hold the output, outermost first."""
        self.made_lock = False
        self.kept = Kept(path, root)
        """Its record and manifest, as the last build left them."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[Output]:
    """Hold the lock on `out`, making the folder if needed; raises Locked at once if another
    build holds it, or PublishError."""
    unchanged = f"nothing in {out} was changed"
    for _ in range(_ATTEMPTS):
        with failures(out, unchanged):
            made = _make(out)
            try:
                root = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except FileNotFoundError:
                if os.path.lexists(out):
                    _remove_folders(made)
                    raise  # a link to nowhere
                continue  # removed by a build that made it and wrote nothing
            except BaseException:
                _remove_folders(made)
                raise
        output = Output(out, root, made)
        try:
            fd = _take(output, unchanged)
        except BaseException as e:
            if isinstance(e, Locked):
                output.made_lock = False  # the build that holds it now may have opened ours
            _unmake(output)
            os.close(root)
            raise
        if fd is not None:
            break
        os.close(root)
    else:
        raise PublishError(out / LOCK, "kept vanishing while feedpub tried to lock it", unchanged)
    try:
        yield output
    finally:
        if not output.changed:
            _unmake(output)
        os.close(fd)
        os.close(root)


def _make(out: Path) -> list[Path]:
    """Make `out` and the folders above it that are missing; the ones made, outermost first."""
    missing = []
    folder = out
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o755)
                made.append(folder)
    except BaseException:
        _remove_folders(made)  # such as when a name, or the whole path, is too long
        raise
    return made


def _take(output: Output, unchanged: str) -> int | None:
    """A descriptor of the lock file, locked; None if it was replaced before we locked it."""
    path = output.path / LOCK
    with failures(path, unchanged):
        try:
            fd = os.open(LOCK, READ | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=output.root)
            output.made_lock = True
        except FileExistsError:
            try:
                fd = os.open(LOCK, READ, dir_fd=output.root)
            except FileNotFoundError:
                return None
            except OSError as e:
                if e.errno == errno.ELOOP:
                    raise PublishError(
                        path, "is a symbolic link; feedpub does not follow links", unchanged
                    ) from None
                raise
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise PublishError(path, "is not a regular file; feedpub locks the folder with one", unchanged)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Locked(
                f"another build is writing {output.path}, or a deploy reading it; try again later"
            ) from None
        except OSError as e:  # such as ENOLCK, from a file system that has no locks
            raise PublishError(path, e.strerror or str(e), unchanged) from e
        with failures(path, unchanged):
            try:
                named = os.stat(LOCK, dir_fd=output.root, follow_symlinks=False)
            except FileNotFoundError:
                named = None
        if named is None or (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
            os.close(fd)
            return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _unmake(output: Output) -> None:
    """Remove the lock file and the folders this build made, while it still holds the lock."""
    if output.made_lock:
        with contextlib.suppress(OSError):
            os.unlink(LOCK, dir_fd=output.root)
        output.made_lock = False
    _remove_folders(output.made)


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders in `made` (outermost first), innermost first, while they are empty."""
    with contextlib.suppress(OSError):
        for folder in reversed(made):
            os.rmdir(folder)
    made.clear()
