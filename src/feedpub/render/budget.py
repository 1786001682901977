"""site.max_bytes: which entries each feed and archive page holds, and in which form, so that
every file, in every format, holds at most that many bytes.

An entry is rendered once and its bytes are spliced into every document that holds it, so a
document's size is its frame (all but the entries) plus the sizes of its entries. The frame
is taken at its largest: every namespace an entry may use declared, the longest date, the
own address, links and mark of an archive page, and a page number longer than any catalogue
can need; so
it depends on the feed's own title, description and images alone, and a choice made with
it fits whatever the document ends up holding. Each feed is then chosen in one pass over its
entries with running sums, never a loop inside a loop:

- an entry that does not fit alone, without its content, is left out (and reported);
- the feed keeps the newest entries (at most max_items) that fit without their content,
  then gives content back to as many of the newest as still fit: the oldest give up their
  content first, then whole entries leave;
- with archives, the entries that left are paged from the oldest: each carries its content
  if it fits alone with it, and a page takes entries until the next would pass max_items or
  the budget. A page depends only on the entries before it, so a full page never changes
  as newer articles arrive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from feedpub.layout import FEED_FILES, archive_folder
from feedpub.model import Site
from feedpub.render import jsonfeed, podcast, syndication
from feedpub.render.plan import Entry, Feed

_LONGEST_DATE = datetime(9998, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
_MOST_PAGES = 10**10 - 1
"""More archive pages than a catalogue of 512 MiB can fill: the longest page number."""
_JSON_SEPARATOR = len(b",\n")

Sizes = tuple[int, ...]
"""Bytes in each of FEED_FILES."""


@dataclass(frozen=True, slots=True)
class Unfit:
    """An article (None: every article) that the feed in `folder` cannot hold even without its
    content: the `file` it is largest in would take `needed` bytes."""

    article: str | None
    folder: str
    file: str
    needed: int


class Budget:
    """Fits feeds to `site.max_bytes`, given every entry a feed may hold rendered in both forms
    (see `Entry.summarised`); `unfit` collects what cannot fit."""

    def __init__(
        self,
        site: Site,
        fragments: Mapping[tuple[str, bool], syndication.Fragments],
        items: Mapping[tuple[str, bool], bytes],
        shows: podcast.Shows,
    ) -> None:
        assert site.max_bytes is not None
        self.site, self.limit = site, site.max_bytes
        self.fragments, self.items, self.shows = fragments, items, shows
        self.unfit: list[Unfit] = []

    def fit(self, feed: Feed, entries: Sequence[Entry]) -> tuple[list[Entry], list[list[Entry]]]:
        """See `plan.Fit`."""
        frame = self._frame(feed)
        if not self._fits(frame, (0,) * len(FEED_FILES)):
            self.unfit.append(self._unfit(None, feed, frame, (0,) * len(FEED_FILES)))
            return [], []
        fitting = []
        for entry in entries:
            alone = self._sizes(entry.summarised())
            if self._fits(frame, alone):
                fitting.append(entry)
            else:
                self.unfit.append(self._unfit(entry.article.id, feed, frame, alone))
        head = fitting[: self.site.max_items]
        short = [self._sizes(e.summarised()) for e in head]
        total, kept = frame, 0
        for sizes in short:  # the newest that fit without their content
            if not self._fits(total, sizes):
                break
            total, kept = _plus(total, sizes), kept + 1
        whole = 0  # then the most of the newest of them that fit with it
        for j, entry in enumerate(head[:kept]):
            total = _plus(total, _minus(self._sizes(entry), short[j]))
            if self._fits(total):
                whole = j + 1
        chosen = head[:whole] + [e.summarised() for e in head[whole:kept]]
        if not self.site.archive:
            return chosen, []
        pages: list[list[Entry]] = []
        page: list[Entry] = []
        total = frame
        for entry in reversed(fitting[kept:]):
            form = entry if self._fits(frame, self._sizes(entry)) else entry.summarised()
            sizes = self._sizes(form)
            if page and (len(page) == self.site.max_items or not self._fits(total, sizes)):
                pages.append(page[::-1])
                page, total = [], frame
            page.append(form)
            total = _plus(total, sizes)
        if page:
            pages.append(page[::-1])
        return chosen, pages

    def _frame(self, feed: Feed) -> Sizes:
        # an archive page's own address, which its self links, its feed_url and the path to
        # feed.xsl name, is longer than its feed's: the frame is taken at the longest page's
        page = archive_folder(feed.folder, _MOST_PAGES)
        widest = replace(
            feed,
            folder=page,
            updated=_LONGEST_DATE,
            current=feed.folder,
            prev_archive=page,
            next_archive=page,
        )
        files = syndication.render(self.site, widest, {}, declared=syndication.PREFIXES, shows=self.shows)
        files.update(jsonfeed.render(self.site, widest, {}))
        return tuple(len(files[widest.path(name)]) for name in FEED_FILES)

    def _sizes(self, entry: Entry) -> Sizes:
        fragments = self.fragments[entry.key]
        rss = len(fragments.rss)
        if self.shows:  # as in a podcast's feed, which it may not be: an episode's elements are few
            rss += len(fragments.episode) + podcast.EXPLICIT_MOST
        return rss, len(fragments.atom), len(self.items[entry.key]) + _JSON_SEPARATOR

    def _fits(self, *parts: Sizes) -> bool:
        return all(sum(sizes) <= self.limit for sizes in zip(*parts, strict=True))

    def _unfit(self, article: str | None, feed: Feed, *parts: Sizes) -> Unfit:
        totals = [sum(sizes) for sizes in zip(*parts, strict=True)]
        largest = max(range(len(FEED_FILES)), key=totals.__getitem__)
        return Unfit(article, feed.folder, feed.path(FEED_FILES[largest]), totals[largest])


def _plus(a: Sizes, b: Sizes) -> Sizes:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _minus(a: Sizes, b: Sizes) -> Sizes:
    return tuple(x - y for x, y in zip(a, b, strict=True))
