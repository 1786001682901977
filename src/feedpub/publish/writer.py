"""Writing {path: bytes} into the output folder: unchanged files untouched, atomic replacement,
one build at a time, and no file replaced or removed unless feedpub wrote it.

Every file and folder is opened through `folder`, never through a link and a folder a
component at a time, so nothing lands outside the output folder and the files open at once
stay a handful however many folders the output has; this module is the transaction on top:
survey, stage, switch, record, and undo.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Collection, Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from feedpub.publish import records
from feedpub.publish.failures import ForeignFiles, PublishError, failures
from feedpub.publish.folder import CREATE, check_name, open_file, opened
from feedpub.publish.lock import Output
from feedpub.publish.records import LOCK, MANIFEST, RECORD, STATE, Build, Manifest

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

_CHUNK = 1 << 20
"""Bytes read at once from a file whose size is not feedpub's to bound."""
_WRITERS = 8
"""Files read, or written and flushed, at once."""
_NO_LINKS = frozenset({errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOSYS})
"""What a file system without hard links (or a file that may not have another) answers."""


class Outcome(NamedTuple):
    written: Sequence[str] = ()
    unchanged: Sequence[str] = ()
    removed: Sequence[str] = ()


def publish(
    output: Output,
    files: dict[str, bytes],
    build: Build,
    *,
    could_write: Callable[[str], bool],
    overwrite: bool = False,
    kept: Collection[str] = (),
    state: bytes = b"",
) -> Outcome:
    """Make the locked output folder hold exactly `files` and `kept` among the files feedpub
    manages, changing as little as possible, and record `build` with them, with `state`
    beside it (the state for the next build, if any: see `state`). `kept` are files that
    stay as they are, unread: the caller has found each to hold the bytes the manifest
    records (see `state.reusable`) and holds the lock. Only paths that `could_write` (a
    build could have written them) are taken from the manifest as feedpub's to remove:
    anything else listed there is ignored. Raises ForeignFiles, having
    changed nothing, if a file in the way is not feedpub's (unless `overwrite`); or
    PublishError, whose `state` says whether every feed is still the old one (as it is unless
    the failure came after the switch to the new ones, or even undoing it failed)."""
    return _Writer(output, could_write, set(kept), state).update(files, build, overwrite=overwrite)


class Found(Enum):
    """What a path holds, as the survey found it."""

    ABSENT = "absent"
    SAME = "the bytes this build writes"
    OURS = "a file feedpub wrote"
    FOREIGN = "a file feedpub did not write, or one changed since"
    OTHER = "a link, folder or special file where a file feedpub wrote used to be"


class _Survey:
    def __init__(self) -> None:
        self.found: dict[str, Found] = {}
        self.digests: dict[str, str] = {}
        """SHA-256 of each file this build writes."""
        self.held: dict[str, str] = {}
        """SHA-256 of each file found to be feedpub's but not to hold this build's bytes."""

    def paths(self, *kinds: Found) -> list[str]:
        return sorted(path for path, found in self.found.items() if found in kinds)


