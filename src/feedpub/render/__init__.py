"""Model + moment → every output file as bytes, keyed by path under the output folder.

Pure: no I/O and no clock. Each output format is a module of its own.
"""

from __future__ import annotations

from datetime import datetime

from feedpub.model import Catalogue
from feedpub.render import plan, syndication


def render(catalogue: Catalogue, now: datetime) -> dict[str, bytes]:
    """All files of a build at `now`; the same catalogue and `now` give the same bytes."""
    items = syndication.Items()
    files: dict[str, bytes] = {}
    for feed in plan.feeds(catalogue, now):
        files.update(syndication.render(catalogue.site, feed, items))
    return files
