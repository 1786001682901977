"""The `feedpub` command: its arguments, its exit statuses, and each command run with what it
prints (as reports.py words it) and the status it exits with. No logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, cast

# The rest of feedpub is imported where it is needed: a cron run with nothing new to publish
# reads the catalogue's bytes and the record of the last build, and finishes before loading
# YAML or feedgen.
from feedpub import __version__, build, publish, reports
from feedpub.problems import Code, Problem, escaped

OK, INVALID, USAGE, FOREIGN_FILES, IO_FAILURE, LOCKED, INTERRUPTED = 0, 1, 2, 73, 74, 75, 130


def _exit_statuses(rows: tuple[tuple[int, str], ...]) -> str:
    """The exit statuses, for the end of --help: each with what it means, a line each."""
    return "exit status:\n" + "".join(f"  {status:<3} {text}\n" for status, text in rows)


def _examples(*commands: str, heading: str = "example") -> str:
    """Commands to copy, for --help."""
    return f"{heading}:\n" + "".join(f"  {command}\n" for command in commands)


_SUCCESS = (OK, "success")
_STOPPED = (INTERRUPTED, "stopped by Ctrl-C (SIGINT); 143 and 129 likewise for SIGTERM and SIGHUP")
_UNWRITTEN = (IO_FAILURE, "standard output cannot be written (closed, full, a broken pipe)")
EXIT_STATUSES: dict[str, tuple[tuple[int, str], ...]] = {
    "init": (
        _SUCCESS,
        (USAGE, "usage error: unknown option, an empty path, or the catalogue exists already"),
        (IO_FAILURE, "the catalogue cannot be written, or standard output: the reason on stderr"),
        _STOPPED,
    ),
    "check": (
        _SUCCESS,
        (INVALID, "the catalogue is invalid: problems on stderr"),
        (USAGE, "usage error: unknown option, an empty path, catalogue file not found"),
        (IO_FAILURE, "the catalogue cannot be read, or standard output written: the reason on stderr"),
        _STOPPED,
    ),
    "serve": (
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
    ),
    "build": (
        _SUCCESS,
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
    ),
    "verify": (
        _SUCCESS,
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
    ),
    "deploy": (
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
    ),
    "import": (
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
    ),
    "schema": (_SUCCESS, _UNWRITTEN, _STOPPED),
}
"""Each command's exit statuses, with what each means there: the end of its --help, and the
documentation's table of them."""


class _Failure(Exception):
    def __init__(self, status: int, message: str, *more: str) -> None:
        super().__init__(message)
        self.status = status
        self.lines = (message, *more)

    def escaped(self) -> str:
        """The message, each line with its control characters escaped: a line break in a name
        it quotes cannot start another."""
        return "\n".join(escaped(line) for line in self.lines)


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
        print(f"feedpub: {failure.escaped()}", file=sys.stderr)
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
    for add in (
        _add_init,
        _add_check,
        _add_serve,
        _add_build,
        _add_verify,
        _add_deploy,
        _add_import,
        _add_schema,
    ):
        add(commands)
    return parser


_Commands = argparse._SubParsersAction  # what add_subparsers gives, to add each command to


def _command(
    commands: _Commands[argparse.ArgumentParser],
    name: str,
    run: Callable[[argparse.Namespace], int],
    help: str,
    description: str | None = None,
    *,
    example: str,
    catalogue: str | None = "read",
) -> argparse.ArgumentParser:
    """The parser of command `name`, which `run` runs, its --help ending with an example and its
    exit statuses, with --catalogue (the catalogue to `catalogue`) unless that is None."""
    sub = commands.add_parser(
        name,
        help=help,
        description=description or help,
        epilog=_examples(example) + "\n" + _exit_statuses(EXIT_STATUSES[name]),
        formatter_class=_Formatter,
    )
    sub.set_defaults(run=run)
    if catalogue:
        sub.add_argument(
            "--catalogue",
            type=_path,
            default="articles.yaml",
            metavar="PATH",
            help=f"the catalogue to {catalogue} (default: %(default)s)",
        )
    return sub


def _add_init(commands: _Commands[argparse.ArgumentParser]) -> None:
    _command(
        commands,
        "init",
        _init,
        "write a commented starter catalogue (never over an existing file)",
        example="feedpub init --catalogue my-site/articles.yaml",
        catalogue="write",
    )


