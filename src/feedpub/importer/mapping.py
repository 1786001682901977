"""Old entries → drafts of catalogue articles.

Entries that several sources (a site's RSS and Atom feeds, say) or pages hold are combined
into one article, matched by id, or by link where the format has no other id for it, keeping
each format's id: `guid` for RSS and JSON Feed, `atom_id` where the Atom feed's differs (and
is an IRI). An entry repeating one of its own document is left out, counted. Each draft gets
a readable, unique `id` made from its link; titles and summaries become the plain text
readers showed; content is sanitised as `feedpub build` sanitises it; dates keep their
offsets. An entry without a link or a date cannot be carried: it is skipped with the reason.
"""

from __future__ import annotations

import dataclasses
import functools
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from slugify import slugify

from feedpub.catalogue import END_TAG, MIME_TYPE, tag_slug, unfit_character
from feedpub.catalogue.fields import ABSOLUTE_URI, MAX_ID
from feedpub.importer import dates
from feedpub.importer.elements import html_text, unmixed
from feedpub.importer.old import OldEntry
from feedpub.layout import ATOM
from feedpub.render.content import sanitise

# What makes text that does not say what it is HTML (feedparser's test, in short): an end tag
# or a character reference; "a <b" or "Q&A" alone are text.
_MARKUP = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?|shtml|cfm|jsp)$", re.I)
_INDEX = {"index", "default", "feed", "rss", "atom"}
_TRACKING = ("utm_", "mc_", "fbclid", "gclid", "ref", "source", "amp")
"""Query parameters that say where a reader came from (Medium's `?source=rss-…`), not which
page it is."""
_UNSAFE_FOR_YAML = str.maketrans({"\u2028": "&#x2028;", "\u2029": "&#x2029;", "\ufeff": ""})
HTTP = re.compile(r"https?://[^/\s]", re.I)
_C1 = re.compile("[\x80-\x9f]")
_slug = functools.cache(tag_slug)
"""A tag's folder name: feeds repeat their categories, and slugify takes its time."""


@dataclass
class Draft:
    """An article as it will be written: its fields in the catalogue's order, and notes (which
    become comments) on what had to be guessed, by field ('' for the article)."""

    where: str
    label: str
    fields: dict[str, Any]
    notes: dict[str, list[str]] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    """What is worth saying on stderr as well."""
    counted: list[tuple[str, str]] = field(default_factory=list)
    """(what, document) for what is said on stderr once per source, with a count: 'title'
    (made up), 'atom id' (not an IRI, so not kept), 'json id' (not the RSS guid, so not kept)."""

    def note(self, name: str, text: str) -> None:
        self.notes.setdefault(name, []).append(text)


@dataclass(frozen=True)
class Skipped:
    where: str
    label: str
    reason: str
    counted: str = "refused by feedpub check"
    """What the import's summary counts it under."""

    def __str__(self) -> str:
        return f'{self.where}: "{self.label}" skipped: {self.reason}'


@dataclass
class Combined:
    """One article as every source and page that holds it says it, the first source first."""

    entries: list[OldEntry]

    def first(self, attribute: str) -> tuple[OldEntry, Any] | tuple[None, None]:
        for entry in self.entries:
            value = getattr(entry, attribute)
            if value:
                return entry, value
        return None, None


