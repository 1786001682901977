"""What a build leaves beside its files to describe them: the manifest of the files feedpub
wrote, and the record of what the last build was made from."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

MANIFEST = ".feedpub-manifest.json"
TEMP_PREFIX = ".feedpub-tmp-"


@dataclass(frozen=True)
class Build:
    """What a build was made from, kept in the manifest so that a run with nothing new to
    publish can tell so from the catalogue's bytes and the files' sizes and times alone."""

    catalogue: str
    """SHA-256 of the catalogue's bytes."""
    version: str
    timezone: str
    since: str | None
    until: str | None
    """The output holds for every moment from `since` (inclusive) to `until` (exclusive)."""
    articles: int
    warnings: tuple[str, ...] = ()
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Each file's size and modification time (ns) as the build left it."""

    def holds_at(self, now: datetime) -> bool:
        return (self.since is None or datetime.fromisoformat(self.since) <= now) and (
            self.until is None or now < datetime.fromisoformat(self.until)
        )


def fresh(out: Path, catalogue: str, version: str) -> Build | None:
    """The last build, if it was made from this catalogue by this version and every file it
    wrote is still exactly as it left it, with no temporary file of a killed build about;
    whether it holds at the moment in question is for the caller to ask."""
    try:
        build = build_record(json.loads((out / MANIFEST).read_bytes()))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if build is None or (build.catalogue, build.version) != (catalogue, version):
        return None
    try:
        for path, (size, mtime) in build.files.items():
            found = os.stat(out / path, follow_symlinks=False)
            if (found.st_size, found.st_mtime_ns) != (size, mtime) or not stat.S_ISREG(found.st_mode):
                return None
        for folder in {out / path.rpartition("/")[0] for path in build.files}:
            if any(name.startswith(TEMP_PREFIX) for name in os.listdir(folder)):
                return None
    except OSError:
        return None
    return build


def manifest_bytes(paths: set[str], build: Build | None) -> bytes:
    record: dict[str, Any] = {
        "comment": "files written by feedpub; it removes only these",
        "files": sorted(paths),
    }
    if build is not None:
        record["build"] = asdict(build)
    return (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()


def listed(raw: bytes) -> set[str]:
    """The paths a manifest's bytes name, each one inside the folder; none if unreadable."""
    try:
        paths = json.loads(raw)["files"]
    except (ValueError, KeyError, TypeError):
        return set()  # unreadable: forget rather than guess what to delete
    return {p for p in paths if isinstance(p, str) and is_relative(p)}


def build_record(manifest: dict[str, Any]) -> Build | None:
    if "build" not in manifest:
        return None
    fields = manifest["build"]
    return Build(
        **{
            **fields,
            "warnings": tuple(fields["warnings"]),
            "files": {path: (size, mtime) for path, (size, mtime) in fields["files"].items()},
        }
    )


def check_name(name: str) -> None:
    """Raise ValueError unless `name` is one plain path component."""
    if not name or name in (".", "..") or "/" in name or "\0" in name or len(name.encode()) > 255:
        raise ValueError(f"unsafe file name {name!r}")


def is_relative(path: str) -> bool:
    try:
        for part in path.split("/"):
            check_name(part)
    except ValueError:
        return False
    return True
