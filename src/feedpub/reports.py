"""What the `feedpub` command prints: problems in each format, the line each command ends
with, and the progress bar on a terminal. Problems and warnings go to stderr, results to
stdout (but where stdout holds the JSON list of problems)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TextIO

from feedpub import build
from feedpub.problems import Problem, Severity

if TYPE_CHECKING:  # imported where it is needed: see cli.py
    from feedpub import deploy, publish
    from feedpub.model import Catalogue
    from feedpub.verify.http import Verified

FORMATS = ("text", "json", "github")


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def articles(n: int, drafts: int) -> str:
    """'3 articles', or '3 articles (1 draft)': drafts count but are never published."""
    return count(n, "article") + (f" ({count(drafts, 'draft')})" if drafts else "")


def to_stderr(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def as_text(problems: list[Problem]) -> None:
    """Problems on stderr, one line each, as editors read them."""
    to_stderr(str(p) for p in problems)


def as_github(problems: list[Problem]) -> None:
    """Problems as GitHub Actions workflow commands, which annotate their lines."""
    for problem in problems:
        print(problem.as_github())


def as_json(problems: list[Problem]) -> None:
    """Problems as one JSON list on stdout, for scripts."""
    print(json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=1))


PROBLEMS: dict[str, Callable[[list[Problem]], None]] = {"text": as_text, "json": as_json, "github": as_github}
"""How each --format prints a list of problems."""


def summary_stream(form: str) -> TextIO:
    """Where a summary goes: stdout, unless that holds the JSON list."""
    return sys.stderr if form == "json" else sys.stdout


# -- check -----------------------------------------------------------------------------------


class CheckReport:
    """What `check` prints of each catalogue: its problems as --format says, and, in text and
    github, a line for each that passes."""

    def __init__(self, form: str) -> None:
        self.form = form
        self.gathered: list[Problem] = []
        """The problems of every catalogue, for the one JSON list."""

    def checked(self, path: str, catalogue: Catalogue | None, problems: list[Problem]) -> None:
        if self.form == "json":
            self.gathered += problems
            return
        PROBLEMS[self.form](problems)
        if catalogue is not None:
            print(passed(path, catalogue))

    def unreadable(self, problem: Problem) -> None:
        """A catalogue that cannot be read, said on stderr already: in the JSON list (an empty
        list would say there was nothing wrong) and as an annotation, so that a failing run
        marks the file."""
        if self.form == "json":
            self.gathered.append(problem)
        elif self.form == "github":
            print(problem.as_github())

    def finish(self) -> None:
        if self.form == "json":
            as_json(self.gathered)


def passed(path: str, catalogue: Catalogue) -> str:
    made = articles(len(catalogue.articles), build.drafts(catalogue))
    return f"{path}: {made}, {count(len(catalogue.tags), 'tag')}, ok"


# -- build -----------------------------------------------------------------------------------


def built(articles_line: str, outcome: publish.Outcome, seconds: float) -> str:
    total = len(outcome.written) + len(outcome.unchanged)
    return (
        f"{articles_line} → {count(total, 'file')}: "
        f"{len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.removed)} removed in {seconds:.2f} s"
    )


def foreign(refused: publish.ForeignFiles) -> list[str]:
    """Why a build wrote nothing: the files in its way, each with what it would have done."""
    lines = [
        f"{refused.out} holds files that feedpub did not write, or that were changed since it "
        "wrote them; nothing was written:"
    ]
    lines += [f"  {refused.out / path} (would be {done}d)" for path, done in sorted(refused.actions.items())]
    lines.append("move them out of the way, or build with --overwrite to let feedpub replace or remove them")
    return lines


@contextlib.contextmanager
def progress_bar(description: str, unit: str, *, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for work that takes more than a second, only on a terminal:
    under cron, or with -q, nothing extra is printed. What it yields is told the parts done
    and their total."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # its thread would keep the rendering from sharing work with a fork
    with tqdm(desc=description, unit=unit, delay=1.0, file=sys.stderr, leave=False) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield advance


# -- deploy and verify -----------------------------------------------------------------------


def deployed(result: deploy.Result) -> str:
    would = "would be " if result.dry_run else ""
    return (
        f"{count(result.files, 'file')} → {result.destination}: {len(result.uploaded)} {would}uploaded, "
        f"{len(result.unchanged)} unchanged, {len(result.deleted)} {would}deleted "
        f"in {result.seconds:.2f} s"
    )


def verified_site(verified: Verified) -> str:
    errors = sum(p.severity is Severity.ERROR for p in verified.problems)
    warnings = len(verified.problems) - errors
    return (
        f"{verified.start}: {count(verified.feeds, 'feed')} of {count(verified.documents, 'document')}, "
        f"{count(errors, 'error')}, {count(warnings, 'warning')}; {count(verified.requests, 'request')}, "
        f"{verified.bytes_read:,} bytes in {verified.seconds:.2f} s"
    )
