"""Text, HTML, dates and addresses out of a feed's XML elements, as every reader needs them,
and what a platform's own elements say of an entry that is not a public post (`screen`)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree  # type: ignore[import-untyped]

from feedpub import parallel
from feedpub.importer.old import OldEntry, Page, Person

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
    read_items = parallel.divided(
        list(enumerate(items)), jobs, lambda share, here: {i: read(item) for i, item in share}, here=0.5
    )
    return [read_items[i] for i in range(len(items))]


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
        child = parent.find(name)
        if child is not None:
            return child
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


def people(element: etree._Element) -> list[Person]:
    """The authors an RSS author element (author, dc:creator, managingEditor) names: its text,
    or, where a producer wrote it as a structure (<author><name>…</name><title>…</title>),
    its name and email children: never the job title run into the name."""
    parts = {etree.QName(c).localname: c for c in element if isinstance(c.tag, str)}
    if not parts:
        author = person(text(element))
        return [author] if author is not None else []
    names = [text(c) for c in element if isinstance(c.tag, str) and etree.QName(c).localname == "name"]
    email = text(parts.get("email"))
    if not any(names) and not email:  # the text before the children, as RSS writes an author
        author = person(element.text)
        return [author] if author is not None else []
    return [Person(" ".join(name.split()), email) for name in names if name] or [Person(None, email)]


def unmixed(given: Person) -> Person:
    """`given` with a name that is an address ('jane@example.org (Jane Doe)', as some feeds
    write an Atom name) read as RSS writes one: the name it holds, the address as the email."""
    if not given.name or "@" not in given.name:
        return given
    held = person(given.name)
    if held is None or not held.email:
        return given
    return Person(held.name, given.email or held.email, given.uri)


def person(value: str | None) -> Person | None:
    """An author as RSS writes one: 'jane@example.org (Jane Doe)', 'Jane <jane@...>', an
    address alone or a name alone."""
    if not value or not value.strip():
        return None
    for form in (_CONTACT, _NAMED):
        match = form.fullmatch(value)
        if match:
            return Person(match.group("name").strip() or None, match.group("email"))
    if _ADDRESS.fullmatch(value.strip()):
        return Person(None, value.strip())
    return Person(" ".join(value.split()))


def media_image(parent: etree._Element) -> str | None:
    """The image Media RSS names: media:thumbnail, or media:content of an image, of the item
    or of its media:group (as YouTube writes them)."""
    for namespace in MEDIA:
        group = parent.find(f"{namespace}group")
        if group is not None and (image := media_image(group)):
            return image
        thumbnail = parent.find(f"{namespace}thumbnail")
        if thumbnail is not None and thumbnail.get("url"):
            return str(thumbnail.get("url"))
        for content in parent.findall(f"{namespace}content"):
            kind = content.get("medium") or content.get("type", "").partition("/")[0]
            if kind == "image" and content.get("url"):
                return str(content.get("url"))
    return None


def media_description(parent: etree._Element) -> str | None:
    """The plain text Media RSS gives an item, or its media:group (YouTube's only text)."""
    for namespace in MEDIA:
        description = text(parent.find(f"{namespace}description")) or text(
            parent.find(f"{namespace}group/{namespace}description")
        )
        if description:
            return description
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


# What a platform's own fields say of an entry that is not a public post: WordPress's wp:status
# and wp:post_type when a WXR namespace is not recognised, Blogger's blogger:status and
# blogger:type, Atom Publishing's app:control/app:draft, a JSON Feed extension's "status".
_STATES = {"status", "post_status", "visibility", "privacy"}
_FLAGS = {"draft", "private"}
_SECRETS = {"password", "post_password"}
_PUBLIC = {"publish", "published", "public", "live"}
_UNSET = {"false", "no", "0"}
_GONE = {"trash", "trashed", "deleted", "soft_trashed", "auto-draft", "spam"}
_NOT_POSTS = {"page", "attachment", "nav_menu_item", "revision", "comment", "settings", "template"}
"""What a `type` or `kind` (names other modules use too: RSS's event module has `ev:type`)
must say to leave an entry out; a `post_type` leaves out anything but a post."""
_NOT_STATES = {DC, "{http://purl.org/dc/terms/}", *MEDIA}
"""Namespaces whose `type` (Dublin Core's) says nothing of publishing."""


@dataclass(frozen=True)
class Standing:
    """An entry that its source says is not a public post: a draft, or left out."""

    draft: bool
    reason: str
    """Why, for a person: "its status is 'pending', which feedpub does not publish"."""
    counted: str = ""
    """What the summary counts a left-out entry under."""


def standing(name: str, value: str) -> Standing | None:
    """What a field `name` (its local name) with `value` says of an entry, if it says it is
    not a public post. A status feedpub does not know makes a draft: never published unread."""
    name, shown = name.lower(), value.strip()
    folded = shown.lower()
    if not folded:
        return None
    if name in _SECRETS:
        return Standing(True, f"its {name} is set: a draft, so that its text is not published")
    if (name == "post_type" and folded != "post") or (name in ("type", "kind") and folded in _NOT_POSTS):
        return Standing(False, f"its {name} is '{shown}', not a post", shown)
    if name in _FLAGS and folded not in _UNSET:
        return Standing(True, f"it is marked {name} ('{shown}'), which feedpub does not publish: a draft")
    if name not in _STATES or folded in _PUBLIC:
        return None
    if folded in _GONE:
        return Standing(False, f"its {name} is '{shown}'", f"with {name} {folded}")
    return Standing(True, f"its {name} is '{shown}', which feedpub does not publish: a draft")


def item_standing(item: etree._Element) -> Standing | None:
    """What an item's (or entry's) elements, and those of its app:control, say of it."""
    return strongest(_child_standing(child) for child in item if isinstance(child.tag, str))


def _child_standing(child: etree._Element) -> Standing | None:
    name = etree.QName(child)
    if name.localname == "control":
        return item_standing(child)
    if is_kind(child):  # Blogger's export: posts, comments, pages, settings, its template
        return standing("kind", child.get("term", "").rpartition("#")[2])
    if f"{{{name.namespace or ''}}}" in _NOT_STATES:
        return None
    return standing(name.localname, text(child) or "")


def strongest(standings: Iterable[Standing | None]) -> Standing | None:
    """The first of `standings` that leaves the entry out, else the first draft: leaving out says more."""
    drafts = []
    for said in standings:
        if said is not None and not said.draft:
            return said
        drafts.append(said)
    return next((said for said in drafts if said is not None), None)


def is_kind(category: etree._Element) -> bool:
    """Whether an Atom category says what kind of thing its entry is (Blogger's), not a tag."""
    return bool(category.tag == f"{ATOM}category" and category.get("scheme", "").endswith("#kind"))


def screen(page: Page, items: list[etree._Element]) -> None:
    """Mark as drafts, or leave out of `page` (counted), the entries whose `items` say they are
    not public posts."""
    kept = []
    for item, entry in zip(items, page.entries, strict=True):
        said = item_standing(item)
        if said is not None and not said.draft:
            page.leave_out(entry, said.counted, said.reason)
            continue
        if said is not None and entry.draft is None:
            entry.draft = said.reason
        kept.append(entry)
    page.entries = kept
