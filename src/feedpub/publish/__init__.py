"""{path: bytes} → the output folder: unchanged files untouched, atomic replacement, one
build at a time, and no file replaced or removed unless feedpub wrote it.

`lock` holds the folder for one build; `records` keeps what a build leaves beside its files;
`writer` changes the folder; `failures` says how that can fail."""

from feedpub.publish.failures import ForeignFiles, Locked, PublishError
from feedpub.publish.lock import Output, locked
from feedpub.publish.records import LOCK, MANIFEST, RECORD, TEMP_PREFIX, Build, Manifest, fresh, last_build
from feedpub.publish.writer import Outcome, publish

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
    "Output",
    "PublishError",
    "fresh",
    "last_build",
    "locked",
    "publish",
]
