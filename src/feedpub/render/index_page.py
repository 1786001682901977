"""feeds/index.html: one page that lists every feed of the site and says how to subscribe.

No scripts, no style or font from elsewhere (the only outside addresses are the site's own
images), every text escaped (titles and tags come from the catalogue), and nothing that
changes between builds of the same catalogue.
"""

from __future__ import annotations

from html import escape

from feedpub.model import Image, Site
from feedpub.render.jsonfeed import JSON
from feedpub.render.jsonfeed import MEDIA_TYPE as JSON_TYPE
from feedpub.render.opml import FOLDERS, OPML
from feedpub.render.plan import Feed
from feedpub.render.syndication import ATOM, MEDIA_TYPES, RSS

INDEX = "index.html"
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
pre { overflow-x: auto; padding: .75rem; border: 1px solid #8884; border-radius: .5rem; }
@media (max-width: 40rem) {
  thead { display: none; }
  tr, td { display: block; border: 0; padding: .1rem 0; }
  tr { border-bottom: 1px solid #8884; padding: .5rem 0; }
}
"""


def render(site: Site, feeds: list[Feed]) -> dict[str, bytes]:
    """The page, keyed by its path under the output folder; `feeds` are the subscription feeds,
    the site's first."""
    home = feeds[0]
    discovery = [
        f'<link rel="alternate" type="{kind}" title="{escape(f"{home.title} ({label})")}" '
        f'href="{escape(home.url(site, name))}">'
        for name, label, kind in FORMATS
    ]
    groups = [("", [home])] + [(name, [f for f in feeds if f.kind == kind]) for kind, name in FOLDERS.items()]
    rows = "\n".join(
        "<tbody>\n"
        + (f'<tr><th colspan="4" scope="colgroup">{name}</th></tr>\n' if name else "")
        + "\n".join(_row(site, feed) for feed in grouped)
        + "\n</tbody>"
        for name, grouped in groups
        if grouped
    )
    snippet = escape("\n".join(discovery))
    emblem = site.logo or site.icon
    page = f"""<!doctype html>
<html lang="{escape(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(site.title)}: feeds</title>
{chr(10).join(discovery)}
<style>{STYLE}</style>
</head>
<body>
<header>
{_image(Image(emblem), "logo") if emblem else ""}
<h1>{escape(site.title)}: feeds</h1>
<p>{escape(site.description)}</p>
</header>
<main>
<p>To follow the site in a feed reader, copy the address of a feed below into the reader.
Atom, RSS and JSON Feed carry the same articles: choose Atom unless your reader asks for
another. To follow everything at once, import <a href="{escape(site.feed_url + OPML)}">all the
feeds as OPML</a>.</p>
<table>
<thead><tr><th scope="col">Feed</th><th scope="col">Entries</th><th scope="col">Newest</th>
<th scope="col">Formats</th></tr></thead>
{rows}
</table>
<h2>Linking the feeds from your site</h2>
<p>Put these lines in the <code>&lt;head&gt;</code> of the site's pages, so that browsers and
readers find the feeds by themselves:</p>
<pre><code>{snippet}</code></pre>
</main>
</body>
</html>
"""
    return {INDEX: page.encode()}


def _image(image: Image, kind: str) -> str:
    """An <img> of `image`, described by its alt text (none: it adds nothing to the text beside it)."""
    size = "".join(
        f' {name}="{value}"' for name, value in (("width", image.width), ("height", image.height)) if value
    )
    return f'<img class="{kind}" src="{escape(image.url)}" alt="{escape(image.alt or "")}"{size}>'


def _row(site: Site, feed: Feed) -> str:
    newest = feed.entries[0].article if feed.entries else None
    when = (
        f'<time datetime="{newest.published.isoformat()}">{newest.published.date().isoformat()}</time>'
        if newest
        else "—"
    )
    if newest and newest.image:
        when += _image(newest.image, "thumbnail")
    icon = _image(Image(feed.icon), "icon") if feed.icon else ""
    hreflang = f' hreflang="{escape(feed.language)}"' if feed.language else ""
    links = " · ".join(
        f'<a href="{escape(feed.url(site, name))}" type="{kind}"{hreflang}>{label}</a>'
        for name, label, kind in FORMATS
    )
    language = f' lang="{escape(feed.language)}"' if feed.language else ""
    return (
        f'<tr><td{language}>{icon}<a href="{escape(feed.url(site, ATOM))}">{escape(feed.title)}</a></td>'
        f'<td class="count">{len(feed.entries)}</td><td>{when}</td><td>{links}</td></tr>'
    )
