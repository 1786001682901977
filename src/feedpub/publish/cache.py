"""The articles a build read (see `rereading.Known`), kept for the next build of the same
output folder in the user's cache folder (see `records.cached`: `~/.cache/feedpub/` by
default), in a file named by the SHA-256 of the output folder's absolute path, beside the
warnings the build printed (see `records.keep_warnings`).

Why not beside the build record, with the state: the output folder is what users serve and
copy (a web root, `rsync`, a bucket), and the articles read include drafts and articles not
yet published, in full, and are about the catalogue's size. Nothing that is not already in
the feeds goes there; the state beside the record (see `state`) holds only feeds' keys and
the size and SHA-256 of each segment of this file. So a file changed, swapped, or left by a
build that failed part-way is not used; losing it, or having no cache folder, costs only a
reading of the whole catalogue. The file is readable by its owner alone; feedpub touches no
other file there but the warnings and its own temporaries.

A file is a run of segments, each the articles one build read that the segments before did
not hold: a build after an edit appends the edited article alone, rather than writing every
article again. Past `SEGMENTS` segments, or when a quarter of the articles it holds are no
longer read, or when the text before the first article changed, a build writes it whole
again, to a temporary put in place once it has published. Each segment is pickled a chunk at
a time (so a build never holds the articles as one string) and unpickled only into
feedpub's model and the standard library's dates (see `_Articles`), never into anything that
runs code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from feedpub import model
from feedpub.publish import records
from feedpub.publish.folder import open_file
from feedpub.rereading import Known

CHUNK = 1000
"""Articles a pickle: each pickle's memo holds every object it wrote until it is done."""
SEGMENTS = 64
"""At most this many segments a file, and at most a quarter of its articles no longer read:
past either, the next build writes it whole again."""

_ERRORS = (
    pickle.UnpicklingError,
    ValueError,
    TypeError,
    EOFError,
    LookupError,
    AttributeError,
    RecursionError,
)
"""What unpickling a damaged or foreign file may raise."""


def location(out: Path) -> Path | None:
    """The file that keeps the articles for the output folder `out`."""
    return records.cached(out, ".pickle")


Segment = tuple[int, str]
"""A run of the file: its size in bytes and its SHA-256."""


class Kept(NamedTuple):
    """Articles read from the cache, and the segments of the file they were read from."""

    known: Known
    segments: tuple[Segment, ...]


class _Pending(NamedTuple):
    segments: tuple[Segment, ...]
    temporary: Path | None
    """A whole new file, to put in place once the build has published; none if the
    segments were appended to the file in place (past the ones the state names)."""
    path: Path
    """The file."""


@contextmanager
def written(out: Path, known: Known | None, kept: Kept | None) -> Iterator[tuple[Segment, ...]]:
    """Keep `known` for the output folder `out`, given what the build found `kept`, and yield
    the segments of the file that hold it (none if there is nothing to keep or it cannot be
    written: the next build reads the whole catalogue). Articles added to those `kept`, in
    the same context, are appended to the file past the segments the state names, which a
    build that fails leaves as they were; otherwise the whole is written to a temporary,
    put in place when the block ends without an exception and dropped otherwise."""
    path = location(out)
    pending = None if known is None or path is None else _write(path, known, kept)
    if pending is None or pending.temporary is None:
        yield () if pending is None else pending.segments
        return
    try:
        yield pending.segments
    except BaseException:
        with suppress(OSError):
            pending.temporary.unlink(missing_ok=True)
        raise
    records.put_in_place(pending.temporary, pending.path)


def _write(path: Path, known: Known, kept: Kept | None) -> _Pending | None:
    if kept is not None and kept.known.context == known.context and len(kept.segments) < SEGMENTS:
        new = {part: a for part, a in known.articles.items() if part not in kept.known.articles}
        dropped = len(kept.known.articles) - (len(known.articles) - len(new))
        if dropped <= len(known.articles) // 4:
            appended = _append(path, known._replace(articles=new), kept.segments) if new else ()
            return None if appended is None else _Pending(kept.segments + appended, None, path)
    written = records.write_cached(path, lambda file: _segment(file, known))
    return None if written is None else _Pending((written[1],), written[0], path)


