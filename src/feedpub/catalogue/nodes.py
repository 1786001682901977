"""Typed values from YAML nodes, each problem collected with its place.

A field's type comes from the field, never from YAML's implicit typing: `title: no` is the
text "no", and `draft: no` is refused rather than guessed at. A value read is either what
the field holds or INVALID (its problem already reported); an absent field is told apart
by the field table's default, never by None.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import Enum
from typing import Any, Final, Generic, Literal, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from feedpub import moments
from feedpub.catalogue import screen
from feedpub.problems import Code, Problem

T = TypeVar("T")


class _Invalid(Enum):
    INVALID = "invalid"


INVALID: Final = _Invalid.INVALID
"""What a read gives for a value it refused; the problem is reported already."""
Invalid = Literal[_Invalid.INVALID]

YAML = "tag:yaml.org,2002:"
_NULL = YAML + "null"
MERGE = YAML + "merge"
# Tags as constants: spelt out in a check, they would be joined anew for every node.
_DATE_TAGS = (YAML + "timestamp", YAML + "str")
_BOOL = YAML + "bool"
_INT = YAML + "int"
_DECIMAL = re.compile(r"[-+]?[0-9]+")
TEXT: dict[str, Any] = {"type": ["string", "number", "boolean"]}
"""YAML types a bare `no` or `42` that feedpub reads as text, so the schema accepts them."""
URL: dict[str, Any] = {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://\S"}

MAX_LINE = 1_000
"""Characters a one-line text (a title, a name) may have."""
MAX_TEXT = 100_000
"""Characters any other text may have, unless its field says otherwise. Bounds keep every
text node of a feed far below the 10 MB that XML parsers (libxml2's default) refuse."""

# Text that readers take for HTML markup whatever the escaping: an end tag such as </p>.
END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]*)\s*>")
_SPACE = re.compile(r"\s")
# An http(s) URL of characters a URI may hold, each part present only if non-empty: taken
# apart and put together again by `http_uri`, it would come out the same.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?:/[\w\-.~!$&'()*+,;=:@%/]*)?(?:\?[\w\-.~!$&'()*+,;=:@%/?]+)?"
    r"(?:#[\w\-.~!$&'()*+,;=:@%/?]+)?",
    re.ASCII,
)
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"  # with letters and digits: what a URI may hold unescaped


