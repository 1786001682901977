"""The `feedpub` command: arguments, exit statuses and what is printed. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast
from zoneinfo import ZoneInfo

from feedpub import __version__, publish, source
from feedpub.problems import Problem, Severity

# The rest of feedpub is imported where it is needed: a cron run with nothing new to publish
# reads the catalogue's bytes and the manifest, and finishes before loading YAML or feedgen.
if TYPE_CHECKING:
    from feedpub.model import Catalogue

OK, INVALID, USAGE, FOREIGN_FILES, IO_FAILURE, LOCKED = 0, 1, 2, 73, 74, 75

EXIT_STATUSES = f"""\
exit status:
  {OK}   success
  {INVALID}   the catalogue is invalid (problems on stderr; nothing written)
  {USAGE}   usage error: unknown option, bad --now, catalogue file not found
  {FOREIGN_FILES}  the build would replace or remove files feedpub did not write (named on
      stderr; nothing written; --overwrite lets it)
  {IO_FAILURE}  I/O failure such as a full disk or a permission denied (old feeds left intact)
  {LOCKED}  another build holds the lock on the output folder (try again later)
"""


class _Invalid(Exception):
    """The catalogue is refused before it is read (it is too large)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


class _Failure(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Unwritable(Exception):
    """Standard output refused what was printed: a closed pipe, a full disk."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


class _Stream:
    """A standard stream whose failures are told apart from the program's other I/O: those of
    stdout become _Unwritable; those of stderr are dropped, there being nowhere to report them."""

    def __init__(self, stream: TextIO, *, raises: bool) -> None:
        self._stream = stream
        self._raises = raises

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as e:
            if self._raises:
                raise _Unwritable(e) from e
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            if self._raises:
                raise _Unwritable(e) from e

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    saved = sys.stdout, sys.stderr
    # Python leaves a stream None when its descriptor is closed (`feedpub build >&-`).
    streams = [stream or open(os.devnull, "w") for stream in saved]  # noqa: SIM115
    for stream in streams:
        stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    sys.stdout = cast(TextIO, _Stream(streams[0], raises=True))
    sys.stderr = cast(TextIO, _Stream(streams[1], raises=False))
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except _Unwritable as e:
        print(f"feedpub: cannot write to standard output: {e}", file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):  # what is still buffered goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), streams[0].fileno())
        return IO_FAILURE
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version and usage errors
        return e.code if isinstance(e.code, int) else USAGE
    for name in ("catalogue", "out", "folder", "now", "port", "jobs"):
        # argparse of Python 3.11 turns '--out=--' into an empty list
        if isinstance(getattr(args, name, None), list):
            try:
                parser.error(f"argument --{name}: expected a value, not '--'")
            except SystemExit:
                return USAGE
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
        description="Validate a YAML catalogue of articles and publish it as RSS 2.0, Atom 1.0 "
        "and JSON Feed 1.1 feeds.",
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
            type=_path,
            default="articles.yaml",
            metavar="PATH",
            help="the catalogue to read (default: %(default)s)",
        )
        return sub

    init = command("init", "write a commented starter catalogue (never over an existing file)")
    init.set_defaults(run=_init)

    schema = commands.add_parser(
        "schema",
        help="print the catalogue's JSON Schema, for editors (save it beside articles.yaml)",
        description="Print the catalogue's JSON Schema (draft 2020-12). Save it, for example as "
        "articles.schema.json, and start articles.yaml with "
        "'# yaml-language-server: $schema=articles.schema.json' to have editors complete and check it.",
    )
    schema.set_defaults(run=_schema)

    check = command("check", "validate the catalogue and report every problem; write nothing")
    check.add_argument(
        "files",
        nargs="*",
        type=_path,
        metavar="FILE",
        help="catalogues to check instead of --catalogue (as pre-commit passes them)",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text: 'file:line:col: error: message' on stderr (default); json: a list of "
        "problems on stdout; github: workflow commands that annotate the lines in GitHub Actions",
    )
    _jobs_option(check)
    check.set_defaults(run=_check)

    build = command("build", "validate the catalogue, then write every feed that changed")
    build.add_argument(
        "--out", type=_path, default="feeds", metavar="DIR", help="the output folder (default: %(default)s)"
    )
    build.add_argument(
        "--now",
        type=_moment,
        metavar="ISO-8601",
        help="publish as of this moment instead of the clock (for tests and "
        "back-fills); without an offset it is in site.timezone",
    )
    build.add_argument(
        "--overwrite",
        action="store_true",
        help="replace or remove files in the output folder that feedpub did not write, or that "
        "were changed since it wrote them (without it, the build stops with exit status 73)",
    )
    build.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish a catalogue with fewer articles than the last build had (without it, "
        "such a catalogue is refused with exit status 1: a file cut off while it was being "
        "saved looks like this)",
    )
    build.add_argument(
        "--ping",
        action="store_true",
        help="after writing, tell site.websub_hub which feeds changed (a failing hub is a warning)",
    )
    build.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing on success (problems and failures still go to stderr)",
    )
    _jobs_option(build)
    build.set_defaults(run=_build)

    serve = command(
        "serve", "build, serve the feeds on 127.0.0.1, and rebuild whenever the catalogue changes"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="the port to listen on, 1 to 65535, or 0 for any free one (default: %(default)s)",
    )
    serve.add_argument(
        "--out",
        type=_path,
        metavar="DIR",
        help="the folder to build into (default: a temporary folder, removed on exit)",
    )
    serve.set_defaults(run=_serve)

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
        type=_path,
        default="feeds",
        metavar="DIR",
        help="the folder of feeds to check (default: %(default)s)",
    )
    verify.set_defaults(run=_verify)
    return parser


def _jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=2,
        metavar="N",
        help="processes to share the work of a catalogue over 1 MiB: 1 or 2 (default: %(default)s, "
        "used only on a machine with a second core)",
    )


def _path(text: str) -> str:
    """A path as given, unless it is empty: in a cron line or script that is an unset variable,
    and taken as the current folder it would have a build write there."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file or folder (is a variable unset?)")
    return text


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _check(args: argparse.Namespace) -> int:
    status, everything = OK, []
    for path in args.files or [args.catalogue]:
        try:
            found, problems = _validate(_read(path), path, args.jobs)
        except _Invalid as refused:
            found, problems = None, refused.problems
        everything += problems
        if args.format == "text":
            _report(problems)
        elif args.format == "github":
            for problem in problems:
                print(problem.as_github())
        if found is None:
            status = INVALID
        elif args.format != "json":
            print(f"{path}: {_count(len(found.articles), 'article')}, {_count(len(found.tags), 'tag')}, ok")
    if args.format == "json":
        print(json.dumps([p.as_json() for p in everything], ensure_ascii=False, indent=1))
    return status


