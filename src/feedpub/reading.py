"""Catalogue bytes → the validated catalogue and its problems: `load`, then `catalogue`.

A large catalogue may be read in two parts at once: the site and the first articles here,
the site and the other articles in a forked process. The cut goes only where the text
before it holds nothing that reaches past an article (see `_cut`), so each part's YAML
reads exactly as the same lines of the whole. Two parts that each read without a problem
are joined by the same rules across articles that reading whole runs; anything else is
read whole, which alone places problems. So both ways agree on every catalogue.
"""

from __future__ import annotations

import re

from feedpub import catalogue, load, parallel, source
from feedpub.model import Catalogue
from feedpub.problems import Problem

PARALLEL_BYTES = 1 << 20
"""Smaller catalogues are read at once: starting a process would cost more than it saves."""

FIRST_PART = 0.54
"""Where the cut goes, as a share of the bytes: past the middle, since the second part has
to be pickled and sent back before the two can be joined (measured at 10,000 articles)."""

_ARTICLES = b"\narticles:"
_ENTRY = re.compile(rb" *(?:#[^\n]*)?\n|( *- )")
# What may make a part's YAML read otherwise than the same lines of the whole: an alias (its
# anchor may be in the other part, and aliases count towards the whole's alias-bomb limit),
# an anchor (the whole refuses one named twice, in two parts that each read without a problem),
# and line breaks other than LF and CRLF, after which a line may start unseen by the check of
# what starts lines (a byte-order mark at the start of a line, which YAML skips, is seen by it).
_NODE_START = frozenset(b" \t\r\n[]{},:?-")
"""Bytes after which an alias (`*name`) may start: white space and YAML's indicators."""
_BEFORE_ANCHOR = frozenset(b"\r\n[{,:?-")
"""What an anchor (`&name`) may follow, but blanks and a tag: a line's start or an indicator
that a node follows. (`&` within text, as in `Tom &amp; Jerry`, follows none.)"""
_TAGGED = re.compile(rb"![^ \t\r\n]*[ \t]+&")
"""A word that starts with '!', as a tag does, before a '&'."""
_OTHER_BREAKS = (re.compile(rb"\xe2\x80[\xa8\xa9]"), re.compile(rb"\xc2\x85"))
"""LS, PS and NEL in UTF-8: YAML 1.1 breaks lines at them. (Two searches with a literal
start each take a tenth of the time of one that has to try alternatives at every byte.)"""
_STRAY = re.compile(rb"\n[^ \n#\r]")
_STRAY_AT_MARGIN = re.compile(rb"\n(?:[^ \n#\r-]|-(?! ))")


def read(data: bytes, path: str, *, jobs: int | None = None) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue if it has no errors, and every problem found, sorted by place. `jobs`:
    see `parallel.available`."""
    if len(data) >= PARALLEL_BYTES and parallel.available(jobs):
        cut = _cut(data)
        if cut is not None:
            found = _read_parts(data, path, *cut)
            if found is not None:
                return found, []
    root, problems = load.parse(data, path)
    if root is None:
        return None, problems
    return catalogue.validate(root, path, screened=catalogue.screened(data))


def article_starts(data: bytes) -> list[int] | None:
    """Where each article starts, if the catalogue can be cut soundly before every one of
    them (see `_cut`; the whole is checked for unusual line breaks here); None otherwise.
    A part from one start to the next that reads as exactly one article, starting on its
    first line, reads as the same lines of the whole do."""
    found = _first_article(data)
    if found is None or _other_breaks(data):
        return None
    position, item = found
    # a regular expression finds them three times as fast as bytes.find at 100,000 articles
    following = re.compile(b"\n" + re.escape(item)).finditer(data, position)
    return [position, *(line.start() + 1 for line in following)]


def _cut(data: bytes) -> tuple[int, int] | None:
    """Where the first article starts, and where a later one starts near `FIRST_PART` of
    the way; None if the catalogue cannot be cut soundly (see `_first_article`)."""
    found = _first_article(data)
    if found is None:
        return None
    position, item = found
    cut = data.find(b"\n" + item, max(int(len(data) * FIRST_PART), position))
    return None if cut < 0 else (position, cut + 1)


def _first_article(data: bytes) -> tuple[int, bytes] | None:
    """Where the first article starts, and how its line starts; None if the catalogue
    cannot be cut soundly.

    The articles must be the last key of the document, at the start of a line, with
    nothing after them at the start of a line but their items (so no document marker such
    as `...`, no directive, no other key), and no alias, anchor or unusual line break anywhere (the
    parts look for the latter in their own bytes, which hold all of the catalogue's, each
    process in its own: see `_part`).
    Then a line that starts a list item exactly as the first article does (at that
    indentation) starts the next article, unless it is inside a quoted scalar or a flow
    collection that the first part would end inside, which YAML refuses: that part fails
    and the catalogue is read whole. Block and plain scalars end before such a line."""
    if len(data) > source.MAX_BYTES:  # the whole is refused; no part is too large alone
        return None
    header = data.find(_ARTICLES)
    if header < 0 or data.find(_ARTICLES, header + 1) >= 0:
        return None
    if _may_alias(data) or _may_anchor(data):
        return None
    start = data.find(b"\n", header + 1) + 1
    if not start:
        return None
    position = start
    while (line := _ENTRY.match(data, position)) and not line.group(1):  # blank lines and comments
        position = line.end()
    if line is None:
        return None
    item = line.group(1)
    # after the header, a line may start only with white space, a comment or (for a list
    # at the left margin) a list item
    stray = _STRAY_AT_MARGIN if item == b"- " else _STRAY
    if stray.search(data, start - 1):
        return None
    return position, item


def _may_alias(data: bytes) -> bool:
    """Whether `data` may hold an alias: a '*' where a node may start."""
    star = data.find(b"*")
    while star >= 0:
        if star == 0 or data[star - 1] in _NODE_START:
            return True
        star = data.find(b"*", star + 1)
    return False


def _may_anchor(data: bytes) -> bool:
    """Whether `data` may hold an anchor: a '&' where a node may start, after blanks, after
    a tag (`!!str &name`) or where `_BEFORE_ANCHOR` says. (A loop over the '&'s: a search
    that has to try its start at every byte takes ten times as long.)"""
    amp = data.find(b"&")
    if amp < 0:
        return False
    for tagged in _TAGGED.finditer(data):
        if not tagged.start() or data[tagged.start() - 1] in _NODE_START:
            return True
    while amp >= 0:
        at = amp - 1
        while at >= 0 and data[at] in b" \t":
            at -= 1
        if at < 0 or data[at] in _BEFORE_ANCHOR:
            return True
        amp = data.find(b"&", amp + 1)
    return False


def _other_breaks(data: bytes) -> bool:
    """Whether `data` breaks a line other than with LF or CRLF."""
    return (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")) or any(
        other.search(data) for other in _OTHER_BREAKS
    )


def _read_parts(data: bytes, path: str, start: int, cut: int) -> Catalogue | None:
    first, rest = parallel.both(
        lambda: _part(data[:cut], path), lambda: _part(data[:start] + data[cut:], path)
    )
    shift = data.count(b"\n", start, cut)  # the lines of the first part's articles, not in the rest
    return None if first is None or rest is None else catalogue.join(first, rest, shift)


def _part(data: bytes, path: str) -> catalogue.Part | None:
    if _other_breaks(data):  # the cut may not be sound: see `_cut`
        return None
    root, _ = load.parse(data, path)
    return None if root is None else catalogue.part(root, path, screened=catalogue.screened(data))
