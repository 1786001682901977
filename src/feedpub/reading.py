"""Catalogue bytes → the validated catalogue and its problems: `load`, then `catalogue`.

A large catalogue is read in two parts at once, on two cores: the site and the first half of
the articles here, the site and the second half in a forked process. Two parts that each
have no problem, and that `catalogue.join` can join, make the catalogue; anything else (a
problem, a warning, a part that cannot be cut cleanly) is left to reading it whole, which
alone places problems right. So both ways agree on every catalogue they accept.
"""

from __future__ import annotations

import re

from feedpub import catalogue, load, parallel
from feedpub.model import Catalogue
from feedpub.problems import Problem

PARALLEL_BYTES = 1 << 20
"""Smaller catalogues are read at once: starting a process would cost more than it saves."""

FIRST_PART = 0.54
"""Where the cut goes, as a share of the bytes: past the middle, since the second part has
to be pickled and sent back before the two can be joined (measured at 10,000 articles)."""

_ARTICLES = b"\narticles:"
_ENTRY = re.compile(rb" *(?:#[^\n]*)?\n|( *- )")
_NODE_START = frozenset(b" \t\r\n[{,")


def read(data: bytes, path: str, *, jobs: int = 2) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue if it has no errors, and every problem found, sorted by place."""
    if len(data) >= PARALLEL_BYTES and parallel.available(jobs):
        cut = _cut(data)
        if cut is not None:
            found = _read_parts(data, path, *cut)
            if found is not None:
                return found, []
    root, problems = load.parse(data, path)
    return (
        (None, problems)
        if root is None
        else catalogue.validate(root, path, screened=catalogue.screened(data))
    )


def _cut(data: bytes) -> tuple[int, int] | None:
    """Where the line that names the articles ends, and where a later article starts near
    `FIRST_PART` of the way; None if there is no such place.

    The cut is at a line that starts a list item exactly as the first article does: at
    that indentation, outside a block scalar (whose lines are indented further) and not
    within a multi-line quoted scalar or flow collection (the first part would then end
    inside one, which libyaml refuses), such a line can only start the next article."""
    header = data.find(_ARTICLES)
    if header < 0 or data.find(_ARTICLES, header + 1) >= 0 or _may_alias(data):
        return None
    position = data.find(b"\n", header + 1) + 1
    while (line := _ENTRY.match(data, position)) and not line.group(1):  # blank lines and comments
        position = line.end()
    if line is None:
        return None
    entry = b"\n" + line.group(1)
    cut = data.find(entry, max(int(len(data) * FIRST_PART), position))
    return None if cut < 0 else (position, cut + 1)


def _may_alias(data: bytes) -> bool:
    """Whether `data` may hold an alias, which each part would count in its alias-bomb check
    (see load.MAX_ALIAS_GROWTH) if both parts held its anchor: a '*' where a node may start."""
    star = data.find(b"*")
    while star >= 0:
        if star == 0 or data[star - 1] in _NODE_START:
            return True
        star = data.find(b"*", star + 1)
    return False


def _read_parts(data: bytes, path: str, header: int, cut: int) -> Catalogue | None:
    first, rest = parallel.both(
        lambda: _part(data[:cut], path), lambda: _part(data[:header] + data[cut:], path)
    )
    return None if first is None or rest is None else catalogue.join(first, rest)


def _part(data: bytes, path: str) -> catalogue.Part | None:
    root, _ = load.parse(data, path)
    return None if root is None else catalogue.validate_part(root, path, screened=catalogue.screened(data))
