"""The `feedpub` command: arguments, exit statuses and what is printed. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from feedpub import __version__, build, publish
from feedpub.problems import Code, Problem, Severity, shown

# The rest of feedpub is imported where it is needed: a cron run with nothing new to publish
# reads the catalogue's bytes and the record of the last build, and finishes before loading
# YAML or feedgen.
if TYPE_CHECKING:
    from feedpub.model import Catalogue

OK, INVALID, USAGE, FOREIGN_FILES, IO_FAILURE, LOCKED, INTERRUPTED = 0, 1, 2, 73, 74, 75, 130


def _exit_statuses(*rows: tuple[int, str], heading: str = "exit status") -> str:
    """The exit statuses, for the end of --help: each with what it means, a line each."""
    return f"{heading}:\n" + "".join(f"  {status:<3} {text}\n" for status, text in rows)


def _examples(*commands: str, heading: str = "example") -> str:
    """Commands to copy, for --help."""
    return f"{heading}:\n" + "".join(f"  {command}\n" for command in commands)


_DONE = (OK, "success")
_STOPPED = (INTERRUPTED, "stopped by Ctrl-C (SIGINT); 143 and 129 likewise for SIGTERM and SIGHUP")
_UNWRITTEN = (IO_FAILURE, "standard output cannot be written (closed, full, a broken pipe)")
_CHECKED = _exit_statuses(
    _DONE,
    (INVALID, "the catalogue is invalid: problems on stderr"),
    (USAGE, "usage error: unknown option, an empty path, catalogue file not found"),
    (IO_FAILURE, "the catalogue cannot be read, or standard output written: the reason on stderr"),
    _STOPPED,
)
_BUILD_ROWS = (
    _DONE,
    (
        INVALID,
        "the catalogue is invalid, or has fewer articles than the last build had "
        "(see --allow-shrink): problems on stderr; nothing written",
    ),
    (USAGE, "usage error: unknown option, bad --now, an empty path, catalogue file not found"),
    (
        FOREIGN_FILES,
        "the build would replace or remove files feedpub did not write (named on "
        "stderr; nothing written; --overwrite lets it)",
    ),
    (
        IO_FAILURE,
        "I/O failure such as a full disk or a permission denied: the path and "
        "the reason on stderr, and the state the output folder is left in",
    ),
    (LOCKED, "another build holds the lock on the output folder (try again later)"),
    (
        INTERRUPTED,
        "stopped by Ctrl-C (SIGINT): each feed is whole, the old one or the new, "
        "and the next build brings them all up to date; 143 and 129 likewise "
        "for SIGTERM and SIGHUP",
    ),
)
_BUILT = _exit_statuses(*_BUILD_ROWS)
_INITIALISED = _exit_statuses(
    _DONE,
    (USAGE, "usage error: unknown option, an empty path, or the catalogue exists already"),
    (IO_FAILURE, "the catalogue cannot be written, or standard output: the reason on stderr"),
    _STOPPED,
)
_IMPORTED = _exit_statuses(
    (OK, "imported (or every entry was in the catalogue already)"),
    (
        INVALID,
        "nothing written: nothing importable, a source that is not a feed or is "
        "refused (XML entities, too large, redirected to an address not followed, a Ghost export), "
        "a new catalogue whose site address nothing names, or a result that would not pass check",
    ),
    (
        USAGE,
        "usage error: unknown option, a source file that does not exist, a source that is neither "
        "a file nor an http(s) URL, a URL with a user name or password or without a valid host or port",
    ),
    (
        IO_FAILURE,
        "I/O failure: a server that fails or does not answer, a catalogue that cannot be written",
    ),
    _STOPPED,
)
_SERVED = _exit_statuses(
    (USAGE, "usage error: unknown option, a bad --port or --timeout, the catalogue's folder not found"),
    (
        IO_FAILURE,
        "the port is taken or refused, or no temporary folder can be made; a "
        "build that fails is reported and the last feeds stay served",
    ),
    (
        INTERRUPTED,
        "stopped by Ctrl-C (SIGINT), as it is meant to be; 143 and 129 likewise for SIGTERM and SIGHUP",
    ),
)
_DEPLOYED = _exit_statuses(
    (OK, "success (a failed --invalidate command is a warning)"),
    (
        USAGE,
        "usage error: a bad DEST or --endpoint-url, DIR missing or not a build's output (no "
        ".feedpub-manifest.json), a profile or AWS_* setting botocore refuses, boto3 not installed",
    ),
    (
        FOREIGN_FILES,
        "DIR is not as its build left it (a file changed or removed since, a build stopped "
        "part-way): named on stderr; nothing was deployed",
    ),
    (
        IO_FAILURE,
        "the service could not be reached, refused (network, credentials), answered what cannot be "
        "read or took too long (--timeout); nothing was deleted unless every upload had succeeded",
    ),
    (
        LOCKED,
        "another deploy to DEST is running or took over the lock of this one, or a build is "
        "writing DIR (try again later)",
    ),
    _STOPPED,
)
_VERIFIED = _exit_statuses(
    _DONE,
    (
        INVALID,
        "a feed has a problem, or a file or folder under DIR cannot be read; for a URL, a "
        "document cannot be fetched or is served wrong, or was not checked within "
        "--deadline or --max-requests (each on stderr)",
    ),
    (
        USAGE,
        "usage error: unknown option, DIR is neither a folder nor an http(s) URL with a host, "
        "a bad --deadline or --max-requests",
    ),
    _UNWRITTEN,
    _STOPPED,
)


class _Failure(Exception):
    def __init__(self, status: int, message: str, *more: str) -> None:
        super().__init__(message)
        self.status = status
        self.lines = (message, *more)

    def shown(self) -> str:
        """The message, each line with its control characters escaped: a line break in a name
        it quotes cannot start another."""
        return "\n".join(shown(line) for line in self.lines)


_signalled: list[int] = []
"""The SIGTERM or SIGHUP that stopped the command, if one did."""


def _stop(signum: int, _frame: object) -> None:
    """SIGTERM or SIGHUP (a service stopped, a terminal closed) stops a command as Ctrl-C
    does, so that it cleans up as it would then; its exit status is 128 + the signal's number.
    (Recorded aside: watchfiles turns any exception from a signal into KeyboardInterrupt.)"""
    _signalled.append(signum)
    raise KeyboardInterrupt


class _Unwritable(Exception):
    """Standard output refused what was printed: a closed pipe, a full disk."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


