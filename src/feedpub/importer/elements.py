"""Text, HTML, dates and addresses out of a feed's XML elements, as every reader needs them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree  # type: ignore[import-untyped]

from feedpub import parallel
from feedpub.importer.old import OldEntry, Person

PARALLEL_ITEMS = 500
"""From this many items on, a second process reads half of them (forked, it has the parsed
document already): reading items is most of the time a large feed takes to read."""

DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = ("{http://search.yahoo.com/mrss/}", "{http://search.yahoo.com/mrss}")
"""Media RSS, whose namespace is written both ways."""
_CONTACT = re.compile(r"\s*(?P<email>[^\s()<>]+@[^\s()<>]+)\s*\((?P<name>[^()]+)\)\s*")
_NAMED = re.compile(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^\s<>]+@[^\s<>]+)>\s*")
_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_BLOCK = re.compile(
    r"</?(?:p|div|br|hr|li|dd|dt|h[1-6]|blockquote|pre|table|tr|td|th|figure|figcaption)\b", re.I
)


def each(items: list[etree._Element], read: Callable[[etree._Element], OldEntry]) -> list[OldEntry]:
    """`read` of every item, in order; half of them in a second process if there are many."""
    jobs = 2 if len(items) >= PARALLEL_ITEMS else 1
    found = parallel.divided(
        list(enumerate(items)), jobs, lambda share, here: {i: read(item) for i, item in share}, here=0.5
    )
    return [found[i] for i in range(len(items))]


def text(element: etree._Element | None) -> str | None:
    """The element's text, references to entities the document does not declare (an RSS
    0.91 DTD's &nbsp;) read as HTML's; None if there is none but white space."""
    if element is None:
        return None
    value = _text(element).strip()
    return value or None


def _text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(html.unescape(child.text))
        elif isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def markup(element: etree._Element | None) -> str | None:
    """The element's content as HTML: its text where it holds escaped HTML or CDATA (as
    feeds write it), its children serialised where a producer wrote the HTML as XML."""
    if element is None:
        return None
    if not any(isinstance(child.tag, str) for child in element):
        return text(element)
    inner = html.escape(element.text or "", quote=False) + "".join(
        etree.tostring(child, encoding=str, with_tail=True) for child in element
    )
    return inner.strip() or None


def first(parent: etree._Element, *names: str) -> etree._Element | None:
    """The first child with any of `names`, in the order given."""
    for name in names:
        found = parent.find(name)
        if found is not None:
            return found
    return None


def absolute(href: str | None, base: str | None) -> str | None:
    """`href` resolved against `base`; as it is if it cannot be (no base, or already absolute)."""
    if href is None:
        return None
    href = href.strip()
    if not href:
        return None
    if urlsplit(href).scheme or not base:
        return href
    return urljoin(base, href)


def person(value: str | None) -> Person | None:
    """An author as RSS writes one: 'jane@example.org (Jane Doe)', 'Jane <jane@...>', an
    address alone or a name alone."""
    if not value or not value.strip():
        return None
    for form in (_CONTACT, _NAMED):
        found = form.fullmatch(value)
        if found:
            return Person(found.group("name").strip() or None, found.group("email"))
    if _ADDRESS.fullmatch(value.strip()):
        return Person(None, value.strip())
    return Person(" ".join(value.split()))


def media_image(parent: etree._Element) -> str | None:
    """The image Media RSS names: media:thumbnail, or media:content of an image."""
    for namespace in MEDIA:
        thumbnail = parent.find(f"{namespace}thumbnail")
        if thumbnail is not None and thumbnail.get("url"):
            return str(thumbnail.get("url"))
        for content in parent.findall(f"{namespace}content"):
            kind = content.get("medium") or content.get("type", "").partition("/")[0]
            if kind == "image" and content.get("url"):
                return str(content.get("url"))
    return None


def where(document: str, element: etree._Element) -> str:
    return f"{document}:{element.sourceline}" if element.sourceline else document


def html_text(fragment: str) -> str:
    """The text a reader shows for HTML `fragment`, on one line: tags (and scripts and styles
    with their content) removed, references decoded, white space folded."""
    spaced = _BLOCK.sub(r" \g<0>", fragment)  # so that paragraphs do not run together
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def paragraphs(plain: str) -> str:
    """Plain text as HTML: escaped, a paragraph for each run of lines between blank lines."""
    runs = re.split(r"\n\s*\n", plain.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(
        "<p>"
        + "<br>".join(html.escape(line.strip(), quote=False) for line in run.strip().split("\n"))
        + "</p>"
        for run in runs
        if run.strip()
    )
