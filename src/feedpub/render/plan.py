"""Which feeds exist at a moment, and which entries each holds, newest first.

Everything that depends on the clock is decided here, from `now` alone, so a build is a
pure function of the catalogue and `now`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache

from feedpub.catalogue.fields import author_key, author_slug, kept_atom_id
from feedpub.layout import AUTHORS, FEED_KINDS, LANGUAGES, TAGS, archive_folder
from feedpub.model import Article, Catalogue, Selection, Site, Tag

EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The date of a feed with no entries: fixed, so that an empty feed is deterministic too
(and not before 1990, which validators call implausible)."""
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """An article as published at a moment: its permanent ids and the date of its newest edit."""

    article: Article
    id: str
    """Its id in RSS and JSON Feed: the article's guid, else a name-based UUID."""
    updated: datetime
    atom_id: str
    """Its id in Atom (see `atom_id`)."""
    full: bool = True
    """Whether it carries the article's content (always False for an article without any)."""
    language: str | None = None
    """The article's language where it is not the site's, which the entry then names."""

    @property
    def key(self) -> tuple[str, bool]:
        """What it is rendered under: an article may be shown whole in one feed and
        summarised in another."""
        return self.id, self.full

    def summarised(self) -> Entry:
        """The entry without the article's content."""
        return replace(self, full=False) if self.full else self


@dataclass(frozen=True, slots=True)
class Feed:
    folder: str
    """Where its files go, relative to the output folder: '' for the site, 'tags/<slug>'."""
    id: str
    title: str
    description: str
    entries: tuple[Entry, ...]
    updated: datetime
    current: str | None = None
    """For an archive page (RFC 5005): the folder of the subscription feed it belongs to."""
    prev_archive: str | None = None
    """The folder of the next older archive page, if any."""
    next_archive: str | None = None
    """For an archive page: the folder of the next newer page, or, from the newest page, the
    subscription feed's. RFC 5005 asks every page but the newest for the link; the newest has
    it too because the W3C validator warns of a page with neither it nor prev-archive (a
    feed's only page). A page's link changes once: when the page after it begins, as the
    page becomes full."""
    icon: str | None = None
    logo: str | None = None
    language: str | None = None
    """The language every entry is in, where it is not the site's; None for the site's
    (as for a feed with no entries, or entries in several languages)."""

    @property
    def kind(self) -> str:
        """What the feed (or the feed an archive page belongs to) selects by: 'site', 'tags',
        'authors', 'lang', or 'feeds' for a named selection (site.feeds)."""
        home = self.folder if self.current is None else self.current
        first = home.partition("/")[0]
        return "site" if not home else first if first in FEED_KINDS else "feeds"

    def path(self, filename: str, folder: str | None = None) -> str:
        """Where `filename` in this feed's folder, or in `folder`, goes under the output folder."""
        where = self.folder if folder is None else folder
        return f"{where}/{filename}" if where else filename

    def url(self, site: Site, filename: str, folder: str | None = None) -> str:
        """The public URL of `filename` in this feed's folder, or in `folder`."""
        return site.feed_url + self.path(filename, folder)


def entry_id(site: Site, article_id: str) -> str:
    """A permanent id from the site's identity and the article's id alone (RFC 4122 name-based)."""
    return uuid.uuid5(_namespace(site.id), f"article:{article_id}").urn


def atom_id(article: Article, own: str) -> str:
    """The entry's Atom id: the article's atom_id, else its guid if that is an absolute IRI,
    else `own` (its name-based UUID). Atom requires an absolute IRI, which a guid need not be
    (Ghost's are bare hexadecimal); where the guid is one, the entry keeps one id in every
    format, as old feeds that used it in RSS and Atom alike (WordPress's) had it."""
    return kept_atom_id(article.atom_id, article.guid) or own


Fit = Callable[[Feed, Sequence[Entry]], tuple[Sequence[Entry], Sequence[Sequence[Entry]]]]
"""Given a subscription feed (its entries left out) and every entry it could hold, newest
first: the entries it holds, and its archive pages, oldest page first, each newest first."""