class _Stream:
    """A standard stream whose failures are told apart from the program's other I/O: those of
    stdout become _Unwritable; those of stderr are dropped, there being nowhere to report them.
    A stream that was closed (None) fails as its descriptor would, once something is written."""

    def __init__(self, stream: TextIO | None, *, raises: bool) -> None:
        self._stream = stream or open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
        self._closed = stream is None
        self._raises = raises

    def write(self, text: str) -> int:
        try:
            if self._closed and text:
                raise OSError(errno.EBADF, os.strerror(errno.EBADF))
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
    out, err = _Stream(saved[0], raises=True), _Stream(saved[1], raises=False)
    for stream in (out, err):
        stream.reconfigure(errors="backslashreplace")
    sys.stdout, sys.stderr = cast(TextIO, out), cast(TextIO, err)
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except _Unwritable as e:
        print(f"feedpub: cannot write to standard output: {e}", file=sys.stderr)
        with contextlib.suppress(OSError, ValueError):  # what is still buffered goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
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
            parser.print_usage(sys.stderr)
            print(f"{parser.prog}: error: argument --{name}: expected a value, not '--'", file=sys.stderr)
            return USAGE
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    try:
        return int(args.run(args))
    except _Failure as failure:
        print(f"feedpub: {failure.shown()}", file=sys.stderr)
        return failure.status
    except KeyboardInterrupt:
        return 128 + _signalled[0] if _signalled else INTERRUPTED


