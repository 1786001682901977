"""A problem found in the catalogue: a value with a place, printed the way editors read it."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Problem(NamedTuple):
    """One finding at `path:line:col` (both 1-based); `field` is the dotted path it concerns."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    field: str = ""

    def __str__(self) -> str:
        """One line, whatever the catalogue's text holds: control characters are shown escaped."""
        return f"{shown(self.path)}:{self.line}:{self.col}: {self.severity.value}: {shown(self.message)}"

    def as_json(self) -> dict[str, str | int]:
        """For editors and scripts: every part under its own name."""
        return {
            "file": self.path,
            "line": self.line,
            "column": self.col,
            "severity": self.severity.value,
            "message": self.message,
            "field": self.field,
        }

    def as_github(self) -> str:
        """A GitHub Actions workflow command, which shows as an annotation on the line."""
        where = ",".join(
            f"{k}={_escape(str(v), property=True)}"
            for k, v in (
                ("file", self.path),
                ("line", self.line),
                ("col", self.col),
                ("title", self.field or "feedpub"),
            )
        )
        return f"::{self.severity.value} {where}::{_escape(self.message)}"

    @property
    def place(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)


# Characters that would start another line (forging a problem of their own) or reach a
# terminal as a command: C0 and C1 controls, DEL, and Unicode's line and paragraph separators.
_CONTROLS = {
    code: {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(
        chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


def shown(text: str) -> str:
    """`text` with control characters written as Python escapes (`\\n`, `\\x1b`), on one line."""
    return text if text.isprintable() else text.translate(_CONTROLS)


def _escape(text: str, *, property: bool = False) -> str:
    """GitHub's escaping for workflow command values."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def ordered(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by place, errors before warnings at the same place, duplicates dropped."""
    seen = set(problems)
    return sorted(seen, key=lambda p: (*p.place, p.severity != Severity.ERROR, p.message))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
