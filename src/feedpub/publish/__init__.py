"""{path: bytes} → the output folder: unchanged files untouched, atomic replacement, one
build at a time, and no file replaced or removed unless feedpub wrote it.

`records` keeps what a build leaves beside its files; `writer` changes the folder."""

from feedpub.publish.records import LOCK, MANIFEST, RECORD, TEMP_PREFIX, Build, Manifest, fresh
from feedpub.publish.writer import ForeignFiles, Locked, Outcome, PublishError, publish

__all__ = [
    "LOCK",
    "MANIFEST",
    "RECORD",
    "TEMP_PREFIX",
    "Build",
    "ForeignFiles",
    "Locked",
    "Manifest",
    "Outcome",
    "PublishError",
    "fresh",
    "publish",
]