def by_count(site: Site) -> Fit:
    """The newest `max_items` entries, and the older ones (which `feeds` offers only if the
    site keeps archives) in pages of `max_items` each, counted from the oldest so that a full
    page stays the same as newer ones arrive."""

    def fit(feed: Feed, entries: Sequence[Entry]) -> tuple[Sequence[Entry], Sequence[Sequence[Entry]]]:
        older = entries[site.max_items :][::-1]
        pages = [
            older[start : start + site.max_items][::-1] for start in range(0, len(older), site.max_items)
        ]
        return entries[: site.max_items], pages

    return fit


def feeds(catalogue: Catalogue, now: datetime, fit: Fit | None = None) -> list[Feed]:
    """The site feed, then one feed per tag, per author, per language (if the published
    articles have several) and per selection (site.feeds) that holds a published article,
    each newest first, cut to size by `fit` (by default `by_count`), with its archive pages."""
    site = catalogue.site
    fit = fit or by_count(site)
    visible = [a for a in catalogue.articles if not a.draft and a.published <= now]
    updated = _distinct({a.id: a.updated if a.updated and a.updated <= now else a.published for a in visible})
    published = sorted(visible, key=lambda a: (a.published, a.id), reverse=True)
    by_tag: dict[str, list[Article]] = {tag.slug: [] for tag in catalogue.tags}
    authors = _Authors(catalogue)
    by_author: dict[str, list[Article]] = {key: [] for key in authors.first}
    site_language = site.language.lower()
    languages = {a.id: a.language.lower() if a.language else site_language for a in visible}
    by_language: dict[str, list[Article]] = {}
    for article in published:
        for tag in article.tags:
            by_tag[tag.slug].append(article)
        for key in authors.keys(article):
            by_author[key].append(article)
        by_language.setdefault(languages[article.id], []).append(article)
    # one per article and form, made only for those a feed may hold
    entries: dict[tuple[str, bool], Entry] = {}

    def entry(article: Article, full: bool) -> Entry:
        full = article.full_text if article.full_text is not None else full
        key = article.id, full and article.content is not None
        if key not in entries:
            own = entry_id(site, article.id)
            language = article.language if languages[article.id] != site_language else None
            entries[key] = Entry(
                article,
                article.guid or own,
                updated[article.id],
                atom_id(article, own),
                full=key[1],
                language=language,
            )
        return entries[key]

    def feed(
        folder: str, title: str, description: str, articles: list[Article], tag: Tag | None = None
    ) -> list[Feed]:
        """The subscription feed and, if the site keeps archives, its archive pages."""
        feed_id = uuid.uuid5(_namespace(site.id), f"feed:{folder}").urn
        full = ((tag and tag.content) or site.content) == "full"
        candidates = articles if site.archive else articles[: site.max_items]
        icon, logo = (tag and tag.icon) or site.icon, (tag and tag.logo) or site.logo
        held = [entry(a, full) for a in candidates]
        # what a size budget measures the frame with: the longest language a page may declare
        longest = max([site.language, *(e.language for e in held if e.language)], key=len)
        frame = Feed(
            folder, feed_id, title, description, (), EMPTY_FEED_DATE, icon=icon, logo=logo, language=longest
        )
        kept, pages = fit(frame, held)
        names = [archive_folder(folder, number) for number in range(1, len(pages) + 1)]
        newest = max((e.updated for e in kept), default=EMPTY_FEED_DATE)
        newest_page = names[-1] if names else None
        result = [
            replace(
                frame,
                entries=tuple(kept),
                updated=newest,
                prev_archive=newest_page,
                language=_language(kept),
            )
        ]
        for number, page in enumerate(pages):
            result.append(
                replace(
                    frame,
                    folder=names[number],
                    entries=tuple(page),
                    updated=max(e.updated for e in page),
                    current=folder,
                    prev_archive=names[number - 1] if number else None,
                    next_archive=names[number + 1] if number + 1 < len(names) else folder,
                    language=_language(page),
                )
            )
        return result

    result = feed("", site.title, site.description, published)
    for tag in catalogue.tags:
        if by_tag[tag.slug]:
            title = tag.title or f"{site.title} — {tag.name}"
            description = tag.description or f"Articles tagged “{tag.name}” from {site.title}."
            result += feed(f"{TAGS}/{tag.slug}", title, description, by_tag[tag.slug], tag)
    for key, held in by_author.items():
        if held:
            name = authors.first[key].name
            folder = f"{AUTHORS}/{authors.slug(key)}"
            result += feed(folder, f"{site.title} — {name}", f"Articles by {name} from {site.title}.", held)
    if len(by_language) > 1:
        spelt = {site_language: site.language}  # each language as first written
        for article in visible:
            if article.language:
                spelt.setdefault(article.language.lower(), article.language)
        for lower in sorted(by_language):
            written = spelt[lower]
            description = f"Articles in “{written}” from {site.title}."
            result += feed(
                f"{LANGUAGES}/{lower}", f"{site.title} — {written}", description, by_language[lower]
            )
    for selection in site.feeds:
        chosen = [a for a in published if _chosen(selection, a, authors.slugs(a), languages[a.id])]
        if chosen:
            description = selection.description or site.description
            result += feed(selection.name, selection.title, description, chosen)
    return result


