"""Every field of the catalogue, once: its name, how it is read, whether it is required,
what it means and what the JSON Schema says of it. The reader (`rules`) and `feedpub
schema` both work from these tables, so they cannot drift apart."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify

from feedpub.catalogue import directories
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
    described,
    is_null,
    join,
    kind_of,
    leaf,
)
from feedpub.layout import MAX_SLUG, OWN_FOLDERS, RSS, SLUG, SLUG_WORDS, WINDOWS_RESERVED
from feedpub.model import Author, Enclosure, Funding, Image, Podcast, Selection, Transcript
from feedpub.problems import Code

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
MAX_ID = 128
"""Characters an article's id may have."""
_ID = rf"[A-Za-z0-9][A-Za-z0-9._~-]{{0,{MAX_ID - 1}}}"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
"""Text with one of these has a slug: the test is much quicker than slugify."""
# The address form feed validators accept: ASCII, and a dotted domain.
_EMAIL = r"[A-Za-z0-9_\-+.']+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]*"
_EMBEDDED_EMAIL = re.compile(r"\S+@\S+\.\w")
_MIME_TYPE = r"[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*"
_DOTTED_HOST = re.compile(r"https?://[^/:?#]*[A-Za-z0-9-]\.[A-Za-z0-9-]", re.ASCII)
_LANGUAGE_TAG = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"
"""A language tag as feeds carry it: the W3C validator reads the first subtag as a language."""
_GRANDFATHERED = r"[Ii]-[A-Za-z]{3,8}"
"""BCP 47's irregular 'i-' tags (i-klingon), which a catalogue may name but feeds carry in
their preferred form (tlh)."""
MAX_LANGUAGE = 255
"""The longest language tag: a language names its feed's folder, feeds/lang/<tag>/, and file
systems take names of at most 255 bytes (BCP 47 sets no limit; its tags are ASCII)."""
_URI = r"[A-Za-z][A-Za-z0-9+.-]*:\S+"
ABSOLUTE_URI = re.compile(_URI)
"""An absolute URI (or IRI): a scheme, a colon, and no white space; what Atom ids must be."""
MAX_GUID = 2048
LANGUAGE_TAG = re.compile(_LANGUAGE_TAG)
MIME_TYPE = re.compile(_MIME_TYPE)
_JOINERS = frozenset("\u200c\u200d")
"""The invisible characters a tag may hold: scripts and emoji need them to join letters."""
CONTENT_MODES = ("full", "summary")
"""What a feed's entries carry: the article's content, or only its summary."""
MAX_PIXELS = 65_535
"""The largest width or height an image format in common use (JPEG) can have."""
MAX_BYTES_RANGE = (1024, 64 * 2**20)
"""A feed file's budget: below 1 KiB not even a feed's own title and links fit; above
64 MiB `feedpub verify` would not read it."""


