"""What a build keeps for the next one beside its record: the key of every feed it wrote,
so that the next build renders again only the feeds whose key changed (see `render.keys`),
and the size and SHA-256 of each segment of the file that keeps the articles it read in the
user's cache folder (see `cache`), so that the next reads only those whose bytes changed
(see `rereading`). The output folder is
served and copied, so the state holds nothing that is not public or a digest: feeds'
folders, keys and files, and the catalogue's path by its SHA-256.

The state is trusted only when all of these hold, and otherwise ignored, so that the next
build is a full one: the record of the last build names the SHA-256 of the state's bytes
(the record is replaced last, so a build that stopped part-way, or a state edited since,
fails this); the state was made by this feedpub (version, code and the libraries that
read the articles or render) from the catalogue at this path; the manifest is the one the
record names; and a feed is reused only while each of its files still has the size and
modification time the record holds and has not changed since the record was put in place
(its status change time, which an edit moves even when it sets the modification time back,
is not later than the record's). Keys are JSON strings: a
damaged state can make a build render more, never read code or write a wrong file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from feedpub.layout import feed_files
from feedpub.publish import cache, records

_LIBRARIES = ("feedgen", "lxml", "nh3", "PyYAML", "python-slugify", "text-unidecode", "langcodes", "tzdata")
"""The libraries whose output is in the feeds' bytes (the renderers) or in the articles read
(YAML, tags' and authors' slugs, the languages and time zones known): a new version of one
may change them."""


def version(code: str) -> str:
    """What made a state: feedpub's `code` version, Python's and the libraries' versions."""
    libraries = " ".join(f"{name}-{metadata.version(name)}" for name in _LIBRARIES)
    return f"{code} python-{sys.version.split()[0]} {libraries}"


class State(NamedTuple):
    version: str
    """See `version`."""
    catalogue: str
    """The SHA-256 of the absolute path of the catalogue the build read."""
    feeds: Mapping[str, tuple[str, tuple[str, ...]]]
    """Each feed's folder → its key and the paths of its files."""
    articles: tuple[cache.Segment, ...] = ()
    """The segments of the file that keeps the articles the build read in the cache (see
    `cache`); none: not kept."""

    def to_bytes(self) -> bytes:
        record = {
            "comment": "what feedpub's next build here may reuse; delete it for a full build",
            "version": self.version,
            "catalogue": self.catalogue,
            "articles": [list(segment) for segment in self.articles],
            "feeds": {folder: [key, list(paths)] for folder, (key, paths) in sorted(self.feeds.items())},
        }
        return (json.dumps(record, indent=0, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> State | None:
        """The state in `raw`, if it holds what a build writes; None otherwise."""
        try:
            record = json.loads(raw)
            feeds = {
                folder: (key, tuple(paths))
                for folder, (key, paths) in record["feeds"].items()
                if isinstance(key, str) and all(isinstance(p, str) and records.is_relative(p) for p in paths)
            }
            articles = tuple((size, digest) for size, digest in record["articles"])
            found = cls(record["version"], record["catalogue"], feeds, articles)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if (
            len(feeds) != len(record["feeds"])
            or not all(isinstance(s, str) for s in found[:2])
            or not all(type(size) is int and isinstance(digest, str) for size, digest in articles)
        ):
            return None
        return found


class Reusable(NamedTuple):
    feeds: dict[str, str]
    """The folders of the feeds whose files are all as the last build left them, with their keys."""
    articles: cache.Kept | None = None
    """What the last build read."""


def reusable(found: records.Kept, catalogue: Path, made_by: str) -> Reusable:
    """What the last build in the output folder `found` names left that a build of
    `catalogue` by `made_by` (see `version`) may reuse, if its state can be trusted (see the
    module's docstring); nothing otherwise."""
    build = found.last_build
    if build is None or not build.state:
        return Reusable({})
    raw = found.state
    if raw is None or hashlib.sha256(raw).hexdigest() != build.state:
        return Reusable({})
    state = State.from_bytes(raw)
    if state is None or (state.version, state.catalogue) != (made_by, _named(catalogue)):
        return Reusable({})
    manifest = found.manifest
    if manifest is None or hashlib.sha256(manifest).hexdigest() != build.manifest:
        return Reusable({})
    listed = found.listed
    if listed.pending:
        return Reusable({})
    root = found.root
    try:  # put in place after every feed: a file changed since, even with its time set back, is newer
        recorded = os.stat(records.RECORD, dir_fd=root, follow_symlinks=False).st_ctime_ns
    except OSError:
        return Reusable({})
    kept = {}
    for folder, (key, paths) in state.feeds.items():
        if paths and all(_untouched(root, path, build, listed, recorded) for path in paths):
            kept[folder] = key
    return Reusable(kept, cache.read(found.out, state.articles))


def next_state(
    made_by: str, catalogue: Path, keys: Mapping[str, str], articles: tuple[cache.Segment, ...]
) -> bytes:
    """The state a build of `catalogue` by `made_by` leaves, with each feed's key and the
    segments of the articles it kept in the cache (see `cache`; empty: none); none if it
    keeps neither."""
    if not keys and not articles:
        return b""
    feeds = {folder: (key, feed_files(folder)) for folder, key in keys.items()}
    return State(made_by, _named(catalogue), feeds, articles).to_bytes()


def _named(catalogue: Path) -> str:
    """The catalogue's absolute path by its SHA-256: the state is served with the feeds."""
    return hashlib.sha256(os.fsencode(catalogue.absolute())).hexdigest()


def _untouched(root: int, path: str, build: records.Build, manifest: records.Manifest, recorded: int) -> bool:
    """Whether the file at `path` is as the build recorded it, with its digest and size known,
    and unchanged since the record was put in place at `recorded` (its status change time, which
    writing, renaming or setting the file's times moves to the clock's)."""
    if path not in manifest.files or path not in manifest.sizes or path not in build.files:
        return False
    try:
        found = os.stat(path, dir_fd=root, follow_symlinks=False)
    except OSError:
        return False
    size, mtime = build.files[path]
    return (
        stat.S_ISREG(found.st_mode)
        and found.st_ctime_ns <= recorded
        and (found.st_size, found.st_mtime_ns) == (size, mtime) == (manifest.sizes[path], mtime)
    )
