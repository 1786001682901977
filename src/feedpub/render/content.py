"""Article HTML made safe to embed in a feed reader (an allowlist, absolute URLs), and the
summary every entry shows."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3

from feedpub.model import Article

ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS - {"bdo", "rtc"})  # the two the W3C validator flags
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "title"},
    **{
        tag: {a for a in attrs if a != "cite"}  # cite URLs are never shown; dropping beats rewriting
        for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
    },
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitise(html: str, base: str) -> str:
    """`html` with only allowlisted tags and attributes, no scripts, styles, frames or event
    handlers, only http(s) and mailto links, and relative URLs resolved against `base`."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        url_relative=("rewrite_with_base", base),
    ).strip()


EXCERPT_LENGTH = 300
_BLOCK = re.compile(r"</?(?:p|div|br|hr|li|dd|dt|h[1-6]|blockquote|pre|table|tr|td|th|figure|figcaption)\b")


def excerpt(body: str) -> str:
    """The plain text that starts sanitised HTML `body`, cut at a word near EXCERPT_LENGTH
    characters: the summary of an article that has content but no summary of its own."""
    spaced = _BLOCK.sub(r" \g<0>", body)  # so that paragraphs do not run together
    text = " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True, slots=True)
class Texts:
    """What an entry shows, the same in every format."""

    body: str
    """Sanitised HTML, '' if the article has no content."""
    summary: str
    """Plain text: the article's summary, else the start of its content, else its title (Atom
    wants a summary or content in every entry)."""


def texts(article: Article) -> Texts:
    body = sanitise(article.content, article.link) if article.content else ""
    return Texts(body, article.summary or excerpt(body) or article.title)