def _add_check(commands: _Commands[argparse.ArgumentParser]) -> None:
    check = _command(
        commands,
        "check",
        _check,
        "validate the catalogue and report every problem; write nothing",
        example="feedpub check --format github",
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


def _add_serve(commands: _Commands[argparse.ArgumentParser]) -> None:
    serve = _command(
        commands,
        "serve",
        _serve,
        "build, serve the feeds on 127.0.0.1, and rebuild whenever the catalogue changes",
        example="feedpub serve --port 8080",
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


def _add_build(commands: _Commands[argparse.ArgumentParser]) -> None:
    builder = _command(
        commands,
        "build",
        _build,
        "validate the catalogue, then write every feed that changed",
        example="feedpub build -q --out /srv/www/feeds",
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


def _add_verify(commands: _Commands[argparse.ArgumentParser]) -> None:
    verify = _command(
        commands,
        "verify",
        _verify,
        "check published feeds against RFC 4287's schema, the RSS 2.0 rules and the W3C validator's",
        "Check every RSS and Atom file under a folder against RFC 4287's RELAX NG schema, "
        "the RSS 2.0 rules and the W3C Feed Validation Service's errors and warnings, offline. "
        "Given a URL (the site's feed_url, a feed, an OPML list or an HTML page), check the feeds "
        "as readers get them: every feed found from it on its host, by the same rules, and how "
        "it is served (status, redirects, media type, validators and 304s, compression, "
        "Cache-Control, the self link).",
        example="feedpub verify feeds",
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


def _add_deploy(commands: _Commands[argparse.ArgumentParser]) -> None:
    deploy = _command(
        commands,
        "deploy",
        _deploy,
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


def _add_import(commands: _Commands[argparse.ArgumentParser]) -> None:
    imported = _command(
        commands,
        "import",
        _import,
        "read old feeds and append their entries to the catalogue (created if missing), keeping their ids",
        example="feedpub import https://blog.example.org/feed/ wordpress-export.xml",
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


def _add_schema(commands: _Commands[argparse.ArgumentParser]) -> None:
    _command(
        commands,
        "schema",
        _schema,
        "print the catalogue's JSON Schema, for editors (save it beside articles.yaml)",
        "Print the catalogue's JSON Schema (draft 2020-12). Save it, for example as "
        "articles.schema.json, and start articles.yaml with "
        "'# yaml-language-server: $schema=articles.schema.json' to have editors complete and check it.",
        example="feedpub schema > articles.schema.json",
        catalogue=None,
    )


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
        choices=reports.FORMATS,
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
    report = reports.CheckReport(args.format)
    status = unreadable = OK
    for path in args.files or [args.catalogue]:  # each one, whatever the others hold
        try:
            catalogue, problems = build.check(Path(path), args.jobs)
        except build.Unreadable as e:
            print(f"feedpub: {escaped(str(e))}", file=sys.stderr)
            unreadable = unreadable or (USAGE if e.missing else IO_FAILURE)
            report.unreadable(Problem.coded(Code.UNREADABLE, str(path), 1, 1, str(e)))
            continue
        report.checked(path, catalogue, problems)
        if catalogue is None:
            status = INVALID
    report.finish()
    return unreadable or status


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
                print(f"feedpub: {failure.escaped()}", file=sys.stderr)
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
                args.sources, Path(args.catalogue), lambda line: print(escaped(line), file=sys.stderr)
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
        with reports.progress_bar("rendering entries and feeds", "part", quiet=quiet) as progress:
            result = build.build(request, progress)
    except build.Unreadable as e:
        raise _Failure(USAGE if e.missing else IO_FAILURE, str(e)) from None
    except build.NoSuchMoment as e:
        raise _Failure(USAGE, str(e)) from None
    except publish.Locked as e:
        raise _Failure(LOCKED, str(e)) from None
    except publish.ForeignFiles as e:
        raise _Failure(FOREIGN_FILES, *reports.foreign(e)) from None
    except publish.PublishError as e:
        raise _Failure(IO_FAILURE, f"cannot write {e}; {e.state or 'nothing was changed'}") from None
    if isinstance(result, build.Invalid):
        reports.as_text(result.problems)
        return INVALID
    if not quiet:
        reports.to_stderr(result.warnings)
    if isinstance(result, build.Shrunk):
        print(
            f"feedpub: {request.catalogue} has {reports.count(result.articles, 'article')}, fewer than the "
            f"{result.recorded} of the last build into {request.out}; nothing was written. A "
            "catalogue cut off while it was being saved looks like this: if articles were removed "
            "on purpose, build once with --allow-shrink",
            file=sys.stderr,
        )
        return INVALID
    for failure in result.ping_failures:
        print(f"feedpub: warning: {escaped(failure)}", file=sys.stderr)
    if not quiet:
        articles = reports.articles(result.articles, result.drafts)
        print(reports.built(articles, result.outcome, time.perf_counter() - started))
    built(result)
    return OK


def _deploy(args: argparse.Namespace) -> int:
    return _run_deploy(args, args.destination, dry_run=args.dry_run)


def _run_deploy(args: argparse.Namespace, destination: str, *, dry_run: bool) -> int:
    """Deploy the folder `args.out` to `destination` with `args`' deploy options, print what
    happened, and say with which exit status."""
    from feedpub import deploy

    with reports.progress_bar(f"deploying to {destination}", "file", quiet=args.quiet) as progress:
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
        print(f"feedpub: warning: {escaped(warning)}", file=sys.stderr)
    if result.dry_run:
        for path in result.uploaded:
            print(f"would upload {path}")
        for path in result.deleted:
            print(f"would delete {path}")
    if not args.quiet:
        print(reports.deployed(result))
    return OK


def _verify(args: argparse.Namespace) -> int:
    if args.folder.partition("://")[0].lower() in ("http", "https"):
        return _verify_url(args)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise _Failure(USAGE, f"'{folder}' is not a folder (nor an http or https URL)")
    from feedpub.verify import verify_folder

    feeds, problems = verify_folder(folder)  # what cannot be read is a problem there
    reports.PROBLEMS[args.format](problems)
    if problems:
        return INVALID
    summary = f"{folder}: {reports.count(feeds, 'feed')}, no errors, no warnings"
    print(summary, file=reports.summary_stream(args.format))
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
    verified = verify_site(args.folder, Limits(deadline=args.deadline, max_requests=args.max_requests))
    reports.PROBLEMS[args.format](verified.problems)
    stream = reports.summary_stream(args.format)
    if args.format == "text":
        for url in verified.off_site:
            print(f"not followed (another host): {url}", file=stream)
    print(reports.verified_site(verified), file=stream)
    return INVALID if verified.problems else OK


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO 8601 date-time such as 2024-01-31T09:00:00Z"
        ) from None