def _identifier(regex: str, expected: str) -> Pattern:
    """An identifier of `regex`'s form, which YAML may type as a whole number (`id: 42`)."""
    schema = {
        "anyOf": [{"type": "string", "pattern": rf"^\s*{regex}\s*$"}, {"type": "integer", "minimum": 0}]
    }
    return Pattern(regex, expected, schema)


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
                nodes.error(
                    node, where, Code.EMPTY_VALUE, f"'{name}' must be a non-empty list of {self.shape}"
                )
            else:
                nodes.error(
                    node,
                    where,
                    Code.WRONG_TYPE,
                    f"'{name}' must be a list of {self.shape}, not a {kind_of(node)}",
                )
            return INVALID
        if self.most and len(node.value) > self.most:
            name = where.rsplit(".", 1)[-1]
            nodes.error(
                node,
                where,
                Code.TOO_MANY,
                f"'{name}' lists {len(node.value):,}; at most {self.most} are allowed",
            )
            return INVALID
        items = [self.item.read(nodes, item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        return INVALID if INVALID in items else tuple(items)


# -- authors, images, enclosures -------------------------------------------------------------


def _author(
    nodes: Nodes, values: dict[str, yaml.Node], where: str, *, name: Any, email: Any, uri: Any, id: Any
) -> Author | Invalid:
    if isinstance(name, str) and _EMBEDDED_EMAIL.search(name):
        nodes.error(
            values["name"],
            join(where, "name"),
            Code.EMAIL_IN_NAME,
            f"'name': '{name}' contains an e-mail address; give it in 'email' instead",
        )
        name = INVALID
    elif isinstance(name, str) and id is None and not _ASCII_WORD.search(name) and not tag_slug(name):
        nodes.error(
            values["name"],
            join(where, "name"),
            Code.UNNAMEABLE,
            f"author '{name}' has no letter or digit to name the author's feed folder "
            "(feeds/authors/<name>/); give the author an 'id' to name it (lower-case letters, "
            "digits and hyphens, such as jane-doe)",
        )
        name = INVALID
    if name is None or INVALID in (name, email, uri, id):
        return INVALID
    return Author(name, email, uri, id)


AUTHOR = Table(
    "an author",
    (
        Field("name", "plain text", Text(line=True), required=True, example="Jane Doe"),
        Field(
            "email",
            "an e-mail address",
            Pattern(_EMAIL, "an e-mail address such as jane@example.org"),
            example="jane@example.org",
            unset="none",
        ),
        Field("uri", "an absolute http(s) URL", Link(), example="https://example.org/jane/", unset="none"),
        Field(
            "id",
            "the author's feed folder (feeds/authors/<id>/), to tell apart people who share a name: "
            "lower-case letters, digits and hyphens",
            _identifier(
                SLUG,
                f"{SLUG_WORDS}, such as jane-doe-2",
            ),
            example="jane-doe-paris",
            unset="none: the name, as a slug, names the folder",
        ),
    ),
)
AUTHOR_KIND = Record("author", AUTHOR, _author)
AUTHORS_KIND = ListOf(AUTHOR_KIND, "{name, email, uri}", non_empty=True, most=MAX_AUTHORS)


def _image(
    nodes: Nodes, values: dict[str, yaml.Node], where: str, *, url: Any, alt: Any, width: Any, height: Any
) -> Image | Invalid:
    return INVALID if url is None or INVALID in (url, alt, width, height) else Image(url, alt, width, height)


IMAGE = Table(
    "an image",
    (
        Field(
            "url",
            "the image's absolute http(s) URL",
            Link(),
            required=True,
            example="https://example.org/img/hello.jpg",
        ),
        Field("alt", "text describing the image", Text(line=True), example="The newsroom", unset="none"),
        Field(
            "width",
            f"its width in pixels, 1 to {MAX_PIXELS}",
            Count(1, MAX_PIXELS),
            example="1200",
            unset="none",
        ),
        Field(
            "height",
            f"its height in pixels, 1 to {MAX_PIXELS}",
            Count(1, MAX_PIXELS),
            example="675",
            unset="none",
        ),
    ),
)


class ImageKind(Kind[Image]):
    """An image's URL alone, or {url, alt, width, height}."""

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
            Code.INVALID_URL,
            f"'url': '{url}' has no dotted host name, which feed validators require of enclosures",
        )
        url = INVALID
    if None in (url, length, type) or INVALID in (url, length, type):
        return INVALID
    return Enclosure(url, length, type)


ENCLOSURE = Table(
    "an enclosure",
    (
        Field(
            "url",
            "the file's absolute http(s) URL, on a host with a dotted name",
            Link(),
            required=True,
            example="https://media.example.org/hello.mp3",
        ),
        Field(
            "length",
            "its size in bytes, a whole number (0 if unknown)",
            Count(0, MAX_LENGTH),
            required=True,
            example="12345678",
        ),
        Field(
            "type",
            "its MIME type, such as audio/mpeg or application/pdf",
            Pattern(_MIME_TYPE, "its MIME type, such as audio/mpeg or application/pdf"),
            required=True,
            example="audio/mpeg",
        ),
    ),
)
ENCLOSURES_KIND = ListOf(
    Record("enclosure", ENCLOSURE, _enclosure), "{url, length, type}", most=MAX_ENCLOSURES
)


# -- podcasts --------------------------------------------------------------------------------

MAX_EPISODE = 2**31 - 1
"""The largest episode or season number: what the Podcast Index stores (a 32-bit integer)."""


def _whole(make: Any) -> Any:
    """A `Record`'s maker for a mapping whose fields are all required: `make` of their values,
    INVALID if one is missing or invalid (its problem is reported already)."""

    def made(nodes: Nodes, values: dict[str, yaml.Node], where: str, **read: Any) -> Any:
        return INVALID if None in read.values() or INVALID in read.values() else make(**read)

    return made


def _category(nodes: Nodes, node: yaml.Node, where: str, name: str) -> str | Invalid:
    if name in directories.CATEGORY_NAMES:
        return name
    replaced = directories.OBSOLETE.get(name)
    if replaced:
        nodes.error(
            node,
            where,
            Code.PODCAST_CATEGORY,
            f"category '{name}' is no longer one of Apple's; its nearest is now '{replaced}'",
        )
        return INVALID
    # a subcategory is written after its category: 'Documentary' is 'Society & Culture > Documentary'
    close = [c for c in directories.CATEGORY_NAMES if c.endswith(f"{directories.SEPARATOR}{name}")]
    close = close or difflib.get_close_matches(name, directories.CATEGORY_NAMES, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    nodes.error(
        node,
        where,
        Code.PODCAST_CATEGORY,
        f"'{name}' is not one of Apple's podcast categories ({hint}expected a category such as "
        f"Technology, or a category and subcategory such as 'Society & Culture > Documentary')",
    )
    return INVALID


OWNER = Table(
    "a podcast's owner",
    (
        Field(
            "name",
            "the show's owner, plain text of at most 255 characters",
            Text(line=True, most=255),  # the most the W3C validator takes
            required=True,
            example="The Editors",
        ),
        replace(
            AUTHOR["email"], description="the address directories write to about the show", required=True
        ),
    ),
)


FUNDING = Table(
    "a funding link",
    (
        Field(
            "url",
            "where listeners support the show, an absolute http(s) URL",
            Link(),
            required=True,
            example="https://example.org/support",
        ),
        Field(
            "title",
            "the link's text, plain text of at most 128 characters",
            Text(line=True, most=128),
            required=True,
            example="Support the show",
        ),
    ),
)


def _artwork(nodes: Nodes, node: yaml.Node, where: str, image: Image) -> Image | Invalid:
    """A show's artwork as Apple takes it: a .jpg or .png address; square, 1400 to 3000 pixels
    a side, where its size is given."""
    least, most = directories.ARTWORK_PIXELS
    outside = [side for side in (image.width, image.height) if side and not least <= side <= most]
    if not directories.ARTWORK_URL.fullmatch(image.url):
        message = f"'image': '{image.url}' does not end in .jpg or .png, as Apple Podcasts asks of artwork"
    elif image.width and image.height and image.width != image.height:
        message = (
            f"'image': {image.width} by {image.height} pixels is not square, "
            "as Apple Podcasts asks of artwork"
        )
    elif outside:
        message = f"'image': a side of {outside[0]} pixels: Apple Podcasts takes artwork of {least} to {most}"
    else:
        return image
    nodes.error(node, where, Code.PODCAST_ARTWORK, message)
    return INVALID


def _podcast(nodes: Nodes, values: dict[str, yaml.Node], where: str, **read: Any) -> Podcast | Invalid:
    if INVALID in read.values() or read["image"] is None or read["categories"] is None:
        return INVALID
    return Podcast(**read)


class Show(Record):
    """A podcast block; one without an owner is valid, with a warning."""

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> Podcast | Invalid:
        show: Podcast | Invalid = super().read(nodes, node, where)
        if show is not INVALID and show.owner is None:
            nodes.error(
                node,
                f"{where}.owner",
                Code.PODCAST_OWNER,
                "a podcast without an 'owner' {name, email}: directories (Apple Podcasts) write to its "
                "e-mail address to confirm who owns the show, and podcast:locked names it",
            )
        return show


PODCAST = Table(
    "a podcast",
    (
        Field(
            "image",
            f"the show's square artwork, JPEG or PNG, {directories.ARTWORK_PIXELS[0]} to "
            f"{directories.ARTWORK_PIXELS[1]} pixels a side: an address ending in .jpg or .png, "
            "or {url, width, height}",
            Checked(ImageKind(), _artwork),
            required=True,
            example="https://example.org/show.jpg",
        ),
        Field(
            "categories",
            "Apple's podcast categories, the first the main one: 'Category' or 'Category > Subcategory'",
            ListOf(
                Checked(Text(line=True), _category, {"enum": list(directories.CATEGORY_NAMES)}),
                "Apple's categories, such as [Technology, 'Society & Culture > Documentary']",
                non_empty=True,
                most=len(directories.CATEGORY_NAMES),
            ),
            required=True,
            example="[Technology, 'Society & Culture > Documentary']",
        ),
        Field(
            "explicit", "true if the show is explicit (default: false)", Flag(), default=False, example="true"
        ),
        Field(
            "owner",
            "{name, email}: who directories write to about the show",
            Record("owner", OWNER, _whole(Author)),
            example="{name: The Editors, email: editors@example.org}",
            unset="none (a warning: directories ask for one)",
        ),
        Field(
            "type",
            "episodic (newest first, the default) or serial (in order, numbered)",
            Choice(directories.SHOW_TYPES, "a podcast type"),
            default="episodic",
            example="serial",
        ),
        Field(
            "locked",
            "true to ask other hosts not to import the show (podcast:locked, with the owner's e-mail)",
            Flag(),
            example="true",
            unset="not locked",
        ),
        Field(
            "funding",
            "a list of {url, title}: where listeners support the show",
            ListOf(Record("funding", FUNDING, _whole(Funding)), "{url, title}", most=MAX_ENCLOSURES),
            default=(),
            example="[{url: https://example.org/support, title: Support the show}]",
        ),
        Field(
            "guid",
            "the show's podcast:guid, kept when it moves (default: the UUIDv5 the Podcast Namespace "
            "derives from its feed's address)",
            Pattern(directories.GUID.pattern, "a UUID such as 917393e3-1b1e-5cef-ace4-edaa54e1f810"),
            example="917393e3-1b1e-5cef-ace4-edaa54e1f810",
            unset="the UUIDv5 of the feed's address",
        ),
        Field(
            "new_feed_url",
            "the show's new feed address, once it has moved away (itunes:new-feed-url)",
            Link(),
            example=f"https://new.example.org/feeds/{RSS}",
            unset="none",
        ),
    ),
)
PODCAST_FIELD = Field(
    "podcast",
    "makes the RSS feeds a podcast's: {image, categories, explicit, owner, type, locked, funding, guid, "
    "new_feed_url}",
    Show("podcast", PODCAST, _podcast),
    example="{image: https://example.org/show.jpg, categories: [Technology], "
    "owner: {name: The Editors, email: editors@example.org}}",
    unset="none: the feeds are not a podcast's",
)


class Duration(Kind[int]):
    """Whole seconds, or H:MM:SS or M:SS as text."""

    def __init__(self) -> None:
        super().__init__(
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1},
                    {"type": "string", "pattern": rf"^{directories.DURATION.pattern}$"},
                ]
            }
        )

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> int | Invalid:
        text = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
        if directories.DURATION.fullmatch(text) and directories.seconds(text) > 0:
            return directories.seconds(text)
        given = described(node)
        nodes.error(
            node,
            where,
            Code.INVALID_VALUE,
            f"'duration': {given} is not a length (expected whole seconds such as 3723, "
            "or H:MM:SS such as 1:02:03)",
        )
        return INVALID


