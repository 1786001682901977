"""Catalogue bytes and what an earlier build read → the validated catalogue, parsing and
validating only the articles whose bytes changed.

Where `reading.article_starts` cuts the catalogue before every article, the text before
the first article (the site block, its tags and selections: the context) and each article's
part are known by their SHA-256. In the same context as an earlier reading (and with the
same rules for the site's time zone, by which local times get their offset), a part with
the same bytes reads as the same article, which `catalogue.part` made from the context's
bytes and the part's alone; it is not read again. The other parts are read together after the
context, and must read without any problem, as exactly one article each, starting on the
part's first line: so no cut fell inside a value, and each part reads as the same lines of
the whole do (see `reading`). The rules across articles then run over every article in
order, as `catalogue.whole` runs them. Any problem in the parts read, any finding of the rules
across articles, or a catalogue that cannot be cut means reading the whole with
`reading.read`, which alone places problems. So the result is always what `reading.read`
gives.
"""

from __future__ import annotations

import hashlib
import itertools
import zoneinfo
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import yaml

from feedpub import catalogue, load, parallel, reading
from feedpub.model import Article, Catalogue, Place, Site
from feedpub.problems import Problem


class Known(NamedTuple):
    """What a reading leaves for the next: the context's digests (see `_context`), the site,
    the tags it defines and where it gives site.max_bytes, and each article part's digest
    with the article `catalogue.part` read from it (before the rules across articles name its
    tags) and the column it starts at on the part's first line."""

    context: bytes
    site: Site
    defined: tuple[str, ...]
    budget: Place
    articles: dict[bytes, tuple[Article, int]]


def read(
    data: bytes, path: str, known: Known | None, *, jobs: int | None = None
) -> tuple[Catalogue | None, list[Problem], Known | None]:
    """The catalogue if it has no errors, every problem found (as `reading.read` gives
    them), and what the next reading may reuse (None if it was read whole)."""
    starts = reading.article_starts(data)
    found = None if starts is None else _read(data, path, starts, known, jobs)
    if found is None:
        whole, problems = reading.read(data, path, jobs=jobs)
        return whole, problems, None
    return found[0], [], found[1]


def _read(
    data: bytes, path: str, starts: list[int], known: Known | None, jobs: int | None
) -> tuple[Catalogue, Known] | None:
    view = memoryview(data)
    spans = list(zip(starts, [*starts[1:], len(data)], strict=True))
    digests = [hashlib.sha256(view[start:end]).digest() for start, end in spans]
    header = data[: starts[0]]
    held = known.articles if known is not None and known.context == _context(header, known.site) else {}
    new = [k for k, digest in enumerate(digests) if digest not in held]
    if new:
        size = sum(spans[k][1] - spans[k][0] for k in new)
        shared = size >= reading.PARALLEL_BYTES and len(new) >= 2 and parallel.available(jobs)
        half = len(new) // 2 if shared else len(new)
        first, rest = new[:half], new[half:]
        if rest and first:
            parts = parallel.both(
                lambda: _part(data, path, header, [spans[k] for k in first]),
                lambda: _part(data, path, header, [spans[k] for k in rest]),
            )
        else:
            parts = (_part(data, path, header, [spans[k] for k in new]), None)
        read = [part for part in parts if part is not None]
        if len(read) != (2 if rest and first else 1):
            return None
        site, defined, budget = read[0].site, read[0].defined, read[0].budget
        if any(part.site != site for part in read):
            return None
        found = [pair for part in read for pair in zip(part.articles, part.columns, strict=True)]
        articles = dict(zip(new, found, strict=True))
    else:
        assert known is not None  # every part is held, so there was an earlier reading
        site, defined, budget, articles = known.site, known.defined, known.budget, {}
    ordered = [articles[k] if k in articles else held[digest] for k, digest in enumerate(digests)]
    places: tuple[Place, ...] = ()
    if site.max_bytes is not None:  # where each article starts, for what the budget leaves out
        lines = itertools.accumulate(
            (data.count(b"\n", *span) for span in spans), initial=header.count(b"\n")
        )
        places = tuple((line + 1, column) for line, (_, column) in zip(lines, ordered, strict=False))
    part = catalogue.Part(site, defined, tuple(article for article, _ in ordered), places, budget)
    whole = catalogue.whole(part)
    if whole is None:
        return None
    context = _context(header, site)
    return whole, Known(context, site, defined, budget, dict(zip(digests, ordered, strict=True)))


def _context(header: bytes, site: Site) -> bytes:
    """What the articles are read in: the text before the first, and the rules of the site's
    time zone, by which their local times were given a UTC offset."""
    return hashlib.sha256(header).digest() + _rules(site.timezone)


def _rules(zone: str) -> bytes:
    """The SHA-256 of the rules of the time zone `zone` as `zoneinfo` finds them: the first
    file of that name on its search path, else the `tzdata` package's."""
    for folder in zoneinfo.TZPATH:
        try:
            return hashlib.sha256(Path(folder, zone).read_bytes()).digest()
        except OSError:
            continue
    try:
        data = resources.files("tzdata.zoneinfo").joinpath(*zone.split("/")).read_bytes()
    except (ImportError, OSError):
        data = b""
    return hashlib.sha256(data).digest()


class _Read(NamedTuple):
    site: Site
    defined: tuple[str, ...]
    budget: Place
    articles: tuple[Article, ...]
    columns: list[int]
    """The column each article starts at, on its part's first line."""


def _part(data: bytes, path: str, header: bytes, spans: list[tuple[int, int]]) -> _Read | None:
    """The parts at `spans`, read after the context `header`, if they read without a
    problem as one article each, starting on each part's first line."""
    text = _text(data, header, spans)
    root, _ = load.parse(text, path)
    items = None if root is None else _articles(root)
    if items is None or len(items) != len(spans):
        return None
    line = header.count(b"\n")
    for (start, end), item in zip(spans, items, strict=True):
        if item.start_mark.line != line:
            return None
        line += data.count(b"\n", start, end)
    assert root is not None
    part = catalogue.part(root, path, screened=catalogue.screened(text))
    if part is None or len(part.articles) != len(spans):
        return None
    columns = [item.start_mark.column + 1 for item in items]
    return _Read(part.site, part.defined, part.budget, part.articles, columns)


def _text(data: bytes, header: bytes, spans: list[tuple[int, int]]) -> bytes:
    """The context `header`, then the parts at `spans`, copied once: a catalogue read whole
    (every part, in order) is `data` itself, not a copy held beside it."""
    runs: list[list[int]] = []
    for start, end in spans:
        if runs and runs[-1][1] == start:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    if runs == [[len(header), len(data)]]:
        return data
    view = memoryview(data)
    return b"".join([header, *(view[start:end] for start, end in runs)])


def _articles(root: yaml.MappingNode) -> list[yaml.Node] | None:
    """The items of the document's `articles` list, if it has one."""
    for key, value in root.value:
        if key.value == "articles" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return None