def combine(sources: Iterable[Iterable[OldEntry]]) -> tuple[list[Combined], list[Skipped]]:
    """The entries of all sources, those with the same id, or the same link and no other id
    of their format, taken as one article; and the entries that repeat an earlier entry of
    their own document (its id and link), left out. An entry whose id an earlier entry of the
    same document has, with another link, is another article, which cannot keep that id
    (`shared_id`); two entries of one format with different ids are two articles."""
    combined: list[Combined] = []
    repeated: list[Skipped] = []
    by_key: dict[tuple[str, str], Combined] = {}
    for entries in sources:
        for entry in entries:
            joined = by_key.get(("id", entry.id)) if entry.id else None
            if joined is not None and _clashes(entry, joined):
                entry = dataclasses.replace(entry, id=None, shared_id=entry.id)
                joined = None
            by_link = by_key.get(("link", entry.link)) if entry.link else None
            if joined is None and by_link is not None and not _other_id(entry, by_link):
                joined = by_link
            from_here = joined.entries if joined else []
            earlier = next((e for e in from_here if _document(e) == _document(entry)), None)
            if earlier is not None:
                label = entry.title or entry.link or entry.id or "an entry"
                why = f"it repeats the entry at {earlier.where} (the same {'id' if entry.id else 'link'})"
                repeated.append(Skipped(entry.where, " ".join(label.split())[:80], why, "repeated"))
                continue
            if joined is None:
                joined = Combined([])
                combined.append(joined)
            joined.entries.append(entry)
            for key in [("id", entry.id)] if entry.id else []:
                by_key.setdefault(key, joined)
            for key in [("link", entry.link)] if entry.link else []:
                by_key.setdefault(key, joined)
    return combined, repeated


def _other_id(entry: OldEntry, article: Combined) -> bool:
    """Whether `article` has, in `entry`'s format, an id other than `entry`'s: readers of that
    format told the two apart, so they are two entries."""
    return bool(entry.id) and any(
        e.format == entry.format and e.id and e.id != entry.id for e in article.entries
    )


_LINE = re.compile(r"(?::[0-9]+|: item [0-9]+)$")


def _clashes(entry: OldEntry, article: Combined) -> bool:
    """Whether `entry`, with the id of `article`, is another entry: its document has given
    that id to an entry with another link already (one document repeats an entry only by
    mistake; other sources and pages may well give the same entry another link)."""
    return entry.link not in {e.link for e in article.entries} and any(
        _document(e) == _document(entry) for e in article.entries
    )


def _document(entry: OldEntry) -> str:
    return _LINE.sub("", entry.where)


def draft(article: Combined, site_authors: list[dict[str, str]]) -> Draft | Skipped:
    """The article as catalogue fields but its id (see `name`), or why it cannot be carried.
    `site_authors` are the site's authors, which the article need not repeat."""
    primary = article.entries[0]
    source, title = article.first("title")
    label = " ".join(title.split())[:80] if title else (primary.link or primary.id or "an entry")
    _, link = article.first("link")
    if not link:
        return Skipped(primary.where, label, "it has no link, which every article needs", "no link")
    if not HTTP.match(link):
        return Skipped(
            primary.where, label, f"its link '{link}' is not an absolute http(s) address", "no http(s) link"
        )
    result = Draft(primary.where, label, {})
    fields = result.fields
    _kept_ids(article, result)
    if title is not None and (
        source is not None
        and (source.title_is_html or (source.title_is_html is None and _MARKUP.search(title)))
    ):
        text = html_text(title)
        if text != " ".join(title.split()) and source.title_is_html is None:
            result.note("title", f"the feed's title held HTML ({_short(title)}): its text is kept")
            result.said.append(f'{primary.where}: the title "{_short(title)}" held HTML: its text is kept')
        title = text or None
    if title is None:
        title = _title_from_text(article)
        if title is None:
            return Skipped(primary.where, label, "it has no title, and no text to make one of", "no title")
        result.note("title", "the entry had no title: made from the start of its text")
        result.counted.append(("title", _document(source or primary)))
    fields["title"] = _plain(title, "title", result)
    fields["link"] = link
    published, updated, why = _dates(article, result)
    if published is None:
        return Skipped(primary.where, label, why, "no valid date")
    fields["published"] = published
    if updated is not None:
        fields["updated"] = updated
    summary_entry, summary = article.first("summary")
    if summary and summary_entry is not None:
        text = html_text(summary) if summary_entry.summary_is_html else " ".join(summary.split())
        if text:
            fields["summary"] = _plain(text, "summary", result)
    content_entry, content = article.first("content")
    if content and content_entry is not None:
        base = content_entry.base if content_entry.base and HTTP.match(content_entry.base) else link
        body = sanitise(content, base).translate(_UNSAFE_FOR_YAML)
        if body:
            fields["content"] = _clean(body, "content", result)
    tags = _tags(article, result)
    if tags:
        fields["tags"] = tags
    authors = _authors(article, result, site_authors)
    if len(authors) == 1:
        fields["author"] = authors[0]
    elif authors:
        fields["authors"] = authors
    _, image = article.first("image")
    if image and HTTP.match(image):
        fields["image"] = image
    enclosures = _enclosures(article, result)
    if enclosures:
        fields["enclosures"] = enclosures
    _, episode = article.first("episode")
    fields.update(episode or {})
    _, why_draft = article.first("draft")
    if why_draft:
        fields["draft"] = True
        result.note("draft", why_draft)
    for entry in article.entries:
        for name, note in entry.notes:
            result.note(name if name in fields else "", note)
    return result


