"""Article HTML made safe to embed in a feed reader: an allowlist, absolute URLs."""

from __future__ import annotations

import nh3

_TAGS = nh3.ALLOWED_TAGS
_ATTRIBUTES = {
    tag: {a for a in attrs if a != "cite"}  # cite URLs are never shown; dropping beats rewriting
    for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str, base: str) -> str:
    """`html` with only allowlisted tags and attributes, no scripts, styles, frames or event
    handlers, only http(s) and mailto links, and relative URLs resolved against `base`."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel=None,
        url_relative=("rewrite_with_base", base),
    ).strip()