class _Formatter(argparse.HelpFormatter):
    """Prose wrapped to the terminal; text laid out in lines (the exit statuses) wrapped line
    by line, each continued under its text."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text:
            return super()._fill_text(text, width, indent)
        import textwrap

        return "".join(
            textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent + " " * 6) + "\n"
            for line in text.splitlines()
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedpub",
        description="Validate a YAML catalogue of articles and publish it as RSS 2.0, Atom 1.0 "
        "and JSON Feed 1.1 feeds.",
        epilog=_examples(
            "feedpub init",
            "feedpub check",
            "feedpub serve",
            "feedpub build",
            heading="a first session, in a new folder",
        )
        + "\neach command's --help gives an example and its exit statuses\n",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"feedpub {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(
        name: str,
        help: str,
        description: str | None = None,
        *,
        example: str,
        epilog: str,
        catalogue: str | None = "read",
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=description or help,
            epilog=_examples(example) + "\n" + epilog,
            formatter_class=_Formatter,
        )
        if catalogue:
            sub.add_argument(
                "--catalogue",
                type=_path,
                default="articles.yaml",
                metavar="PATH",
                help=f"the catalogue to {catalogue} (default: %(default)s)",
            )
        return sub

    init = command(
        "init",
        "write a commented starter catalogue (never over an existing file)",
        example="feedpub init --catalogue my-site/articles.yaml",
        epilog=_INITIALISED,
        catalogue="write",
    )
    init.set_defaults(run=_init)

    check = command(
        "check",
        "validate the catalogue and report every problem; write nothing",
        example="feedpub check --format github",
        epilog=_CHECKED,
    )
    check.add_argument(
        "files",
        nargs="*",
        type=_path,
        metavar="FILE",
        help="catalogues to check instead of --catalogue (as pre-commit passes them)",
    )
    _format_option(check)
    _jobs_option(check)
    check.set_defaults(run=_check)

    serve = command(
        "serve",
        "build, serve the feeds on 127.0.0.1, and rebuild whenever the catalogue changes",
        example="feedpub serve --port 8080",
        epilog=_SERVED,
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="the port to listen on, 1 to 65535, or 0 for any free one (default: %(default)s)",
    )
    serve.add_argument(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="how long a client has from connecting to send its request and read the answer; "
        "a connection still at it then is closed (default: %(default)g, at most 3600)",
    )
    serve.add_argument(
        "--out",
        type=_path,
        metavar="DIR",
        help="the folder to build into (default: a temporary folder, removed on exit)",
    )
    _overwrite_option(serve, "a build into a folder holding such files writes nothing and says so")
    serve.set_defaults(run=_serve)

    builder = command(
        "build",
        "validate the catalogue, then write every feed that changed",
        example="feedpub build -q --out /srv/www/feeds",
        epilog=_BUILT,
    )
    builder.add_argument(
        "--out", type=_path, default="feeds", metavar="DIR", help="the output folder (default: %(default)s)"
    )
    builder.add_argument(
        "--now",
        type=_moment,
        metavar="ISO-8601",
        help="publish as of this moment instead of the clock (for tests and "
        "back-fills); without an offset it is in site.timezone",
    )
    _overwrite_option(builder, "the build stops with exit status 73")
    builder.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish a catalogue with fewer articles than the last build had (without it, "
        "such a catalogue is refused with exit status 1: a file cut off while it was being "
        "saved looks like this)",
    )
    builder.add_argument(
        "--ping",
        action="store_true",
        help="after writing, tell site.websub_hub which feeds changed (a failing hub is a warning)",
    )
    builder.add_argument(
        "--deploy",
        type=_destination,
        metavar="DEST",
        help="after writing, deploy the folder to DEST (s3://BUCKET/PREFIX) as 'feedpub deploy' does; "
        "the options below reach the service",
    )
    _deploy_options(builder)
    builder.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing on success (problems and failures still go to stderr)",
    )
    _jobs_option(builder)
    builder.set_defaults(run=_build)

    verify = command(
        "verify",
        "check published feeds against RFC 4287's schema, the RSS 2.0 rules and the W3C validator's",
        "Check every RSS and Atom file under a folder against RFC 4287's RELAX NG schema, "
        "the RSS 2.0 rules and the W3C Feed Validation Service's errors and warnings, offline. "
        "Given a URL (the site's feed_url, a feed, an OPML list or an HTML page), check the feeds "
        "as readers get them: every feed found from it on its host, by the same rules, and how "
        "it is served (status, redirects, media type, validators and 304s, compression, "
        "Cache-Control, the self link).",
        example="feedpub verify feeds",
        epilog=_VERIFIED,
        catalogue=None,
    )
    verify.add_argument(
        "folder",
        nargs="?",
        type=_path,
        default="feeds",
        metavar="DIR|URL",
        help="the folder of feeds, or the http(s) URL, to check (default: %(default)s)",
    )
    _format_option(verify)
    verify.add_argument(
        "--deadline",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="for a URL: give up what is not checked by then (default: %(default)g)",
    )
    verify.add_argument(
        "--max-requests",
        type=_positive,
        default=1000,
        metavar="N",
        help="for a URL: send at most N requests, redirects included (default: %(default)s)",
    )
    verify.set_defaults(run=_verify)

    deploy = command(
        "deploy",
        "upload the built feeds to S3 (or any S3-compatible service): only what changed",
        "Make s3://BUCKET/PREFIX hold what the last build wrote to DIR, as the build's manifest "
        "lists it (nothing else in DIR is uploaded): upload the files "
        "whose bytes or headers differ, archive pages and tag feeds before the feeds and pages that "
        "link to them, then delete the objects an earlier deploy put there that the build no longer "
        "has. Nothing else in the bucket is touched. Credentials come from the AWS chain "
        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, --profile, ...). "
        "Needs boto3: install feedpub with its s3 extra (pip install '.[s3]' in its clone).",
        catalogue=None,
        example="feedpub deploy --dry-run s3://my-bucket/feeds",
        epilog=_DEPLOYED,
    )
    deploy.add_argument(
        "destination", type=_destination, metavar="DEST", help="s3://BUCKET or s3://BUCKET/PREFIX"
    )
    deploy.add_argument(
        "--out",
        type=_path,
        default="feeds",
        metavar="DIR",
        help="the folder build wrote (default: %(default)s)",
    )
    _deploy_options(deploy)
    deploy.add_argument(
        "--dry-run", action="store_true", help="list what would be uploaded and deleted; change nothing"
    )
    deploy.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing on success (failures still go to stderr)"
    )
    deploy.set_defaults(run=_deploy)

    imported = command(
        "import",
        "read old feeds and append their entries to the catalogue (created if missing), keeping their ids",
        example="feedpub import https://blog.example.org/feed/ wordpress-export.xml",
        epilog=_IMPORTED,
        catalogue="append to",
    )
    imported.add_argument(
        "sources",
        nargs="+",
        type=_path,
        metavar="SOURCE",
        help="a feed (RSS 2.0, RSS 1.0, Atom 1.0, JSON Feed) or a WordPress or Blogger export, as a file "
        "or an http(s) URL; a URL's older pages (RFC 5005 archives, WordPress's ?paged=) are followed",
    )
    imported.set_defaults(run=_import)

    schema = command(
        "schema",
        "print the catalogue's JSON Schema, for editors (save it beside articles.yaml)",
        "Print the catalogue's JSON Schema (draft 2020-12). Save it, for example as "
        "articles.schema.json, and start articles.yaml with "
        "'# yaml-language-server: $schema=articles.schema.json' to have editors complete and check it.",
        example="feedpub schema > articles.schema.json",
        epilog=_exit_statuses(_DONE, _UNWRITTEN, _STOPPED),
        catalogue=None,
    )
    schema.set_defaults(run=_schema)
    return parser


def _deploy_options(command: argparse.ArgumentParser) -> None:
    """How to reach the S3 service and what to tell a CDN: for deploy, and build --deploy."""
    command.add_argument(
        "--endpoint-url",
        type=_endpoint,
        metavar="URL",
        help="an S3-compatible service's address (default: Amazon S3)",
    )
    command.add_argument("--profile", metavar="NAME", help="a profile of the AWS configuration files")
    command.add_argument(
        "--timeout",
        type=_positive,
        metavar="SECONDS",
        # the defaults are feedpub.deploy's, not imported here: every command builds this parser
        help="the most the deploy's requests may take together, one of them at most 30 s; past it "
        "the deploy stops with exit status 74 (default: 900)",
    )
    command.add_argument(
        "--invalidate",
        metavar="CMD",
        help="after a deploy that replaced or deleted objects, run CMD in a shell with their paths "
        "on its standard input, one a line (to purge a CDN; see the documentation's S3 guide); a "
        "failure is a warning",
    )


def _format_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text: 'file:line:col: error: message' on stderr (default); json: a list of "
        "problems on stdout; github: workflow commands that annotate the lines in GitHub Actions",
    )


def _overwrite_option(command: argparse.ArgumentParser, otherwise: str) -> None:
    command.add_argument(
        "--overwrite",
        action="store_true",
        help="replace or remove files in the output folder that feedpub did not write, or that "
        f"were changed since it wrote them (without it, {otherwise})",
    )


def _jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes to share the work of a catalogue over 1 MiB: 1, or 2 (the default on a "
        "machine with a second core)",
    )


def _path(text: str) -> str:
    """A path as given, unless it is empty: in a cron line or script that is an unset variable,
    and taken as the current folder it would have a build write there."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file or folder (is a variable unset?)")
    return text


