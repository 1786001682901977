"""YAML nodes → the typed model, collecting every problem on the way.

Each value's type comes from the field it fills, never from YAML's implicit typing:
`title: no` is the text "no", and `draft: no` is refused rather than guessed at.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from urllib.parse import quote, urlsplit, urlunsplit

import yaml
from slugify import slugify

from feedpub.model import Article, Author, Catalogue, Enclosure, Image, Site, Tag
from feedpub.parallel import pickled_by_value
from feedpub.problems import Problem, Severity, has_errors, ordered

TOP_FIELDS = {
    "site": "the site block (title, link, feed_url, description, ...)",
    "articles": "the list of articles",
}
SITE_FIELDS = {
    "title": "the site's name, plain text",
    "link": "the site's home page, an absolute http(s) URL",
    "feed_url": "the public URL of the feeds/ folder, an absolute http(s) URL",
    "description": "one sentence about the site, plain text",
    "language": "a BCP 47 language tag such as en or en-GB",
    "timezone": "an IANA time zone such as America/New_York",
    "author": "the default author: {name, email, uri}",
    "authors": "default authors: a list of {name, email, uri}",
    "max_items": "how many newest entries each feed keeps, 1 to 1000",
    "tags": "titles and descriptions of tag feeds, keyed by tag",
    "id": "a URI naming the site forever (default: its link); entry ids derive from it",
    "websub_hub": "a WebSub hub to tell of new content, an absolute http(s) URL",
    "archive": "true to keep every article in RFC 5005 archive pages; default false",
}
ARTICLE_FIELDS = {
    "id": "a permanent identifier: letters, digits, '.', '_', '-' or '~'",
    "title": "plain text",
    "link": "the article's address, an absolute http(s) URL",
    "published": "a date (YYYY-MM-DD) or ISO 8601 date-time",
    "updated": "a date or ISO 8601 date-time, not before published",
    "summary": "plain text",
    "content": "the article's HTML body",
    "tags": "a list of tags",
    "author": "{name, email, uri}",
    "authors": "a list of {name, email, uri}",
    "draft": "true or false",
    "image": "an absolute http(s) URL, or {url, alt}",
    "enclosures": "a list of {url, length, type}: files that go with the article",
    "guid": "the id an old RSS or JSON feed gave the article, kept so that readers do not show it again: "
    "text without white space, at most 2048 characters",
    "atom_id": "the id an old Atom feed gave the article, where it differs from guid: an absolute IRI",
}
IMAGE_FIELDS = {
    "url": "the image's absolute http(s) URL",
    "alt": "text describing the image",
}
ENCLOSURE_FIELDS = {
    "url": "the file's absolute http(s) URL, on a host with a dotted name",
    "length": "its size in bytes, a whole number (0 if unknown)",
    "type": "its MIME type, such as audio/mpeg or application/pdf",
}
AUTHOR_FIELDS = {
    "name": "plain text",
    "email": "an e-mail address",
    "uri": "an absolute http(s) URL",
}
TAG_FIELDS = {
    "title": "the tag feed's title, plain text",
    "description": "the tag feed's description, plain text",
}
REQUIRED_SITE = ("title", "link", "feed_url", "description")
REQUIRED_ARTICLE = ("id", "title", "link", "published")
MAX_ITEMS_RANGE = (1, 1000)

_YAML = "tag:yaml.org,2002:"
# Characters XML refuses or discourages below U+10000, or any character above it (whose few
# non-characters are told apart in unfit_character): one pass over the text finds either.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd-\uffff\U00010000-\U0010ffff]"
)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
# The address form feed validators accept: ASCII, and a dotted domain.
_EMAIL = re.compile(r"[A-Za-z0-9_\-+.']+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]*")
_EMBEDDED_EMAIL = re.compile(r"\S+@\S+\.\w")
# Text that readers take for HTML markup whatever the escaping: an end tag such as </p>.
_END_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Feed validators call earlier dates implausible."""
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Later dates leave no room to compute with (a day's offset, a second's tie-break)."""
MIME_TYPE = re.compile(r"[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*")
_DOTTED_HOST = re.compile(r"https?://[^/:?#]*[A-Za-z0-9-]\.[A-Za-z0-9-]", re.ASCII)
MAX_LENGTH = 2**63 - 1
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
"""An absolute URI (or IRI): a scheme, a colon, and no white space; what Atom ids must be."""
MAX_GUID = 2048
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)
_MAX_SLUG = 80
_SPACE = re.compile(r"\s")
# An http(s) URL of characters a URI may hold, each part present only if non-empty: taken
# apart and put together again by _http_uri, it would come out the same.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?:/[\w\-.~!$&'()*+,;=:@%/]*)?(?:\?[\w\-.~!$&'()*+,;=:@%/?]+)?"
    r"(?:#[\w\-.~!$&'()*+,;=:@%/?]+)?",
    re.ASCII,
)
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"  # with letters and digits: what a URI may hold unescaped


def validate(
    root: yaml.MappingNode, path: str, *, screened: bool = False
) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue if it has no errors, and every problem found, sorted by place.
    `screened`: the document's bytes passed `screened`, so no field is checked for the
    characters it looked for."""
    reader = _Reader(path, screened=screened)
    catalogue, unused = reader.whole(root)
    for key in unused.values():
        reader.error(
            key,
            f"site.tags.{key.value}",
            f"no article has the tag '{key.value}', so this entry is unused",
            warning=True,
        )
    problems = ordered(reader.problems)
    return (None if has_errors(problems) else catalogue), problems


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Part:
    """A catalogue read in parts: the site and a run of the articles (see `join`)."""

    catalogue: Catalogue
    unused: frozenset[str]
    """Slugs of the tags the site defines that no article of this part has."""


