"""What a build leaves beside its files: the manifest, which says which files feedpub wrote,
and the record of the last build, which lets a run with nothing new skip the work.

The manifest is the same on every machine for the same output (paths, SHA-256 digests and
sizes, no times), so it can be committed with the feeds it describes; the record holds sizes and
modification times, which only mean something on the machine that made them.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from datetime import datetime
from functools import cache, cached_property, partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO, NamedTuple, TypeVar

from feedpub.publish.failures import PublishError, failures
from feedpub.publish.folder import NotAFile, check_name, open_file

LOCK = ".feedpub.lock"
MANIFEST = ".feedpub-manifest.json"
RECORD = ".feedpub-build.json"
STATE = ".feedpub-state.json"
"""What the next build may reuse (see `state`)."""
TEMP_PREFIX = ".feedpub-tmp-"

T = TypeVar("T")

_TEMPORARY = re.compile(re.escape(TEMP_PREFIX) + r"[0-9]+-(?:old-)?(.+)", re.DOTALL)


def temporary(name: str, *, old: bool = False) -> str:
    """The name of this process's temporary file beside `name`: its new bytes being written,
    or (`old`) its old ones kept until the new are in place."""
    return f"{TEMP_PREFIX}{os.getpid()}-{'old-' if old else ''}{name}"


def temporaries(listing: Iterable[str], names: set[str]) -> list[str]:
    """The entries of a folder's `listing` that a build writing `names` there can have left as
    temporary files; nothing else, however much it looks like one."""
    return sorted(
        entry for entry in listing if (match := _TEMPORARY.fullmatch(entry)) and match.group(1) in names
    )


def is_bookkeeping(path: str) -> bool:
    """Whether `path`, or a folder above it, is one of the files feedpub keeps beside the
    feeds (lock, manifest, record, state, temporaries): never a file a manifest can list."""
    own = (LOCK, MANIFEST, RECORD, STATE)
    return any(part in own or part.startswith(TEMP_PREFIX) for part in path.split("/"))


def by_folder(paths: Iterable[str]) -> dict[str, set[str]]:
    """The files feedpub manages, folder by folder (the root, '', with its manifest and
    record and state): where, and under which names, its builds leave temporary files."""
    folders: dict[str, set[str]] = {"": {MANIFEST, RECORD, STATE}}
    for path in paths:
        folder, _, name = path.rpartition("/")
        folders.setdefault(folder, set()).add(name)
    return folders


def nested_output(folder: str, holds_lock: Callable[[str], bool]) -> bool:
    """Whether `folder`, or a folder between it and the root, is another build's output folder
    (it has a lock file): what is in there is for that build to tidy."""
    parts = folder.split("/") if folder else []
    return any(holds_lock("/".join(parts[:n])) for n in range(1, len(parts) + 1))


_NONE: Mapping[Any, Any] = MappingProxyType({})


class Manifest(NamedTuple):
    """The files feedpub wrote in a folder, each with the SHA-256 of the bytes it wrote: a file
    is feedpub's to replace or remove only while it still holds those bytes."""

    files: Mapping[str, str] = _NONE
    """Path → digest, as the last complete build left them."""
    pending: Mapping[str, frozenset[str]] = _NONE
    """Path → the digests a build that stopped part-way may have left there (none if it had
    not staged the file yet), so that a killed build never leaves a file nobody owns."""
    sizes: Mapping[str, int] = _NONE
    """Path → the size in bytes of the file `files` records, where the manifest gives it (a path
    without one is read to be compared)."""

    def paths(self) -> set[str]:
        return set(self.files) | set(self.pending)

    def may_hold(self, path: str, size: int) -> bool:
        """Whether a file of `size` bytes at `path` can be one feedpub wrote, before reading it:
        not if the manifest does not list the path, or knows the size of the only bytes it
        records there and `size` is another."""
        if path in self.pending:
            return True
        return path in self.files and self.sizes.get(path, size) == size

    def only(self, keep: Callable[[str], bool]) -> Manifest:
        """This manifest without the paths that `keep` refuses."""
        return Manifest(
            {p: d for p, d in self.files.items() if keep(p)},
            {p: d for p, d in self.pending.items() if keep(p)},
            {p: n for p, n in self.sizes.items() if keep(p)},
        )

    def owns(self, path: str, digest: str) -> bool:
        """Whether the file at `path`, with the bytes of this digest, is one feedpub wrote."""
        return self.files.get(path) == digest or digest in self.pending.get(path, ())

    def expecting(self, digests: Iterable[tuple[str, str]]) -> Manifest:
        """This manifest, also owning each (path, digest) of `digests` (what a build is about to
        write, and what it found feedpub's), as the build records it before writing anything."""
        pending = {path: set(owned) for path, owned in self.pending.items()}
        for path, digest in digests:
            if self.files.get(path) != digest:
                pending.setdefault(path, set()).add(digest)
        return Manifest(
            dict(self.files), {path: frozenset(owned) for path, owned in pending.items()}, sizes=self.sizes
        )

    def to_bytes(self) -> bytes:
        record: dict[str, Any] = {
            "comment": "files feedpub wrote, with the SHA-256 of their bytes: it replaces or removes "
            "only these, and only while they hold these bytes",
            "files": dict(sorted(self.files.items())),
        }
        if self.sizes:
            record["sizes"] = dict(sorted(self.sizes.items()))
        if self.pending:
            record["pending"] = {path: sorted(owned) for path, owned in sorted(self.pending.items())}
        return (json.dumps(record, indent=1) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        """The manifest in `raw`; an empty one if it cannot be read (better to forget files than
        to guess which are feedpub's). Paths that would lead outside the folder are dropped."""
        try:
            record = json.loads(raw)
            listed = record["files"]
            files = {p: d for p, d in listed.items() if isinstance(d, str) and is_relative(p)}
            pending = {
                p: frozenset(d for d in owned if isinstance(d, str))
                for p, owned in record.get("pending", {}).items()
                if isinstance(owned, list) and is_relative(p)
            }
            sizes = {p: n for p, n in record.get("sizes", {}).items() if type(n) is int and p in files}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return cls()
        return cls(files, pending, sizes=sizes)


class Build(NamedTuple):
    """What the last build was made from, so that a run with nothing new to publish can tell
    so from the catalogue's bytes and the files' sizes and times alone."""

    catalogue: str
    """SHA-256 of the catalogue's bytes."""
    version: str
    timezone: str
    since: str | None
    until: str | None
    """The output holds for every moment from `since` (inclusive) to `until` (exclusive)."""
    articles: int
    warnings: tuple[str, ...] = ()
    drafts: int = 0
    """How many of the articles are drafts (a record from before drafts were counted says 0)."""
    feed_url: str = ""
    """The site's feed_url, which `feedpub serve` links its preview to locally."""
    files: Mapping[str, tuple[int, int]] = _NONE
    """Each file's size and modification time (ns) as the build left it."""
    manifest: str = ""
    """SHA-256 of the manifest the build left: one edited since means a full build."""
    state: str = ""
    """SHA-256 of the state the build left for the next (see `state`); none: nothing to reuse."""
    warned: str = ""
    """SHA-256 of the warnings the build printed, kept in the cache folder (see
    `keep_warnings`); none: there were none. The record is served with the feeds, and a
    warning may quote a draft's values, so it holds no warning's text (`warnings` is not
    written)."""

    def holds_at(self, now: datetime) -> bool:
        return (self.since is None or datetime.fromisoformat(self.since) <= now) and (
            self.until is None or now < datetime.fromisoformat(self.until)
        )

    def to_bytes(self) -> bytes:
        record = {
            "comment": "what feedpub's last build here was made from, for this machine only",
            **self._asdict(),
            "files": dict(self.files),
        }
        del record["warnings"]
        return (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Build | None:
        """The record in `raw`, if every field holds what a build writes there; None otherwise
        (a record edited by hand, or cut short, is no record: the next build is a full one)."""
        try:
            fields = json.loads(raw)
            fields.pop("comment", None)
            fields.pop("warnings", None)  # their text, which records before `warned` held
            build = cls(**fields)
            files = {path: (size, mtime) for path, (size, mtime) in build.files.items()}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if not (
            all(
                isinstance(text, str)
                for text in (
                    build.catalogue,
                    build.version,
                    build.timezone,
                    build.manifest,
                    build.state,
                    build.warned,
                    build.feed_url,
                )
            )
            and type(build.articles) is int
            and type(build.drafts) is int
            and all(_moment(moment) for moment in (build.since, build.until) if moment is not None)
            and all(
                is_relative(path) and type(size) is int and type(mtime) is int
                for path, (size, mtime) in files.items()
            )
        ):
            return None
        return build._replace(files=files)


def _moment(text: object) -> bool:
    """Whether `text` is a moment as a build records it: ISO 8601 with an offset."""
    try:
        return isinstance(text, str) and datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _has_lock(root: int, folder: str) -> bool:
    """Whether `folder` (under the folder open as `root`) has a lock file."""
    try:
        os.lstat(f"{folder}/{LOCK}", dir_fd=root)
    except OSError:
        return False
    return True


class Kept:
    """The record, the manifest and the state in the locked output folder `out` (open as
    `root`), each read at most once a build, when first asked for: the lock keeps them as
    they are until the build replaces them. A link or anything but a regular file in the
    place of one is a PublishError when it is asked for."""

    def __init__(self, out: Path, root: int) -> None:
        self.out = out
        self.root = root

    @cached_property
    def record(self) -> bytes | None:
        """The record's bytes; None if there is none."""
        return read_kept(self.out, self.root, RECORD)

    @cached_property
    def manifest(self) -> bytes | None:
        """The manifest's bytes; None if there is none."""
        return read_kept(self.out, self.root, MANIFEST)

    @cached_property
    def state(self) -> bytes | None:
        """The state's bytes (see `state`); None if there is none."""
        return read_kept(self.out, self.root, STATE)

    @cached_property
    def listed(self) -> Manifest:
        """The manifest (an empty one if there is none or it cannot be read)."""
        return Manifest() if self.manifest is None else Manifest.from_bytes(self.manifest)

    @cached_property
    def last_build(self) -> Build | None:
        """The last build, fresh or not; None if there is no record that can be read."""
        return None if self.record is None else Build.from_bytes(self.record)


def fresh(kept: Kept, catalogue: str, version: str) -> Build | None:
    """The last build in the folder, if it was made from this catalogue by this version and
    every file it wrote is still exactly as it left it, with no temporary file of a killed
    build about; whether it holds at the moment in question is for the caller to ask. A link
    or anything but a regular file in place of the record is a PublishError."""
    out, root = kept.out, kept.root
    build = kept.last_build
    if build is None or (build.catalogue, build.version) != (catalogue, version):
        return None
    try:
        if not stat.S_ISREG(os.stat(MANIFEST, dir_fd=root, follow_symlinks=False).st_mode):
            return None  # a full build says what is wrong with it, or puts it back
        manifest = kept.manifest
        if manifest is None or hashlib.sha256(manifest).hexdigest() != build.manifest:
            return None
        listed = kept.listed
        if listed.pending or listed.files.keys() != build.files.keys():
            return None  # every file the build wrote is looked at, not only those the record names
        # by the folder's descriptor, without a Path a file: a cron run does little else
        for path, (size, mtime) in build.files.items():
            now = os.stat(path, dir_fd=root, follow_symlinks=False)
            if (now.st_size, now.st_mtime_ns) != (size, mtime) or not stat.S_ISREG(now.st_mode):
                return None
        locked = cache(partial(_has_lock, root))  # asked of the same few folders for every folder below
        for folder, names in by_folder(build.files).items():
            if not nested_output(folder, locked) and temporaries(os.listdir(out / folder), names):
                return None
    except OSError:
        return None
    if build.warned:
        warnings = kept_warnings(out, build.warned)
        return None if warnings is None else build._replace(warnings=warnings)
    return build


def cached(out: Path, suffix: str) -> Path | None:
    """The file with `suffix` that feedpub keeps for the output folder `out` in the user's
    cache folder, `$XDG_CACHE_HOME/feedpub/` (by default `~/.cache/feedpub/`), named by the
    SHA-256 of the output folder's absolute path; None if the user has no home to find it by
    (or a relative one), or if that folder is in the output folder: what is kept there is not
    to be served with the feeds (see `cache`)."""
    folder = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(folder):  # the XDG spec: a relative path is to be ignored
        try:
            folder = str(Path.home() / ".cache")
        except RuntimeError:
            return None
        if not os.path.isabs(folder):  # nor is a relative HOME any place
            return None
    kept = Path(folder, "feedpub")
    try:
        if kept.resolve().is_relative_to(out.resolve()):
            return None
    except (OSError, RuntimeError):  # a link to itself on the way
        return None
    return kept / (hashlib.sha256(os.fsencode(out.absolute())).hexdigest() + suffix)


def write_cached(path: Path, write: Callable[[BinaryIO], T]) -> tuple[Path, T] | None:
    """A new file to put in place of `path`, one of the cache folder's (see `cached`), made
    by `write`, and what `write` returned; None if it cannot be written (nothing is left
    then). The folder is its owner's alone and so is the file; temporaries that builds killed
    while writing one left are removed first (the output folder's lock, held, says no other
    build of it is writing one)."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for left in path.parent.glob(f".tmp-*-{path.name}"):
            left.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(temporary, flags, 0o600), "wb") as file:
            return temporary, write(file)
    except OSError:
        with suppress(OSError):  # as when there is no such folder
            temporary.unlink(missing_ok=True)
        return None


def put_in_place(temporary: Path, path: Path) -> None:
    """Put what `write_cached` wrote in place of `path`; if that fails, nothing is kept."""
    try:
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def keep_warnings(out: Path, warnings: tuple[str, ...]) -> str:
    """Keep the warnings a build of the output folder `out` printed in the cache folder, for
    a run with nothing new to print again; their SHA-256 (none if there are none). Kept or
    not, the digest is the record's: a run that finds no such file builds again."""
    if not warnings:
        return ""
    data = json.dumps(warnings).encode()
    path = cached(out, ".warnings.json")
    written = None if path is None else write_cached(path, lambda file: file.write(data))
    if path is not None and written is not None:
        put_in_place(written[0], path)
    return hashlib.sha256(data).hexdigest()


def kept_warnings(out: Path, digest: str) -> tuple[str, ...] | None:
    """The warnings `keep_warnings` kept for `out` under `digest`; None if there are none."""
    path = cached(out, ".warnings.json")
    if path is None:
        return None
    try:
        with open_file(path) as file:
            data = file.read()
        found = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    if hashlib.sha256(data).hexdigest() != digest or not isinstance(found, list):
        return None
    return tuple(found) if all(isinstance(text, str) for text in found) else None


def read_kept(out: Path, root: int, name: str) -> bytes | None:
    """The bytes of `name`, one of the files feedpub keeps in the output folder `out` (whose
    descriptor is `root`); None if there is none. It is never read through a link, and a link,
    a folder or a FIFO in its place is a PublishError, not a wait."""
    unchanged = f"nothing in {out} was changed"
    with failures(out / name, unchanged):
        try:
            f = open_file(name, dir_fd=root)
        except FileNotFoundError:
            return None
        except NotAFile:
            raise PublishError(out / name, "is not a regular file", unchanged) from None
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise PublishError(
                    out / name, "is a symbolic link; feedpub does not follow links", unchanged
                ) from None
            raise
        with f:
            return f.read()


def is_relative(path: str) -> bool:
    """Whether `path` is made of plain components only, so that it names nothing outside."""
    try:
        for part in path.split("/"):
            check_name(part)
    except ValueError:
        return False
    return True