TRANSCRIPT = Table(
    "a transcript",
    (
        Field(
            "url",
            "the transcript's absolute http(s) URL",
            Link(),
            required=True,
            example="https://example.org/episodes/1.vtt",
        ),
        Field(
            "type",
            f"its MIME type: {', '.join(directories.TRANSCRIPT_TYPES)}",
            Choice(directories.TRANSCRIPT_TYPES, "a transcript type the Podcast Namespace names"),
            required=True,
            example="text/vtt",
        ),
    ),
)
EPISODE_FIELDS = (
    Field(
        "duration",
        "a podcast episode's length: whole seconds, or H:MM:SS",
        Duration(),
        example="1:02:03",
        unset="none",
    ),
    Field(
        "episode",
        f"its episode number, 1 to {MAX_EPISODE}",
        Count(1, MAX_EPISODE),
        example="12",
        unset="none",
    ),
    Field(
        "season", f"its season number, 1 to {MAX_EPISODE}", Count(1, MAX_EPISODE), example="2", unset="none"
    ),
    Field(
        "episode_type",
        "full (the default), trailer or bonus",
        Choice(directories.EPISODE_TYPES, "an episode type"),
        example="trailer",
        unset="full",
    ),
    Field("explicit", "true or false (default: the show's)", Flag(), example="false", unset="the show's"),
    Field(
        "transcript",
        "{url, type}: the episode's transcript",
        Record("transcript", TRANSCRIPT, _whole(Transcript)),
        example="{url: https://example.org/episodes/1.vtt, type: text/vtt}",
        unset="none",
    ),
    Field(
        "chapters",
        "the address of its chapters, a JSON chapters file (Podcast Namespace)",
        Link(),
        example="https://example.org/episodes/1-chapters.json",
        unset="none",
    ),
)
"""An article's fields as a podcast's episode."""


