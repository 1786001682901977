"""The `feedpub` command: arguments, exit statuses and what is printed. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from feedpub import __version__, publish, source
from feedpub.problems import Problem

# The rest of feedpub is imported where it is needed: a cron run with nothing new to publish
# reads the catalogue's bytes and the manifest, and finishes before loading YAML or feedgen.
if TYPE_CHECKING:
    from feedpub.model import Catalogue

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
    parser = _parser()
    args = parser.parse_args(argv)
    for name, kind in (("catalogue", str), ("out", str), ("folder", str), ("now", (datetime, type(None)))):
        # argparse of Python 3.11 turns '--out=--' into an empty list
        if hasattr(args, name) and not isinstance(getattr(args, name), kind):
            parser.error(f"argument --{name}: expected a value, not '--'")
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
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: %(default)s)")
    serve.add_argument(
        "--out", metavar="DIR", help="the folder to build into (default: a temporary folder, removed on exit)"
    )
    serve.set_defaults(run=_serve)

    deploy = commands.add_parser(
        "deploy",
        help="upload the built feeds to S3 (or any S3-compatible service): only what changed",
        description="Make s3://BUCKET/PREFIX hold what the last build wrote to DIR: upload the files "
        "whose bytes or headers differ, archive pages and tag feeds before the feeds and pages that "
        "link to them, then delete the objects an earlier deploy put there that the folder no longer "
        "has. Nothing else in the bucket is touched. Credentials come from the AWS chain "
        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, --profile, ...). "
        "Needs boto3: pip install 'feedpub[s3]'.",
        epilog=f"""\
exit status:
  {OK}   success (a failed --invalidate command is a warning)
  {USAGE}   usage error: a bad DEST, DIR missing or empty, boto3 not installed
  {IO_FAILURE}  the service could not be reached or refused (network, credentials); nothing was deleted
  {LOCKED}  another deploy to DEST is running, or a build is writing DIR (try again later)
""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    deploy.add_argument("destination", metavar="DEST", help="s3://BUCKET or s3://BUCKET/PREFIX")
    deploy.add_argument(
        "--out", default="feeds", metavar="DIR", help="the folder build wrote (default: %(default)s)"
    )
    deploy.add_argument(
        "--endpoint-url", metavar="URL", help="an S3-compatible service's address (default: Amazon S3)"
    )
    deploy.add_argument("--profile", metavar="NAME", help="a profile of the AWS configuration files")
    deploy.add_argument(
        "--dry-run", action="store_true", help="list what would be uploaded and deleted; change nothing"
    )
    deploy.add_argument(
        "--invalidate",
        metavar="CMD",
        help="after a deploy that replaced or deleted objects, run CMD in a shell with their paths "
        "on its standard input, one a line (to purge a CDN; see README); a failure is a warning",
    )
    deploy.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on success (failures still go to stderr)"
    )
    deploy.set_defaults(run=_deploy)

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


def _jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes to share the work of a catalogue over 1 MiB: 1, or 2 (the default on a "
        "machine with a second core)",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _check(args: argparse.Namespace) -> int:
    status, everything = OK, []
    for path in args.files or [args.catalogue]:
        found, problems = _validate(_read(path), path, args.jobs)
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
            catalogue=args.catalogue, out=str(out), now=None, ping=False, quiet=False, jobs=None
        )

        def build() -> None:
            try:
                _build(options)
            except _Failure as failure:  # keep serving what was built last
                print(f"feedpub: {failure}", file=sys.stderr)
            sys.stdout.flush()

        try:
            serve.serve(out, Path(args.catalogue), args.port, build)
        except OSError as e:
            raise _Failure(IO_FAILURE, f"cannot serve on 127.0.0.1:{args.port}: {e.strerror}") from None
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
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise _Failure(USAGE, f"cannot read catalogue '{path}': {e.strerror}") from None
    except OSError as e:
        raise _Failure(IO_FAILURE, f"cannot read catalogue '{path}': {e.strerror}") from None


def _validate(data: bytes, path: str, jobs: int | None) -> tuple[Catalogue | None, list[Problem]]:
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
    out = Path(args.out)
    data = _read(args.catalogue)
    digest = hashlib.sha256(data).hexdigest()
    version = _code_version()
    last = publish.fresh(out, digest, version)
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
    try:
        with _progress(quiet=args.quiet) as progress, _uncollected():
            files = render(found, now, progress, jobs=args.jobs)
        outcome = publish.publish(out, files, build)
    except publish.Locked as e:
        raise _Failure(LOCKED, str(e)) from None
    except publish.PublishError as e:
        raise _Failure(IO_FAILURE, f"cannot write {e}; feeds already there are left as they were") from None
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


def _deploy(args: argparse.Namespace) -> int:
    from feedpub import deploy

    with contextlib.ExitStack() as stack:
        progress = None
        if not args.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            bar = stack.enter_context(
                tqdm(
                    desc=f"deploying to {args.destination}",
                    unit="file",
                    delay=1.0,
                    file=sys.stderr,
                    leave=False,
                )
            )

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

        options = deploy.Options(
            endpoint_url=args.endpoint_url,
            profile=args.profile,
            dry_run=args.dry_run,
            invalidate=args.invalidate,
            progress=progress,
        )
        try:
            result = deploy.deploy(Path(args.out), args.destination, options)
        except deploy.Usage as e:
            raise _Failure(USAGE, str(e)) from None
        except deploy.Locked as e:
            raise _Failure(LOCKED, str(e)) from None
        except deploy.Unreachable as e:
            raise _Failure(IO_FAILURE, str(e)) from None
    for warning in result.warnings:
        print(f"feedpub: warning: {warning}", file=sys.stderr)
    if result.dry_run:
        for path in result.uploaded:
            print(f"would upload {path}")
        for path in result.deleted:
            print(f"would delete {path}")
    if not args.quiet:
        would = "would be " if result.dry_run else ""
        print(
            f"{_count(result.files, 'file')} → {result.destination}: {len(result.uploaded)} {would}uploaded, "
            f"{len(result.unchanged)} unchanged, {len(result.deleted)} {would}deleted "
            f"in {result.seconds:.2f} s"
        )
    return OK


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
