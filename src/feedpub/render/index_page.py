"""The pages a person reads: feeds/index.html, which lists every feed of the site, and a page
for each other feed and archive page, `<folder>/index.html`. Each says what the feed is, lists
the entries it holds and how to subscribe; the site's own feed has the index page for its page.
A browser that opens a feed's file is given its page where the server can tell (see `hosting`).

No scripts, no style or font from elsewhere (the only outside addresses are the site's own
images), every text escaped (titles and tags come from the catalogue), and nothing that
changes between builds of the same catalogue.
"""

from __future__ import annotations

from html import escape

from feedpub.layout import ATOM, JSON, OPML, PAGE, RSS
from feedpub.model import Article, Image, Site
from feedpub.render.jsonfeed import MEDIA_TYPE as JSON_TYPE
from feedpub.render.opml import FOLDERS
from feedpub.render.plan import Feed
from feedpub.render.syndication import MEDIA_TYPES

FORMATS = ((ATOM, "Atom", MEDIA_TYPES[ATOM]), (RSS, "RSS", MEDIA_TYPES[RSS]), (JSON, "JSON Feed", JSON_TYPE))
STYLE = """
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 50rem; padding: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #8884; padding: .4rem .5rem; text-align: left; vertical-align: top; }
td.count { text-align: right; }
time { white-space: nowrap; }
header img.logo { max-height: 4rem; max-width: 100%; }
td img.thumbnail { display: block; max-width: 8rem; height: auto; margin-top: .25rem; }
img.icon { width: 1.25rem; height: 1.25rem; vertical-align: middle; margin-right: .4rem; }
code.address { user-select: all; overflow-wrap: anywhere; }
ol.entries { padding-left: 1.5rem; }
ol.entries li { margin: .3rem 0; }
pre { overflow-x: auto; padding: .75rem; border: 1px solid #8884; border-radius: .5rem; }
@media (max-width: 40rem) {
  thead { display: none; }
  tr, td { display: block; border: 0; padding: .1rem 0; }
  tr { border-bottom: 1px solid #8884; padding: .5rem 0; }
}
"""


WHAT = (
    "A web feed lists a site's newest articles for feed reader apps, which check it for you and "
    "show what is new, without your visiting the site."
)
"""What a feed is, in one sentence, for whoever opens one in a browser."""


def render(site: Site, feeds: list[Feed]) -> dict[str, bytes]:
    """The index page, keyed by its path under the output folder; `feeds` are the subscription
    feeds, the site's first, whose page it is too."""
    home = feeds[0]
    discovery = _discovery(site, home)
    groups = [("", [home])] + [(name, [f for f in feeds if f.kind == kind]) for kind, name in FOLDERS.items()]
    rows = "\n".join(
        "<tbody>\n"
        + (f'<tr><th colspan="4" scope="colgroup">{name}</th></tr>\n' if name else "")
        + "\n".join(_row(site, feed) for feed in grouped)
        + "\n</tbody>"
        for name, grouped in groups
        if grouped
    )
    snippet = escape(discovery)
    older = _page_link(site, home, home.prev_archive, "prev", "older entries")
    if older:
        older = f"\n<p>The feed's archive holds its {older}.</p>"
    body = f"""<main>
<p>{WHAT} To follow the site, copy the address of one of its feeds into your reader.</p>
{_subscribe(site, home)}
<p>To follow every feed below at once, import <a href="{escape(site.feed_url + OPML)}">all the
feeds as OPML</a>.</p>
<h2>All the feeds</h2>
<table>
<thead><tr><th scope="col">Feed</th><th scope="col">Entries</th><th scope="col">Newest</th>
<th scope="col">Formats</th></tr></thead>
{rows}
</table>
{_entries(home)}{older}
<h2>Linking the feeds from your site</h2>
<p>Put these lines in the <code>&lt;head&gt;</code> of the site's pages, so that browsers and
readers find the feeds by themselves:</p>
<pre><code>{snippet}</code></pre>
</main>"""
    return {
        PAGE: _page(site, f"{site.title}: feeds", discovery, site.logo or site.icon, site.description, body)
    }


def pages(site: Site, feeds: list[Feed], every: list[Feed] | None = None) -> dict[str, bytes]:
    """The page of every feed and archive page in `feeds` but the site's own feed, keyed by
    its path under the output folder (`<folder>/index.html`); `every` are all of them, as
    `plan.feeds` gives them (by default `feeds`). Each page lists the entries its feed holds,
    in the same order."""
    subscribed = {feed.folder: feed for feed in every or feeds if feed.current is None}
    return {
        feed.path(PAGE): _feed_page(
            site, feed, subscribed[feed.current] if feed.current is not None else feed
        )
        for feed in feeds
        if feed.folder
    }