def _serve(args: argparse.Namespace) -> int:
    from feedpub import serve

    with contextlib.ExitStack() as stack:
        out = Path(args.out) if args.out else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        options = argparse.Namespace(
            catalogue=args.catalogue,
            out=str(out),
            now=None,
            ping=False,
            quiet=False,
            jobs=2,
            overwrite=False,
            allow_shrink=True,  # a person is watching what each save builds
        )

        def build() -> None:
            try:
                _build(options)
            except _Failure as failure:  # keep serving what was built last
                print(f"feedpub: {failure}", file=sys.stderr)
            sys.stdout.flush()

        folder = Path(args.catalogue).resolve().parent
        if not folder.is_dir():
            raise _Failure(USAGE, f"cannot watch catalogue '{args.catalogue}': {folder} is not a folder")
        try:
            serve.serve(out, Path(args.catalogue), args.port, build)
        except OSError as e:
            raise _Failure(IO_FAILURE, f"cannot serve on 127.0.0.1:{args.port}: {e.strerror or e}") from None
    return OK


def _schema(args: argparse.Namespace) -> int:
    from feedpub import schema

    sys.stdout.write(schema.text())
    return OK


def _init(args: argparse.Namespace) -> int:
    starter = Path(__file__).with_name("starter.yaml").read_bytes()
    try:
        with open(args.catalogue, "xb") as f:
            f.write(starter)
    except FileExistsError:
        raise _Failure(
            USAGE, f"'{args.catalogue}' exists already; feedpub init never overwrites a file"
        ) from None
    except OSError as e:
        raise _Failure(IO_FAILURE, f"cannot write '{args.catalogue}': {e.strerror}") from None
    print(f"wrote {args.catalogue}: edit it, then run 'feedpub check' and 'feedpub build'")
    return OK


def _read(path: str) -> bytes:
    try:
        return source.read(Path(path))
    except source.TooLarge as e:
        raise _Invalid([Problem(path, 1, 1, Severity.ERROR, str(e))]) from None
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise _Failure(USAGE, f"cannot read catalogue '{path}': {e.strerror}") from None
    except OSError as e:
        raise _Failure(IO_FAILURE, f"cannot read catalogue '{path}': {e.strerror}") from None


