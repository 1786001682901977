"""The output folder: what each file feedpub writes is called and where it goes.

```
feeds/                        the output folder, at site.feed_url
  index.html                  the page that lists every feed
  feeds.opml                  every feed in one list, for one-step subscription
  feed.xsl                    what browsers show RSS and Atom through
  _headers  .htaccess         for Netlify and Apache (site.hosting), if asked for
  atom.xml rss.xml feed.json  the site's feed (its page is index.html)
  archive/<n>/                its archive pages (RFC 5005), 1 the oldest
  tags/<slug>/                the feed of each tag,
  authors/<slug>/             of each author,
  lang/<tag>/                 of each language, where the articles have several,
  <name>/                     of each selection (site.feeds)
  .feedpub*                   the builds' bookkeeping (see publish.records)
```
Every feed's folder and every archive page's holds atom.xml, rss.xml, feed.json and
index.html, the feed's page; a feed's archive pages are in its folder's archive/<n>/.

Nothing here imports the rest of feedpub, so that every stage can import it.
"""

from __future__ import annotations

import re

RSS, ATOM, JSON = "rss.xml", "atom.xml", "feed.json"
FEED_FILES = (RSS, ATOM, JSON)
"""The files of each feed, which its folder holds beside its page."""
PAGE = "index.html"
"""A feed's page in its folder; at the top of the output folder, the page of every feed."""
OPML = "feeds.opml"
STYLESHEET = "feed.xsl"
HEADERS, HTACCESS = "_headers", ".htaccess"
"""The configuration files of Netlify (and Cloudflare Pages) and of Apache."""
SITE_FILES = frozenset({OPML, PAGE, STYLESHEET, HEADERS, HTACCESS})
"""What only the output folder itself holds, beside its feeds."""

TAGS, AUTHORS, LANGUAGES = "tags", "authors", "lang"
FEED_KINDS = (TAGS, AUTHORS, LANGUAGES)
"""The folders that hold the feeds of each tag, author and language: 'tags/<slug>' and so on."""
ARCHIVE = "archive"
OWN_FOLDERS = (*FEED_KINDS, ARCHIVE)
"""The folders feedpub itself writes feeds into under the output folder: no selection may
take their names."""

MAX_SLUG = 80
SLUG = rf"[a-z0-9][a-z0-9-]{{0,{MAX_SLUG - 1}}}"
"""A folder name feedpub writes feeds into, as given in the catalogue (an author's id, a
selection's name)."""
SLUG_WORDS = f"lower-case letters, digits and hyphens, at most {MAX_SLUG}, starting with a letter or digit"
"""SLUG in words, for messages and the documentation."""
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)
"""Names Windows gives its devices, which no folder can take there."""

_NUMBER = "[1-9][0-9]*"
_ARCHIVE_PAGE = re.compile(rf"(?:(.+)/)?{ARCHIVE}/({_NUMBER})/[^/]+")
"""A file of an archive page: the folder of the feed it belongs to ('' for the site's), then
the page's number."""
_SELECTION = rf"(?!(?:{'|'.join(OWN_FOLDERS)})$){SLUG}"
"""A selection's folder: a name that is none of feedpub's own folders."""
_FEED_FOLDER = re.compile(
    rf"(?:(?:(?:{'|'.join(FEED_KINDS)})/[a-z0-9-]+|{_SELECTION})(?:/{ARCHIVE}/{_NUMBER})?|{ARCHIVE}/{_NUMBER})?"
)
"""Where feeds go: '' for the site, 'tags/<slug>', 'authors/<slug>', 'lang/<tag>', a selection's
'<name>', and their archive pages 'archive/<n>'."""


def archive_folder(folder: str, number: int) -> str:
    """The folder of archive page `number` (1 the oldest) of the feed in `folder`."""
    return f"{folder}/{ARCHIVE}/{number}" if folder else f"{ARCHIVE}/{number}"


def archive_page(path: str) -> tuple[str, int] | None:
    """If `path` is a file of an archive page: the folder of the feed the page belongs to ('' for
    the site's) and the page's number."""
    page = _ARCHIVE_PAGE.fullmatch(path)
    return (page[1] or "", int(page[2])) if page else None


def page_of(path: str) -> str | None:
    """The page of the feed whose file `path` is, if it is a feed's file: the page in its folder."""
    folder, slash, name = path.rpartition("/")
    return f"{folder}{slash}{PAGE}" if name in FEED_FILES else None


def feed_files(folder: str) -> tuple[str, ...]:
    """The paths of the files of the feed in `folder`, its page with them but for the site's
    feed (whose page is the output folder's, which lists every feed)."""
    names = FEED_FILES if not folder else (*FEED_FILES, PAGE)
    return tuple(sorted(f"{folder}/{name}" if folder else name for name in names))


def could_write(path: str) -> bool:
    """Whether a build could write a file at `path` (relative to the output folder): the only
    paths it may ever remove, whatever a manifest says."""
    folder, _, name = path.rpartition("/")
    if not folder and name in SITE_FILES:
        return True
    return (name in FEED_FILES or name == PAGE) and _FEED_FOLDER.fullmatch(folder) is not None