def _feed_page(site: Site, feed: Feed, home: Feed) -> bytes:
    """The page of `feed`, whose subscription feed is `home` (itself, unless it is an archive page)."""
    if feed is home:
        heading = feed.title
        what = (
            f"{WHAT} This is one of the feeds of {escape(site.title)}; to follow it, copy its "
            "address into your reader."
        )
    else:
        number = feed.folder.rpartition("/")[2]
        heading = f"{feed.title}: archive page {number}"
        what = (
            f"{WHAT} This page of the feed's archive holds older entries; to follow the feed, copy "
            "its own address below into your reader."
        )
    older = _page_link(site, feed, feed.prev_archive, "prev", "older entries")
    newer = _page_link(site, feed, feed.next_archive, "next", "newer entries")
    around = " · ".join(
        link
        for link in (
            newer,
            older,
            f'<a href="{escape(site.feed_url + PAGE)}">all the feeds of {escape(site.title)}</a>',
        )
        if link
    )
    body = f"""<main>
<p>{what}</p>
{_subscribe(site, home)}
{_entries(feed)}
<nav><p>See also: {around}.</p></nav>
</main>"""
    emblem = feed.logo or feed.icon
    return _page(
        site, f"{heading}: web feed", _discovery(site, home), emblem, feed.description, body, heading
    )


def _page_link(site: Site, feed: Feed, folder: str | None, rel: str, text: str) -> str:
    """A link to the page of the feed (or archive page) in `folder`, if there is one."""
    if folder is None:
        return ""
    return f'<a rel="{rel}" type="text/html" href="{escape(feed.url(site, PAGE, folder))}">{text}</a>'


def _page(
    site: Site,
    title: str,
    discovery: str,
    emblem: str | None,
    description: str,
    body: str,
    heading: str | None = None,
) -> bytes:
    """A whole page: `title` (its <h1> too, unless `heading` is given) above `description`,
    then `body`; every text but `body` and `discovery` is escaped here."""
    return f"""<!doctype html>
<html lang="{escape(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{discovery}
<style>{STYLE}</style>
</head>
<body>
<header>
{_image(Image(emblem), "logo") if emblem else ""}
<h1>{escape(heading or title)}</h1>
<p>{escape(description)}</p>
</header>
{body}
</body>
</html>
""".encode()


def _discovery(site: Site, feed: Feed) -> str:
    """The <link rel="alternate"> lines that name `feed`'s files to browsers and readers."""
    return "\n".join(
        f'<link rel="alternate" type="{kind}" title="{escape(f"{feed.title} ({label})")}" '
        f'href="{escape(feed.url(site, name))}">'
        for name, label, kind in FORMATS
    )


def _subscribe(site: Site, feed: Feed) -> str:
    """The addresses of `feed`'s files, as text to copy into a reader."""
    rows = "\n".join(
        f'<tr><th scope="row">{label}</th>'
        f'<td><code class="address">{escape(feed.url(site, name))}</code></td></tr>'
        for name, label, _ in FORMATS
    )
    return f"""<h2>Subscribe</h2>
<p>Copy one of these addresses into your feed reader. Atom, RSS and JSON Feed carry the same
entries: choose Atom unless your reader asks for another.</p>
<table class="addresses">
<tbody>
{rows}
</tbody>
</table>"""


def _entries(feed: Feed) -> str:
    """The entries `feed` holds, newest first: each title linked to its article, with its date."""
    if not feed.entries:
        return "<h2>Newest entries</h2>\n<p>None yet.</p>"
    items = "\n".join(
        f"<li{_lang(entry.language) if entry.language != feed.language else ''}>"
        f'<a href="{escape(entry.article.link)}">{escape(entry.article.title)}</a> '
        f"{_date(entry.article)}</li>"
        for entry in feed.entries
    )
    return f'<h2>Newest entries</h2>\n<ol class="entries"{_lang(feed.language)}>\n{items}\n</ol>'


def _date(article: Article) -> str:
    """When `article` was published, as a <time> showing the day."""
    return f'<time datetime="{article.published.isoformat()}">{article.published.date().isoformat()}</time>'


def _lang(language: str | None) -> str:
    return f' lang="{escape(language)}"' if language else ""


def _image(image: Image, kind: str) -> str:
    """An <img> of `image`, described by its alt text (none: it adds nothing to the text beside it)."""
    size = "".join(
        f' {name}="{value}"' for name, value in (("width", image.width), ("height", image.height)) if value
    )
    return f'<img class="{kind}" src="{escape(image.url)}" alt="{escape(image.alt or "")}"{size}>'


def _row(site: Site, feed: Feed) -> str:
    newest = feed.entries[0].article if feed.entries else None
    when = _date(newest) if newest else "—"
    if newest and newest.image:
        when += _image(newest.image, "thumbnail")
    icon = _image(Image(feed.icon), "icon") if feed.icon else ""
    hreflang = f' hreflang="{escape(feed.language)}"' if feed.language else ""
    links = " · ".join(
        f'<a href="{escape(feed.url(site, name))}" type="{kind}"{hreflang}>{label}</a>'
        for name, label, kind in FORMATS
    )
    return (
        f"<tr><td{_lang(feed.language)}>{icon}"
        f'<a href="{escape(feed.url(site, PAGE))}" type="text/html">{escape(feed.title)}</a></td>'
        f'<td class="count">{len(feed.entries)}</td><td>{when}</td><td>{links}</td></tr>'
    )
