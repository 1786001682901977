"""Model + moment → every output file as bytes, keyed by path under the output folder.

Pure: no I/O and no clock. Each output format is a module of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib.resources import files

from feedpub.model import Catalogue
from feedpub.render import index_page, jsonfeed, opml, plan, syndication
from feedpub.render.content import Texts, texts
from feedpub.render.plan import Entry

STYLESHEET = (files("feedpub.render") / syndication.STYLESHEET).read_bytes()
"""What browsers show RSS and Atom feeds through."""


def render(
    catalogue: Catalogue, now: datetime, progress: Callable[[int, int], None] | None = None
) -> dict[str, bytes]:
    """All files of a build at `now`; the same catalogue and `now` give the same bytes.
    `progress`, if given, hears how many feeds are done of how many, after each."""
    shown: dict[str, Texts] = {}

    def texts_of(entry: Entry) -> Texts:
        """Each article's sanitised body and summary, made once for every format and feed."""
        if entry.id not in shown:
            shown[entry.id] = texts(entry.article)
        return shown[entry.id]

    items, json_items = syndication.Items(texts_of), jsonfeed.Items(texts_of)
    files: dict[str, bytes] = {}
    feeds = plan.feeds(catalogue, now)
    for done, feed in enumerate(feeds, 1):
        files.update(syndication.render(catalogue.site, feed, items))
        files.update(jsonfeed.render(catalogue.site, feed, json_items))
        if progress:
            progress(done, len(feeds))
    subscribed = [feed for feed in feeds if feed.current is None]
    files.update(opml.render(catalogue.site, subscribed))
    files.update(index_page.render(catalogue.site, subscribed))
    files[syndication.STYLESHEET] = STYLESHEET
    return files
