"""A build from start to finish: lock the output folder, read the catalogue, and either find
that the last build still holds or validate, plan, render and publish; then tell the WebSub
hub which feeds changed. It prints nothing: `cli` turns what it returns, or raises, into
messages and exit statuses.

The rest of feedpub is imported where it is needed: a cron run with nothing new to publish
reads the catalogue's bytes and the record of the last build, and finishes before loading
YAML or feedgen.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from feedpub import __version__, moments, publish, source
from feedpub.layout import FEED_FILES, could_write
from feedpub.problems import Code, Problem, ordered

if TYPE_CHECKING:
    from feedpub.model import Catalogue
    from feedpub.render.budget import Unfit

Progress = Callable[[int, int], None]
"""Hears how many parts of the rendering are done, of how many."""


class Request(NamedTuple):
    """What to build, and how."""

    catalogue: Path
    out: Path
    now: datetime | None = None
    """The moment to publish as of (the clock if None); without an offset, in site.timezone."""
    jobs: int | None = None
    overwrite: bool = False
    """Replace or remove files in the way that feedpub did not write."""
    allow_shrink: bool = False
    """Publish a catalogue with fewer articles than the last build had."""
    ping: bool = False
    """Tell the site's WebSub hub which feeds changed."""


class Built(NamedTuple):
    """The feeds are published (or were already, if `shortcut`)."""

    articles: int
    outcome: publish.Outcome
    warnings: tuple[str, ...] = ()
    shortcut: bool = False
    """Nothing new: the last build still held, so nothing was even read but the catalogue's bytes."""
    ping_failures: tuple[str, ...] = ()
    drafts: int = 0
    """How many of the articles are drafts, never published."""
    feed_url: str = ""
    """The site's feed_url."""


class Invalid(NamedTuple):
    """The catalogue has errors; nothing was written."""

    problems: list[Problem]


class Shrunk(NamedTuple):
    """The catalogue has fewer articles than the last build had; nothing was written."""

    articles: int
    recorded: int
    warnings: tuple[str, ...] = ()


Result = Built | Invalid | Shrunk


class Unreadable(Exception):
    """The catalogue cannot be read: `missing` if there is no such file (a usage error)."""

    def __init__(self, path: Path, reason: str, *, missing: bool) -> None:
        super().__init__(f"cannot read catalogue '{path}': {reason}")
        self.missing = missing


class NoSuchMoment(Exception):
    """--now names a local time that the site's time zone skips, or a moment outside the years
    the catalogue's dates may have."""


def check(path: Path, jobs: int | None = None) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue at `path` if it has no errors, and every problem found, with what the
    feeds of this moment leave out to keep site.max_bytes; raises Unreadable."""
    try:
        data = _read(path)
    except source.TooLarge as e:
        return None, [_too_large(path, e)]
    catalogue, problems = _validate(data, path, jobs)
    if catalogue is None or catalogue.site.max_bytes is None:
        return catalogue, problems
    from feedpub.render import rendered

    with uncollected():
        unfit = rendered(catalogue, datetime.now(UTC), jobs=jobs).unfit
    return catalogue, ordered(problems + unfit_problems(path, catalogue, unfit))


def build(request: Request, progress: Progress | None = None) -> Result:
    """Publish the catalogue into the output folder if there is anything new. Raises
    Unreadable, NoSuchMoment, publish.Locked (at once, before reading anything), publish.ForeignFiles or
    publish.PublishError."""
    with publish.locked(request.out) as output:
        result, topics, hub = _build(request, output, progress)
    # The hub may take its time: the next build need not wait for it.
    if isinstance(result, Built) and hub and topics:
        from feedpub import websub

        return result._replace(ping_failures=tuple(websub.ping(hub, topics)))
    return result


def _build(
    request: Request, output: publish.Output, progress: Progress | None
) -> tuple[Result, list[str], str | None]:
    """The build, holding the lock; with the feed addresses that changed and the hub to tell."""
    try:
        data = _read(request.catalogue)
    except source.TooLarge as e:
        return Invalid([_too_large(request.catalogue, e)]), [], None
    digest = hashlib.sha256(data).hexdigest()
    version = code_version()
    last = publish.fresh(output.kept, digest, version)
    if last is not None and last.holds_at(_moment_in(request.now, last.timezone)):
        unchanged = publish.Outcome(unchanged=sorted(last.files))
        built = Built(
            last.articles, unchanged, last.warnings, True, drafts=last.drafts, feed_url=last.feed_url
        )
        return built, [], None

    from feedpub import rereading
    from feedpub.publish import cache, state

    made_by = state.version(version)
    reusable = state.reusable(output.kept, request.catalogue, made_by)
    held = reusable.articles.known if reusable.articles else None
    with uncollected():
        catalogue, problems, known = rereading.read(data, str(request.catalogue), held, jobs=request.jobs)
    if catalogue is None:
        return Invalid(problems), [], None
    warnings = tuple(str(p) for p in problems)
    recorded = output.kept.last_build
    if recorded is not None and len(catalogue.articles) < recorded.articles and not request.allow_shrink:
        return Shrunk(len(catalogue.articles), recorded.articles, warnings), [], None

    del data  # let go before rendering, when a build holds the most memory

    from feedpub.render import plan, rendered

    now = _moment_in(request.now, catalogue.site.timezone)
    with uncollected():
        result = rendered(catalogue, now, progress, jobs=request.jobs, held=reusable.feeds, read=known)
    unfit = unfit_problems(request.catalogue, catalogue, result.unfit)
    warnings = tuple(str(p) for p in ordered(problems + unfit))
    since, until = plan.period(catalogue, now)
    record = publish.Build(
        catalogue=digest,
        version=version,
        timezone=catalogue.site.timezone,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        articles=len(catalogue.articles),
        warnings=warnings,
        drafts=drafts(catalogue),
        feed_url=catalogue.site.feed_url,
        warned=publish.records.keep_warnings(output.path, warnings),
    )
    with cache.written(output.path, known, reusable.articles) as kept:
        outcome = publish.publish(
            output,
            result.files,
            record,
            could_write=could_write,
            overwrite=request.overwrite,
            kept=result.reused,
            state=state.next_state(made_by, request.catalogue, result.keys, kept),
        )
    topics = [catalogue.site.feed_url + path for path in outcome.written if path.endswith(FEED_FILES)]
    hub = catalogue.site.websub_hub if request.ping else None
    return (
        Built(len(catalogue.articles), outcome, warnings, drafts=record.drafts, feed_url=record.feed_url),
        topics,
        hub,
    )


def drafts(catalogue: Catalogue) -> int:
    """How many of the catalogue's articles are drafts."""
    return sum(article.draft for article in catalogue.articles)