def _kept_ids(article: Combined, result: Draft) -> None:
    ids = {
        kind: next((e.id for e in article.entries if e.format == kind and e.id), None)
        for kind in ("rss", "json", "atom")
    }
    guid = ids["rss"] or ids["json"] or ids["atom"]
    shared = next((e for e in article.entries if e.shared_id), None)
    if guid is None and shared is not None:
        guid = next(e.link for e in article.entries if e.link)
        result.note(
            "guid",
            f"the old feed gave this entry the id '{shared.shared_id}', which an earlier entry of it "
            "has: that one keeps it, this one its link (readers showed one entry by that id)",
        )
        result.said.append(
            f"{shared.where}: \"{result.label}\" has the id '{shared.shared_id}' of an earlier entry: "
            "its link is its guid instead"
        )
    elif guid is None:
        guid = next(e.link for e in article.entries if e.link)
        result.note("guid", "the old feed gave no id: readers knew the entry by its link")
    elif ids["rss"] and ids["json"] and ids["json"] != ids["rss"]:
        result.note(
            "guid", f"the JSON Feed's id was '{ids['json']}': JSON Feed readers will show the entry once more"
        )
        result.counted.append(("json id", next(_document(e) for e in article.entries if e.format == "json")))
    result.fields["guid"] = guid
    atom = next((e for e in article.entries if e.format == "atom" and e.id), None)
    if atom is not None and atom.id and not ABSOLUTE_URI.fullmatch(atom.id):
        result.counted.append(("atom id", _document(atom)))
        result.note(
            "guid", f"the Atom id '{atom.id}' is not an IRI, which Atom requires: {ATOM} gives another"
        )
    elif ids["atom"] and ids["atom"] != guid:
        result.fields["atom_id"] = ids["atom"]


def name(drafts: list[Draft], taken: set[str]) -> None:
    """Give each draft its id, first among its fields: readable, from its link, and unique
    among `taken` (the catalogue's ids), which the new ones join."""
    for made in drafts:
        made.fields = {"id": _new_id(made.fields["link"], made.fields["title"], taken), **made.fields}


def _new_id(link: str, title: str, taken: set[str]) -> str:
    """A readable id from the link's last meaningful segment and the values of its query
    (`/watch?v=AbC` → `watch-abc`; else its query, else the title), unique among `taken`,
    which it joins."""
    parts = urlsplit(link)
    base = ""
    for segment in reversed([s for s in parts.path.split("/") if s]):
        stem = _PAGE_SUFFIX.sub("", unquote(segment))
        if stem.lower() not in _INDEX:
            base = slugify(stem, max_length=MAX_ID - 8, word_boundary=True)
            if base:
                break
    values = [v for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING)]
    if base and values:
        base = slugify(" ".join([base, *values]), max_length=MAX_ID - 8, word_boundary=True)
    base = (
        base
        or slugify(parts.query, max_length=MAX_ID - 8)
        or slugify(title, max_length=60, word_boundary=True)
    )
    base = base or "entry"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _title_from_text(article: Combined) -> str | None:
    for attribute in ("summary", "content"):
        _, value = article.first(attribute)
        text = html_text(value) if value else ""
        if text:
            return text if len(text) <= 80 else text[:80].rsplit(" ", 1)[0] + "…"
    return None


