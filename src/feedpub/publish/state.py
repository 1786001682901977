"""What a build keeps for the next one beside its record: the key of every feed it wrote,
so that the next build renders again only the feeds whose key changed (see `render.keys`).

The state is trusted only when all of these hold, and otherwise ignored, so that the next
build is a full one: the record of the last build names the SHA-256 of the state's bytes
(the record is replaced last, so a build that stopped part-way, or a state edited since,
fails this); the state was made by this feedpub (version, code and the libraries that
render) from the catalogue at this path; the manifest is the one the record names; and a
feed is reused only while each of its files still has the size and modification time the
record holds (the test a run with nothing new already trusts). Keys are JSON strings: a
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

from feedpub.publish import records

_RENDERERS = ("feedgen", "lxml", "nh3")
"""The libraries whose output is in the feeds' bytes: a new version of one may change them."""


def version(code: str) -> str:
    """What made a state: feedpub's `code` version, Python's and the renderers' versions."""
    libraries = " ".join(f"{name}-{metadata.version(name)}" for name in _RENDERERS)
    return f"{code} python-{sys.version.split()[0]} {libraries}"


class State(NamedTuple):
    version: str
    """See `version`."""
    catalogue: str
    """The absolute path of the catalogue the build read."""
    feeds: Mapping[str, tuple[str, tuple[str, ...]]]
    """Each feed's folder → its key and the paths of its files."""

    def to_bytes(self) -> bytes:
        record = {
            "comment": "what feedpub's next build here may reuse; delete it for a full build",
            "version": self.version,
            "catalogue": self.catalogue,
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
            found = cls(record["version"], record["catalogue"], feeds)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if len(feeds) != len(record["feeds"]) or not all(isinstance(s, str) for s in found[:2]):
            return None
        return found


def reusable(out: Path, root: int, catalogue: Path, made_by: str) -> dict[str, str]:
    """The feeds of the last build in `out` (whose descriptor is `root`) whose files are
    all still as it left them, each folder with its key, if its state can be trusted
    (see the module's docstring) for a build of `catalogue` by `made_by` (see `version`);
    none otherwise."""
    build = records.last_build(out, root)
    if build is None or not build.state:
        return {}
    raw = records.read_kept(out, root, records.STATE)
    if raw is None or hashlib.sha256(raw).hexdigest() != build.state:
        return {}
    state = State.from_bytes(raw)
    if state is None or (state.version, state.catalogue) != (made_by, str(catalogue.absolute())):
        return {}
    manifest = records.read_kept(out, root, records.MANIFEST)
    if manifest is None or hashlib.sha256(manifest).hexdigest() != build.manifest:
        return {}
    listed = records.Manifest.from_bytes(manifest)
    if listed.pending:
        return {}
    kept = {}
    for folder, (key, paths) in state.feeds.items():
        if paths and all(_untouched(root, path, build, listed) for path in paths):
            kept[folder] = key
    return kept


def _untouched(root: int, path: str, build: records.Build, manifest: records.Manifest) -> bool:
    """Whether the file at `path` is as the build recorded it, with its digest and size known."""
    if path not in manifest.files or path not in manifest.sizes or path not in build.files:
        return False
    try:
        found = os.stat(path, dir_fd=root, follow_symlinks=False)
    except OSError:
        return False
    size, mtime = build.files[path]
    return stat.S_ISREG(found.st_mode) and (found.st_size, found.st_mtime_ns) == (size, mtime) == (
        manifest.sizes[path],
        mtime,
    )
