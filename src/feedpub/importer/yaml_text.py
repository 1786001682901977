"""Drafts → YAML a person will want to edit: one article a block, HTML in literal block
scalars, plain scalars wherever YAML reads them back as the same text, and comments where
the import had to guess."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from feedpub.importer.mapping import Draft

# A plain scalar, in block or flow context, that YAML reads back as exactly this text: no
# indicator first, no ': ' or ' #', no white space at either end, nothing YAML reads as null.
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\n\r\t\x85\u2028\u2029]*[^\s:])?")
_FLOW_INDICATORS = re.compile(r"[,\[\]{}]")
_NULLS = {"null", "Null", "NULL", "~"}
# what a double-quoted scalar must escape beyond JSON's escapes: characters YAML reads as
# line breaks or does not allow unescaped
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar: plain if YAML reads it back unchanged, else double-quoted."""
    if (
        _PLAIN.fullmatch(value)
        and ": " not in value
        and " #" not in value
        and value not in _NULLS
        and not (flow and _FLOW_INDICATORS.search(value))
        and value.isprintable()
    ):
        return value
    quoted = json.dumps(value, ensure_ascii=False)  # JSON's escapes are YAML's too
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def literal(html: str, indent: str) -> str:
    """HTML as a literal block scalar (its lines as they are, end spaces dropped)."""
    lines = html.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "|-\n" + "".join(f"{indent}{line.rstrip()}\n" if line.strip() else "\n" for line in lines)


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
    return scalar(str(value))


def comment(text: str, indent: str) -> str:
    return f"{indent}# {' '.join(text.split())}\n"


def article(draft: Draft, dash: str) -> str:
    """The draft as a list item whose dash stands at `dash` (the existing items' indentation)."""
    inner = dash + "  "
    lines = [comment(note, dash) for note in draft.notes.get("", [])]
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
        return literal(value, indent + "  ")
    if isinstance(value, bool):
        return "true\n" if value else "false\n"
    if name in ("published", "updated"):
        return f"{value}\n"  # an ISO 8601 date-time, which YAML reads as the same text
    if name in ("tags", "author", "image", "transcript") and not isinstance(value, str):
        return flow(value) + "\n"
    if name in ("authors", "enclosures"):
        return "\n" + "".join(f"{indent}  - {flow(item)}\n" for item in value)
    return scalar(str(value)) + "\n"


def site(fields: Mapping[str, Any], notes: Mapping[str, list[str]], sources: Iterable[str]) -> str:
    """A new catalogue's head: a comment naming the sources, the site block, and 'articles:'."""
    lines = [
        "# The publication's catalogue, made by `feedpub import` from:\n",
        *(f"#   {' '.join(source.split())}\n" for source in sources),
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
