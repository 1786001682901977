"""Every field of the catalogue, once: its name, how it is read, whether it is required,
what it means and what the JSON Schema says of it. The reader (`rules`) and `feedpub
schema` both work from these tables, so they cannot drift apart."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify

from feedpub.catalogue.nodes import (
    INVALID,
    MERGE,
    TEXT,
    URL,
    Checked,
    Choice,
    Count,
    Field,
    Flag,
    Invalid,
    Kind,
    Link,
    Nodes,
    Pattern,
    Table,
    Text,
    When,
    is_null,
    join,
    kind_of,
)
from feedpub.model import Author, Enclosure, Image

MAX_ITEMS_RANGE = (1, 1000)
HOSTS = ("netlify", "apache")
"""The static hosts `site.hosting` may name: each has a file render writes for it."""
MAX_TAGS = 100
"""Tags one article may have: each is a feed that holds the article, so this bounds how
much a build writes per article."""
MAX_LENGTH = 2**63 - 1
MAX_CONTENT = 1_000_000
"""Characters of an article's HTML: escaped in a feed, it stays below the 10 MB a text node
may have for XML parsers."""
MAX_ENCLOSURES = 100
MAX_AUTHORS = 100
"""Enclosures and authors one article (or the site) may list: each is written into every
feed that holds the article."""
_ID = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"
# The address form feed validators accept: ASCII, and a dotted domain.
_EMAIL = r"[A-Za-z0-9_\-+.']+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]*"
_EMBEDDED_EMAIL = re.compile(r"\S+@\S+\.\w")
_MIME_TYPE = r"[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*"
_DOTTED_HOST = re.compile(r"https?://[^/:?#]*[A-Za-z0-9-]\.[A-Za-z0-9-]", re.ASCII)
_LANGUAGE_TAG = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"
_URI = r"[A-Za-z][A-Za-z0-9+.-]*:\S+"
ABSOLUTE_URI = re.compile(_URI)
"""An absolute URI (or IRI): a scheme, a colon, and no white space; what Atom ids must be."""
MAX_GUID = 2048
LANGUAGE_TAG = re.compile(_LANGUAGE_TAG)
MIME_TYPE = re.compile(_MIME_TYPE)
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)
_MAX_SLUG = 80
_JOINERS = frozenset("\u200c\u200d")
"""The invisible characters a tag may hold: scripts and emoji need them to join letters."""


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


class Record(Kind[Any]):
    """A mapping of the fields of `table`, made into a value by `make`."""

    def __init__(self, name: str, table: Table, make: Any) -> None:
        super().__init__(_ref(name))
        self.name, self.table, self.make = name, table, make

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> Any:
        values = nodes.mapping(node, where, self.table)
        if values is INVALID:
            return INVALID
        read = {f.name: nodes.field(values, f, where) for f in self.table.fields}
        return self.make(nodes, values, where, **read)


class ListOf(Kind[tuple[Any, ...]]):
    """A list of values of one kind; `shape` names it in messages."""

    def __init__(
        self, item: Kind[Any], shape: str, *, non_empty: bool = False, most: int | None = None
    ) -> None:
        super().__init__(
            {"type": "array", "items": item.schema}
            | ({"minItems": 1} if non_empty else {})
            | ({"maxItems": most} if most else {})
        )
        self.item, self.shape, self.non_empty, self.most = item, shape, non_empty, most

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> tuple[Any, ...] | Invalid:
        if not isinstance(node, yaml.SequenceNode) or (self.non_empty and not node.value):
            name = where.rsplit(".", 1)[-1]
            if self.non_empty:
                nodes.error(node, where, f"'{name}' must be a non-empty list of {self.shape}")
            else:
                nodes.error(node, where, f"'{name}' must be a list of {self.shape}, not a {kind_of(node)}")
            return INVALID
        if self.most and len(node.value) > self.most:
            name = where.rsplit(".", 1)[-1]
            nodes.error(node, where, f"'{name}' lists {len(node.value):,}; at most {self.most} are allowed")
            return INVALID
        found = [self.item.read(nodes, item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        return INVALID if INVALID in found else tuple(found)


# -- authors, images, enclosures -------------------------------------------------------------


def _author(
    nodes: Nodes, values: dict[str, yaml.Node], where: str, *, name: Any, email: Any, uri: Any
) -> Author | Invalid:
    if isinstance(name, str) and _EMBEDDED_EMAIL.search(name):
        nodes.error(
            values["name"],
            join(where, "name"),
            f"'name': '{name}' contains an e-mail address; give it in 'email' instead",
        )
        name = INVALID
    if name is None or INVALID in (name, email, uri):
        return INVALID
    return Author(name, email, uri)


AUTHOR = Table(
    "an author",
    (
        Field("name", "plain text", Text(line=True), required=True),
        Field(
            "email",
            "an e-mail address",
            Pattern(_EMAIL, "an e-mail address such as jane@example.org"),
        ),
        Field("uri", "an absolute http(s) URL", Link()),
    ),
)
AUTHOR_KIND = Record("author", AUTHOR, _author)
AUTHORS_KIND = ListOf(AUTHOR_KIND, "{name, email, uri}", non_empty=True, most=MAX_AUTHORS)


def _image(nodes: Nodes, values: dict[str, yaml.Node], where: str, *, url: Any, alt: Any) -> Image | Invalid:
    return INVALID if url is None or INVALID in (url, alt) else Image(url, alt)


IMAGE = Table(
    "an image",
    (
        Field("url", "the image's absolute http(s) URL", Link(), required=True),
        Field("alt", "text describing the image", Text(line=True)),
    ),
)


class ImageKind(Kind[Image]):
    """An image's URL alone, or {url, alt}."""

    record = Record("image", IMAGE, _image)

    def __init__(self) -> None:
        super().__init__({"anyOf": [URL, _ref("image")]})

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> Image | Invalid:
        if isinstance(node, yaml.ScalarNode):
            url = nodes.link(node, where)
            return INVALID if url is INVALID else Image(url)
        image: Image | Invalid = self.record.read(nodes, node, where)
        return image