# -- tags ------------------------------------------------------------------------------------


def tag_key(name: str) -> str:
    """What makes two spellings one tag: case, accents, spacing and joiners fold away."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in _JOINERS).casefold()


def tag_slug(name: str) -> str:
    """The tag's folder name: lower-case ASCII letters, digits and hyphens; '' if none."""
    slug = slugify(name, max_length=MAX_SLUG, word_boundary=True)
    return f"{slug}-tag" if slug in WINDOWS_RESERVED else slug


_DOUBLED = re.compile(r"([a-z])\1+")


def lookalike_key(slug: str) -> str:
    """What a tag's slug (lower-case ASCII, see `tag_slug`) becomes without its hyphens and
    with each doubled letter single: different tags with the same key look like one misspelt
    (`Gardening` and `Gardenning`, `How-to` and `Howto`)."""
    return _DOUBLED.sub(r"\1", slug.replace("-", ""))


def tag_problem(name: str) -> tuple[Code, str] | None:
    """Why `name` (valid text) cannot name a tag's feed, if it cannot (its code and message): it
    has no letter or digit to name its folder, or an invisible character that would make it look
    like another."""
    hidden = next((c for c in name if unicodedata.category(c) == "Cf" and c not in _JOINERS), None)
    if hidden:
        return (
            Code.INVISIBLE_CHARACTER,
            f"tag '{name}' contains U+{ord(hidden):04X} ({unicodedata.name(hidden, 'a format character')}), "
            "an invisible character that would make its feed look like another's; remove it",
        )
    if not tag_slug(name):
        return Code.UNNAMEABLE, f"tag '{name}' has no letter or digit to name its feed folder"
    return None


def author_key(author: Author) -> str:
    """What makes two authors one: the same id, or, for authors without one, the same name as
    `tag_key` folds it."""
    return f"id:{author.id}" if author.id else f"name:{tag_key(author.name)}"


def author_slug(author: Author) -> str:
    """The author's folder under feeds/authors/: its id, else its name made a slug as a tag's is."""
    return tag_slug(author.id or author.name)


class TagNodes(Kind[tuple[yaml.Node, ...]]):
    """An article's tags, as nodes: `rules` reads each name, since many articles share them."""

    def __init__(self) -> None:
        super().__init__({"type": ["array", "null"], "items": TEXT, "maxItems": MAX_TAGS})

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> tuple[yaml.Node, ...] | Invalid:
        if is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            nodes.error(
                node,
                where,
                Code.WRONG_TYPE,
                f"'tags' must be a list such as [Gaza, Palestine], not {kind_of(node)}",
            )
            return INVALID
        if len(node.value) > MAX_TAGS:
            nodes.error(
                node,
                where,
                Code.TOO_MANY,
                f"'tags' lists {len(node.value)} tags; an article may have at most {MAX_TAGS} "
                "(each tag is a feed of its own)",
            )
            return INVALID
        return tuple(node.value)


ICON = Field(
    "icon",
    "a square image standing for the feeds, an absolute http(s) URL",
    Link(),
    example="https://example.org/icon.png",
    unset="none (for a tag: the site's)",
)
LOGO = Field(
    "logo",
    "a wide image (about 2:1) standing for the feeds, an absolute http(s) URL",
    Link(),
    example="https://example.org/logo.png",
    unset="none (for a tag: the site's)",
)
CONTENT = Choice(CONTENT_MODES, "a content mode")
TAG = Table(
    "a tag",
    (
        Field(
            "title",
            "the tag feed's title, plain text",
            Text(line=True),
            example="Gaza news",
            unset="<site title> — <tag>",
        ),
        Field(
            "description",
            "the tag feed's description, plain text",
            Text(),
            example="Reports from Gaza.",
            unset="Articles tagged “<tag>” from <site title>.",
        ),
        ICON,
        LOGO,
        Field(
            "content",
            "full or summary: whether the tag's feeds carry content (default: the site's)",
            CONTENT,
            example="summary",
            unset="the site's content",
        ),
        replace(PODCAST_FIELD, description="the show the tag's feeds are, if not the site's"),
    ),
)
TagSettings = dict[str, Any]
"""What site.tags sets for one tag, by field of TAG: its values that are valid."""