class _Authors:
    """The catalogue's authors, each known by `author_key`, as first written; the keys of an
    article's authors, worked out once for each spelling (many articles share them)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.first = {author_key(author): author for author in catalogue.authors}
        self._keys: dict[tuple[str, str | None], str] = {}
        self._slugs: dict[str, str] = {}

    def keys(self, article: Article) -> list[str]:
        """The keys of the article's authors, each once."""
        keys = []
        for author in article.authors:
            key = self._keys.get((author.name, author.id))
            if key is None:
                key = self._keys[author.name, author.id] = author_key(author)
            if key not in keys:
                keys.append(key)
        return keys

    def slug(self, key: str) -> str:
        """The folder name of the author known by `key`."""
        if key not in self._slugs:
            self._slugs[key] = author_slug(self.first[key])
        return self._slugs[key]

    def slugs(self, article: Article) -> set[str]:
        return {self.slug(key) for key in self.keys(article)}


def _chosen(selection: Selection, article: Article, authors: set[str], language: str) -> bool:
    """Whether the selection holds the article: by one of its tags, one of its authors and
    one of its languages (each if it names any), and by none of those it excludes."""
    tags = {tag.slug for tag in article.tags}
    return (
        (not selection.tags or not tags.isdisjoint(selection.tags))
        and (not selection.authors or not authors.isdisjoint(selection.authors))
        and (not selection.languages or language in selection.languages)
        and tags.isdisjoint(selection.excluded_tags)
        and authors.isdisjoint(selection.excluded_authors)
    )


def _language(entries: Sequence[Entry]) -> str | None:
    """The language every one of `entries` is in, where it is not the site's (see `Feed.language`)."""
    first = entries[0].language if entries else None
    if first is None:
        return None
    own = first.lower()
    return first if all(e.language and e.language.lower() == own for e in entries) else None


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
    In order of moment and id, each takes the first of its moment, a second later, two
    seconds later... that no earlier one took. Only moments a whole number of seconds apart
    can meet, and among them that first free one is the later of the moment itself and a
    second after the last one taken: one step each, where stepping took time quadratic in
    the number of ties. (Moments carry fixed UTC offsets, as the catalogue gives them.)
    """
    last: dict[int, datetime] = {}  # the latest moment taken, by the microsecond of its instant
    result = {}
    for article_id, moment in sorted(moments.items(), key=lambda pair: (pair[1], pair[0])):
        lattice = moment.astimezone(UTC).microsecond
        previous = last.get(lattice)
        if previous is not None and moment <= previous:
            moment += (previous - moment) + _SECOND  # in its own offset, as written
        last[lattice] = result[article_id] = moment
    return result


@cache
def _namespace(site_id: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, site_id)
