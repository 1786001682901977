"""{path: bytes} → the output folder: unchanged files untouched, atomic replacement, one
build at a time, and no file replaced or removed unless feedpub wrote it.

`lock` holds the folder for one build; `records` keeps what a build leaves beside its files;
`writer` changes the folder through `folder`, which opens files
and folders safely (for `source`, `verify` and `deploy` too); `failures` says how that can fail."""

from feedpub.publish.failures import ForeignFiles, Locked, PublishError
from feedpub.publish.lock import Output, locked
from feedpub.publish.records import LOCK, MANIFEST, RECORD, TEMP_PREFIX, Build, Kept, Manifest, fresh
from feedpub.publish.writer import Outcome, publish

__all__ = [
    "LOCK",
    "MANIFEST",
    "RECORD",
    "TEMP_PREFIX",
    "Build",
    "ForeignFiles",
    "Kept",
    "Locked",
    "Manifest",
    "Outcome",
    "Output",
    "PublishError",
    "fresh",
    "locked",
    "publish",
]
