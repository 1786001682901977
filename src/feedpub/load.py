"""Bytes → YAML node graph with marks, read safely.

Nodes keep their line and column, so every later problem can name its place. Nothing is
constructed into Python objects here: that happens field by field in `catalogue`, which
decides each value's type from the field it fills rather than from YAML's implicit rules.
"""

from __future__ import annotations

import codecs
import re

import yaml

from feedpub import source
from feedpub.problems import Code, Problem

MAX_ALIAS_GROWTH = 10
"""Aliases may make the document at most this many times its own characters (plus a fixed slack)."""

_ALIAS_SLACK = 100_000  # characters: a small catalogue may alias its few large values a few times

_FAST = getattr(yaml, "CSafeLoader", None)


class _Loader(_FAST or yaml.SafeLoader):  # type: ignore[misc]  # libyaml's, where PyYAML has it
    """PyYAML's safe loader without its hooks for path resolvers (an experimental feature
    that feedpub does not use): composing calls them at every node, to find there are none,
    in a tenth of the time of reading."""

    def descend_resolver(self, current_node: yaml.Node | None, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "seq", "map")
)


def parse(data: bytes, path: str) -> tuple[yaml.MappingNode | None, list[Problem]]:
    """The document's root mapping node, or None with the problems that prevent reading it."""

    def problem(line: int, col: int, code: Code, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem.coded(code, path, line, col, message)]

    if len(data) > source.MAX_BYTES:
        return problem(
            1,
            1,
            Code.TOO_LARGE,
            f"catalogue is larger than {source.MAX_BYTES >> 20} MiB, the most feedpub reads",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # libyaml would decode it
        return problem(
            1,
            1,
            Code.NOT_UTF_8,
            "catalogue is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        )
    try:
        # libyaml reads UTF-8 bytes itself, refusing any that are not UTF-8: decoding them here
        # as well would only cost time (a tenth of reading's), so the text is made when there
        # is a problem to place, or for PyYAML's own reader
        raw = _FAST is not None and issubclass(_Loader, _FAST)
        stream = data.removeprefix(codecs.BOM_UTF8) if raw else data.decode("utf-8").removeprefix("\ufeff")
        root = _Loader(stream).get_single_node()
    except (yaml.MarkedYAMLError, yaml.reader.ReaderError, RecursionError, UnicodeDecodeError) as e:
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as bad:  # the first thing wrong, wherever YAML stopped
            start = data.rfind(b"\n", 0, bad.start) + 1
            line, col = data.count(b"\n", 0, bad.start) + 1, len(data[start : bad.start].decode()) + 1
            return problem(
                line,
                col,
                Code.NOT_UTF_8,
                f"byte 0x{data[bad.start]:02x} is not valid UTF-8; save the file as UTF-8",
            )
        if isinstance(e, yaml.MarkedYAMLError):
            mark = e.problem_mark or e.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            context = f"{e.context}, " if e.context else ""
            opened = e.context_mark
            if e.context and e.context.startswith("while ") and opened and mark and opened.line != mark.line:
                context = f"{e.context} started at {opened.line + 1}:{opened.column + 1}, "
            advice = _advice(f"{e.context} {e.problem}", text, mark)
            return problem(*where, Code.INVALID_YAML, f"invalid YAML: {context}{e.problem}{advice}")
        if isinstance(e, yaml.reader.ReaderError):
            # the first such character in the text is where reading stopped
            at = text.find(chr(e.character))
            line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
            return problem(
                line,
                col,
                Code.INVALID_YAML,
                f"invalid YAML: character U+{e.character:04X} is not allowed in YAML",
            )
        return problem(1, 1, Code.TOO_DEEP, "invalid YAML: nested too deeply")
    if root is None:
        return problem(
            1, 1, Code.EMPTY_CATALOGUE, "catalogue is empty: expected a mapping with 'site' and 'articles'"
        )
    # Aliases and explicit tags are written with '*' and '!': without either, there is nothing to check.
    problems = _check_graph(root, path, stream) if b"*" in data or b"!" in data else []
    if problems:
        return None, problems
    if not isinstance(root, yaml.MappingNode):
        line, col = _place(root)
        return problem(
            line, col, Code.WRONG_TYPE, "catalogue must be a mapping with 'site' and 'articles' at the top"
        )
    return root, []


_INDENTATION = (
    "; indent with spaces, each key in the same column as the other keys of its mapping and each "
    "'-' in the same column as the other items of its list"
)
_QUOTE_IT = "; quote the whole value, as in title: '[Draft] it''s here' (a ' inside '…' is written '')"

# PyYAML's and libyaml's words for the mistakes people make most, and what to do instead. The
# first row whose pattern the problem matches gives the advice; a problem no row knows keeps
# the parser's words alone.
YAML_ADVICE: tuple[tuple[str, str], ...] = (
    (
        r"mapping values are not allowed",
        "; a value holding ': ' must be quoted, as in content: \"<p>Step one: mix</p>\", or "
        "written on the lines below a '|', indented",
    ),
    (r"tab character|character '\\t'", "; indent with spaces: YAML does not allow tabs there"),
    (
        r"cannot start any token",
        "; a value may not start with @, ` or %, nor be indented with tabs: quote the value, "
        "indent with spaces",
    ),
    (r"expected <block end>|did not find expected key", _INDENTATION),
    (r"expected '-' indicator", _INDENTATION),
    (
        r"could not find expected ':'",
        "; a key needs ': ' after it; a line that continues the value above must be indented "
        "further than its key",
    ),
    (
        r"end of stream",
        "; a quoted value must end with the quote it starts with; quote it with '…' and write a ' "
        "inside as ''",
    ),
    (
        r"unknown escape character",
        "; in \"…\" a backslash starts an escape: write \\\\ for one, or quote with '…'",
    ),
    (
        r"expected ',' or '[\]}]'",
        "; a [...] or {...} list must close on its line: close it, or quote a value that "
        "holds ',', ':', brackets or braces",
    ),
    (
        r"expected alphabetic or numeric character|undefined alias",
        "; a value starting with * or & is an alias or an anchor to YAML: quote it, as in "
        "title: '*Bold* news'",
    ),
    (
        r"chomping or indentation|expected comment or line break",
        "; after '|' or '>' the text starts on the next line, indented",
    ),
    (r"duplicate anchor", "; give each &anchor its own name"),
)
_ADVICE = tuple((re.compile(pattern), advice) for pattern, advice in YAML_ADVICE)


def _advice(words: str, text: str, mark: yaml.Mark | None) -> str:
    """What would be valid, for a parser's words about `mark` in `text`."""
    for pattern, advice in _ADVICE:
        if pattern.search(words):
            if advice is _INDENTATION and mark is not None and not _starts_line(text, mark):
                return _QUOTE_IT  # what came first on the line ended early: a quote or bracket
            return advice
    return ""


def _starts_line(text: str, mark: yaml.Mark) -> bool:
    """Whether only blanks come before `mark` on its line."""
    lines = text.split("\n", mark.line + 1)
    return mark.line >= len(lines) or not lines[mark.line][: mark.column].strip()


def _place(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_graph(root: yaml.Node, path: str, stream: bytes | str) -> list[Problem]:
    """Refuse recursive aliases, alias bombs and non-data tags, visiting each node once.

    A node weighs its characters: a scalar the length of its value plus one, a collection one
    plus its children. Counting nodes alone would let one alias of a large text through."""

    def error(place: tuple[int, int], code: Code, message: str) -> Problem:
        return Problem.coded(code, path, *place, message)

    problems: list[Problem] = []
    size: dict[int, int] = {}  # what each finished node weighs with its aliases expanded
    open_nodes: set[int] = set()
    written = 0  # what the document weighs with each node counted once
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size[key] = _own_weight(node) + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        if key in open_nodes:  # reached again from inside itself
            return [
                error(
                    _place(node),
                    Code.RECURSIVE_ALIAS,
                    "invalid YAML: an alias refers to a node that contains it",
                )
            ]
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace(_YAML, "!!")
            problems.append(
                error(
                    _place(node),
                    Code.YAML_TAG,
                    f"YAML tag '{tag}' is not allowed: a catalogue holds plain strings, numbers, "
                    "dates, lists and mappings",
                )
            )
        written += _own_weight(node)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    expanded, most = size[id(root)], MAX_ALIAS_GROWTH * written + _ALIAS_SLACK
    if expanded > most:
        problems.append(
            error(
                _alias_past(stream, most),
                Code.ALIAS_BOMB,
                f"invalid YAML: aliases expand {written:,} characters into {expanded:,} (this alias "
                f"takes them past {most:,}); feedpub allows at most {MAX_ALIAS_GROWTH} times as "
                f"many, plus {_ALIAS_SLACK:,} (an 'alias bomb'?)",
            )
        )
    return problems


def _own_weight(node: yaml.Node) -> int:
    return len(node.value) + 1 if isinstance(node, yaml.ScalarNode) else 1


def _alias_past(stream: bytes | str, most: int) -> tuple[int, int]:
    """Where the alias is after which the document, read in order with its aliases expanded,
    weighs more than `most` (it does by its end). Composed nodes do not keep where their
    aliases were, so the events are read again: only for a document that is refused."""
    anchored: dict[str, int] = {}  # what each anchor's node weighs, aliases expanded
    collections: list[tuple[str | None, int]] = []  # open ones: anchor, weight before it
    weight, place = 0, (1, 1)
    for event in yaml.parse(stream, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            assert event.anchor is not None and event.start_mark is not None  # a parser's alias has both
            weight += anchored[event.anchor]
            place = (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, yaml.ScalarEvent):
            weight += len(event.value) + 1
            if event.anchor is not None:
                anchored[event.anchor] = len(event.value) + 1
        elif isinstance(event, yaml.CollectionStartEvent):
            collections.append((event.anchor, weight))
            weight += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = collections.pop()
            if anchor is not None:
                anchored[anchor] = weight - before
        if weight > most:  # the nodes written once weigh no more than `most`: an alias came
            return place
    return place
