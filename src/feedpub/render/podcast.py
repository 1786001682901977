"""A podcast's RSS: the iTunes namespace, the channel's through feedgen's podcast extension
where it writes what directories take, and the Podcast Namespace, which feedgen does not know.

feedgen writes itunes:explicit as yes/no, which Apple and the W3C validator now refuse
(they take true/false): feedpub writes it. An episode's elements are made once per entry
and spliced into the RSS of the feeds that are podcasts (see `item`), its explicit, which
falls back on the show's, per feed: made by lxml, since feedgen's entry extension would cost
an object and an import per entry and writes its explicit as yes/no.
"""

from __future__ import annotations

from collections.abc import Mapping

from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped]

from feedpub.catalogue.directories import (
    ARTWORK_URL,
    CHAPTERS_TYPE,
    ITUNES,
    PODCAST,
    SEPARATOR,
    podcast_guid,
)
from feedpub.layout import RSS
from feedpub.model import Article, Catalogue, Podcast, Site
from feedpub.render.plan import Feed

__all__ = ["PODCAST", "describe", "episode", "finish", "item", "show", "shows"]
NAMESPACES = {"itunes": ITUNES, "podcast": PODCAST}
ITEM_END = b"    </item>\n"
"""How an item's RSS ends, indented as `syndication` writes it."""
EXPLICIT_MOST = len(b"      <itunes:explicit>false</itunes:explicit>\n")
"""The most bytes an item's explicit, written per feed, takes."""

AUTHOR_MOST = 255
"""The longest itunes:author the W3C validator takes, as Apple shows it."""

Shows = Mapping[str, Podcast]
"""The shows given in the catalogue, by the folder of the feed that is each: '' for the
site's, 'tags/<slug>' for a tag's, a selection's name for its."""


def shows(catalogue: Catalogue) -> Shows:
    site = catalogue.site
    given = {"": site.podcast} | {f"tags/{t.slug}": t.podcast for t in catalogue.tags}
    given |= {selection.name: selection.podcast for selection in site.feeds}
    return {folder: show for folder, show in given.items() if show}


def show(site: Site, shows: Shows, feed: Feed) -> tuple[Podcast | None, bool]:
    """The show the feed is (its own, else the site's; None: it is no podcast), and whether it
    is the feed the show was given for, which alone takes its guid and new feed address (an
    archive page is its feed's)."""
    home = feed.folder if feed.current is None else feed.current
    own = shows.get(home)
    return own or site.podcast, own is not None


def describe(gen: FeedGenerator, site: Site, show: Podcast, own: bool) -> None:
    """The iTunes elements of the RSS channel that feedgen writes. Its author is the site's
    authors, else its first author, the owner or the site's title: the first that directories
    take whole (at most AUTHOR_MOST characters); none if none is so short."""
    gen.load_extension("podcast", atom=False, rss=True)
    names = [a.name for a in site.authors]
    candidates = [", ".join(names), *names[:1], show.owner.name if show.owner else "", site.title]
    author = next((c for c in candidates if c and len(c) <= AUTHOR_MOST), None)
    if author:
        gen.podcast.itunes_author(author)
    gen.podcast.itunes_category(
        [dict(zip(("cat", "sub"), c.split(SEPARATOR), strict=False)) for c in show.categories]
    )
    gen.podcast.itunes_image(show.image.url)
    if show.owner:
        gen.podcast.itunes_owner(show.owner.name, show.owner.email)
    gen.podcast.itunes_type(show.type)
    if own and show.new_feed_url:
        gen.podcast.itunes_new_feed_url(show.new_feed_url)


def finish(root: etree._Element, site: Site, feed: Feed, show: Podcast, own: bool) -> etree._Element:
    """The channel's explicit and its Podcast Namespace elements: the root is remade to declare
    the namespace (see `syndication._declare`)."""
    channel = root[0]
    etree.SubElement(channel, f"{{{ITUNES}}}explicit").text = _flag(show.explicit)
    guid = show.guid if own and show.guid else podcast_guid(feed.url(site, RSS, feed.current))
    etree.SubElement(channel, f"{{{PODCAST}}}guid").text = guid
    if show.locked is not None:
        locked = etree.SubElement(channel, f"{{{PODCAST}}}locked")
        locked.text = "yes" if show.locked else "no"
        if show.owner:
            locked.set("owner", show.owner.email)
    for funding in show.funding:
        etree.SubElement(channel, f"{{{PODCAST}}}funding", url=funding.url).text = funding.title
    return root


def episode(article: Article) -> list[etree._Element]:
    """The elements an article's item has in a podcast's feed, but its explicit."""
    item = etree.Element("item")
    values = [
        ("duration", article.duration),
        ("season", article.season),
        ("episode", article.episode),
        ("episodeType", article.episode_type),
        ("explicit", None if article.explicit is None else _flag(article.explicit)),
    ]
    for name, value in values:
        if value is not None:
            etree.SubElement(item, f"{{{ITUNES}}}{name}").text = str(value)
    if article.image and ARTWORK_URL.fullmatch(article.image.url):
        etree.SubElement(item, f"{{{ITUNES}}}image", href=article.image.url)
    if article.transcript:
        transcript = article.transcript
        etree.SubElement(item, f"{{{PODCAST}}}transcript", url=transcript.url, type=transcript.type)
    if article.chapters:
        etree.SubElement(item, f"{{{PODCAST}}}chapters", url=article.chapters, type=CHAPTERS_TYPE)
    for name, number in (("season", article.season), ("episode", article.episode)):
        if number is not None:
            etree.SubElement(item, f"{{{PODCAST}}}{name}").text = str(number)
    return list(item)


def item(rss: bytes, elements: bytes, article: Article, show: Podcast) -> bytes:
    """An item's RSS (as `syndication` writes it, ending with ITEM_END) in a feed of `show`,
    with its episode's `elements` (serialised as the item's children) and its explicit."""
    explicit = (
        b""
        if article.explicit is not None
        else f"      <itunes:explicit>{_flag(show.explicit)}</itunes:explicit>\n".encode()
    )
    return b"".join([rss[: -len(ITEM_END)], elements, explicit, ITEM_END])


def _flag(value: bool) -> str:
    return "true" if value else "false"
