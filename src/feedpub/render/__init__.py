"""Model + moment → every output file as bytes, keyed by path under the output folder.

Pure: no I/O and no clock. Each output format is a module of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub import layout, parallel
from feedpub.model import Catalogue
from feedpub.render import budget, hosting, index_page, jsonfeed, keys, opml, plan, podcast, syndication
from feedpub.render.content import texts
from feedpub.render.plan import Entry

if TYPE_CHECKING:
    from feedpub.rereading import Known

STYLESHEET = Path(__file__).with_name(layout.STYLESHEET).read_bytes()
"""What browsers show RSS and Atom feeds through."""


PARALLEL_ENTRIES = 500
"""Fewer entries are rendered in one process: a second would cost more than it saves."""

ENTRIES_HERE = 0.53
"""The share of the entries rendered in this process, with a second one: a little over half,
since the other has to pickle its entries (measured at 10,000 articles)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    files: dict[str, bytes]
    unfit: list[budget.Unfit]
    """What site.max_bytes left out of a feed (see `budget`)."""
    keys: dict[str, str]
    """Each feed's folder → its key (see `keys`); none with site.max_bytes."""
    reused: list[str]
    """The files of the feeds not rendered, which the output folder holds already."""


def render(
    catalogue: Catalogue,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    *,
    jobs: int | None = None,
) -> dict[str, bytes]:
    """All files of a build at `now`; the same catalogue and `now` give the same bytes.
    `progress`, if given, hears how many parts (entries, then feeds) are done of how many.
    With `jobs` of 2 and enough entries, a second process renders about half of the
    entries (see `parallel`)."""
    return rendered(catalogue, now, progress, jobs=jobs).files


def rendered(
    catalogue: Catalogue,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    *,
    jobs: int | None = None,
    held: Mapping[str, str] | None = None,
    read: Known | None = None,
) -> Rendered:
    """As `render`, with what the budget left out and each feed's key; the feeds whose
    folder `held` maps to their key (the output folder holds their files, from a build
    that rendered them with that key) are not rendered: their paths are in `reused`. `read`
    says where the articles were read from, which the keys use where they can."""
    feeds = plan.feeds(catalogue, now)
    site = catalogue.site
    shows = podcast.shows(catalogue)
    feed_keys = {} if site.max_bytes else keys.feed_keys(catalogue, shows, feeds, read)
    everything = feeds
    if held and feed_keys:
        feeds = [feed for feed in feeds if held.get(feed.folder) != feed_keys[feed.folder]]
    # by count, the feeds hold every entry the budget may choose from; it may summarise any
    entries = list({entry.key: entry for feed in feeds for entry in feed.entries}.values())
    if site.max_bytes:
        entries = list({e.key: e for entry in entries for e in (entry, entry.summarised())}.values())
    if len(entries) < PARALLEL_ENTRIES:
        jobs = 1

    def heard(done: int) -> None:
        if progress:
            progress(done, len(entries) + len(feeds))

    def show(share: list[Entry], here: bool) -> dict[tuple[str, bool], tuple[syndication.Fragments, bytes]]:
        """Each entry in every format, made once however many feeds hold it."""
        result = {}
        for done, entry in enumerate(share, 1):
            shown = texts(entry.article)
            result[entry.key] = syndication.fragments(entry, shown, bool(shows)), jsonfeed.item(entry, shown)
            if here:
                heard(done)
        return result

    shown = parallel.divided(entries, jobs, show, here=ENTRIES_HERE)
    fragments = {key: syndicated for key, (syndicated, _) in shown.items()}
    items = {key: item for key, (_, item) in shown.items()}
    unfit: list[budget.Unfit] = []
    if site.max_bytes:
        fitted = budget.Budget(site, fragments, items, shows)
        feeds = everything = plan.feeds(catalogue, now, fitted.fit)
        unfit = fitted.unfit
    files: dict[str, bytes] = {}
    for done, feed in enumerate(feeds, len(entries) + 1):
        files.update(syndication.render(site, feed, fragments, shows=shows))
        files.update(jsonfeed.render(site, feed, items))
        heard(done)
    redone = {feed.folder for feed in feeds}
    reused = sorted(
        p for feed in everything if feed.folder not in redone for p in layout.feed_files(feed.folder)
    )
    subscribed = [feed for feed in everything if feed.current is None]
    files.update(opml.render(site, subscribed))
    files.update(index_page.render(site, subscribed))
    files.update(index_page.pages(site, feeds, everything))
    files[layout.STYLESHEET] = STYLESHEET
    files.update(hosting.render(site, [*files, *reused]))
    return Rendered(files, unfit, feed_keys, reused)