def _enclosure(
    nodes: Nodes, values: dict[str, yaml.Node], where: str, *, url: Any, length: Any, type: Any
) -> Enclosure | Invalid:
    if isinstance(url, str) and not _DOTTED_HOST.match(url):
        nodes.error(
            values["url"],
            join(where, "url"),
            f"'url': '{url}' has no dotted host name, which feed validators require of enclosures",
        )
        url = INVALID
    if None in (url, length, type) or INVALID in (url, length, type):
        return INVALID
    return Enclosure(url, length, type)


ENCLOSURE = Table(
    "an enclosure",
    (
        Field("url", "the file's absolute http(s) URL, on a host with a dotted name", Link(), required=True),
        Field(
            "length", "its size in bytes, a whole number (0 if unknown)", Count(0, MAX_LENGTH), required=True
        ),
        Field(
            "type",
            "its MIME type, such as audio/mpeg or application/pdf",
            Pattern(_MIME_TYPE, "its MIME type, such as audio/mpeg or application/pdf"),
            required=True,
        ),
    ),
)
ENCLOSURES_KIND = ListOf(
    Record("enclosure", ENCLOSURE, _enclosure), "{url, length, type}", most=MAX_ENCLOSURES
)


# -- tags ------------------------------------------------------------------------------------


def tag_key(name: str) -> str:
    """What makes two spellings one tag: case, accents, spacing and joiners fold away."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in _JOINERS).casefold()


def tag_slug(name: str) -> str:
    """The tag's folder name: lower-case ASCII letters, digits and hyphens; '' if none."""
    slug = slugify(name, max_length=_MAX_SLUG, word_boundary=True)
    return f"{slug}-tag" if slug in _WINDOWS_RESERVED else slug


def tag_problem(name: str) -> str | None:
    """Why `name` (valid text) cannot name a tag's feed, if it cannot: it has no letter or
    digit to name its folder, or an invisible character that would make it look like another."""
    hidden = next((c for c in name if unicodedata.category(c) == "Cf" and c not in _JOINERS), None)
    if hidden:
        return (
            f"tag '{name}' contains U+{ord(hidden):04X} ({unicodedata.name(hidden, 'a format character')}), "
            "an invisible character that would make its feed look like another's; remove it"
        )
    if not tag_slug(name):
        return f"tag '{name}' has no letter or digit to name its feed folder"
    return None


class TagNodes(Kind[tuple[yaml.Node, ...]]):
    """An article's tags, as nodes: `rules` reads each name, since many articles share them."""

    def __init__(self) -> None:
        super().__init__({"type": ["array", "null"], "items": TEXT, "maxItems": MAX_TAGS})

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> tuple[yaml.Node, ...] | Invalid:
        if is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            nodes.error(node, where, f"'tags' must be a list such as [Gaza, Palestine], not {kind_of(node)}")
            return INVALID
        if len(node.value) > MAX_TAGS:
            nodes.error(
                node,
                where,
                f"'tags' lists {len(node.value)} tags; an article may have at most {MAX_TAGS} "
                "(each tag is a feed of its own)",
            )
            return INVALID
        return tuple(node.value)