def _destination(text: str) -> str:
    """A deploy's destination, checked before anything is built or read."""
    from feedpub.deploy.destination import Usage, parse

    try:
        parse(text)
    except Usage as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _endpoint(text: str) -> str:
    from urllib.parse import urlsplit

    if "@" in text:  # not repeated: a cron job mails what it prints
        raise argparse.ArgumentTypeError(
            "the address holds an '@' (user:password@, not repeated here): credentials come from the "
            "AWS chain, never from the address"
        )
    try:
        address = urlsplit(text)
        valid = address.scheme in ("http", "https") and bool(address.hostname) and address.port != 0
    except ValueError:  # a port out of range, brackets that are not an IPv6 address
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an http(s) address such as https://s3.example.org or http://127.0.0.1:8333"
        )
    return text


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _seconds(text: str) -> float:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text, re.ASCII) or not 0 < float(text) <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (more than 0, at most 3600)")
    return float(text)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _check(args: argparse.Namespace) -> int:
    report = _REPORTS[args.format]()
    status = unreadable = OK
    for path in args.files or [args.catalogue]:  # each one, whatever the others hold
        try:
            found, problems = build.check(Path(path), args.jobs)
        except build.Unreadable as e:
            print(f"feedpub: {shown(str(e))}", file=sys.stderr)
            unreadable = unreadable or (USAGE if e.missing else IO_FAILURE)
            report.unreadable(Problem.coded(Code.UNREADABLE, str(path), 1, 1, str(e)))
            continue
        report.checked(path, found, problems)
        if found is None:
            status = INVALID
    report.finish()
    return unreadable or status


