"""Model + moment → every output file as bytes, keyed by path under the output folder.

Pure: no I/O and no clock. Each output format is a module of its own.
"""

from __future__ import annotations

from datetime import datetime

from feedpub.model import Catalogue
from feedpub.render import jsonfeed, opml, plan, syndication
from feedpub.render.content import Texts, texts
from feedpub.render.plan import Entry


def render(catalogue: Catalogue, now: datetime) -> dict[str, bytes]:
    """All files of a build at `now`; the same catalogue and `now` give the same bytes."""
    shown: dict[str, Texts] = {}

    def texts_of(entry: Entry) -> Texts:
        """Each article's sanitised body and summary, made once for every format and feed."""
        if entry.id not in shown:
            shown[entry.id] = texts(entry.article)
        return shown[entry.id]

    items = syndication.Items(texts_of)
    files: dict[str, bytes] = {}
    feeds = plan.feeds(catalogue, now)
    for feed in feeds:
        files.update(syndication.render(catalogue.site, feed, items))
        files.update(jsonfeed.render(catalogue.site, feed, texts_of))
    files.update(opml.render(catalogue.site, [feed for feed in feeds if feed.current is None]))
    return files
