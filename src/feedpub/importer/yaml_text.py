"""Drafts → YAML a person will want to edit: one article a block, HTML in literal block
scalars, plain scalars wherever YAML reads them back as the same text, and comments where
the import had to guess.

Every scalar written reads back as exactly its text with feedpub's reader and with any YAML
1.1 or 1.2 reader (PyYAML's `safe_load`, say): text those would take for something else (a
number, a boolean, a date, null, YAML 1.1's merge key `<<`) is quoted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from feedpub.importer.mapping import Draft

# A plain scalar, in block or flow context, that YAML reads back as exactly this text: no
# indicator first, no ': ' or ' #', no white space at either end.
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\n\r\t\x85\u2028\u2029]*[^\s:])?")
# where a plain scalar ends in flow context: its indicators, and '?' for PyYAML
_FLOW_INDICATORS = re.compile(r"[,?\[\]{}]")
_YAML_1_1 = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
# What other readers take for other than text, beyond PyYAML's YAML 1.1 rules: YAML 1.1's
# one-letter booleans, and YAML 1.2's octal numbers and numbers with an exponent but no point.
_NOT_TEXT_ELSEWHERE = re.compile(r"[yYnN]|0o[0-7]+|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")
# what a double-quoted scalar must escape beyond JSON's escapes: characters YAML reads as
# line breaks or does not allow unescaped
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# YAML's printable characters but its line breaks (LF aside) and the byte-order mark
_SAFE = "\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
# what a literal block cannot hold as it is (YAML would read another line break as LF)
_NOT_IN_BLOCK = re.compile(f"[^\n{_SAFE}]")
# white space at a line's end, which editors and linters strip from a block's lines
_LINE_END_SPACE = re.compile(r"[ \t]$", re.MULTILINE)
_NOT_IN_COMMENT = re.compile(f"[^{_SAFE}]")


def scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar: plain if every YAML reader reads it back as this text, else
    double-quoted."""
    if (
        _PLAIN.fullmatch(value)
        and ": " not in value
        and " #" not in value
        and not (flow and _FLOW_INDICATORS.search(value))
        and value.isprintable()
        and _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False)) == _STR  # type: ignore[no-untyped-call]
        and not _NOT_TEXT_ELSEWHERE.fullmatch(value)
    ):
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    quoted = json.dumps(value, ensure_ascii=False)  # JSON's escapes are YAML's too
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def block(text: str, indent: str) -> str:
    """`text` as the value of a key indented by `indent`, read back as exactly this text: a
    literal block scalar (its lines as they are, with an indentation indicator if the first
    starts with a space) where one can hold it, else double-quoted (a line ending in white
    space, a character a block cannot hold)."""
    if not text.strip() or _NOT_IN_BLOCK.search(text) or _LINE_END_SPACE.search(text):
        return _quoted(text) + "\n"
    lines = text.rstrip("\n")
    ends = len(text) - len(lines)  # line breaks at the end: '-' strips, '' keeps one, '+' all
    chomping = "-" if ends == 0 else "" if ends == 1 else "+"
    indicator = "2" if re.match(r"\n* ", text) else ""  # the lines stand 2 past the key
    body = "".join(f"{indent}  {line}\n" if line else "\n" for line in lines.split("\n"))
    return f"|{indicator}{chomping}\n{body}" + "\n" * max(ends - 1, 0)


def flow(value: Mapping[str, Any] | list[Any]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(scalar(str(v), flow=True) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {_flow_value(v)}" for k, v in value.items()) + "}"


def _flow_value(value: Any) -> str:
    return (
        str(value)
        if isinstance(value, int) and not isinstance(value, bool)
        else scalar(str(value), flow=True)
    )


def _nested(value: Any) -> str:
    """A podcast field's value in flow style: lists of text or of mappings, a mapping, a flag."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, (list, dict)):
        return flow(value)
    return _flow_value(value)


def comment(text: str, indent: str) -> str:
    return f"{indent}# {_one_line(text)}\n"


def _one_line(text: str) -> str:
    """`text` on one line a comment can hold: white space folded, what YAML does not allow
    in a comment escaped as \\uXXXX."""
    return _NOT_IN_COMMENT.sub(lambda m: f"\\u{ord(m.group()):04x}", " ".join(text.split()))


def article(draft: Draft, dash: str) -> str:
    """The draft as a list item whose dash stands at `dash` (the existing items' indentation),
    each note above its field, or above the item if it is about the item or a field not
    written (all of its values left out)."""
    inner = dash + "  "
    above = [n for name, notes in draft.notes.items() if name not in draft.fields for n in notes]
    lines = [comment(note, dash) for note in above]
    first = True
    for name, value in draft.fields.items():
        prefix = dash + "- " if first else inner
        first = False
        lines += [
            comment(note, inner if not prefix.endswith("- ") else dash) for note in draft.notes.get(name, [])
        ]
        written = _value(name, value, inner)
        lines.append(f"{prefix}{name}:{'' if written.startswith(chr(10)) else ' '}{written}")
    return "".join(lines)


def _value(name: str, value: Any, indent: str) -> str:
    if name == "content":
        return block(value, indent)
    if isinstance(value, bool):
        return "true\n" if value else "false\n"
    if name in ("published", "updated"):
        return f"{value}\n"  # an ISO 8601 date-time, which YAML reads as the same text
    if name in ("tags", "author", "image", "transcript") and not isinstance(value, str):
        return flow(value) + "\n"
    if name in ("authors", "enclosures"):
        return "\n" + "".join(f"{indent}  - {flow(item)}\n" for item in value)
    if isinstance(value, int):  # an episode's number, a duration in seconds: a number, unquoted
        return f"{value}\n"
    return scalar(str(value)) + "\n"


def site(fields: Mapping[str, Any], notes: Mapping[str, list[str]], sources: Iterable[str]) -> str:
    """A new catalogue's head: a comment naming the sources, the site block, and 'articles:'."""
    lines = [
        "# The publication's catalogue, made by `feedpub import` from:\n",
        *(f"#   {_one_line(source)}\n" for source in sources),
        "# Check it with `feedpub check`, then publish it with `feedpub build`.\n",
        "site:\n",
    ]
    for name, value in fields.items():
        lines += [comment(note, "  ") for note in notes.get(name, [])]
        if name == "authors":
            lines.append("  authors:\n" + "".join(f"    - {flow(a)}\n" for a in value))
        elif name == "podcast":
            lines.append("  podcast:\n" + "".join(f"    {k}: {_nested(v)}\n" for k, v in value.items()))
        elif isinstance(value, dict):
            lines.append(f"  {name}: {flow(value)}\n")
        else:
            lines.append(f"  {name}: {scalar(str(value))}\n")
    lines.append("\narticles:\n")
    return "".join(lines)
