"""Which feeds exist at a moment, and which entries each holds, newest first.

Everything that depends on the clock is decided here, from `now` alone, so a build is a
pure function of the catalogue and `now`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from feedpub.model import Article, Catalogue, Site, Tag

EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The date of a feed with no entries: fixed, so that an empty feed is deterministic too
(and not before 1990, which validators call implausible)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """An article as published at a moment: its permanent id and the date of its newest edit."""

    article: Article
    id: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class Feed:
    folder: str
    """Where its files go, relative to the output folder: '' for the site, 'tags/<slug>'."""
    id: str
    title: str
    description: str
    entries: tuple[Entry, ...]
    updated: datetime
    tag: Tag | None = None

    def url(self, site: Site, filename: str) -> str:
        return f"{site.feed_url}{self.folder}/{filename}" if self.folder else site.feed_url + filename


def entry_id(site: Site, article_id: str) -> str:
    """A permanent id from the site's identity and the article's id alone (RFC 4122 name-based)."""
    return uuid.uuid5(_namespace(site.id), f"article:{article_id}").urn


def feeds(catalogue: Catalogue, now: datetime) -> list[Feed]:
    """The site feed and one feed per tag with a published entry, each newest first, cut to size."""
    site = catalogue.site
    visible = [a for a in catalogue.articles if not a.draft and a.published <= now]
    updated = _distinct({a.id: a.updated if a.updated and a.updated <= now else a.published for a in visible})
    published = sorted(visible, key=lambda a: (a.published, a.id), reverse=True)
    by_tag: dict[str, list[Article]] = {tag.slug: [] for tag in catalogue.tags}
    for article in published:
        for tag in article.tags:
            by_tag[tag.slug].append(article)
    entries: dict[str, Entry] = {}  # one per article, made only for those a feed keeps

    def feed(folder: str, title: str, description: str, articles: list[Article], tag: Tag | None) -> Feed:
        kept = []
        for article in articles[: site.max_items]:
            if article.id not in entries:
                entries[article.id] = Entry(article, entry_id(site, article.id), updated[article.id])
            kept.append(entries[article.id])
        newest = max((e.updated for e in kept), default=EMPTY_FEED_DATE)
        feed_id = uuid.uuid5(_namespace(site.id), f"feed:{folder}").urn
        return Feed(folder, feed_id, title, description, tuple(kept), newest, tag)

    result = [feed("", site.title, site.description, published, None)]
    for tag in catalogue.tags:
        if by_tag[tag.slug]:
            title = tag.title or f"{site.title} — {tag.name}"
            description = tag.description or f"Articles tagged “{tag.name}” from {site.title}."
            result.append(feed(f"tags/{tag.slug}", title, description, by_tag[tag.slug], tag))
    return result


def period(catalogue: Catalogue, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The span around `now` over which the feeds stay the same: from the latest publication
    or update at or before `now` to the first one after it (None: no such moment)."""
    moments = [
        when
        for a in catalogue.articles
        if not a.draft
        for when in (a.published, a.updated)
        if when is not None
    ]
    return (
        max((m for m in moments if m <= now), default=None),
        min((m for m in moments if m > now), default=None),
    )


def _distinct(moments: dict[str, datetime]) -> dict[str, datetime]:
    """The moments, each later by whole seconds where it would equal another's.

    Two Atom entries with the same `updated` draw a validator warning, and articles given
    only a date share midnight; ties go to the article id, so the result is deterministic.
    """
    taken: set[datetime] = set()
    result = {}
    for article_id, moment in sorted(moments.items(), key=lambda pair: (pair[1], pair[0])):
        while moment in taken:
            moment += timedelta(seconds=1)
        taken.add(moment)
        result[article_id] = moment
    return result


@cache
def _namespace(site_id: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, site_id)