def unfit_problems(path: Path, catalogue: Catalogue, unfit: list[Unfit]) -> list[Problem]:
    """Warnings for what site.max_bytes left out of a feed, each at the article (or at the
    budget, where a feed cannot hold even its own elements), where reading found them."""
    if not unfit:
        return []
    index = {article.id: i for i, article in enumerate(catalogue.articles)}
    limit = f"{catalogue.site.max_bytes:,}"
    problems = []
    for left in unfit:
        if left.article is None:
            (line, col), where, code = catalogue.budget, "site.max_bytes", Code.BUDGET_TOO_SMALL
            message = (
                f"'max_bytes': {left.file} takes {left.needed:,} bytes with no entry at all (its "
                f"title, description and links, at their longest), more than {limit}: it is written "
                "without entries; raise max_bytes or shorten them"
            )
        else:
            i = index[left.article]
            (line, col), where, code = catalogue.places[i], f"articles[{i}]", Code.OVER_BUDGET
            message = (
                f"article '{left.article}' does not fit in {left.file} even without its content: "
                f"it takes {left.needed:,} bytes with the feed's own elements, more than "
                f"site.max_bytes ({limit}); it is left out of that feed and its archive"
            )
        problems.append(Problem.coded(code, str(path), line, col, message, where))
    return problems


def _read(path: Path) -> bytes:
    try:
        return source.read(path)
    except (FileNotFoundError, NotADirectoryError) as e:
        raise Unreadable(path, e.strerror or str(e), missing=True) from None
    except OSError as e:
        raise Unreadable(path, e.strerror or str(e), missing=False) from None


def _too_large(path: Path, refused: source.TooLarge) -> Problem:
    return Problem.coded(Code.TOO_LARGE, str(path), 1, 1, str(refused))


def _validate(data: bytes, path: Path, jobs: int | None) -> tuple[Catalogue | None, list[Problem]]:
    from feedpub import reading

    with uncollected():
        return reading.read(data, str(path), jobs=jobs)


@contextlib.contextmanager
def uncollected() -> Iterator[None]:
    """Reading and rendering build large graphs of objects with no reference cycles: the
    cycle collector would only walk them again and again (half the time of reading)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what is kept is long-lived: later collections need not look at it
        gc.enable()


def code_version() -> str:
    """feedpub's version and a digest of its own code: feeds that another version, or an
    edited checkout, wrote are never taken as up to date."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _moment_in(moment: datetime | None, timezone: str) -> datetime:
    """`moment` (the clock if None) in `timezone` if it has no offset of its own, as the
    catalogue's dates are read; raises NoSuchMoment if the clocks skip it there."""
    moment = given = moment or datetime.now(UTC)
    if not moment.tzinfo:
        from zoneinfo import ZoneInfo  # only --now without an offset needs the time zone database

        zone = ZoneInfo(timezone)
        try:
            if moments.skipped(moment, zone):
                raise NoSuchMoment(
                    f"--now {moment.isoformat()} does not exist in {timezone}, the site's time zone "
                    "(the clocks skip it); give it a UTC offset, such as "
                    f"{moment.replace(tzinfo=UTC).isoformat().replace('+00:00', 'Z')}"
                )
            moment = moments.fixed(moment, zone)
        except OverflowError:  # beyond year 9999 or before year 1 in UTC
            pass
    if not (moment.tzinfo and moments.EARLIEST <= moment < moments.LATEST):
        raise NoSuchMoment(
            f"--now {given.isoformat()} is not between 1990 and 9998, the years a catalogue's dates may have"
        )
    return moment
