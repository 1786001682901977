"""The `feedpub` command: arguments, exit statuses and what is printed. No logic of its own."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feedpub import __version__, catalogue, load, publish
from feedpub.model import Catalogue
from feedpub.problems import Problem
from feedpub.render import render
from feedpub.verify import verify_folder

OK, INVALID, USAGE, IO_FAILURE, LOCKED = 0, 1, 2, 74, 75

EXIT_STATUSES = f"""\
exit status:
  {OK}   success
  {INVALID}   the catalogue is invalid (problems on stderr; nothing written)
  {USAGE}   usage error: unknown option, bad --now, catalogue file not found
  {IO_FAILURE}  I/O failure such as a full disk or a permission denied (old feeds left intact)
  {LOCKED}  another build holds the lock on the output folder (try again later)
"""


class _Failure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except _Failure as failure:
        print(f"feedpub: {failure}", file=sys.stderr)
        return failure.status
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedpub",
        description="Validate a YAML catalogue of articles and publish it as RSS 2.0 and Atom 1.0 feeds.",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"feedpub {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=help,
            epilog=EXIT_STATUSES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument(
            "--catalogue",
            default="articles.yaml",
            metavar="PATH",
            help="the catalogue to read (default: %(default)s)",
        )
        return sub

    check = command("check", "validate the catalogue and report every problem; write nothing")
    check.set_defaults(run=_check)

    build = command("build", "validate the catalogue, then write every feed that changed")
    build.add_argument(
        "--out", default="feeds", metavar="DIR", help="the output folder (default: %(default)s)"
    )
    build.add_argument(
        "--now",
        type=_moment,
        metavar="ISO-8601",
        help="publish as of this moment instead of the clock (for tests and "
        "back-fills); without an offset it is in site.timezone",
    )
    build.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing on success (problems and failures still go to stderr)",
    )
    build.set_defaults(run=_build)

    verify = commands.add_parser(
        "verify",
        help="check published feeds against RFC 4287's schema, the RSS 2.0 rules and the W3C validator's",
        description="Check every RSS and Atom file under a folder against RFC 4287's RELAX NG schema, "
        "the RSS 2.0 rules and the W3C Feed Validation Service's errors and warnings, offline.",
        epilog=EXIT_STATUSES.replace(
            "the catalogue is invalid (problems on stderr; nothing written)",
            "a feed has a problem (on stderr)",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "folder",
        nargs="?",
        default="feeds",
        metavar="DIR",
        help="the folder of feeds to check (default: %(default)s)",
    )
    verify.set_defaults(run=_verify)
    return parser


def _check(args: argparse.Namespace) -> int:
    found, problems = _validate(args.catalogue)
    _report(problems)
    if found is None:
        return INVALID
    print(f"{args.catalogue}: {_count(len(found.articles), 'article')}, {_count(len(found.tags), 'tag')}, ok")
    return OK


def _validate(path: str) -> tuple[Catalogue | None, list[Problem]]:
    try:
        data = load.read(Path(path))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise _Failure(USAGE, f"cannot read catalogue '{path}': {e.strerror}") from None
    except OSError as e:
        raise _Failure(IO_FAILURE, f"cannot read catalogue '{path}': {e.strerror}") from None
    root, problems = load.parse(data, path)
    if root is None:
        return None, problems
    return catalogue.validate(root, path)


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    found, problems = _validate(args.catalogue)
    if not args.quiet or found is None:
        _report(problems)
    if found is None:
        return INVALID
    now = args.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(found.site.timezone))
    try:
        outcome = publish.publish(Path(args.out), render(found, now))
    except publish.Locked as e:
        raise _Failure(LOCKED, str(e)) from None
    except publish.PublishError as e:
        raise _Failure(IO_FAILURE, f"cannot write {e}; feeds already there are left as they were") from None
    if not args.quiet:
        total = len(outcome.written) + len(outcome.unchanged)
        print(
            f"{_count(len(found.articles), 'article')} → {_count(total, 'file')}: "
            f"{len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
            f"{len(outcome.removed)} removed in {time.perf_counter() - started:.2f} s"
        )
    return OK


def _verify(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise _Failure(USAGE, f"'{folder}' is not a folder")
    try:
        count, problems = verify_folder(folder)
    except OSError as e:
        raise _Failure(IO_FAILURE, f"cannot read {e.filename}: {e.strerror}") from None
    _report(problems)
    if problems:
        return INVALID
    print(f"{folder}: {_count(count, 'feed')}, no errors, no warnings")
    return OK


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO 8601 date-time such as 2024-01-31T09:00:00Z"
        ) from None