def _dates(article: Combined, result: Draft) -> tuple[str | None, str | None, str]:
    """The published and updated dates as the catalogue writes them; without a published one,
    why (a refused date says what it was and why it was refused)."""
    _, raw_published = article.first("published")
    _, raw_updated = article.first("updated")
    published = _moment(raw_published, "published", result) if raw_published else None
    updated = _moment(raw_updated, "updated", result) if raw_updated else None
    if isinstance(published, str) and isinstance(updated, datetime):
        result.note("published", f"date taken from the feed's updated: its published {published}")
        result.said.append(
            f'{result.where}: "{result.label}": its updated date is kept, its date {published}'
        )
        return updated.isoformat(), None, ""
    if isinstance(published, str):
        return None, None, f"its date {published}"
    if published is None and isinstance(updated, datetime):
        result.note("published", "date taken from the feed's updated, the entry had no published")
        return updated.isoformat(), None, ""
    if published is None:
        why = (
            f"its updated date {updated}"
            if updated
            else "it has no date (pubDate, dc:date, published or updated)"
        )
        return None, None, why
    if isinstance(updated, str):
        result.note("published", f"left out the feed's updated: {updated}")
        result.said.append(f'{result.where}: "{result.label}": left out its updated date: {updated}')
    elif updated is None or updated == published:
        pass
    elif (updated.tzinfo is None) != (published.tzinfo is None):
        result.note(
            "published",
            f"the feed's updated ({raw_updated}) and published differ in having an offset: left out",
        )
        result.said.append(
            f'{result.where}: "{result.label}": left out its updated date {raw_updated}: it has an offset '
            "and its published date has not, or the other way round"
        )
    elif updated < published:
        result.note("published", f"the feed's updated ({raw_updated}) is before its published: left out")
        result.said.append(
            f'{result.where}: "{result.label}": left out its updated date {raw_updated}, which is before '
            f"its published date {raw_published}"
        )
    else:
        return published.isoformat(), updated.isoformat(), ""
    return published.isoformat(), None, ""


def _moment(raw: str, name: str, result: Draft) -> datetime | str:
    """The date `raw`, with notes on how it was read; or why it is not one."""
    reading = dates.read(raw)
    if reading.moment is None:
        return reading.why
    for note in reading.notes:
        result.note(name, note)
    if reading.warning:
        result.said.append(f'{result.where}: "{result.label}": {reading.warning}')
    return reading.moment


def plain_text(text: str) -> tuple[str, list[str]]:
    """`text` as a plain-text field can carry it, and the end tags it held: each written
    without its angle brackets ('</div>' → '/div'), as `feedpub check` asks, since readers
    would take it for HTML; the words stay."""
    tags = [m.group() for m in END_TAG.finditer(text)]  # as `feedpub check` finds them
    return END_TAG.sub(r"/\1", text), list(dict.fromkeys(tags))


def site_text(text: str, is_html: bool | None) -> tuple[str, list[str]]:
    """A site's title, description or author's name as the catalogue's plain text, reduced
    as an entry's title is, and notes on what was changed."""
    notes = []
    folded = " ".join(text.split())
    if is_html or (is_html is None and _MARKUP.search(text)):
        reduced = html_text(text)
        if reduced != folded:
            notes.append(f"the feed's text held HTML ({_short(text)}): its text is kept")
        folded = reduced or folded
    folded, tags = plain_text(folded)
    if tags:
        notes.append(_held(tags))
    return folded, notes


def _held(tags: list[str]) -> str:
    return f"the feed's text held {_listed(tags)}, which plain text cannot carry: written without '<' and '>'"