TAG = Table(
    "a tag",
    (
        Field("title", "the tag feed's title, plain text", Text(line=True)),
        Field("description", "the tag feed's description, plain text", Text()),
    ),
)


class TagDefinitions(Kind[dict[str, tuple[yaml.Node, str | None, str | None]]]):
    """site.tags: each tag's node, title and description, by slug."""

    def __init__(self) -> None:
        super().__init__({"type": "object", "additionalProperties": _ref("tag")})

    def read(
        self, nodes: Nodes, node: yaml.Node, where: str
    ) -> dict[str, tuple[yaml.Node, str | None, str | None]] | Invalid:
        if not isinstance(node, yaml.MappingNode):
            nodes.error(node, where, "'tags' must map each tag to {title, description}")
            return INVALID
        defined: dict[str, tuple[yaml.Node, str | None, str | None]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE:
                nodes.error(key, where, "keys of 'tags' must be tag names")
                continue
            at = f"{where}.{key.value}"
            slug = tag_slug(key.value)
            if slug in defined:
                first = defined[slug][0]
                nodes.error(
                    key,
                    at,
                    f"tag '{key.value}' is the same tag as '{first.value}' "
                    f"(line {first.start_mark.line + 1})",
                )
                continue
            values = nodes.mapping(value, at, Table(f"tag '{key.value}'", TAG.fields))
            if values is INVALID:
                continue
            title = nodes.field(values, TAG["title"], at)
            description = nodes.field(values, TAG["description"], at)
            defined[slug] = (
                key,
                None if title is INVALID else title,
                None if description is INVALID else description,
            )
        return defined


def _guid(nodes: Nodes, node: yaml.Node, where: str, value: str) -> str | Invalid:
    """The id an old feed gave the article: readers compare it as it is, so it is kept as
    written, but white space (which feed readers may trim or fold) is refused."""
    if re.search(r"\s", value):
        fault = "contains white space"
    elif len(value) > MAX_GUID:
        fault = f"is {len(value):,} characters long"
    else:
        return value
    shown = value if len(value) <= 60 else value[:60] + "…"
    nodes.error(
        node,
        where,
        f"'guid': '{shown}' {fault} (expected text without white space or control characters, "
        f"at most {MAX_GUID} characters)",
    )
    return INVALID


def kept_atom_id(atom_id: str | None, guid: str | None) -> str | None:
    """The Atom id an article keeps from its old feeds: its atom_id, else its guid where that
    is an absolute IRI (Atom requires one), else None."""
    if atom_id:
        return atom_id
    return guid if guid and ABSOLUTE_URI.fullmatch(guid) else None


# -- site-wide values ------------------------------------------------------------------------


def _registered(nodes: Nodes, node: yaml.Node, where: str, tag: str) -> str | Invalid:
    import langcodes  # only when a catalogue names a language: it takes a while to load

    if langcodes.tag_is_valid(tag):
        return tag
    nodes.error(node, where, f"'language': '{tag}' is not a registered language tag ({LANGUAGE.description})")
    return INVALID


def _zone(nodes: Nodes, node: yaml.Node, where: str, name: str) -> str | Invalid:
    if name in _zone_names():
        return name
    close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    nodes.error(
        node,
        where,
        f"'timezone': '{name}' is not a known time zone ({hint}expected an IANA "
        "name such as America/New_York or UTC)",
    )
    return INVALID


@cache
def _zone_names() -> frozenset[str]:
    """The IANA zone names, as the tzdata package lists them: not 'localtime', 'posixrules'
    and the like, which a machine's own zone folder may hold and which depend on it. Read
    from the file beside the package: importlib.resources would first import zipfile and
    more, a hundredth of the time of a check."""
    import tzdata  # type: ignore[import-untyped]

    return frozenset(Path(tzdata.__file__).with_name("zones").read_text().split())


LANGUAGE = Field(
    "language",
    "a BCP 47 language tag such as en or en-GB",
    Checked(Pattern(_LANGUAGE_TAG, "a BCP 47 language tag such as en or en-GB"), _registered),
    default="en",
)
SITE = Table(
    "'site'",
    (
        Field("title", "the site's name, plain text", Text(line=True), required=True),
        Field("link", "the site's home page, an absolute http(s) URL", Link(), required=True),
        Field(
            "feed_url", "the public URL of the feeds/ folder, an absolute http(s) URL", Link(), required=True
        ),
        Field("description", "one sentence about the site, plain text", Text(), required=True),
        LANGUAGE,
        Field(
            "timezone", "an IANA time zone such as America/New_York", Checked(Text(), _zone), default="UTC"
        ),
        Field("author", "the default author: {name, email, uri}", AUTHOR_KIND),
        Field("authors", "default authors: a list of {name, email, uri}", AUTHORS_KIND),
        Field(
            "max_items",
            "how many newest entries each feed keeps, 1 to 1000",
            Count(*MAX_ITEMS_RANGE),
            default=50,
        ),
        Field("tags", "titles and descriptions of tag feeds, keyed by tag", TagDefinitions()),
        Field(
            "id",
            "a URI naming the site forever (default: its link); entry ids derive from it",
            Pattern(
                _URI,
                "an absolute URI such as https://example.org/ or tag:example.org,2023:site",
                {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9+.-]*:\S"},
            ),
        ),
        Field("websub_hub", "a WebSub hub to tell of new content, an absolute http(s) URL", Link()),
        Field("archive", "true to keep every article in RFC 5005 archive pages", Flag(), default=False),
        Field(
            "hosting",
            "static hosts to write configuration for beside the feeds: netlify (a _headers file, "
            "which Cloudflare Pages reads too) and apache (an .htaccess file)",
            ListOf(
                Choice(HOSTS, "a static host feedpub writes configuration for"),
                "static hosts, such as [netlify, apache]",
            ),
            default=(),
        ),
    ),
)
ARTICLE = Table(
    "an article",
    (
        Field(
            "id",
            "a permanent identifier: letters, digits, '.', '_', '-' or '~'",
            Pattern(
                _ID,
                "a permanent identifier: letters, digits, '.', '_', '-' or '~', at most 128, "
                "starting with a letter or digit",
                {
                    "anyOf": [
                        {"type": "string", "pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9._~-]{0,127}\s*$"},
                        {"type": "integer", "minimum": 0},
                    ]
                },
            ),
            required=True,
            unique=True,
        ),
        Field("title", "plain text", Text(line=True), required=True),
        Field("link", "the article's address, an absolute http(s) URL", Link(), required=True),
        Field("published", "a date (YYYY-MM-DD) or ISO 8601 date-time", When(), required=True),
        Field("updated", "a date or ISO 8601 date-time, not before published", When()),
        Field("summary", "plain text", Text(html=True)),
        Field(
            "content",
            "the article's HTML body, at most a million characters",
            Text(html=True, most=MAX_CONTENT),
        ),
        Field("tags", "a list of tags", TagNodes(), default=()),
        Field("author", "{name, email, uri}", AUTHOR_KIND),
        Field("authors", "a list of {name, email, uri}", AUTHORS_KIND),
        Field("draft", "true or false", Flag(), default=False),
        Field("image", "an absolute http(s) URL, or {url, alt}", ImageKind()),
        Field(
            "enclosures",
            "a list of {url, length, type}: files that go with the article",
            ENCLOSURES_KIND,
            default=(),
        ),
        Field(
            "guid",
            "the id an old RSS or JSON feed gave the article, kept so that readers do not show it again: "
            "text without white space, at most 2048 characters",
            # an identifier, never shown: markup means nothing in it
            Checked(
                Text(html=True), _guid, {"type": ["string", "number", "boolean"], "pattern": r"^\s*\S+\s*$"}
            ),
            unique=True,
        ),
        Field(
            "atom_id",
            "the id an old Atom feed gave the article, where it differs from guid: an absolute IRI",
            Pattern(
                _URI,
                "an absolute IRI such as tag:example.org,2023:12 or https://example.org/?p=12; "
                "Atom requires one",
                {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9+.-]*:\S+\s*$"},
            ),
            unique=True,
        ),
    ),
)


# The site and the articles are read by `rules`, in the order their values depend on each
# other: these fields are here to be described.
TOP = Table(
    "the catalogue",
    (
        Field(
            "site",
            "the site block (title, link, feed_url, description, ...)",
            Kind(_ref("site")),
            required=True,
        ),
        Field(
            "articles",
            "the list of articles",
            Kind({"type": ["array", "null"], "items": _ref("article")}),
            required=True,
        ),
    ),
)
RECORDS = {
    "site": SITE,
    "article": ARTICLE,
    "author": AUTHOR,
    "tag": TAG,
    "image": IMAGE,
    "enclosure": ENCLOSURE,
}
"""Each mapping the catalogue holds, by the name the JSON Schema gives it."""
