"""{path: bytes} → the output folder: unchanged files untouched, atomic replacement, one
build at a time, and removal of stale files only if feedpub wrote them.

`records` keeps what a build leaves beside its files; `writer` changes the folder."""

from feedpub.publish.records import MANIFEST, TEMP_PREFIX, Build, fresh
from feedpub.publish.writer import LOCK, Locked, Outcome, PublishError, publish

__all__ = [
    "LOCK",
    "MANIFEST",
    "TEMP_PREFIX",
    "Build",
    "Locked",
    "Outcome",
    "PublishError",
    "fresh",
    "publish",
]
