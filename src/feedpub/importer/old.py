"""What old feeds say, as read from them: the site, its entries, and the pages of a source.

Values are the feed's own text, with addresses made absolute where the feed gives a base;
`mapping` decides what each becomes in the catalogue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Why(Enum):
    """Why a source was refused, which decides feedpub's exit status."""

    USAGE = "usage"
    """A source that is neither a file nor an http(s) URL, or a file that is not there."""
    INVALID = "invalid"
    """Not a feed, hostile (entity declarations, too large), or nothing to import."""
    IO = "io"
    """The network or the disk failed: no answer, an HTTP error, a permission denied."""


class Refused(Exception):
    """An import stopped before writing anything: the message says why, for a person."""

    def __init__(self, why: Why, message: str) -> None:
        super().__init__(message)
        self.why = why


@dataclass(frozen=True, slots=True)
class Person:
    name: str | None = None
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    length: str | None = None
    type: str | None = None


@dataclass(slots=True)
class OldEntry:
    """One entry of an old feed."""

    where: str
    """The document and line it came from, for messages: 'feed.xml:57'."""
    format: str
    """'rss' (RSS 2.0, RSS 1.0 and WordPress exports), 'atom' or 'json': which of the new
    feeds carries the entry's id."""
    id: str | None = None
    title: str | None = None
    title_is_html: bool | None = None
    """True: HTML, False: plain text, None: the format does not say (RSS)."""
    link: str | None = None
    published: str | None = None
    updated: str | None = None
    summary: str | None = None
    summary_is_html: bool = True
    content: str | None = None
    """HTML."""
    base: str | None = None
    """The address relative URLs in `content` are resolved against."""
    tags: list[str] = field(default_factory=list)
    authors: list[Person] = field(default_factory=list)
    image: str | None = None
    enclosures: list[Attachment] = field(default_factory=list)
    draft: str | None = None
    """Why the entry is a draft (WordPress's status), if it is one."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(field, note) for what the reader had to guess: they become comments in the YAML."""
    shared_id: str | None = None
    """The id the feed gave, which an earlier entry of the same document had: not kept."""
    episode: dict[str, Any] = field(default_factory=dict)
    """The article's podcast episode fields, as the catalogue writes them."""


@dataclass(slots=True)
class OldSite:
    title: str | None = None
    is_html: bool | None = None
    """Whether the title and description are HTML; None: the format does not say (RSS)."""
    link: str | None = None
    description: str | None = None
    language: str | None = None
    authors: list[Person] = field(default_factory=list)
    feed_link: str | None = None
    """The address the feed gives itself (Atom's rel="self" link)."""
    podcast: dict[str, Any] | None = None
    """The catalogue's podcast block, as a podcast feed's iTunes and Podcast Namespace say it."""
    podcast_notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Page:
    """One document of a source: a feed, one of its archive pages, or an export."""

    url: str
    format: str
    """What it is, for messages: 'RSS 2.0', 'Atom 1.0', 'JSON Feed', 'WordPress export'..."""
    site: OldSite
    entries: list[OldEntry]
    older: str | None = None
    """The next older page (RFC 5005 prev-archive, a paged feed's next, JSON Feed's next_url)."""
    wordpress: bool = False
    """Written by WordPress, whose feeds go on at ?paged=2, 3..."""
    skipped: list[str] = field(default_factory=list)
    """Messages for entries the reader left out (WordPress items in the trash, say)."""
    left_out: Counter[str] = field(default_factory=Counter)
    """How many entries those messages are about, by reason ('page', 'in the trash')."""
    not_carried: Counter[str] = field(default_factory=Counter)
    """Elements the catalogue has no field for ('itunes:duration'), by how many entries or
    channels held them."""

    def leave_out(self, entry: OldEntry, reason: str, why: str) -> None:
        """Leave `entry` out of the page, counted under `reason`, `why` said for it."""
        self.skipped.append(f'{entry.where}: "{entry.title or entry.link or entry.id}" skipped: {why}')
        self.left_out[reason] += 1