class _Writer:
    """One build's changes to the output folder, made in the steps of `update`, with what it
    has done so far kept for undoing it."""

    def __init__(
        self, output: Output, could_write: Callable[[str], bool], kept: set[str], state: bytes
    ) -> None:
        self.output = output
        self.could_write = could_write
        self.kept_files = kept
        """Files that stay as they are, unread (see `publish`)."""
        self.state = state
        """What to leave for the next build (see `state`), if anything."""
        self.out = output.path
        self.root = output.root
        self.touched: set[str] = set()
        """Folders whose entries changed: flushed before the build counts as done."""
        self.made: list[str] = []
        """Folders this build made, in the order it made them."""
        self.emptied: set[str] = set()
        """Folders this build removed a file from: the only ones it may remove if left empty."""
        self.temps: dict[str, str] = {}
        """Each path with the temporary file of its new bytes, until it is renamed."""
        self.kept: dict[str, str] = {}
        """Each path with the second name its old file is kept under, until the switch is done."""
        self.switched: list[str] = []
        """Paths already renamed to their new file."""
        self.intent = False
        """Whether the manifest was replaced by one that also owns this build's files."""
        self.listed: bytes | None = None
        """The manifest's bytes on disk: as the build found them, or as it replaced them."""
        self.unflushed = False
        """Whether flushing a folder ever failed."""

    def update(self, files: dict[str, bytes], build: Build, *, overwrite: bool) -> Outcome:
        try:
            return self._update(files, build, overwrite=overwrite)
        except PublishError as e:
            e.state = e.state or f"every feed in {self.out} is as it was"
            raise

    def _update(self, files: dict[str, bytes], build: Build, *, overwrite: bool) -> Outcome:
        kept = self.kept_files
        recorded = self.listed = self.output.kept.manifest
        _ = self.output.kept.record  # not a link, folder or FIFO, which the build replaces
        listed = self.output.kept.listed
        before = listed.only(lambda path: not records.is_bookkeeping(path) and self.could_write(path))
        survey = self._survey(files, before, kept)
        foreign = survey.paths(Found.FOREIGN)
        if foreign and not overwrite:
            raise ForeignFiles(self.out, {p: "replace" if p in files else "remove" for p in foreign})
        self.output.changed = True
        everything = set(files) | kept
        self._sweep_temporaries(before.paths() | everything)
        changed = {path: files[path] for path in sorted(files) if survey.found[path] is not Found.SAME}
        sizes = {path: len(data) for path, data in files.items()}
        sizes.update((path, before.sizes[path]) for path in kept)
        after = Manifest(dict(sorted(survey.digests.items())), sizes=sizes)
        try:
            intent = before.expecting([*survey.held.items(), *survey.digests.items()])
            self._record_intent(recorded, intent, changed)
            self._stage(changed)
            self._stage_records(after, build, sorted(everything))
            self._keep_old([path for path in changed if survey.found[path] is not Found.ABSENT])
            self._switch()
        except BaseException as e:
            state = self._roll_back()
            if isinstance(e, PublishError):
                e.state = state
            raise
        # Every feed is the new one from here on: what is left is tidying, recording, flushing.
        stale = sorted(before.paths() - everything)
        owned = [path for path in stale if survey.found[path] in (Found.OURS, Found.FOREIGN)]
        try:
            removed = self._remove_stale(stale, owned)
            self._finish()
        except PublishError as e:
            flushed = self._try(self._flush) and not self.unflushed
            left = self._remove_temporaries()
            e.state = self._new_state(flushed=flushed, left=left)
            raise
        return Outcome(
            written=sorted(changed),
            unchanged=[p for p in sorted(everything) if p not in changed],
            removed=removed,
        )

    # -- the steps, in order ----------------------------------------------------------------------

    def _survey(self, files: dict[str, bytes], manifest: Manifest, kept: set[str]) -> _Survey:
        """Look at every path this build writes or may remove, without changing anything: is
        it there, with the bytes to be written, or feedpub's own, or someone else's? (A path
        `kept` holds the bytes the manifest records, unread.)"""
        survey = _Survey()
        paths = sorted((set(files) | manifest.paths()) - kept)
        survey.digests = {path: manifest.files[path] for path in kept}

        def look(path: str) -> Found:
            data = files.get(path)
            if data is not None:
                survey.digests[path] = hashlib.sha256(data).hexdigest()
            with self._opened(path.rpartition("/")[0]) as parent:
                found, held = self._look(path, data, parent, manifest)
            if found is Found.OURS and held is not None:
                survey.held[path] = held
            return found

        with _pool() as pool:
            survey.found = dict(zip(paths, pool.map(look, paths), strict=True))
        survey.found.update(dict.fromkeys(kept, Found.SAME))
        return survey

    def _sweep_temporaries(self, paths: set[str]) -> None:
        """Delete the temporary files killed builds of this folder left behind (we hold the
        lock): only names they can have made, beside the files feedpub manages, and never in
        a folder that is another build's output. Nothing else is looked at."""
        for folder, names in sorted(records.by_folder(paths).items()):
            if records.nested_output(folder, self._holds_lock):
                continue
            with self._opened(folder) as fd:
                if fd is None:
                    continue
                with failures(self.out / folder):
                    listing = os.listdir(fd)
                for temp in records.temporaries(listing, names):
                    with failures(self.out / folder / temp), contextlib.suppress(FileNotFoundError):
                        os.unlink(temp, dir_fd=fd)
                        self.emptied.add(folder)
                        self.touched.add(folder)

    def _record_intent(self, recorded: bytes | None, intent: Manifest, changed: dict[str, bytes]) -> None:
        """Before making anything, record in the manifest the files this build may leave, so
        that whatever a crash leaves behind is known to be feedpub's; the old manifest is kept
        for putting back if the build fails."""
        data = intent.to_bytes()
        if not changed or data == recorded:
            return
        if recorded is not None:
            self._keep(MANIFEST)
        self.intent = True
        self._temporary(MANIFEST, data)
        self._replace(MANIFEST)
        self.listed = data
        self._flush()

    def _stage(self, files: dict[str, bytes]) -> None:
        """Write every file to a temporary beside it, flushed to disk. Every new file is
        written in full before any replaces an old one, so that a full disk or a folder that
        refuses writing fails the build while all feeds are still the old ones."""
        for folder in sorted({path.rpartition("/")[0] for path in files}):
            with self._opened(folder, create=True):
                pass
        # Writing and flushing wait on the disk, not on Python: several files at once overlap
        # their waits (and let the file system commit their flushes together).
        with _pool() as pool:
            tasks = [pool.submit(self._temporary, path, data) for path, data in files.items()]
        for task in tasks:
            task.result()  # the first failure, if any

    def _stage_records(self, manifest: Manifest, build: Build, files: list[str]) -> None:
        """Write the manifest of the files as they will be, the state for the next build, and
        the record of this build with each file's size and time as it will be, to temporaries
        too: nothing that the switch depends on is left to write after it."""
        stats = {}
        for path in files:
            folder, _, name = path.rpartition("/")
            with self._dir(folder) as parent, failures(self.out / path):
                found = os.stat(self.temps.get(path, name), dir_fd=parent, follow_symlinks=False)
            stats[path] = (found.st_size, found.st_mtime_ns)
        listed = manifest.to_bytes()
        build = build._replace(
            files=stats,
            manifest=hashlib.sha256(listed).hexdigest(),
            state=hashlib.sha256(self.state).hexdigest() if self.state else "",
        )
        kept = self.output.kept
        own = [(MANIFEST, listed, self.listed), (RECORD, build.to_bytes(), kept.record)]
        for path, data, held in own + ([(STATE, self.state, kept.state)] if self.state else []):
            if data != held:
                self._temporary(path, data)

    def _keep_old(self, paths: list[str]) -> None:
        """Keep each old file that is to be replaced under a second name, so that the switch
        can be undone."""
        for path in paths:
            self._keep(path)

    def _switch(self) -> None:
        """Rename every new feed over the old one: the moment the folder changes."""
        for path in sorted(self.temps.keys() - {MANIFEST, RECORD, STATE}):
            self._replace(path)
            self.switched.append(path)

    def _remove_stale(self, stale: list[str], owned: list[str]) -> list[str]:
        """Remove the files among `owned` and name those that were there; then remove each
        folder of those files (a feed's folder: the paths come through `could_write`) and of
        a killed build's temporaries if it is empty, and so on up."""
        removed = [path for path in owned if self._remove(path)]
        # a killed build may have made a feed's folder and left it empty
        self.emptied.update(path.rpartition("/")[0] for path in stale)
        for folder in sorted(self.emptied, key=lambda f: (-f.count("/"), f)):
            self._remove_empty(folder)
        return [path for path in stale if path in removed]

    def _finish(self) -> None:
        """Put the new manifest and state in place, flush every folder changed, and only then
        record the build (so a run after a failure builds again, and trusts no state the
        record does not name); then drop the old files kept."""
        for path in (MANIFEST, STATE):
            if path in self.temps:
                self._replace(path)
        self._flush()
        if RECORD in self.temps:
            self._replace(RECORD)
            self._flush()
        for path in sorted(self.kept):
            self._forget(path)

    def _roll_back(self) -> str:
        """Undo whatever this build changed, as far as it can, and say what state that leaves
        the folder in."""
        new = []
        for path in reversed(self.switched):
            folder, _, name = path.rpartition("/")
            kept = self.kept.get(path)
            try:
                with self._dir(folder) as parent:
                    if kept is None:
                        os.unlink(name, dir_fd=parent)  # there was no file before
                    else:
                        os.rename(kept, name, src_dir_fd=parent, dst_dir_fd=parent)
                        del self.kept[path]
            except (OSError, PublishError):
                new.append(path)
        if self.intent and not new:  # with a new feed left, the intent is what says it is feedpub's
            kept = self.kept.pop(MANIFEST, None)
            with contextlib.suppress(OSError):
                if kept is None:
                    os.unlink(MANIFEST, dir_fd=self.root)
                else:
                    os.rename(kept, MANIFEST, src_dir_fd=self.root, dst_dir_fd=self.root)
        left = self._remove_temporaries()
        for folder in reversed(self.made):
            up, _, name = folder.rpartition("/")
            with contextlib.suppress(OSError, PublishError), self._dir(up) as parent:
                os.rmdir(name, dir_fd=parent)
        self._try(self._flush)
        if not new:
            state = f"every feed in {self.out} is as it was"
        else:
            shown = ", ".join(str(self.out / path) for path in sorted(new)[:10])
            more = f" and {len(new) - 10} more" if len(new) > 10 else ""
            state = (
                f"{self.out} is part new, part old: {len(new)} files are new ({shown}{more}) and "
                "the rest are as they were; the next build that succeeds brings them all up to date"
            )
        return state + _left(left)

    # -- what the steps are made of ---------------------------------------------------------------

    def _new_state(self, *, flushed: bool, left: list[str]) -> str:
        state = f"every feed in {self.out} is new"
        if not flushed:
            state += (
                ", but the folder could not be flushed to disk: after a crash some could be the "
                "old ones; the next build checks them"
            )
        return state + _left(left)

    def _look(
        self, path: str, data: bytes | None, parent: int | None, manifest: Manifest
    ) -> tuple[Found, str | None]:
        """What `path` holds: `data` (None if this build does not write it), feedpub's or not,
        with the digest of a regular file's bytes; `parent` is its folder's descriptor, None if
        there is no such folder."""
        name = path.rpartition("/")[2]
        if parent is None:
            return Found.ABSENT, None
        with failures(self.out / path):
            try:
                found = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                return Found.ABSENT, None
            if stat.S_ISLNK(found.st_mode):
                return (Found.FOREIGN if data is not None else Found.OTHER), None
            if data is None and not stat.S_ISREG(found.st_mode):
                return Found.OTHER, None  # not feedpub's, and nothing this build needs to replace
            if stat.S_ISDIR(found.st_mode):
                raise PublishError(self.out / path, "is a folder, where feedpub writes a file")
            if not stat.S_ISREG(found.st_mode):
                raise PublishError(self.out / path, "is not a regular file, where feedpub writes one")
            if (data is None or found.st_size != len(data)) and not manifest.may_hold(path, found.st_size):
                return Found.FOREIGN, None  # by its size alone: neither this build's bytes nor any recorded
            with open_file(name, dir_fd=parent) as f:
                if data is not None and found.st_size == len(data):
                    held = f.read(len(data) + 1)
                    if held == data:
                        return Found.SAME, None
                    digest = hashlib.sha256(held).hexdigest()
                else:  # not this build's bytes: only its digest can say whose it is
                    digest = _digest(f)
        owned = manifest.owns(path, digest)
        return (Found.OURS if owned else Found.FOREIGN), digest

    @contextlib.contextmanager
    def _dir(self, folder: str) -> Iterator[int]:
        """A descriptor of `folder` (relative, '' for the root), never through a link, open
        for the block; PublishError if the folder is missing."""
        with self._opened(folder) as fd:
            if fd is None:
                raise PublishError(self.out / folder, os.strerror(errno.ENOENT))
            yield fd

    def _opened(self, folder: str, *, create: bool = False) -> contextlib.AbstractContextManager[int | None]:
        """As `_dir`, but None if the folder (or one above it) is missing and not `create`;
        with `create`, the folder and those above it are made if missing."""
        return opened(self.out, self.root, folder, made=self._made if create else None)

    def _made(self, folder: str) -> None:
        self.touched.add(folder.rpartition("/")[0])
        self.made.append(folder)

    def _holds_lock(self, folder: str) -> bool:
        with self._opened(folder) as fd:
            if fd is None:
                return False
            with failures(self.out / folder / LOCK):
                try:
                    os.stat(LOCK, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    return False
        return True

    def _temporary(self, path: str, data: bytes) -> None:
        """Write `data`, flushed to disk, to a temporary file beside `path` (whose folder
        is there), with the permissions of the file at `path` if there is one, else 0644 less
        the umask."""
        folder, _, name = path.rpartition("/")
        check_name(name)
        temp = records.temporary(name)
        with self._dir(folder) as parent, failures(self.out / path):
            try:
                old = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                old = None
            fd = os.open(temp, CREATE, 0o644, dir_fd=parent)
            try:
                if old is not None and stat.S_ISREG(old.st_mode):
                    os.fchmod(fd, _permissions(old))
                with os.fdopen(fd, "wb", closefd=True) as f:
                    f.write(data)
                    f.flush()
                    _flush_data(f.fileno())
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=parent)
                raise
        self.temps[path] = temp

    def _keep(self, path: str) -> None:
        """Keep the file at `path` under a second name too, beside it: a hard link, or where
        the file system refuses one, a copy with its permissions and times."""
        folder, _, name = path.rpartition("/")
        kept = records.temporary(name, old=True)
        with self._dir(folder) as parent, failures(self.out / path):
            try:
                os.link(name, kept, src_dir_fd=parent, dst_dir_fd=parent, follow_symlinks=False)
            except OSError as e:
                if e.errno not in _NO_LINKS:
                    raise
                with open_file(name, dir_fd=parent) as old:
                    found = os.fstat(old.fileno())
                    fd = os.open(kept, CREATE, 0o600, dir_fd=parent)
                    try:
                        os.fchmod(fd, _permissions(found))
                        with os.fdopen(fd, "wb") as f:
                            shutil.copyfileobj(old, f, _CHUNK)
                            f.flush()
                            os.utime(f.fileno(), ns=(found.st_atime_ns, found.st_mtime_ns))
                    except BaseException:
                        with contextlib.suppress(OSError):
                            os.unlink(kept, dir_fd=parent)
                        raise
        self.kept[path] = kept

    def _replace(self, path: str) -> None:
        """Rename the temporary of `path` over it."""
        folder, _, name = path.rpartition("/")
        with self._dir(folder) as parent, failures(self.out / path):
            os.rename(self.temps[path], name, src_dir_fd=parent, dst_dir_fd=parent)
        del self.temps[path]
        self.touched.add(folder)

    def _forget(self, path: str) -> None:
        """Remove the old file kept for `path`."""
        folder = path.rpartition("/")[0]
        kept = self.kept[path]
        with self._dir(folder) as parent, failures(self.out / folder / kept):
            os.unlink(kept, dir_fd=parent)
        del self.kept[path]

    def _remove_temporaries(self) -> list[str]:
        """Remove every temporary file this build made that is still there, and name those
        that could not be removed."""
        left = []
        for path, temp in [*self.temps.items(), *self.kept.items()]:
            folder = path.rpartition("/")[0]
            try:
                with self._dir(folder) as parent:
                    os.unlink(temp, dir_fd=parent)
            except FileNotFoundError:
                pass
            except (OSError, PublishError):
                left.append(str(self.out / folder / temp))
        self.temps.clear()
        self.kept.clear()
        return left

    def _remove(self, path: str) -> bool:
        """Remove the file at `path` (feedpub's); True if it was there."""
        folder, _, name = path.rpartition("/")
        with contextlib.ExitStack() as stack:
            try:
                check_name(name)
                parent = stack.enter_context(self._opened(folder))
            except (ValueError, PublishError):
                return False  # a manifest entry that names nothing feedpub could have written
            if parent is None:
                return False
            self.emptied.add(folder)
            with failures(self.out / path):
                try:
                    os.unlink(name, dir_fd=parent)
                except FileNotFoundError:
                    return False
        self.touched.add(folder)
        return True

    def _remove_empty(self, folder: str) -> None:
        """Remove `folder` if it is empty, then the folders above it that this leaves empty."""
        while folder:
            up, _, name = folder.rpartition("/")
            try:
                with self._dir(up) as parent:
                    os.rmdir(name, dir_fd=parent)
            except (OSError, PublishError):
                return  # not empty (something else lives there), or gone
            self.touched.discard(folder)
            self.touched.add(up)
            folder = up

    def _flush(self) -> None:
        """Make the changes to folders durable: a folder's entries reach the disk when it is
        flushed."""
        for folder in sorted(self.touched):
            with self._dir(folder) as fd:
                try:
                    os.fsync(fd)
                except OSError as e:
                    # Once a flush has failed, a second may succeed without the data being on
                    # disk (the kernel reports a write-back error once), so it never counts as
                    # flushed.
                    self.unflushed = True
                    raise PublishError(self.out / folder, e.strerror or str(e)) from e
            self.touched.discard(folder)

    def _try(self, step: Callable[[], None]) -> bool:
        """Whether `step` succeeded; for undoing and tidying after a failure."""
        try:
            step()
        except (OSError, PublishError):
            return False
        return True


_flush_data = getattr(os, "fdatasync", os.fsync)
"""A new file's bytes and size to disk, not its times: what renaming it into place needs
(folders are flushed with fsync, which only the thread that switches makes)."""


def _pool() -> ThreadPoolExecutor:
    """Threads that read, or write and flush, `_WRITERS` files at once. Imported here: a build
    with nothing new writes nothing, and would spend a tenth of its time importing them."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(_WRITERS)


def _left(temporaries: list[str]) -> str:
    if not temporaries:
        return ""
    return f"; temporary files are left ({', '.join(temporaries)}), which the next build removes"


def _digest(f: BinaryIO) -> str:
    """SHA-256 of what is left to read in `f`, read a chunk at a time: the file may be huge."""
    digest = hashlib.sha256()
    while chunk := f.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _permissions(found: os.stat_result) -> int:
    """The read, write and execute bits of a file feedpub replaces or copies, which the new
    file takes; never set-user-ID and the like, which a file feedpub writes never has."""
    return stat.S_IMODE(found.st_mode) & 0o777