def validate_part(root: yaml.MappingNode, path: str, *, screened: bool = False) -> Part | None:
    """What a part of a catalogue holds, if it has no problem at all (None otherwise: only
    the whole catalogue, read at once, places its problems right). A tag the site defines
    and this part does not use is no problem here: another part may use it."""
    reader = _Reader(path, screened=screened)
    catalogue, unused = reader.whole(root)
    if reader.problems or catalogue is None:
        return None
    return Part(catalogue, frozenset(unused))


def join(first: Part, second: Part) -> Catalogue | None:
    """The catalogue with the articles of `first`, then those of `second`, as `validate`
    would read it; None where the whole may have a problem neither part shows (an id in
    both, a tag of one that would share a folder with a different tag of the other, a tag
    definition neither uses, a guid or atom_id in both), which only reading the whole can
    report in place."""
    head, tail = first.catalogue, second.catalogue
    if head.site != tail.site or first.unused & second.unused:
        return None
    ids = {article.id for article in head.articles}
    guids = {article.guid for article in head.articles} - {None}
    atom_ids = {article.atom_id for article in head.articles} - {None}
    if any(
        article.id in ids or article.guid in guids or article.atom_id in atom_ids for article in tail.articles
    ):
        return None
    by_key = {tag_key(tag.name): tag for tag in head.tags}
    slugs = {tag.slug for tag in head.tags}
    # The first spelling of a tag names it: for tags both parts have, that of `first`.
    same: dict[Tag, Tag] = {}
    for tag in tail.tags:
        known = by_key.get(tag_key(tag.name))
        if (known.slug != tag.slug) if known else tag.slug in slugs:
            return None
        same[tag] = known or tag
    respelt = {tag for tag, known in same.items() if known != tag}
    articles = tail.articles
    if respelt:
        articles = tuple(
            replace(article, tags=tuple(same[t] for t in article.tags))
            if not respelt.isdisjoint(article.tags)
            else article
            for article in articles
        )
    added = tuple(tag for tag, known in same.items() if known is tag)
    return Catalogue(head.site, head.tags + added, head.articles + articles)


# What `_character_fault` looks for, as bytes to find in a whole document at once rather
# than field by field: the characters unfit_character flags (but surrogates, which valid
# UTF-8 cannot hold), pairs of characters that are UTF-8 read as Latin-1, and the escapes of
# double-quoted scalars that could make either (an escaped line break joins two characters).
_UNFIT_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_OTHER_BYTES = bytes(sorted(set(range(256)) - set(_UNFIT_BYTES)))
_UNFIT_SEQUENCES = tuple(
    re.compile(sequence)
    for sequence in (
        rb"\xc2[\x80-\x9f]",  # C1 controls
        rb"\xef\xb7[\x90-\xaf]",  # non-characters U+FDD0 to U+FDEF
        rb"\xbf[\xbd-\xbf]",  # U+FFFD and U+xFFFE, U+xFFFF of every plane (with a few others)
        rb"\xc3[\x82-\xb4]\xc2[\x80-\xbf]",  # UTF-8 read as Latin-1
        rb"\\[0abefvxuUN_\r\n]",  # escapes of any character, of controls, U+00A0, line breaks
    )
)