def _validate(data: bytes, path: str, jobs: int) -> tuple[Catalogue | None, list[Problem]]:
    from feedpub import reading

    with _uncollected():
        return reading.read(data, path, jobs=jobs)


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """Reading and rendering build large graphs of objects with no reference cycles: the
    cycle collector would only walk them again and again (half the time of reading)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what is kept is long-lived: later collections need not look at it
        gc.enable()


def _report(problems: list[Problem]) -> None:
    _report_lines(str(p) for p in problems)


def _report_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        # Locked first: a build that is locked out stops at once, and the catalogue published
        # is never one read before another build finished.
        with publish.locked(Path(args.out)) as output:
            return _build_locked(args, output, started)
    except publish.Locked as e:
        raise _Failure(LOCKED, str(e)) from None
    except publish.ForeignFiles as e:
        raise _Failure(FOREIGN_FILES, _foreign(e)) from None
    except publish.PublishError as e:
        raise _Failure(IO_FAILURE, f"cannot write {e}; {e.state or 'nothing was changed'}") from None


def _build_locked(args: argparse.Namespace, output: publish.Output, started: float) -> int:
    try:
        data = _read(args.catalogue)
    except _Invalid as refused:
        _report(refused.problems)
        return INVALID
    digest = hashlib.sha256(data).hexdigest()
    version = _code_version()
    last = publish.fresh(output.path, output.root, digest, version)
    if last is not None and last.holds_at(_moment_in(args.now, last.timezone)):
        if not args.quiet:
            _report_lines(last.warnings)
            _summarise(last.articles, publish.Outcome(unchanged=sorted(last.files)), started)
        return OK

    from feedpub.render import plan, render

    found, problems = _validate(data, args.catalogue, args.jobs)
    if not args.quiet or found is None:
        _report(problems)
    if found is None:
        return INVALID
    recorded = publish.last_build(output.path, output.root)
    if recorded is not None and len(found.articles) < recorded.articles and not args.allow_shrink:
        print(
            f"feedpub: {args.catalogue} has {_count(len(found.articles), 'article')}, fewer than the "
            f"{recorded.articles} of the last build into {output.path}; nothing was written. A "
            "catalogue cut off while it was being saved looks like this: if articles were removed "
            "on purpose, build once with --allow-shrink",
            file=sys.stderr,
        )
        return INVALID
    now = _moment_in(args.now, found.site.timezone)
    since, until = plan.period(found, now)
    build = publish.Build(
        catalogue=digest,
        version=version,
        timezone=found.site.timezone,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        articles=len(found.articles),
        warnings=tuple(str(p) for p in problems),
    )
    with _progress(quiet=args.quiet) as progress, _uncollected():
        files = render(found, now, progress, jobs=args.jobs)
    outcome = publish.publish(output, files, build, overwrite=args.overwrite)
    if args.ping and found.site.websub_hub:
        from feedpub import websub
        from feedpub.render import jsonfeed, syndication

        feeds = (syndication.RSS, syndication.ATOM, jsonfeed.JSON)
        changed = [found.site.feed_url + path for path in outcome.written if path.endswith(feeds)]
        for failure in websub.ping(found.site.websub_hub, changed):
            print(f"feedpub: warning: {failure}", file=sys.stderr)
    if not args.quiet:
        _summarise(len(found.articles), outcome, started)
    return OK


def _foreign(refused: publish.ForeignFiles) -> str:
    lines = [
        f"{refused.out} holds files that feedpub did not write, or that were changed since it "
        "wrote them; nothing was written:"
    ]
    lines += [f"  {refused.out / path} (would be {done}d)" for path, done in sorted(refused.found.items())]
    lines.append("move them out of the way, or build with --overwrite to let feedpub replace or remove them")
    return "\n".join(lines)


@contextlib.contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for builds that take more than a second, only on a terminal:
    under cron, or with -q, nothing extra is printed."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # its thread would keep the rendering from sharing work with a fork
    with tqdm(
        desc="rendering entries and feeds", unit="part", delay=1.0, file=sys.stderr, leave=False
    ) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield advance


def _code_version() -> str:
    """feedpub's version and a digest of its own code: feeds that another version, or an
    edited checkout, wrote are never taken as up to date."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _moment_in(moment: datetime | None, timezone: str) -> datetime:
    """`moment` (the clock if None) with `timezone` if it has none of its own."""
    moment = moment or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _summarise(articles: int, outcome: publish.Outcome, started: float) -> None:
    total = len(outcome.written) + len(outcome.unchanged)
    print(
        f"{_count(articles, 'article')} → {_count(total, 'file')}: "
        f"{len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.removed)} removed in {time.perf_counter() - started:.2f} s"
    )


def _verify(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise _Failure(USAGE, f"'{folder}' is not a folder")
    from feedpub.verify import verify_folder

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