class _TextReport:
    """Problems on stderr, as editors read them; a line for each catalogue that passes."""

    def checked(self, path: str, found: Catalogue | None, problems: list[Problem]) -> None:
        _report(problems)
        if found is not None:
            print(_passed(path, found))

    def unreadable(self, problem: Problem) -> None:
        """A catalogue that cannot be read, said on stderr already."""

    def finish(self) -> None:
        pass


class _GithubReport:
    """Problems as GitHub Actions workflow commands, which annotate their lines."""

    def checked(self, path: str, found: Catalogue | None, problems: list[Problem]) -> None:
        _github(problems)
        if found is not None:
            print(_passed(path, found))

    def unreadable(self, problem: Problem) -> None:
        print(problem.as_github())  # a failing run marks the file it could not read

    def finish(self) -> None:
        pass


class _JsonReport:
    """Every problem of every catalogue in one JSON list, for scripts."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def checked(self, path: str, found: Catalogue | None, problems: list[Problem]) -> None:
        self.problems += problems

    def unreadable(self, problem: Problem) -> None:
        self.problems.append(problem)  # an empty list would say there was nothing wrong

    def finish(self) -> None:
        _json(self.problems)


_REPORTS: dict[str, type[_TextReport | _GithubReport | _JsonReport]] = {
    "text": _TextReport,
    "json": _JsonReport,
    "github": _GithubReport,
}


def _passed(path: str, found: Catalogue) -> str:
    articles = _articles(len(found.articles), build.drafts(found))
    return f"{path}: {articles}, {_count(len(found.tags), 'tag')}, ok"


def _serve(args: argparse.Namespace) -> int:
    import tempfile

    from feedpub import serve

    folder = Path(args.catalogue).resolve().parent
    if not folder.is_dir():
        raise _Failure(USAGE, f"cannot watch catalogue '{args.catalogue}': {folder} is not a folder")
    with contextlib.ExitStack() as stack:
        try:
            out = Path(args.out or stack.enter_context(tempfile.TemporaryDirectory(prefix="feedpub-")))
        except OSError as e:
            raise _Failure(IO_FAILURE, f"cannot make a temporary folder: {e.strerror or e}") from None
        # a person is watching what each save builds: fewer articles is an edit, not an accident
        request = build.Request(
            catalogue=Path(args.catalogue), out=out, allow_shrink=True, overwrite=args.overwrite
        )

        def rebuild() -> str | None:
            built: list[str] = []
            try:
                _run_build(request, quiet=False, built=lambda result: built.append(result.feed_url))
            except _Failure as failure:  # keep serving what was built last
                print(f"feedpub: {failure.shown()}", file=sys.stderr)
            sys.stdout.flush()
            return built[0] if built else None

        try:
            serve.serve(out, request.catalogue, args.port, rebuild, args.timeout)
        except OSError as e:
            raise _Failure(IO_FAILURE, f"cannot serve on 127.0.0.1:{args.port}: {e.strerror or e}") from None
    return OK


def _import(args: argparse.Namespace) -> int:
    from feedpub import importer

    statuses = {importer.Why.USAGE: USAGE, importer.Why.INVALID: INVALID, importer.Why.IO: IO_FAILURE}
    try:
        with build.uncollected():
            # what feeds and servers say is in these lines: escaped, it cannot move the cursor
            outcome = importer.run(
                args.sources, Path(args.catalogue), lambda line: print(shown(line), file=sys.stderr)
            )
    except importer.Refused as refused:
        raise _Failure(statuses[refused.why], str(refused)) from None
    print(outcome.summary())
    return OK


def _schema(args: argparse.Namespace) -> int:
    from feedpub import schema

    sys.stdout.write(schema.text())
    return OK


def _init(args: argparse.Namespace) -> int:
    from feedpub import schema

    starter = Path(__file__).with_name("starter.yaml").read_bytes()
    # the starter's first line points editors at this file, beside the catalogue
    made = [(Path(args.catalogue), starter), (Path(args.catalogue).with_name(schema.FILE), None)]
    wrote = []
    for path, data in made:
        try:
            with open(path, "xb") as f:
                f.write(data if data is not None else schema.text().encode())
        except FileExistsError:
            if data is None:
                continue  # a schema there already serves; `feedpub schema` refreshes it
            raise _Failure(USAGE, f"'{path}' exists already; feedpub init never overwrites a file") from None
        except OSError as e:
            raise _Failure(IO_FAILURE, f"cannot write '{path}': {e.strerror}") from None
        wrote.append(str(path))
    print(f"wrote {' and '.join(wrote)}: edit {args.catalogue}, then run 'feedpub check' and 'feedpub build'")
    return OK


def _report(problems: list[Problem]) -> None:
    _report_lines(str(p) for p in problems)


def _report_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _articles(n: int, drafts: int) -> str:
    """'3 articles', or '3 articles (1 draft)': drafts count but are never published."""
    return _count(n, "article") + (f" ({_count(drafts, 'draft')})" if drafts else "")


def _build(args: argparse.Namespace) -> int:
    request = build.Request(
        catalogue=Path(args.catalogue),
        out=Path(args.out),
        now=args.now,
        jobs=args.jobs,
        overwrite=args.overwrite,
        allow_shrink=args.allow_shrink,
        ping=args.ping,
    )
    status = _run_build(request, quiet=args.quiet)
    if status != OK or args.deploy is None:
        return status
    return _run_deploy(args, args.deploy, dry_run=False)


def _run_build(
    request: build.Request, *, quiet: bool, built: Callable[[build.Built], object] = lambda result: None
) -> int:
    """Build, print what happened, and say with which exit status; `built` is given what a
    build that succeeds publishes."""
    started = time.perf_counter()
    try:
        with _progress(quiet=quiet) as progress:
            result = build.build(request, progress)
    except build.Unreadable as e:
        raise _Failure(USAGE if e.missing else IO_FAILURE, str(e)) from None
    except build.NoSuchMoment as e:
        raise _Failure(USAGE, str(e)) from None
    except publish.Locked as e:
        raise _Failure(LOCKED, str(e)) from None
    except publish.ForeignFiles as e:
        raise _Failure(FOREIGN_FILES, *_foreign(e)) from None
    except publish.PublishError as e:
        raise _Failure(IO_FAILURE, f"cannot write {e}; {e.state or 'nothing was changed'}") from None
    if isinstance(result, build.Invalid):
        _report(result.problems)
        return INVALID
    if not quiet:
        _report_lines(result.warnings)
    if isinstance(result, build.Shrunk):
        print(
            f"feedpub: {request.catalogue} has {_count(result.articles, 'article')}, fewer than the "
            f"{result.recorded} of the last build into {request.out}; nothing was written. A "
            "catalogue cut off while it was being saved looks like this: if articles were removed "
            "on purpose, build once with --allow-shrink",
            file=sys.stderr,
        )
        return INVALID
    for failure in result.ping_failures:
        print(f"feedpub: warning: {shown(failure)}", file=sys.stderr)
    if not quiet:
        _summarise(_articles(result.articles, result.drafts), result.outcome, started)
    built(result)
    return OK


def _foreign(refused: publish.ForeignFiles) -> list[str]:
    lines = [
        f"{refused.out} holds files that feedpub did not write, or that were changed since it "
        "wrote them; nothing was written:"
    ]
    lines += [f"  {refused.out / path} (would be {done}d)" for path, done in sorted(refused.found.items())]
    lines.append("move them out of the way, or build with --overwrite to let feedpub replace or remove them")
    return lines


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


def _summarise(articles: str, outcome: publish.Outcome, started: float) -> None:
    total = len(outcome.written) + len(outcome.unchanged)
    print(
        f"{articles} → {_count(total, 'file')}: "
        f"{len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.removed)} removed in {time.perf_counter() - started:.2f} s"
    )


def _deploy(args: argparse.Namespace) -> int:
    return _run_deploy(args, args.destination, dry_run=args.dry_run)


def _run_deploy(args: argparse.Namespace, destination: str, *, dry_run: bool) -> int:
    """Deploy the folder `args.out` to `destination` with `args`' deploy options, print what
    happened, and say with which exit status."""
    from feedpub import deploy

    with contextlib.ExitStack() as stack:
        progress = None
        if not args.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            bar = stack.enter_context(
                tqdm(
                    desc=f"deploying to {destination}",
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
            dry_run=dry_run,
            invalidate=args.invalidate,
            deadline=args.timeout or deploy.DEADLINE,
            progress=progress,
        )
        try:
            result = deploy.deploy(Path(args.out), destination, options)
        except deploy.Usage as e:
            raise _Failure(USAGE, str(e)) from None
        except deploy.Unproven as e:
            raise _Failure(FOREIGN_FILES, str(e)) from None
        except deploy.Locked as e:
            raise _Failure(LOCKED, str(e)) from None
        except deploy.Unreachable as e:
            raise _Failure(IO_FAILURE, str(e)) from None
    for warning in result.warnings:
        print(f"feedpub: warning: {shown(warning)}", file=sys.stderr)
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
    if args.folder.partition("://")[0].lower() in ("http", "https"):
        return _verify_url(args)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise _Failure(USAGE, f"'{folder}' is not a folder (nor an http or https URL)")
    from feedpub.verify import verify_folder

    count, problems = verify_folder(folder)  # what cannot be read is a problem there
    _VERIFY_REPORTS[args.format](problems)
    if problems:
        return INVALID
    print(f"{folder}: {_count(count, 'feed')}, no errors, no warnings", file=_summary_stream(args))
    return OK


def _verify_url(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from feedpub.verify.answers import Limits
    from feedpub.verify.http import verify_site

    try:
        address = urlsplit(args.folder)
        if not address.hostname or address.port == 0:
            raise ValueError
    except ValueError:  # a port out of range, too
        raise _Failure(
            USAGE, f"'{args.folder}' is not a URL with a host (and a port from 1 to 65535)"
        ) from None
    found = verify_site(args.folder, Limits(deadline=args.deadline, max_requests=args.max_requests))
    _VERIFY_REPORTS[args.format](found.problems)
    stream = _summary_stream(args)
    if args.format == "text":
        for url in found.off_site:
            print(f"not followed (another host): {url}", file=stream)
    errors = sum(p.severity is Severity.ERROR for p in found.problems)
    warnings = len(found.problems) - errors
    print(
        f"{found.start}: {_count(found.feeds, 'feed')} of {_count(found.documents, 'document')}, "
        f"{_count(errors, 'error')}, {_count(warnings, 'warning')}; {_count(found.requests, 'request')}, "
        f"{found.bytes_read:,} bytes in {found.seconds:.2f} s",
        file=stream,
    )
    return INVALID if found.problems else OK


def _summary_stream(args: argparse.Namespace) -> TextIO:
    """Where the summary goes: stdout, unless that holds the JSON list."""
    return sys.stderr if args.format == "json" else sys.stdout


def _github(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.as_github())


def _json(problems: list[Problem]) -> None:
    print(json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=1))


_VERIFY_REPORTS: dict[str, Callable[[list[Problem]], None]] = {
    "text": _report,
    "json": _json,
    "github": _github,
}


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO 8601 date-time such as 2024-01-31T09:00:00Z"
        ) from None
