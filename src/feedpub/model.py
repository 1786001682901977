"""The validated catalogue: frozen values that the rest of feedpub can trust.

Every datetime is timezone-aware, every link an absolute http(s) URI, every tag folded to
one slug. Nothing here is built except by `catalogue.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedpub.parallel import pickled_by_value

Place = tuple[int, int]
"""A line and a column in the catalogue's file, from 1."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None = None
    uri: str | None = None
    id: str | None = None
    """Tells apart people who share a name, and names the author's feed folder."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Tag:
    """One tag, however it is spelled; `slug` names its folder under feeds/tags/."""

    slug: str
    name: str
    title: str | None = None
    description: str | None = None
    icon: str | None = None
    logo: str | None = None
    content: str | None = None
    """'full' or 'summary' for the tag's feeds; None: as the site says."""
    podcast: Podcast | None = None
    """The show the tag's feeds are, if not the site's."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Image:
    url: str
    alt: str | None = None
    width: int | None = None
    """In pixels, as readers may reserve room for it before it loads."""
    height: int | None = None


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file that goes with an article: audio, video, a PDF."""

    url: str
    length: int
    """Size in bytes (0 if unknown)."""
    type: str
    """MIME type, such as audio/mpeg."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Transcript:
    url: str
    type: str
    """MIME type, such as text/vtt."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Funding:
    url: str
    title: str


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Podcast:
    """What makes a feed a podcast's, as directories (Apple Podcasts, the Podcast Index) read it."""

    image: Image
    categories: tuple[str, ...]
    """Apple's categories, each 'Category' or 'Category > Subcategory'."""
    explicit: bool = False
    owner: Author | None = None
    type: str = "episodic"
    """'episodic' or 'serial'."""
    locked: bool | None = None
    """Whether other hosts may import the feed (podcast:locked); None: not said."""
    funding: tuple[Funding, ...] = ()
    guid: str | None = None
    """The show's podcast:guid; None: derived from its feed's address."""
    new_feed_url: str | None = None
    """Where the show has moved to, which directories then follow."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime | None
    summary: str | None
    content: str | None
    tags: tuple[Tag, ...]
    authors: tuple[Author, ...]
    draft: bool
    image: Image | None = None
    enclosures: tuple[Enclosure, ...] = ()
    guid: str | None = None
    """The id an old RSS or JSON feed gave the article, which its entries keep."""
    atom_id: str | None = None
    """The id an old Atom feed gave the article, where it differs from `guid`."""
    full_text: bool | None = None
    """Whether feeds carry its content: None leaves it to the tag's or the site's `content`."""
    language: str | None = None
    """Its BCP 47 language tag, as written; None: the site's language."""
    duration: int | None = None
    """What follows is for a podcast's episode: its length in seconds."""
    episode: int | None = None
    season: int | None = None
    episode_type: str | None = None
    """'full', 'trailer' or 'bonus'."""
    explicit: bool | None = None
    """None: as its show says."""
    transcript: Transcript | None = None
    chapters: str | None = None
    """The address of its chapters, a JSON chapters file of the Podcast Namespace."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Selection:
    """A named feed (`site.feeds`): the articles with any of its tags, any of its authors and
    any of its languages, for each of the three it gives, and none of its excluded tags and
    authors. Tags and authors are given by slug, languages in lower case; () gives none."""

    name: str
    """Its folder under the output folder."""
    title: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    excluded_tags: tuple[str, ...] = ()
    excluded_authors: tuple[str, ...] = ()
    podcast: Podcast | None = None
    """The show the feed is, if not the site's."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Site:
    title: str
    link: str
    feed_url: str
    description: str
    language: str
    timezone: str
    authors: tuple[Author, ...]
    max_items: int
    id: str
    """The site's permanent identity; entry ids derive from it and the article's id alone."""
    websub_hub: str | None = None
    archive: bool = False
    """Whether older articles are kept in RFC 5005 archive pages of max_items each."""
    hosting: tuple[str, ...] = ()
    """The static hosts (netlify, apache) whose configuration files go beside the feeds."""
    icon: str | None = None
    """A square image standing for the site (Atom icon, JSON Feed icon and favicon)."""
    logo: str | None = None
    """A wide image standing for the site (Atom logo, RSS image)."""
    content: str = "full"
    """'full': entries carry the article's content; 'summary': only its summary."""
    max_bytes: int | None = None
    """The most bytes a feed file may hold (see `render.budget`)."""
    feeds: tuple[Selection, ...] = ()
    """The named selections, each a feed of its own."""
    podcast: Podcast | None = None
    """The show every RSS feed is, unless its tag or selection has one of its own."""
    distinct_tags: tuple[tuple[str, ...], ...] = ()
    """Slugs of tags that look like one tag misspelt but are meant, in groups."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Catalogue:
    site: Site
    tags: tuple[Tag, ...]
    """Every tag some article carries, in order of first appearance."""
    articles: tuple[Article, ...]
    authors: tuple[Author, ...] = ()
    """Every author some article has, one per `author_key`, as first written, in order of
    first appearance."""
    places: tuple[Place, ...] = ()
    """Where each article starts in the catalogue's file, kept where site.max_bytes is given:
    what a build leaves out to keep it is reported there."""
    budget: Place = (1, 1)
    """Where site.max_bytes is given."""
