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
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

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