class TagDefinitions(Kind[dict[str, tuple[yaml.Node, TagSettings]]]):
    """site.tags: each tag's node and settings, by slug."""

    def __init__(self) -> None:
        super().__init__({"type": "object", "additionalProperties": _ref("tag")})

    def read(
        self, nodes: Nodes, node: yaml.Node, where: str
    ) -> dict[str, tuple[yaml.Node, TagSettings]] | Invalid:
        if not isinstance(node, yaml.MappingNode):
            nodes.error(node, where, Code.WRONG_TYPE, "'tags' must map each tag to {title, description}")
            return INVALID
        defined: dict[str, tuple[yaml.Node, TagSettings]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE:
                nodes.error(key, where, Code.WRONG_TYPE, "keys of 'tags' must be tag names")
                continue
            at = f"{where}.{key.value}"
            slug = tag_slug(key.value)
            if slug in defined:
                first = defined[slug][0]
                nodes.error(
                    key,
                    at,
                    Code.DUPLICATE_KEY,
                    f"tag '{key.value}' is the same tag as '{first.value}' "
                    f"(line {first.start_mark.line + 1})",
                )
                continue
            values = nodes.mapping(value, at, Table(f"tag '{key.value}'", TAG.fields))
            if values is INVALID:
                continue
            read = {f.name: nodes.field(values, f, at) for f in TAG.fields}
            defined[slug] = (key, {name: value for name, value in read.items() if value is not INVALID})
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
        Code.INVALID_VALUE,
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

FOLDER_URL: dict[str, Any] = {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s?#][^?#]*$"}
"""An http(s) URL that file names can be added to: no '?' or '#'."""


def _folder_url(nodes: Nodes, node: yaml.Node, where: str, url: str) -> str | Invalid:
    """A folder's URL, which every feed's address is made from by adding its path: after a
    query or a fragment (even an empty one), that path would no longer name a file in it."""
    written = str(node.value).strip()
    cut = min(i for i in (written.find("?"), written.find("#"), len(written)) if i >= 0)
    if cut == len(written):
        return url
    parts = ["a query"] if written[cut] == "?" else []  # a '?' after a '#' is the fragment's
    parts += ["a fragment"] if "#" in written[cut:] else []
    nodes.error(
        node,
        where,
        Code.URL_NOT_A_FOLDER,
        f"'{leaf(where)}': '{written}' has {' and '.join(parts)} ('{written[cut:]}'); the feeds' "
        f"addresses are made by adding their paths to it (expected the folder's URL alone, such as "
        f"'{written[:cut]}')",
    )
    return INVALID


def _registered(nodes: Nodes, node: yaml.Node, where: str, tag: str) -> str | Invalid:
    import langcodes  # only when a catalogue names a language: it takes a while to load

    if len(tag) > MAX_LANGUAGE:
        nodes.error(
            node,
            where,
            Code.INVALID_LANGUAGE,
            f"'language': a tag of {len(tag)} characters is too long to name its feed's folder "
            f"(feeds/lang/<tag>/): at most {MAX_LANGUAGE}",
        )
        return INVALID
    if not langcodes.tag_is_valid(tag):
        nodes.error(
            node,
            where,
            Code.INVALID_LANGUAGE,
            f"'language': '{tag}' is not a registered language tag ({LANGUAGE.description})",
        )
        return INVALID
    preferred, unreplaced = _preferred(tag)
    if not LANGUAGE_TAG.fullmatch(preferred):
        nodes.error(
            node,
            where,
            Code.INVALID_LANGUAGE,
            f"'language': '{tag}' is a grandfathered tag with no preferred value in the IANA registry, "
            f"and feed validators refuse a language tag starting 'i-' ({LANGUAGE.description})",
        )
        return INVALID
    if preferred != tag:
        nodes.error(
            node,
            where,
            Code.DEPRECATED_LANGUAGE,
            f"'language': '{tag}' is deprecated; use '{preferred}' (its preferred value in the IANA "
            "registry, which the feeds carry)",
        )
    if unreplaced:
        named = f"'{tag}' is" if unreplaced == [tag] else f"{', '.join(map(repr, unreplaced))} in '{tag}' is"
        nodes.error(
            node,
            where,
            Code.DEPRECATED_LANGUAGE,
            f"'language': {named} deprecated, with nothing in its place",
        )
    return preferred


def _preferred(tag: str) -> tuple[str, list[str]]:
    """`tag` with each tag or subtag the IANA registry deprecates replaced by its
    Preferred-Value (RFC 5646, 4.5: the whole tag first, then each subtag up to any
    extension or private use), and those deprecated with none."""
    deprecated = _deprecated()
    if ("tag", tag.lower()) in deprecated:
        whole = deprecated["tag", tag.lower()]
        return (whole, []) if whole else (tag, [tag])
    written: list[str] = []
    unreplaced = []
    subtags = tag.split("-")
    for place, subtag in enumerate(subtags):
        if len(subtag) == 1:  # an extension or private use: no registry entry
            written += subtags[place:]
            break
        if place == 0:
            kind = "language"
        elif place == 1 and len(subtag) == 3 and subtag.isalpha():
            kind = "extlang"
        elif len(subtag) == 4 and subtag.isalpha():
            kind = "script"
        elif len(subtag) == 2 or (len(subtag) == 3 and subtag.isdigit()):
            kind = "region"
        else:
            kind = "variant"
        if (kind, subtag.lower()) not in deprecated:
            written.append(subtag)
        elif preferred := deprecated[kind, subtag.lower()]:
            # an extended language's preferred value is the language itself: 'zh-xxx' is 'xxx'
            written[-1 if kind == "extlang" else len(written) :] = [preferred]
        else:
            written.append(subtag)
            unreplaced.append(subtag)
    return "-".join(written), unreplaced


@cache
def _deprecated() -> dict[tuple[str, str], str | None]:
    """What the IANA Language Subtag Registry (the copy langcodes keeps) deprecates, by kind
    ('tag' for a grandfathered or redundant tag, else the subtag's type) and lower-case
    value: its Preferred-Value, or None where it has none. A scan for the few hundred
    deprecated records, a hundredth of a second where parsing the whole takes ten."""
    import langcodes

    registry = Path(langcodes.__file__).with_name("data") / "language-subtag-registry.txt"
    deprecated: dict[tuple[str, str], str | None] = {}
    for record in registry.read_text(encoding="utf-8").split("\n%%\n"):
        if "\nDeprecated: " in record:
            lines = [line.split(": ", 1) for line in record.splitlines() if line[:1] != " "]
            entry = dict(line for line in lines if len(line) == 2)
            kind = "tag" if "Tag" in entry else entry["Type"]
            deprecated[kind, entry.get("Tag", entry.get("Subtag", "")).lower()] = entry.get("Preferred-Value")
    return deprecated


def _zone(nodes: Nodes, node: yaml.Node, where: str, name: str) -> str | Invalid:
    if name in _zone_names():
        return name
    close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    nodes.error(
        node,
        where,
        Code.INVALID_VALUE,
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
    Checked(
        Pattern(
            f"{_LANGUAGE_TAG}|{_GRANDFATHERED}",
            "a BCP 47 language tag such as en or en-GB",
            {"type": "string", "maxLength": MAX_LANGUAGE},
        ),
        _registered,
    ),
    default="en",
    example="en-GB",
)


def _conventional(nodes: Nodes, node: yaml.Node, where: str, tag: str) -> str:
    """`tag` in the case BCP 47 recommends (RFC 5646, 2.1.1: en-GB, zh-Hant-TW), which case
    alone cannot change the meaning of: one spelling for an article's language however it
    was written, since every feed of it declares it."""
    first, *rest = tag.split("-")
    written = [first.lower()]
    extension = len(first) == 1  # after a singleton (x-, u-...) every subtag is lower case
    for subtag in rest:
        extension = extension or len(subtag) == 1
        if extension or len(subtag) not in (2, 4):
            written.append(subtag.lower())
        else:
            written.append(subtag.upper() if len(subtag) == 2 else subtag.title())
    return "-".join(written)


ARTICLE_LANGUAGE = Checked(LANGUAGE.kind, _conventional)
"""An article's language, or one a selection names."""


# -- named selections ------------------------------------------------------------------------


class Named(Kind[tuple[str, yaml.Node]]):
    """A tag's or an author's name, with its node: whether it names one is known only once
    every article is read."""

    def __init__(self) -> None:
        super().__init__(TEXT)

    def read(self, nodes: Nodes, node: yaml.Node, where: str) -> tuple[str, yaml.Node] | Invalid:
        name = nodes.text(node, where, line=True)
        return INVALID if name is INVALID else (name, node)


def _given(nodes: Nodes, values: dict[str, yaml.Node], where: str, **read: Any) -> dict[str, Any] | Invalid:
    return INVALID if INVALID in read.values() else read


_TAG_NAMES = Field(
    "tags", "a list of tag names", ListOf(Named(), "tag names", non_empty=True), example="[Gaza]", unset="any"
)
_AUTHOR_NAMES = Field(
    "authors",
    "a list of authors, each by name or by id",
    ListOf(Named(), "author names or ids", non_empty=True),
    example="[Jane Doe]",
    unset="any",
)
INCLUDE = Table(
    "'include'",
    (
        replace(_TAG_NAMES, description="articles with any of these tags"),
        replace(_AUTHOR_NAMES, description="articles by any of these authors (each by name or by id)"),
        Field(
            "languages",
            "articles in any of these languages (BCP 47 tags such as en or fr-CA)",
            ListOf(ARTICLE_LANGUAGE, "language tags such as [en, fr-CA]", non_empty=True),
            example="[en, fr]",
            unset="any",
        ),
    ),
)
EXCLUDE = Table(
    "'exclude'",
    (
        replace(_TAG_NAMES, description="no article with any of these tags"),
        replace(_AUTHOR_NAMES, description="no article by any of these authors (each by name or by id)"),
    ),
)
SELECTION = Table(
    "a selection",
    (
        Field("title", "the feed's title, plain text", Text(line=True), required=True, example="Analysis"),
        Field(
            "description",
            "the feed's description, plain text (default: the site's)",
            Text(),
            example="Analysis and reports, without statements.",
            unset="the site's description",
        ),
        Field(
            "include",
            "{tags, authors, languages}: an article must match one of each given",
            Record("include", INCLUDE, _given),
            example="{tags: [Gaza]}",
            unset="every article",
        ),
        Field(
            "exclude",
            "{tags, authors}: an article may match none",
            Record("exclude", EXCLUDE, _given),
            example="{tags: [Statements]}",
            unset="none",
        ),
        replace(PODCAST_FIELD, description="the show the feed is, if not the site's"),
    ),
)

Reference = tuple[str, str, str, yaml.Node]
"""A tag or an author a selection names: 'tags' or 'authors', the slug of the name as
written, where it is and its node."""


class Selections(Kind[dict[str, tuple[Selection, list[Reference]]]]):
    """site.feeds: each selection by name, with the tags and authors it names, which `rules`
    looks for among the articles'."""

    def __init__(self) -> None:
        super().__init__(
            {
                "type": "object",
                "additionalProperties": _ref("selection"),
                "propertyNames": {"pattern": rf"^{SLUG}$", "not": {"enum": list(OWN_FOLDERS)}},
            }
        )

    def read(
        self, nodes: Nodes, node: yaml.Node, where: str
    ) -> dict[str, tuple[Selection, list[Reference]]] | Invalid:
        if not isinstance(node, yaml.MappingNode):
            nodes.error(
                node,
                where,
                Code.WRONG_TYPE,
                "'feeds' must map each feed's name to {title, description, include, exclude}",
            )
            return INVALID
        selections: dict[str, tuple[Selection, list[Reference]]] = {}
        names: dict[str, yaml.Node] = {}
        for key, value in node.value:
            at = f"{where}.{key.value}" if isinstance(key, yaml.ScalarNode) else where
            problem = _name_problem(key)
            if problem is None and key.value in names:
                problem = (
                    Code.DUPLICATE_KEY,
                    f"duplicate feed '{key.value}' (first at line {names[key.value].start_mark.line + 1})",
                )
            if problem:
                nodes.error(key, at, *problem)
                continue
            names[key.value] = key
            values = nodes.mapping(value, at, SELECTION)
            if values is INVALID:
                continue
            read = {f.name: nodes.field(values, f, at) for f in SELECTION.fields}
            if INVALID in read.values() or read["title"] is None:
                continue
            include, exclude = read["include"] or {}, read["exclude"] or {}
            references: list[Reference] = [
                (kind, tag_slug(name), f"{at}.{part}.{kind}[{j}]", named)
                for chosen, part in ((include, "include"), (exclude, "exclude"))
                for kind in ("tags", "authors")
                for j, (name, named) in enumerate(chosen.get(kind) or ())
            ]

            def slugs(chosen: dict[str, Any], kind: str) -> tuple[str, ...]:
                return tuple(dict.fromkeys(tag_slug(name) for name, _ in chosen.get(kind) or ()))

            selections[key.value] = (
                Selection(
                    key.value,
                    read["title"],
                    read["description"],
                    tags=slugs(include, "tags"),
                    authors=slugs(include, "authors"),
                    languages=tuple(dict.fromkeys(t.lower() for t in include.get("languages") or ())),
                    excluded_tags=slugs(exclude, "tags"),
                    excluded_authors=slugs(exclude, "authors"),
                    podcast=read["podcast"],
                ),
                references,
            )
        return selections


def _name_problem(key: yaml.Node) -> tuple[Code, str] | None:
    """Why `key` cannot name a selection's folder, if it cannot: its code and message."""
    expected = f"expected {SLUG_WORDS}, and none of feedpub's own folders: {', '.join(OWN_FOLDERS)}"
    if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE:
        return Code.WRONG_TYPE, f"keys of 'feeds' must be names ({expected})"
    if not re.fullmatch(SLUG, key.value) or key.value in OWN_FOLDERS or key.value in WINDOWS_RESERVED:
        return (
            Code.UNNAMEABLE,
            f"'{key.value}' cannot name a feed's folder ({expected}, nor a Windows device name)",
        )
    return None


SITE = Table(
    "'site'",
    (
        Field("title", "the site's name, plain text", Text(line=True), required=True, example="Example News"),
        Field(
            "link",
            "the site's home page, an absolute http(s) URL",
            Link(),
            required=True,
            example="https://example.org/",
        ),
        Field(
            "feed_url",
            "the public URL of the feeds/ folder, an absolute http(s) URL without a query or fragment",
            Checked(Link(), _folder_url, FOLDER_URL),
            required=True,
            example="https://example.org/feeds/",
        ),
        Field(
            "description",
            "one sentence about the site, plain text",
            Text(),
            required=True,
            example="News from the example desk.",
        ),
        LANGUAGE,
        Field(
            "timezone",
            "an IANA time zone such as America/New_York",
            Checked(Text(), _zone),
            default="UTC",
            example="Europe/London",
        ),
        Field(
            "author",
            "the default author: {name, email, uri}",
            AUTHOR_KIND,
            example="{name: The Editors, email: editors@example.org}",
            unset="none: each article names its own",
        ),
        Field(
            "authors",
            "default authors: a list of {name, email, uri}",
            AUTHORS_KIND,
            example="[{name: Jane Doe}, {name: Alex Kim}]",
            unset="none: each article names its own",
        ),
        Field(
            "max_items",
            "how many newest entries each feed keeps, 1 to 1000",
            Count(*MAX_ITEMS_RANGE),
            default=50,
            example="20",
        ),
        Field(
            "tags",
            "titles, descriptions, images and content of tag feeds, keyed by tag",
            TagDefinitions(),
            example="{Gaza: {title: Gaza news, content: summary}}",
            unset="none",
        ),
        Field(
            "id",
            "a URI naming the site forever (default: its link); entry ids derive from it",
            Pattern(
                _URI,
                "an absolute URI such as https://example.org/ or tag:example.org,2023:site",
                {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9+.-]*:\S"},
            ),
            example="tag:example.org,2024:site",
            unset="site.link",
        ),
        Field(
            "websub_hub",
            "a WebSub hub to tell of new content, an absolute http(s) URL",
            Link(),
            example="https://pubsubhubbub.appspot.com/",
            unset="none: no hub",
        ),
        Field(
            "archive",
            "true to keep every article in RFC 5005 archive pages",
            Flag(),
            default=False,
            example="true",
        ),
        Field(
            "feeds",
            "named selections, each a feed of its own under feeds/<name>/: "
            "{title, description, include: {tags, authors, languages}, exclude: {tags, authors}}",
            Selections(),
            example="{analysis: {title: Analysis, exclude: {tags: [Statements]}}}",
            unset="none",
        ),
        Field(
            "hosting",
            "static hosts to write configuration for beside the feeds: netlify (a _headers file, "
            "which Cloudflare Pages reads too) and apache (an .htaccess file)",
            ListOf(
                Choice(HOSTS, "a static host feedpub writes configuration for"),
                "static hosts, such as [netlify, apache]",
            ),
            default=(),
            example="[netlify, apache]",
        ),
        ICON,
        LOGO,
        Field(
            "content",
            "full (the default) or summary: whether entries carry the article's content",
            CONTENT,
            default="full",
            example="summary",
        ),
        Field(
            "max_bytes",
            f"the most bytes a feed file may hold, {MAX_BYTES_RANGE[0]} to {MAX_BYTES_RANGE[1]:,}; "
            "older entries give up their content, then leave, to fit",
            Count(*MAX_BYTES_RANGE),
            example="524288",
            unset="no limit",
        ),
        Field(
            "distinct_tags",
            "groups of tags that look like one tag misspelt (Art and Arts, How-to and Howto) but "
            "are meant as different tags, each a feed of its own: check warns of the others",
            ListOf(ListOf(Named(), "tag names", non_empty=True), "lists of tag names, such as [[Art, Arts]]"),
            default=(),
            example="[[Art, Arts]]",
        ),
        PODCAST_FIELD,
    ),
)
ARTICLE = Table(
    "an article",
    (
        Field(
            "id",
            "a permanent identifier: letters, digits, '.', '_', '-' or '~'",
            _identifier(
                _ID,
                f"a permanent identifier: letters, digits, '.', '_', '-' or '~', at most {MAX_ID}, "
                "starting with a letter or digit",
            ),
            required=True,
            unique=True,
            example="hello-world",
        ),
        Field("title", "plain text", Text(line=True), required=True, example="Hello, world"),
        Field(
            "link",
            "the article's address, an absolute http(s) URL",
            Link(),
            required=True,
            example="https://example.org/2024/hello-world/",
        ),
        Field(
            "published",
            "a date (YYYY-MM-DD) or ISO 8601 date-time",
            When(),
            required=True,
            example="2024-01-02T09:00:00-05:00",
        ),
        Field(
            "updated",
            "a date or ISO 8601 date-time, not before published",
            When(),
            example="2024-01-03",
            unset="published",
        ),
        Field(
            "summary",
            "plain text",
            Text(html=True),
            example="A first article, in a sentence.",
            unset="the first 300 characters of content's text, else the title",
        ),
        Field(
            "content",
            "the article's HTML body, at most a million characters",
            Text(html=True, most=MAX_CONTENT),
            example="<p>The body, in <em>HTML</em>.</p>",
            unset="none: entries carry the summary",
        ),
        Field("tags", "a list of tags", TagNodes(), default=(), example="[Gaza, Statements]"),
        Field(
            "author",
            "{name, email, uri}",
            AUTHOR_KIND,
            example="{name: Jane Doe, email: jane@example.org}",
            unset="the site's author or authors",
        ),
        Field(
            "authors",
            "a list of {name, email, uri}",
            AUTHORS_KIND,
            example="[{name: Jane Doe}, {name: Alex Kim, id: alex-kim-paris}]",
            unset="the site's author or authors",
        ),
        Field("draft", "true or false", Flag(), default=False, example="true"),
        Field(
            "image",
            "an absolute http(s) URL, or {url, alt, width, height}",
            ImageKind(),
            example="{url: https://example.org/img/hello.jpg, alt: The newsroom, width: 1200, height: 675}",
            unset="none",
        ),
        Field(
            "enclosures",
            "a list of {url, length, type}: files that go with the article",
            ENCLOSURES_KIND,
            default=(),
            example="[{url: https://media.example.org/hello.mp3, length: 12345678, type: audio/mpeg}]",
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
            example="https://blog.example.org/?p=12",
            unset="none: a name-based UUID from site.id and id",
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
            example="tag:blog.example.org,2019:post-12",
            unset="guid, if it is an absolute IRI; else as without guid",
        ),
        Field(
            "full_text",
            "true or false: whether feeds carry the article's content, whatever the site's or "
            "its tags' content says",
            Flag(),
            example="true",
            unset="as the site's content, or its tags', says",
        ),
        Field(
            "language",
            "a BCP 47 language tag such as fr or en-GB (default: the site's)",
            ARTICLE_LANGUAGE,
            example="fr",
            unset="site.language",
        ),
        *EPISODE_FIELDS,
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
    "selection": SELECTION,
    "include": INCLUDE,
    "exclude": EXCLUDE,
    "podcast": PODCAST,
    "owner": OWNER,
    "funding": FUNDING,
    "transcript": TRANSCRIPT,
}
"""Each mapping the catalogue holds, by the name the JSON Schema gives it."""
