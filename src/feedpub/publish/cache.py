"""The articles a build read (see `rereading.Known`), kept for the next build of the same
output folder in the user's cache folder: `$XDG_CACHE_HOME/feedpub/` (by default
`~/.cache/feedpub/`), one file a output folder, named by the SHA-256 of the folder's absolute
path.

Why not beside the build record, with the state: the output folder is what users serve and
copy (a web root, `rsync`, a bucket), and the articles read include drafts and articles not
yet published, in full, and run to hundreds of megabytes for a large catalogue. Nothing that
is not already in the feeds goes there; the state beside the record (see `state`) holds only
feeds' keys and the SHA-256 of this file. So a file changed, swapped, or left by a build that
failed part-way is not used; losing it, or having no cache folder, costs only a reading of
the whole catalogue. The file is written to a temporary beside it, readable by its owner
alone, and put in place only once the build that read it has published; feedpub touches no
other file there.

The articles are pickled a chunk at a time (so a build never holds them as one string) and
unpickled only into feedpub's model and the standard library's dates (see `_Articles`), never
into anything that runs code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from feedpub import model
from feedpub.rereading import Known

CHUNK = 1000
"""Articles a pickle: each pickle's memo holds every object it wrote until it is done."""

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


def folder() -> Path | None:
    """The folder feedpub keeps articles in; None if the user has no home to find it by."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):  # the XDG spec: a relative path is to be ignored
        try:
            cache = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(cache) / "feedpub"


def location(out: Path) -> Path | None:
    """The file that keeps the articles for the output folder `out`."""
    found = folder()
    name = hashlib.sha256(os.fsencode(out.absolute())).hexdigest()
    return None if found is None else found / f"{name}.pickle"


class Pending(NamedTuple):
    """Articles written to a temporary, and the SHA-256 of its bytes."""

    temporary: Path
    final: Path
    digest: str


@contextmanager
def written(out: Path, known: Known | None) -> Iterator[Pending | None]:
    """Write `known` for the output folder `out`, and put it in place when the block ends
    without an exception (otherwise drop it). None (nothing written) if there is nothing to
    keep or it cannot be written: the next build reads the whole catalogue."""
    path = location(out)
    pending = None if known is None or path is None else _write(path, known)
    try:
        yield pending
    except BaseException:
        if pending is not None:
            pending.temporary.unlink(missing_ok=True)
        raise
    if pending is not None:
        try:
            os.replace(pending.temporary, pending.final)
        except OSError:
            pending.temporary.unlink(missing_ok=True)


def _write(path: Path, known: Known) -> Pending | None:
    temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(temporary, flags, 0o600), "wb") as file:
            hashed = _Hashed(file)
            header = (known.context, known.site, known.defined, len(known.articles))
            items = iter(known.articles.items())
            for chunk in chain([header], iter(lambda: list(islice(items, CHUNK)), [])):
                pickle.Pickler(hashed, protocol=pickle.HIGHEST_PROTOCOL).dump(chunk)
    except OSError:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        return None
    return Pending(temporary, path, hashed.digest.hexdigest())


def read(out: Path, digest: str) -> Known | None:
    """The articles kept for the output folder `out`, if the file's SHA-256 is `digest` and it
    holds what `written` writes; None otherwise."""
    path = location(out)
    if not digest or path is None:
        return None
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as file:
            hashed = _Hashing(file)
            found = _load(lambda: _Articles(hashed).load())
            if found is None or file.read(1) or hashed.digest.hexdigest() != digest:
                return None
    except (OSError, *_ERRORS):
        return None
    return found


def _load(load: Callable[[], Any]) -> Known | None:
    """The articles in the pickles `load` gives one by one, if they are what `written` wrote."""
    context, site, defined, count = load()
    if not (
        isinstance(context, bytes)
        and isinstance(site, model.Site)
        and isinstance(defined, tuple)
        and isinstance(count, int)
    ):
        return None
    articles: dict[bytes, model.Article] = {}
    while len(articles) < count:
        chunk = load()
        if not isinstance(chunk, list) or not chunk:
            return None
        for part, article in chunk:
            if not isinstance(part, bytes) or type(article) is not model.Article:
                return None
            articles[part] = article
    return Known(context, site, defined, articles) if len(articles) == count else None


class _Hashed:
    """A file written through, with the SHA-256 of what was written."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


class _Hashing:
    """A file read through, with the SHA-256 of what was read."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data

    def readline(self) -> bytes:
        data = self.file.readline()
        self.digest.update(data)
        return data

    def readinto(self, buffer: bytearray) -> int:
        size = self.file.readinto(buffer)  # type: ignore[attr-defined]
        self.digest.update(memoryview(buffer)[:size])
        return int(size)


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
