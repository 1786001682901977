"""How each output file is to be served: its media type and how long caches may keep it.

One definition for `feedpub serve`, for `feedpub deploy` (the headers each object carries)
and for the files that tell static hosts the same, which `render` writes when `site.hosting`
names the host.

A server that can route on a request header gives a browser that opens a feed's file the
feed's page instead (`layout.page_of`), so that a person sees what the feed is and how to subscribe
whether or not the browser still styles XML through feed.xsl; every other request, a feed
reader's among them, gets the feed's bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

from feedpub.layout import ARCHIVE, FEED_FILES, HEADERS, HTACCESS, PAGE, archive_page
from feedpub.model import Site

MEDIA_TYPES = {
    ".xml": "application/xml; charset=utf-8",  # what browsers show through feed.xsl
    ".json": "application/feed+json; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
"""The media type of each kind of file feedpub writes, by its extension."""
UNKNOWN_TYPE = "application/octet-stream"

NAVIGATION = "Sec-Fetch-Dest", "document"
"""The request header, and its value, that asks for a page: browsers alone send Fetch Metadata
(a script cannot set it), with this value for an address opened as a page, and only to
HTTPS and loopback origins. The answer to a feed's address varies with it (`VARY`)."""
VARY = "Vary", NAVIGATION[0]

LIVE = "public, max-age=300, stale-while-revalidate=60"
"""Feeds, the index page, the OPML file, the stylesheet and the newest archive page: a cache
may serve them for five minutes, and a minute more while it asks again (answered 304 when
nothing changed). Cron runs a build every few minutes, so a reader waits at most that long."""
IMMUTABLE = "public, max-age=31536000, immutable"
"""A full archive page: new articles never change its bytes, so it may be kept for a year."""


def media_type(path: str) -> str:
    """The Content-Type to serve `path` with."""
    _, dot, extension = path.rpartition(".")
    return MEDIA_TYPES.get(f".{extension}", UNKNOWN_TYPE) if dot else UNKNOWN_TYPE


def newest_pages(paths: Iterable[str]) -> dict[str, int]:
    """The number of each feed's newest archive page, by the feed's folder ('' for the site's),
    for the feeds that have archive pages among `paths`."""
    newest: dict[str, int] = {}
    for path in paths:
        page = archive_page(path)
        if page:
            folder, number = page
            newest[folder] = max(number, newest.get(folder, 0))
    return newest


def is_full_page(path: str, newest: Mapping[str, int]) -> bool:
    """Whether `path` is a file of a full archive page: page N of a feed that has a page
    numbered above N. Pages are filled from the oldest article on, so only the newest page of
    each feed can still change when articles are published."""
    page = archive_page(path)
    return page is not None and page[1] < newest.get(page[0], 0)


def cache_control(path: str, newest: Mapping[str, int]) -> str:
    """The Cache-Control to serve `path` with, given `newest_pages` of all the files."""
    return IMMUTABLE if is_full_page(path, newest) else LIVE


def render(site: Site, paths: Iterable[str]) -> dict[str, bytes]:
    """The configuration files `site.hosting` asks for, given the paths of every other file."""
    base = unquote(urlsplit(site.feed_url).path)
    files = {}
    if "netlify" in site.hosting:
        files[HEADERS] = _headers(base).encode()
    if "apache" in site.hosting:
        files[HTACCESS] = _htaccess(base, newest_pages(paths)).encode()
    return files


def _headers(base: str) -> str:
    """Netlify's `_headers`, which Cloudflare Pages reads too. Both apply every rule whose
    path matches, so no two rules here set the same header for one path: Cloudflare would
    join the values with a comma. Paths can only be patterns, and Cloudflare Pages refuses a
    file of more than 100 rules, so archive pages are cached like the feeds here."""
    lines = [
        "# Written by feedpub (site.hosting: netlify) for Netlify and Cloudflare Pages, which read",
        "# _headers at the root of the folder they publish. Each rule sets one header for a path.",
        f"{base}*",
        f"  Cache-Control: {LIVE}",
    ]
    for extension, media in MEDIA_TYPES.items():
        lines += [f"{base}*{extension}", f"  Content-Type: {media}"]
    return "\n".join(lines) + "\n"


def _htaccess(base: str, newest: Mapping[str, int]) -> str:
    """Apache httpd 2.4's per-folder configuration. It needs `AllowOverride FileInfo` for the
    folder, mod_headers for Cache-Control and Vary (`a2enmod headers`) and mod_rewrite to give
    browsers the feeds' pages (`a2enmod rewrite`); without either module the files are still
    served with their media types."""
    lines = [
        "# Written by feedpub (site.hosting: apache) for Apache httpd 2.4. It needs",
        '# "AllowOverride FileInfo" for this folder, mod_headers ("a2enmod headers")',
        '# and mod_rewrite ("a2enmod rewrite").',
    ]
    charsets = []
    for extension, media in MEDIA_TYPES.items():
        kind, _, charset = (part.strip() for part in media.partition(";"))
        lines.append(f"AddType {kind} {extension}")
        if charset:
            charsets.append(extension)
    lines.append(f"AddCharset utf-8 {' '.join(charsets)}")
    names = "|".join(re.escape(name) for name in sorted(FEED_FILES))
    header, value = NAVIGATION
    lines += [
        "# a browser opening a feed is given the feed's page; a feed reader, the feed",
        "<IfModule mod_rewrite.c>",
        "  RewriteEngine On",
        f"  RewriteCond %{{HTTP:{header}}} ={value}",
        f"  RewriteRule ^(.*/)?(?:{names})$ $1{PAGE} [END]",
        "</IfModule>",
    ]
    # Full pages are those below each feed's newest page: one alternative a feed, whatever its
    # number of pages. Pages above the newest do not exist, so they need not be left out.
    full = [
        f"{_literal(folder + '/') if folder else ''}{ARCHIVE}/(?!{page}/)[0-9]+"
        for folder, page in newest.items()
        if page > 1
    ]
    lines.append("<IfModule mod_headers.c>")
    if full:
        lines += [
            f'  <If "%{{REQUEST_URI}} =~ m#^{_literal(base)}(?:{"|".join(sorted(full))})/#">',
            f'    Header set Cache-Control "{IMMUTABLE}"',
            "  </If>",
            "  <Else>",
            f'    Header set Cache-Control "{LIVE}"',
            "  </Else>",
        ]
    else:
        lines.append(f'  Header set Cache-Control "{LIVE}"')
    lines += [
        f'  <FilesMatch "^(?:{names}|{re.escape(PAGE)})$">',
        f"    Header merge {VARY[0]} {VARY[1]}",
        "  </FilesMatch>",
        "</IfModule>",
        "# not for readers: feedpub's bookkeeping (.feedpub.lock, .feedpub-manifest.json), Netlify's file",
        "<IfModule mod_alias.c>",
        r"  RedirectMatch 404 /\.feedpub",
        f"  RedirectMatch 404 /{HEADERS}$",
        "</IfModule>",
    ]
    return "\n".join(lines) + "\n"


def _literal(text: str) -> str:
    """`text` as a PCRE pattern matching its UTF-8 bytes, as Apache matches a request's path:
    letters, digits and `/_~-` as they are, everything else as `\\xHH`."""
    return "".join(
        chr(byte)
        if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "/_~-")
        else f"\\x{byte:02x}"
        for byte in text.encode()
    )