def _listed(tags: list[str]) -> str:
    return ", ".join(f"'{t}'" for t in tags)


def _plain(text: str, name: str, result: Draft) -> str:
    cleaned, tags = plain_text(_clean(text, name, result))
    if tags:
        result.note(name, _held(tags))
        result.said.append(
            f'{result.where}: "{result.label}": its {name} held '
            f"{_listed(tags)}, which plain text cannot carry: "
            f'written "{_short(cleaned)}"'
        )
    return cleaned


def _clean(text: str, name: str, result: Draft) -> str:
    """`text` without what feedpub would refuse in it and readers would misread: UTF-8 read as
    Latin-1 (repaired), C1 controls (read as Windows-1252, as readers do), and characters XML
    discourages or that mark text lost before (removed)."""
    if not text.isascii():
        try:
            repaired = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            repaired = text
        if repaired != text:
            result.note(name, "repaired text that was UTF-8 read as Latin-1")
            text = repaired
        if _C1.search(text):
            text = _C1.sub(lambda m: bytes([ord(m.group())]).decode("cp1252", "ignore"), text)
            result.note(name, "control characters read as the Windows-1252 punctuation they stood for")
        if unfit_character(text):
            kept = "".join(c for c in text if not unfit_character(c))
            result.note(
                name, f"removed {len(text) - len(kept)} characters XML cannot carry or that mark lost text"
            )
            text = kept
    return text


def _tags(article: Combined, result: Draft) -> list[str]:
    _, names = article.first("tags")
    kept: dict[str, str] = {}
    for name in names or []:
        name = " ".join(_plain(name, "tags", result).split())
        if name and not _slug(name):
            result.note(
                "tags", f"the feed's category '{name}' has no letter or digit to name a tag: left out"
            )
        elif name and kept.get(_slug(name), name) != name:
            # the catalogue refuses two tags of one folder, as it does across articles: said alike
            clash = f"would share the folder '{_slug(name)}' with '{kept[_slug(name)]}'"
            result.note("tags", f"the feed's category '{name}' {clash}: left out")
            result.said.append(
                f"{result.where}: \"{result.label}\": left out its tag '{name}', which {clash}"
            )
        elif name:
            kept.setdefault(_slug(name), name)
    return list(kept.values())


def _authors(article: Combined, result: Draft, site_authors: list[dict[str, str]]) -> list[dict[str, str]]:
    _, people = article.first("authors")
    authors: list[dict[str, str]] = []
    for person in map(unmixed, people or []):
        name = person.name or (person.email.partition("@")[0] if person.email else None)
        if not name:
            continue
        if not person.name:
            result.note(
                "author", f"the feed gave only an address ({person.email}): its first part is the name"
            )
        author = {"name": _plain(" ".join(name.split()), "author", result)}
        if person.email:
            author["email"] = person.email
        if person.uri and HTTP.match(person.uri):
            author["uri"] = person.uri
        if author not in authors:
            authors.append(author)
    return [] if authors == site_authors else authors


def _enclosures(article: Combined, result: Draft) -> list[dict[str, Any]]:
    _, attachments = article.first("enclosures")
    enclosures = []
    for attachment in attachments or []:
        if not HTTP.match(attachment.url):
            result.note("enclosures", f"'{attachment.url}' is not an http(s) address: left out")
            continue
        length = (attachment.length or "").strip()
        if not length.isdigit():
            result.note(
                "enclosures",
                f"{_short(attachment.url)}: the feed gave no size in bytes, 0 stands for unknown",
            )
        kind = (attachment.type or "").strip()
        if not MIME_TYPE.fullmatch(kind):
            guessed = mimetypes.guess_type(urlsplit(attachment.url).path)[0] or "application/octet-stream"
            result.note("enclosures", f"{_short(attachment.url)}: type guessed from its name")
            kind = guessed
        size = int(length) if length.isdigit() else 0
        enclosures.append({"url": attachment.url, "length": size, "type": kind})
    return enclosures


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"