class Kind(Generic[T]):
    """How a field is read from its node, and what the JSON Schema says of it."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> T | Invalid:
        raise NotImplementedError


@dataclass(frozen=True)
class Field(Generic[T]):
    name: str
    description: str
    kind: Kind[T]
    required: bool = False
    default: Any = None
    """The value when the field is absent (None: none, or one a rule derives)."""
    unique: bool = False
    """No two articles may give the same value (checked across articles)."""
    example: str = ""
    """A valid value, as YAML, for the reference and editors."""
    unset: str = ""
    """What holds when the field is absent and `default` is None, in words."""


class Table:
    """The fields of one kind of mapping, and how it is named in messages."""

    def __init__(self, what: str, fields: tuple[Field[Any], ...]) -> None:
        self.what = what
        self.fields = fields
        self.by_name = {f.name: f for f in fields}
        self.names = list(self.by_name)
        self.required = [f for f in fields if f.required]
        self.unique = [f.name for f in fields if f.unique]

    def __getitem__(self, name: str) -> Field[Any]:
        return self.by_name[name]


class Nodes:
    """Reads typed values from the nodes of one document, collecting problems."""

    def __init__(self, path: str, *, screened: bool) -> None:
        self.path = path
        self.screened = screened
        """The document's bytes passed `screen.screened`: no field need be looked at for
        the characters it looks for."""
        self.problems: list[Problem] = []
        self.tz: tzinfo = UTC
        """Where dates without an offset are (the site's time zone, once read)."""

    def error(self, node: yaml.Node, where: str, code: Code, message: str) -> None:
        """A problem of kind `code` (an error or a warning, as the code is) at `node`."""
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem.coded(code, self.path, line, col, message, where))

    # -- mappings ----------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, where: str, table: Table) -> dict[str, yaml.Node] | Invalid:
        """The mapping's value nodes by key; unknown, duplicate and missing required keys
        are reported. INVALID if the node is no mapping."""
        what = table.what
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, Code.WRONG_TYPE, f"{what} must be a mapping of {', '.join(table.names)}")
            return INVALID
        values: dict[str, yaml.Node] = {}
        firsts: dict[str, yaml.Node] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == MERGE:
                merged.extend(self._merged(value, where))
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, where, Code.WRONG_TYPE, f"keys of {what} must be plain names")
                continue
            name = key.value
            if name in firsts:
                self.error(
                    key,
                    join(where, name),
                    Code.DUPLICATE_KEY,
                    f"duplicate key '{name}' in {what} (first at line {firsts[name].start_mark.line + 1})",
                )
                continue
            firsts[name] = key
            if name not in table.by_name:
                self.error(key, join(where, name), Code.UNKNOWN_FIELD, _unknown(name, table))
                continue
            values[name] = value
        for key, value in merged:
            name = key.value
            if name in table.by_name:
                values.setdefault(name, value)
            elif name not in firsts:
                self.error(key, join(where, name), Code.UNKNOWN_FIELD, _unknown(name, table))
        for field in table.required:
            if field.name not in values:
                self.error(
                    node,
                    join(where, field.name),
                    Code.MISSING_FIELD,
                    f"{what} is missing '{field.name}' ({field.description})",
                )
        return values

    def _merged(self, node: yaml.Node, where: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """Pairs a merge key brings in, earlier sources first, as YAML's merge rule says."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.error(source, where, Code.WRONG_TYPE, "'<<' must merge a mapping or a list of mappings")
                continue
            yield from ((k, v) for k, v in source.value if k.tag != MERGE)
            for k, v in source.value:
                if k.tag == MERGE:
                    yield from self._merged(v, where)

    def field(self, values: Mapping[str, yaml.Node], field: Field[T], where: str) -> Any:
        """The field's value as its kind reads it (INVALID if it is not valid), or its
        default if the mapping lacks it."""
        node = values.get(field.name)
        return field.default if node is None else field.kind.read(self, node, join(where, field.name))

    # -- scalars -----------------------------------------------------------------------------

    def text(
        self, node: yaml.Node, where: str, *, line: bool = False, html: bool = False, most: int | None = None
    ) -> str | Invalid:
        """A non-empty string (white space folded to single spaces if `line`) of at most
        `most` characters (by default MAX_LINE for a line, else MAX_TEXT). Text that is not
        `html` is shown as plain text, so it may not look like markup."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, where, Code.WRONG_TYPE, f"'{leaf(where)}' must be text, not a {kind_of(node)}")
            return INVALID
        value = "" if node.tag == _NULL and not node.style else node.value
        value = " ".join(value.split()) if line else value.strip()
        if not value:
            self.error(node, where, Code.EMPTY_VALUE, f"'{leaf(where)}' is empty")
            return INVALID
        most = most or (MAX_LINE if line else MAX_TEXT)
        if len(value) > most:
            self.error(
                node,
                where,
                Code.TOO_LONG,
                f"'{leaf(where)}' has {len(value):,} characters; it may have at most {most:,}",
            )
            return INVALID
        fault = None if self.screened else screen.fault(value, leaf(where))
        if fault:
            self.error(node, where, *fault)
            return INVALID
        tag = None if html else END_TAG.search(value)
        if tag:
            self.error(
                node,
                where,
                Code.MARKUP_IN_TEXT,
                f"'{leaf(where)}' contains '{tag.group()}', which feed readers take for HTML; "
                "plain-text fields cannot carry markup (write it without the angle brackets)",
            )
            return INVALID
        return value

    def link(self, node: yaml.Node, where: str) -> str | Invalid:
        text = self.text(node, where)
        if text is INVALID:
            return INVALID
        uri, reason = http_uri(text)
        if uri is None:
            self.error(
                node,
                where,
                Code.INVALID_URL,
                f"'{leaf(where)}': '{text}' {reason} (expected an absolute http(s) URL "
                "such as https://example.org/page)",
            )
            return INVALID
        return uri

    def pattern(self, node: yaml.Node, where: str, regex: re.Pattern[str], expected: str) -> str | Invalid:
        text = self.text(node, where)
        if text is not INVALID and not regex.fullmatch(text):
            self.error(
                node, where, Code.INVALID_VALUE, f"'{leaf(where)}': '{text}' is not valid ({expected})"
            )
            return INVALID
        return text

    def when(self, node: yaml.Node, where: str) -> datetime | Invalid:
        expected = "expected YYYY-MM-DD or an ISO 8601 date-time such as 2023-12-01T10:00:00-05:00"
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _DATE_TAGS:
            given = described(node)
            self.error(node, where, Code.INVALID_DATE, f"'{leaf(where)}': {given} is not a date ({expected})")
            return INVALID
        raw = node.value.strip()
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError as e:
            reason = f": {e}" if "range" in str(e) else ""
            self.error(
                node, where, Code.INVALID_DATE, f"'{leaf(where)}': '{raw}' is not a date{reason} ({expected})"
            )
            return INVALID
        offset = moment.utcoffset()
        if offset is not None and (offset.seconds % 60 or offset.microseconds):
            self.error(
                node,
                where,
                Code.INVALID_DATE,
                f"'{leaf(where)}': {raw} has a UTC offset with seconds, which feeds cannot carry "
                "(expected an offset of hours and minutes such as +05:30)",
            )
            return INVALID
        aware = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        # One rule however a moment is written: the instant it is, in UTC, as RSS writes it
        if not moments.EARLIEST <= aware < moments.LATEST:
            compared = raw
            if moments.EARLIEST.year <= moment.year < moments.LATEST.year:  # in range as written
                zone = "" if moment.tzinfo else f" in {self.tz}"
                compared = f"{raw}{zone} is {aware.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} in UTC, which"
            self.error(
                node,
                where,
                Code.DATE_OUT_OF_RANGE,
                f"'{leaf(where)}': {compared} is not between 1990 and 9998 (feed validators reject "
                "earlier dates as implausible; later ones are beyond what dates can be computed with)",
            )
            return INVALID
        if moment.tzinfo is not None:
            return moment
        if moments.skipped(moment, self.tz):
            self.error(
                node,
                where,
                Code.SKIPPED_TIME,
                f"'{leaf(where)}': {raw} does not exist in {self.tz} (the clocks skip it); "
                "write it with an explicit UTC offset",
            )
            return INVALID
        if moments.repeated(moment, self.tz):
            self.error(
                node,
                where,
                Code.REPEATED_TIME,
                f"'{leaf(where)}': {raw} happens twice in {self.tz}; the first is used "
                "(write an explicit UTC offset to choose)",
            )
        return moments.fixed(moment, self.tz)

    def flag(self, node: yaml.Node, where: str) -> bool | Invalid:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            word = node.value.lower()
            if word in ("true", "false"):
                return bool(word == "true")
        given = described(node)
        self.error(node, where, Code.INVALID_VALUE, f"'{leaf(where)}' must be true or false, not {given}")
        return INVALID

    def count(self, node: yaml.Node, where: str, low: int, high: int) -> int | Invalid:
        # Decimal digits, unquoted: a number as YAML 1.2 reads it, and so editors checking the
        # JSON Schema (YAML 1.1's 1_000, 0x10 or 1:30 are text to them; its 010 is octal)
        decimal = isinstance(node, yaml.ScalarNode) and not node.style and _DECIMAL.fullmatch(node.value)
        if decimal and low <= int(node.value) <= high:
            return int(node.value)
        given = described(node)
        digits = " written in decimal digits" if node.tag == _INT and not decimal else ""  # 1_000, 0x10
        self.error(
            node,
            where,
            Code.INVALID_VALUE,
            f"'{leaf(where)}' must be a whole number from {low} to {high}{digits}, not {given}",
        )
        return INVALID


# -- kinds of scalar -------------------------------------------------------------------------


class Text(Kind[str]):
    def __init__(self, *, line: bool = False, html: bool = False, most: int | None = None) -> None:
        super().__init__(TEXT)
        self.line, self.html, self.most = line, html, most

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> str | Invalid:
        return nodes.text(node, where, line=self.line, html=self.html, most=self.most)


class Link(Kind[str]):
    def __init__(self) -> None:
        super().__init__(URL)

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> str | Invalid:
        return nodes.link(node, where)


class Pattern(Kind[str]):
    def __init__(self, regex: str, expected: str, schema: dict[str, Any] | None = None) -> None:
        super().__init__(schema or {"type": "string"})
        self.regex = re.compile(regex)
        self.expected = expected

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> str | Invalid:
        return nodes.pattern(node, where, self.regex, self.expected)


class Choice(Kind[str]):
    """One of a few words, written exactly."""

    def __init__(self, words: tuple[str, ...], what: str) -> None:
        super().__init__({"enum": list(words)})
        self.words, self.what = words, what

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> str | Invalid:
        expected = f"expected one of: {', '.join(self.words)}"
        if not isinstance(node, yaml.ScalarNode):
            nodes.error(
                node,
                where,
                Code.WRONG_TYPE,
                f"'{leaf(where)}' must be {self.what}, not a {kind_of(node)} ({expected})",
            )
            return INVALID
        if node.value in self.words:
            return str(node.value)
        close = difflib.get_close_matches(node.value, self.words, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        nodes.error(
            node,
            where,
            Code.INVALID_VALUE,
            f"'{leaf(where)}': '{node.value}' is not {self.what} ({hint}{expected})",
        )
        return INVALID


class When(Kind[datetime]):
    def __init__(self) -> None:
        super().__init__({"type": "string"})

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> datetime | Invalid:
        return nodes.when(node, where)


class Flag(Kind[bool]):
    def __init__(self) -> None:
        super().__init__({"type": "boolean"})

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> bool | Invalid:
        return nodes.flag(node, where)


class Count(Kind[int]):
    def __init__(self, low: int, high: int) -> None:
        super().__init__({"type": "integer", "minimum": low, "maximum": high})
        self.low, self.high = low, high

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> int | Invalid:
        return nodes.count(node, where, self.low, self.high)


class Checked(Kind[T]):
    """A kind whose values must also pass `check`, which reports and says INVALID."""

    def __init__(
        self,
        kind: Kind[T],
        check: Callable[[Nodes, yaml.Node, str, T], T | Invalid],
        schema: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(schema or kind.schema)
        self.kind, self.check = kind, check

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> T | Invalid:
        value = self.kind.read(nodes, node, where)
        return INVALID if value is INVALID else self.check(nodes, node, where, value)


# -- helpers ---------------------------------------------------------------------------------


def http_uri(text: str) -> tuple[str | None, str]:
    """The URL as a plain-ASCII URI, or None and what is wrong with it."""
    if _PLAIN_URL.fullmatch(text):
        return text, ""  # the common case, which the full treatment below would leave as it is
    if _SPACE.search(text):
        return None, "contains white space"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None, "is not a valid URL"
    if not parts.scheme:
        return None, "is a relative URL"
    if parts.scheme.lower() not in ("http", "https"):
        return None, "does not start with http:// or https://"
    if not parts.hostname:
        return None, "has no host name"
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            return None, "has a host name that cannot be written in ASCII"
        netloc = netloc.replace(parts.hostname, host)
    return urlunsplit((parts.scheme.lower(), netloc, *(quote(p, safe=_URI_SAFE) for p in parts[2:]))), ""


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL and not node.style


def kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "value"


def described(node: yaml.Node) -> str:
    """The value at `node` as a message names it: its text, quoted, or what kind it is."""
    return f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else f"a {kind_of(node)}"


def join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def leaf(where: str) -> str:
    return where.rsplit(".", 1)[-1]


def _unknown(name: str, table: Table) -> str:
    close = difflib.get_close_matches(name, table.names, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{name}' in {table.what} ({hint}expected one of: {', '.join(table.names)})"