def screened(data: bytes) -> bool:
    """Whether no text in the YAML document `data` (valid UTF-8) can hold a character
    `unfit_character` flags or UTF-8 read as Latin-1: none is in it, nor an escape that could
    make one. A few passes over the bytes then spare checking every field (see `validate`)."""
    return not data.translate(None, _OTHER_BYTES) and not any(s.search(data) for s in _UNFIT_SEQUENCES)


def _character_fault(value: str, name: str) -> str | None:
    bad = unfit_character(value)
    if bad:
        return (
            f"'{name}' contains U+{ord(bad):04X}, a character XML cannot carry or that "
            "feed readers misread (C0 and C1 controls, non-characters and U+FFFD are refused)"
        )
    meant = _latin1_as_utf8(value)
    if meant:  # readers (and feedparser) silently "repair" such text, so say so here
        return f"'{name}' looks like UTF-8 text that was read as Latin-1 (it should probably be '{meant}')"
    return None


def unfit_character(text: str) -> str | None:
    """The first character of `text` that XML 1.0 does not allow or discourages, if any: C0
    and C1 controls (readers take C1 ones for Windows-1252 punctuation, a sign of mis-decoded
    text), surrogates and non-characters; and U+FFFD, the mark a decoder leaves where it lost
    a character."""
    for found in _SUSPECT.finditer(text):  # astral characters other than these are rare
        code = ord(found.group())
        if code <= 0xFFFF or code & 0xFFFE == 0xFFFE:
            return found.group()
    return None


def tag_key(name: str) -> str:
    """What makes two spellings one tag: case, accents and spacing fold away."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tag_slug(name: str) -> str:
    """The tag's folder name: lower-case ASCII letters, digits and hyphens; '' if none."""
    slug = slugify(name, max_length=_MAX_SLUG, word_boundary=True)
    return f"{slug}-tag" if slug in _WINDOWS_RESERVED else slug


@dataclass
class _Tags:
    """Tag spellings seen so far, folded to one Tag each."""

    defined: dict[str, tuple[yaml.Node, str | None, str | None]] = field(default_factory=dict)
    by_key: dict[str, Tag] = field(default_factory=dict)
    by_slug: dict[str, tuple[str, yaml.Node]] = field(default_factory=dict)
    by_text: dict[str, Tag] = field(default_factory=dict)
    """Tags by the exact text that named them, to skip checking a spelling seen before."""