def _append(path: Path, known: Known, segments: tuple[Segment, ...]) -> tuple[Segment] | None:
    """Append `known` to the file past `segments`."""
    try:
        with open(os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC), "r+b") as file:
            file.truncate(sum(size for size, _ in segments))
            file.seek(0, os.SEEK_END)
            return (_segment(file, known),)
    except OSError:
        return None


def _segment(file: BinaryIO, known: Known) -> Segment:
    """Write `known` to `file` as one segment: a header, then the articles a chunk at a time."""
    hashed = _Hashed(file)
    header = (known.context, known.site, known.defined, known.budget, len(known.articles))
    items = iter(known.articles.items())
    for chunk in chain([header], iter(lambda: list(islice(items, CHUNK)), [])):
        pickle.Pickler(hashed, protocol=pickle.HIGHEST_PROTOCOL).dump(chunk)
    return hashed.size, hashed.digest.hexdigest()


def read(out: Path, segments: tuple[Segment, ...]) -> Kept | None:
    """The articles kept for the output folder `out`, if the file starts with `segments`
    (their sizes and SHA-256) and each holds what `written` writes; None otherwise."""
    path = location(out)
    if not segments or path is None:
        return None
    found: list[Known] = []
    try:
        with open_file(path) as file:
            for size, digest in segments:
                hashed = _Hashed(file)
                segment = _load(hashed)
                if segment is None or (hashed.size, hashed.digest.hexdigest()) != (size, digest):
                    return None
                found.append(segment)
    except (OSError, *_ERRORS):
        return None
    if any(segment.context != found[0].context for segment in found):
        return None
    articles = {part: article for segment in found for part, article in segment.articles.items()}
    return Kept(found[-1]._replace(articles=articles), segments)


def _load(file: _Hashed) -> Known | None:
    """The articles of the segment `file` is at, if they are what `written` wrote; each pickle
    has its own memo, so each is read by an unpickler of its own."""
    context, site, defined, budget, count = _Articles(file).load()
    if not (
        isinstance(context, bytes)
        and isinstance(site, model.Site)
        and isinstance(defined, tuple)
        and _is_place(budget)
        and isinstance(count, int)
    ):
        return None
    articles: dict[bytes, tuple[model.Article, int]] = {}
    while len(articles) < count:
        chunk = _Articles(file).load()
        if not isinstance(chunk, list) or not chunk:
            return None
        for part, (article, column) in chunk:
            if not isinstance(part, bytes) or type(article) is not model.Article or type(column) is not int:
                return None
            articles[part] = article, column
    return Known(context, site, defined, budget, articles) if len(articles) == count else None


def _is_place(found: object) -> bool:
    return isinstance(found, tuple) and len(found) == 2 and all(type(n) is int for n in found)


class _Hashed:
    """A file written or read through, with the size and SHA-256 of what went through."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._seen(data)
        return self.file.write(data)

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self._seen(data)
        return data

    def readline(self) -> bytes:
        data = self.file.readline()
        self._seen(data)
        return data

    def readinto(self, buffer: bytearray) -> int:
        size = int(self.file.readinto(buffer))  # type: ignore[attr-defined]
        self._seen(memoryview(buffer)[:size])
        return size

    def _seen(self, data: bytes | memoryview) -> None:
        self.digest.update(data)
        self.size += len(data)


class _Articles(pickle.Unpickler):
    """Unpickles feedpub's model and the dates in it, and nothing else."""

    _ALLOWED = frozenset(
        [("datetime", name) for name in ("datetime", "timezone", "timedelta")]
        + [("feedpub.model", name) for name in dir(model) if name[:1].isupper()]
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a state")
        return super().find_class(module, name)