class _Reader:
    def __init__(self, path: str, *, screened: bool) -> None:
        self.path = path
        self.screened = screened
        self.problems: list[Problem] = []
        self.tz: tzinfo = UTC
        self.guids: dict[str, yaml.Node] = {}
        self.atom_ids: dict[str, yaml.Node] = {}

    # -- reporting -------------------------------------------------------------------------

    def error(self, node: yaml.Node, where: str, message: str, *, warning: bool = False) -> None:
        mark = node.start_mark
        severity = Severity.WARNING if warning else Severity.ERROR
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, severity, message, where))

    # -- structure -------------------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, where: str, fields: Mapping[str, str], what: str
    ) -> dict[str, yaml.Node] | None:
        """The mapping's values by key, unknown and duplicate keys reported; None if no mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, f"{what} must be a mapping of {_listing(fields)}")
            return None
        values: dict[str, yaml.Node] = {}
        firsts: dict[str, yaml.Node] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _YAML + "merge":
                merged.extend(self._merged(value, where))
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, where, f"keys of {what} must be plain names")
                continue
            name = key.value
            if name in firsts:
                self.error(
                    key,
                    _join(where, name),
                    f"duplicate key '{name}' in {what} (first at line {firsts[name].start_mark.line + 1})",
                )
                continue
            firsts[name] = key
            if name not in fields:
                self.error(key, _join(where, name), _unknown(name, what, fields))
                continue
            values[name] = value
        for key, value in merged:
            name = key.value
            if name in fields:
                values.setdefault(name, value)
            elif name not in firsts:
                self.error(key, _join(where, name), _unknown(name, what, fields))
        return values

    def _merged(self, node: yaml.Node, where: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """Pairs a merge key brings in, earlier sources first, as YAML's merge rule says."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.error(source, where, "'<<' must merge a mapping or a list of mappings")
                continue
            explicit = [(k, v) for k, v in source.value if k.tag != _YAML + "merge"]
            yield from explicit
            for k, v in source.value:
                if k.tag == _YAML + "merge":
                    yield from self._merged(v, where)

    def required(
        self,
        node: yaml.Node,
        values: Mapping[str, yaml.Node],
        names: tuple[str, ...],
        where: str,
        fields: Mapping[str, str],
        what: str,
    ) -> None:
        for name in names:
            if name not in values:
                self.error(node, _join(where, name), f"{what} is missing '{name}' ({fields[name]})")

    # -- scalars ---------------------------------------------------------------------------

    def text(self, node: yaml.Node, where: str, *, line: bool = False, html: bool = False) -> str | None:
        """A non-empty string (whitespace folded to single spaces if `line`), or None if invalid.

        Text that is not `html` is shown as plain text, so it may not look like markup."""
        if not isinstance(node, yaml.ScalarNode):
            name = _leaf(where)
            self.error(node, where, f"'{name}' must be text, not a {_kind(node)}")
            return None
        value = "" if _is_null(node) else node.value
        value = " ".join(value.split()) if line else value.strip()
        if not value:
            self.error(node, where, f"'{_leaf(where)}' is empty")
            return None
        fault = None if self.screened else _character_fault(value, _leaf(where))
        if fault:
            self.error(node, where, fault)
            return None
        tag = None if html else _END_TAG.search(value)
        if tag:
            name = _leaf(where)
            self.error(
                node,
                where,
                f"'{name}' contains '{tag.group()}', which feed readers take for HTML; "
                "plain-text fields cannot carry markup (write it without the angle brackets)",
            )
            return None
        return value

    def link(self, node: yaml.Node, where: str) -> str | None:
        text = self.text(node, where)
        if text is None:
            return None
        uri, reason = _http_uri(text)
        if reason:
            self.error(
                node,
                where,
                f"'{_leaf(where)}': '{text}' {reason} (expected an absolute http(s) URL "
                "such as https://example.org/page)",
            )
        return uri

    def when(self, node: yaml.Node, where: str) -> datetime | None:
        name = _leaf(where)
        expected = "expected YYYY-MM-DD or an ISO 8601 date-time such as 2023-12-01T10:00:00-05:00"
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_YAML + "timestamp", _YAML + "str"):
            shown = f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else f"a {_kind(node)}"
            self.error(node, where, f"'{name}': {shown} is not a date ({expected})")
            return None
        raw = node.value.strip()
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError as e:
            reason = f": {e}" if "range" in str(e) else ""
            self.error(node, where, f"'{name}': '{raw}' is not a date{reason} ({expected})")
            return None
        aware = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        if not EARLIEST <= aware < LATEST:
            self.error(
                node,
                where,
                f"'{name}': {raw} is not between 1990 and 9998 (feed validators reject earlier "
                "dates as implausible; later ones are beyond what dates can be computed with)",
            )
            return None
        if moment.tzinfo is not None:
            return moment
        if aware.astimezone(UTC).astimezone(self.tz).replace(tzinfo=None) != moment:
            self.error(
                node,
                where,
                f"'{name}': {raw} does not exist in {self.tz} (the clocks skip it); "
                "write it with an explicit UTC offset",
            )
            return None
        if aware.utcoffset() != aware.replace(fold=1).utcoffset():
            self.error(
                node,
                where,
                f"'{name}': {raw} happens twice in {self.tz}; the first is used "
                "(write an explicit UTC offset to choose)",
                warning=True,
            )
        # A fixed offset: a zone's ambiguous hour would make equal instants compare unequal.
        return aware.replace(tzinfo=timezone(aware.utcoffset() or timedelta(0)))

    def flag(self, node: yaml.Node, where: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _YAML + "bool":
            word = node.value.lower()
            if word in ("true", "false"):
                return bool(word == "true")
        shown = f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else f"a {_kind(node)}"
        self.error(node, where, f"'{_leaf(where)}' must be true or false, not {shown}")
        return None

    def count(self, node: yaml.Node, where: str, low: int, high: int) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _YAML + "int":
            try:
                number = int(node.value.replace("_", ""), 0)
            except ValueError:
                number = None
            if number is not None and low <= number <= high:
                return number
        shown = f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else f"a {_kind(node)}"
        self.error(node, where, f"'{_leaf(where)}' must be a whole number from {low} to {high}, not {shown}")
        return None

    def pattern(self, node: yaml.Node, where: str, regex: re.Pattern[str], expected: str) -> str | None:
        text = self.text(node, where)
        if text is not None and not regex.fullmatch(text):
            self.error(node, where, f"'{_leaf(where)}': '{text}' is not valid ({expected})")
            return None
        return text

    # -- the catalogue ---------------------------------------------------------------------

    def whole(self, root: yaml.MappingNode) -> tuple[Catalogue | None, dict[str, yaml.Node]]:
        """The catalogue, and the tags the site defines that no article has, by slug."""
        try:
            return self.catalogue(root)
        except RecursionError:
            self.error(root, "", "merge keys are nested too deeply")
            return None, {}

    def catalogue(self, root: yaml.MappingNode) -> tuple[Catalogue | None, dict[str, yaml.Node]]:
        top = self.mapping(root, "", TOP_FIELDS, "the catalogue")
        assert top is not None  # load guarantees a mapping
        self.required(root, top, tuple(TOP_FIELDS), "", TOP_FIELDS, "the catalogue")
        tags = _Tags()
        site = self.site(top["site"], tags) if "site" in top else None
        articles: list[Article] = []
        node = top.get("articles")
        if node is not None and not _is_null(node):
            if isinstance(node, yaml.SequenceNode):
                ids: dict[str, yaml.Node] = {}
                for i, item in enumerate(node.value):
                    article = self.article(item, f"articles[{i}]", site, tags, ids)
                    if article is not None:
                        articles.append(article)
            else:
                self.error(node, "articles", f"'articles' must be a list, not a {_kind(node)}")
        unused = {slug: key for slug, (key, _, _) in tags.defined.items() if slug not in tags.by_slug}
        if site is None:
            return None, unused
        return Catalogue(site, tuple(tags.by_key.values()), tuple(articles)), unused

    def site(self, node: yaml.Node, tags: _Tags) -> Site | None:
        values = self.mapping(node, "site", SITE_FIELDS, "'site'")
        if values is None:
            return None
        self.required(node, values, REQUIRED_SITE, "site", SITE_FIELDS, "'site'")
        if "timezone" in values:
            self.tz = self.zone(values["timezone"]) or UTC
        title = self.text(values["title"], "site.title", line=True) if "title" in values else None
        link = self.link(values["link"], "site.link") if "link" in values else None
        feed_url = self.link(values["feed_url"], "site.feed_url") if "feed_url" in values else None
        description = (
            self.text(values["description"], "site.description") if "description" in values else None
        )
        language = self.language(values["language"]) if "language" in values else "en"
        max_items = (
            self.count(values["max_items"], "site.max_items", *MAX_ITEMS_RANGE)
            if "max_items" in values
            else 50
        )
        identity = (
            self.pattern(
                values["id"],
                "site.id",
                ABSOLUTE_URI,
                "an absolute URI such as https://example.org/ or tag:example.org,2023:site",
            )
            if "id" in values
            else link
        )
        authors = self.authors(values, "site")
        hub = self.link(values["websub_hub"], "site.websub_hub") if "websub_hub" in values else None
        archive = self.flag(values["archive"], "site.archive") if "archive" in values else False
        if "tags" in values:
            self.tag_definitions(values["tags"], tags)
        if ("websub_hub" in values and hub is None) or archive is None:
            return None
        if None in (title, link, feed_url, description, language, max_items, identity, authors):
            return None
        assert title and link and feed_url and description and language and identity
        assert max_items is not None and authors is not None
        return Site(
            title=title,
            link=link,
            feed_url=feed_url if feed_url.endswith("/") else feed_url + "/",
            description=description,
            language=language,
            timezone=str(self.tz),
            authors=authors,
            max_items=max_items,
            id=identity,
            websub_hub=hub,
            archive=archive,
        )

    def language(self, node: yaml.Node) -> str | None:
        tag = self.pattern(node, "site.language", LANGUAGE_TAG, SITE_FIELDS["language"])
        import langcodes

        if tag is not None and not langcodes.tag_is_valid(tag):
            self.error(
                node,
                "site.language",
                f"'language': '{tag}' is not a registered language tag ({SITE_FIELDS['language']})",
            )
            return None
        return tag

    def zone(self, node: yaml.Node) -> tzinfo | None:
        name = self.text(node, "site.timezone")
        if name is None:
            return None
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(name, _zone_names(), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.error(
                node,
                "site.timezone",
                f"'timezone': '{name}' is not a known time zone ({hint}expected an IANA "
                "name such as America/New_York or UTC)",
            )
            return None

    def authors(self, values: Mapping[str, yaml.Node], where: str) -> tuple[Author, ...] | None:
        """Authors from `author` or `authors`: () if neither is given, None if invalid."""
        if "author" in values and "authors" in values:
            self.error(values["authors"], f"{where}.authors", "give either 'author' or 'authors', not both")
            return None
        if "author" in values:
            one = self.author(values["author"], f"{where}.author")
            return None if one is None else (one,)
        if "authors" not in values:
            return ()
        node = values["authors"]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, f"{where}.authors", "'authors' must be a non-empty list of {name, email, uri}")
            return None
        found = [self.author(item, f"{where}.authors[{i}]") for i, item in enumerate(node.value)]
        return None if None in found else tuple(a for a in found if a is not None)

    def author(self, node: yaml.Node, where: str) -> Author | None:
        values = self.mapping(node, where, AUTHOR_FIELDS, "an author")
        if values is None:
            return None
        self.required(node, values, ("name",), where, AUTHOR_FIELDS, "an author")
        name = self.text(values["name"], f"{where}.name", line=True) if "name" in values else None
        if name is not None and _EMBEDDED_EMAIL.search(name):
            self.error(
                values["name"],
                f"{where}.name",
                f"'name': '{name}' contains an e-mail address; give it in 'email' instead",
            )
            name = None
        email = (
            self.pattern(
                values["email"], f"{where}.email", _EMAIL, "an e-mail address such as jane@example.org"
            )
            if "email" in values
            else None
        )
        uri = self.link(values["uri"], f"{where}.uri") if "uri" in values else None
        if name is None or ("email" in values and email is None) or ("uri" in values and uri is None):
            return None
        return Author(name, email, uri)

    def tag_definitions(self, node: yaml.Node, tags: _Tags) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "site.tags", "'tags' must map each tag to {title, description}")
            return
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _YAML + "merge":
                self.error(key, "site.tags", "keys of 'tags' must be tag names")
                continue
            where = f"site.tags.{key.value}"
            slug = tag_slug(key.value)
            if slug in tags.defined:
                first = tags.defined[slug][0]
                self.error(
                    key,
                    where,
                    f"tag '{key.value}' is the same tag as '{first.value}' "
                    f"(line {first.start_mark.line + 1})",
                )
                continue
            values = self.mapping(value, where, TAG_FIELDS, f"tag '{key.value}'")
            if values is None:
                continue
            title = self.text(values["title"], f"{where}.title", line=True) if "title" in values else None
            description = (
                self.text(values["description"], f"{where}.description") if "description" in values else None
            )
            tags.defined[slug] = (key, title, description)

    def article(
        self, node: yaml.Node, where: str, site: Site | None, tags: _Tags, ids: dict[str, yaml.Node]
    ) -> Article | None:
        values = self.mapping(node, where, ARTICLE_FIELDS, "an article")
        if values is None:
            return None
        self.required(node, values, REQUIRED_ARTICLE, where, ARTICLE_FIELDS, "an article")
        ident = None
        if "id" in values:
            ident = self.pattern(
                values["id"],
                f"{where}.id",
                _ID,
                ARTICLE_FIELDS["id"] + ", at most 128, starting with a letter or digit",
            )
            if ident is not None and ident in ids:
                self.error(
                    values["id"],
                    f"{where}.id",
                    f"duplicate id '{ident}' (first used at line "
                    f"{ids[ident].start_mark.line + 1}); ids must be unique",
                )
                ident = None
            elif ident is not None:
                ids[ident] = values["id"]
        guid = self.guid(values["guid"], f"{where}.guid") if "guid" in values else None
        guid = self.unique(guid, values.get("guid"), f"{where}.guid", self.guids)
        atom_id = (
            self.pattern(
                values["atom_id"],
                f"{where}.atom_id",
                ABSOLUTE_URI,
                "an absolute IRI such as tag:example.org,2023:12 or https://example.org/?p=12; "
                "Atom requires one",
            )
            if "atom_id" in values
            else None
        )
        atom_id = self.unique(atom_id, values.get("atom_id"), f"{where}.atom_id", self.atom_ids)
        title = self.text(values["title"], f"{where}.title", line=True) if "title" in values else None
        link = self.link(values["link"], f"{where}.link") if "link" in values else None
        published = self.when(values["published"], f"{where}.published") if "published" in values else None
        updated = self.when(values["updated"], f"{where}.updated") if "updated" in values else None
        if published and updated and updated < published:
            self.error(
                values["updated"],
                f"{where}.updated",
                f"'updated' ({updated.isoformat()}) is before 'published' ({published.isoformat()})",
            )
            updated = None
        summary = self.text(values["summary"], f"{where}.summary", html=True) if "summary" in values else None
        content = self.text(values["content"], f"{where}.content", html=True) if "content" in values else None
        draft = self.flag(values["draft"], f"{where}.draft") if "draft" in values else False
        article_tags = self.article_tags(values.get("tags"), f"{where}.tags", tags)
        authors = self.authors(values, where)
        if authors == () and site is not None:
            authors = site.authors
            if not authors:
                self.error(
                    node,
                    f"{where}.author",
                    "an article needs an author: give it 'author' or set 'site.author' "
                    "(Atom feeds require one)",
                )
                return None
        if None in (ident, title, link, published, draft, article_tags, authors) or (
            ("updated" in values and updated is None)
            or ("summary" in values and summary is None)
            or ("content" in values and content is None)
            or ("guid" in values and guid is None)
            or ("atom_id" in values and atom_id is None)
        ):
            return None
        assert ident and title and link and published and draft is not None
        assert article_tags is not None and authors is not None
        image = self.image(values["image"], f"{where}.image") if "image" in values else None
        enclosures = (
            self.enclosures(values["enclosures"], f"{where}.enclosures") if "enclosures" in values else ()
        )
        if ("image" in values and image is None) or enclosures is None:
            return None
        return Article(
            ident,
            title,
            link,
            published,
            updated,
            summary,
            content,
            article_tags,
            authors,
            draft,
            image,
            enclosures,
            guid,
            atom_id,
        )

    def guid(self, node: yaml.Node, where: str) -> str | None:
        """The id an old feed gave the article: readers compare it as it is, so it is kept as
        written, but white space (which feed readers may trim or fold) is refused."""
        value = self.text(node, where, html=True)  # an identifier, never shown: markup means nothing
        if value is None:
            return None
        if _SPACE.search(value):
            fault = "contains white space"
        elif len(value) > MAX_GUID:
            fault = f"is {len(value):,} characters long"
        else:
            return value
        shown = value if len(value) <= 60 else value[:60] + "…"
        self.error(
            node,
            where,
            f"'guid': '{shown}' {fault} (expected text without white space or control characters, "
            f"at most {MAX_GUID} characters)",
        )
        return None

    def unique(
        self, value: str | None, node: yaml.Node | None, where: str, seen: dict[str, yaml.Node]
    ) -> str | None:
        """`value`, unless an article before this one gave the same in this field (reported)."""
        if value is None or node is None:
            return None
        if value in seen:
            name = _leaf(where)
            self.error(
                node,
                where,
                f"duplicate {name} '{value}' (first used at line {seen[value].start_mark.line + 1}); "
                f"each article's {name} must be unique",
            )
            return None
        seen[value] = node
        return value

    def image(self, node: yaml.Node, where: str) -> Image | None:
        if isinstance(node, yaml.ScalarNode):
            url = self.link(node, where)
            return None if url is None else Image(url)
        values = self.mapping(node, where, IMAGE_FIELDS, "an image")
        if values is None:
            return None
        self.required(node, values, ("url",), where, IMAGE_FIELDS, "an image")
        url = self.link(values["url"], f"{where}.url") if "url" in values else None
        alt = self.text(values["alt"], f"{where}.alt", line=True) if "alt" in values else None
        if url is None or ("alt" in values and alt is None):
            return None
        return Image(url, alt)

    def enclosures(self, node: yaml.Node, where: str) -> tuple[Enclosure, ...] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                node, where, f"'enclosures' must be a list of {{url, length, type}}, not a {_kind(node)}"
            )
            return None
        found = [self.enclosure(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        return None if None in found else tuple(e for e in found if e is not None)

    def enclosure(self, node: yaml.Node, where: str) -> Enclosure | None:
        values = self.mapping(node, where, ENCLOSURE_FIELDS, "an enclosure")
        if values is None:
            return None
        self.required(node, values, tuple(ENCLOSURE_FIELDS), where, ENCLOSURE_FIELDS, "an enclosure")
        url = self.link(values["url"], f"{where}.url") if "url" in values else None
        if url is not None and not _DOTTED_HOST.match(url):
            self.error(
                values["url"],
                f"{where}.url",
                f"'url': '{url}' has no dotted host name, which feed validators require of enclosures",
            )
            url = None
        length = (
            self.count(values["length"], f"{where}.length", 0, MAX_LENGTH) if "length" in values else None
        )
        kind = (
            self.pattern(values["type"], f"{where}.type", MIME_TYPE, ENCLOSURE_FIELDS["type"])
            if "type" in values
            else None
        )
        if url is None or length is None or kind is None:
            return None
        return Enclosure(url, length, kind)

    def article_tags(self, node: yaml.Node | None, where: str, tags: _Tags) -> tuple[Tag, ...] | None:
        if node is None or _is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, where, f"'tags' must be a list such as [Gaza, Palestine], not {_kind(node)}")
            return None
        found: dict[str, Tag] = {}
        ok = True
        for i, item in enumerate(node.value):
            tag = self.tag(item, f"{where}[{i}]", tags)
            if tag is None:
                ok = False
            else:
                found.setdefault(tag.slug, tag)
        return tuple(found.values()) if ok else None

    def tag(self, node: yaml.Node, where: str, tags: _Tags) -> Tag | None:
        if isinstance(node, yaml.ScalarNode) and node.value in tags.by_text:
            return tags.by_text[node.value]  # the same text as before gives the same tag
        name = self.text(node, where, line=True)
        if name is None:
            return None
        key = tag_key(name)
        if key in tags.by_key:
            tags.by_text[node.value] = tags.by_key[key]
            return tags.by_key[key]
        slug = tag_slug(name)
        if not slug:
            self.error(node, where, f"tag '{name}' has no letter or digit to name its feed folder")
            return None
        if slug in tags.by_slug:
            first, first_node = tags.by_slug[slug]
            self.error(
                node,
                where,
                f"tags '{name}' and '{first}' (line {first_node.start_mark.line + 1}) "
                f"would both be written to feeds/tags/{slug}/; spell them alike or rename one",
            )
            return None
        _, title, description = tags.defined.get(slug, (None, None, None))
        tag = Tag(slug, name, title, description)
        tags.by_key[key] = tag
        tags.by_slug[slug] = (name, node)
        tags.by_text[node.value] = tag
        return tag


def _http_uri(text: str) -> tuple[str | None, str]:
    """The URL as a plain-ASCII URI, or None and what is wrong with it."""
    if _PLAIN_URL.fullmatch(text):
        return text, ""  # the common case, which the full treatment below would leave as it is
    if _SPACE.search(text):
        return None, "contains white space"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None, "is not a valid URL"
    if not parts.scheme:
        return None, "is a relative URL"
    if parts.scheme.lower() not in ("http", "https"):
        return None, "does not start with http:// or https://"
    if not parts.hostname:
        return None, "has no host name"
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            return None, "has a host name that cannot be written in ASCII"
        netloc = netloc.replace(parts.hostname, host)
    return urlunsplit((parts.scheme.lower(), netloc, *(quote(p, safe=_URI_SAFE) for p in parts[2:]))), ""


def _latin1_as_utf8(text: str) -> str | None:
    """What non-ASCII `text` says if its characters are really UTF-8 bytes ("Ã©" → "é")."""
    if text.isascii():
        return None
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _YAML + "null" and not node.style


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "value"


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _leaf(where: str) -> str:
    return where.rsplit(".", 1)[-1]


def _listing(fields: Mapping[str, str]) -> str:
    return ", ".join(fields)


def _unknown(name: str, what: str, fields: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{name}' in {what} ({hint}expected one of: {_listing(fields)})"


@cache
def _zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())
