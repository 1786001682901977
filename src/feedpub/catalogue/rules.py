"""The catalogue's rules: the site, each article on its own, and the rules that look
across articles, which run once over the whole list however the catalogue was read."""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from feedpub.catalogue import directories
from feedpub.catalogue import fields as f
from feedpub.catalogue.nodes import INVALID, Invalid, Nodes, is_null, kind_of
from feedpub.model import Article, Author, Selection, Site, Tag
from feedpub.problems import Code

Definitions = dict[str, tuple[yaml.Node, f.TagSettings]]
"""site.tags: each defined tag's key node and settings, by slug."""
References = dict[str, list[f.Reference]]
"""site.feeds: the tags and authors each selection names, by the selection's name."""


def site(nodes: Nodes, node: yaml.Node) -> tuple[Site | None, Definitions, References]:
    """The site (None if invalid), its tag definitions and what its selections name. Sets the
    time zone that dates without an offset are read in."""
    values = nodes.mapping(node, "site", f.SITE)
    if values is INVALID:
        return None, {}, {}
    read: dict[str, Any] = {}
    for name in f.SITE.names:  # the time zone first: dates depend on it
        if name not in ("author", "authors"):
            read[name] = nodes.field(values, f.SITE[name], "site")
    if read["timezone"] is not INVALID:
        nodes.tz = zoneinfo.ZoneInfo(read["timezone"])
    authors = _authors(nodes, values, "site")
    definitions = read["tags"] if isinstance(read["tags"], dict) else {}
    read.pop("tags")  # its problems are reported; articles are read with what is valid of it
    selections = read.pop("feeds") or {}
    references = {} if selections is INVALID else {name: named for name, (_, named) in selections.items()}
    if (
        INVALID in read.values()
        or selections is INVALID
        or authors is INVALID
        or any(read[f.name] is None for f in f.SITE.required)
    ):
        return None, definitions, references
    feed_url = read["feed_url"]
    return (
        Site(
            title=read["title"],
            link=read["link"],
            feed_url=feed_url if feed_url.endswith("/") else feed_url + "/",
            description=read["description"],
            language=read["language"],
            timezone=str(nodes.tz),
            authors=authors,
            max_items=read["max_items"],
            id=read["id"] or read["link"],
            websub_hub=read["websub_hub"],
            archive=read["archive"],
            hosting=read["hosting"],
            icon=read["icon"],
            logo=read["logo"],
            content=read["content"],
            max_bytes=read["max_bytes"],
            feeds=tuple(selection for selection, _ in selections.values()),
            distinct_tags=tuple(
                tuple(f.tag_slug(name) for name, _ in group) for group in read["distinct_tags"]
            ),
            podcast=read["podcast"],
        ),
        definitions,
        references,
    )


def _authors(nodes: Nodes, values: Mapping[str, yaml.Node], where: str) -> tuple[Author, ...] | Invalid:
    """Authors from `author` or `authors`: () if neither is given."""
    if "author" in values and "authors" in values:
        nodes.error(
            values["authors"],
            f"{where}.authors",
            Code.AUTHOR_AND_AUTHORS,
            "give either 'author' or 'authors', not both",
        )
        return INVALID
    one = nodes.field(values, f.ARTICLE["author"], where)
    if one is not None:
        return INVALID if one is INVALID else (one,)
    many: tuple[Author, ...] | Invalid | None = nodes.field(values, f.ARTICLE["authors"], where)
    return () if many is None else many


@dataclass(frozen=True, slots=True)
class Read:
    """An article as read on its own: the article if it is valid, and the values of its
    unique fields and its tags as far as they are valid, which the rules across articles
    look at in any case."""

    article: Article | None
    unique: dict[str, str]
    """The article's id and kept ids (see `fields.ARTICLE.unique`), by field."""
    tags: tuple[Tag, ...]

    @classmethod
    def of(cls, article: Article) -> Read:
        """`article` as `article()` read it: the same unique values."""
        unique = {name: getattr(article, name) for name in _UNIQUE if getattr(article, name)}
        atom_id = f.kept_atom_id(article.atom_id, article.guid)
        if atom_id:
            unique["atom_id"] = atom_id
        return cls(article, unique, article.tags)


_UNIQUE = f.ARTICLE.unique


@dataclass
class Places:
    """Where each article's unique values and tags are, to place what the rules across
    articles find."""

    unique: list[dict[str, yaml.Node]] = field(default_factory=list)
    tags: list[list[yaml.Node]] = field(default_factory=list)
    articles: list[yaml.Node] = field(default_factory=list)
    authors: list[list[tuple[str, yaml.Node]]] = field(default_factory=list)
    """Where each article's own authors are, and their nodes ([] where it has the site's)."""


@dataclass
class Tags:
    """The tags of one reading, each text read and made into a tag once: many articles
    share their tags."""

    definitions: Definitions
    by_text: dict[str, Tag] = field(default_factory=dict)

    def tag(self, nodes: Nodes, node: yaml.Node, article: str, index: int) -> Tag | Invalid:
        """The tag at `node`, `index` in the tags of the article at `article`."""
        if isinstance(node, yaml.ScalarNode) and not is_null(node) and node.value in self.by_text:
            return self.by_text[node.value]  # the same text reads the same
        where = f"{article}.tags[{index}]"
        name = nodes.text(node, where, line=True)
        if name is INVALID:
            return INVALID
        problem = f.tag_problem(name)
        if problem:
            nodes.error(node, where, *problem)
            return INVALID
        slug = f.tag_slug(name)
        _, settings = self.definitions.get(slug, (None, {}))
        tag = self.by_text[node.value] = Tag(slug, name, **settings)
        return tag


_FIELDS = [field for field in f.ARTICLE.fields if field.name not in ("author", "authors")]
"""An article's fields but its authors (read with the site's in mind)."""
_DEFAULTS: dict[str, Any] = {field.name: field.default for field in _FIELDS}
_KINDS = {field.name: field.kind for field in _FIELDS}
_REQUIRED = frozenset(field.name for field in f.ARTICLE.required)


def article(
    nodes: Nodes, node: yaml.Node, where: str, site: Site | None, tags: Tags
) -> tuple[Read, dict[str, yaml.Node], list[yaml.Node], list[tuple[str, yaml.Node]]]:
    """The article at `node` read on its own, with the nodes of its unique fields, of its
    tags and of its own authors."""
    values = nodes.mapping(node, where, f.ARTICLE)
    if values is INVALID:
        return Read(None, {}, ()), {}, [], []
    read = dict(_DEFAULTS)
    for name, value in values.items():
        kind = _KINDS.get(name)
        if kind is not None:
            read[name] = kind.read(nodes, value, f"{where}.{name}")
    listed = read.pop("tags")
    named: list[Tag] = []
    tag_nodes: list[yaml.Node] = []
    for i, item in enumerate(() if listed is INVALID else listed):
        tag = tags.tag(nodes, item, where, i)
        if tag is INVALID:
            listed = INVALID
        else:
            named.append(tag)
            tag_nodes.append(item)
    if listed is INVALID:
        read["tags"] = INVALID
    article_tags = tuple(named)
    published, updated = read["published"], read["updated"]
    if updated and published and INVALID not in (published, updated) and updated < published:
        nodes.error(
            values["updated"],
            f"{where}.updated",
            Code.UPDATED_BEFORE_PUBLISHED,
            f"'updated' ({updated.isoformat()}) is before 'published' ({published.isoformat()})",
        )
        read["updated"] = INVALID
    authors = _authors(nodes, values, where)
    listed_authors = values.get("authors")
    author_nodes = (
        [(f"{where}.author", values["author"])]
        if "author" in values
        else [(f"{where}.authors[{j}]", item) for j, item in enumerate(listed_authors.value)]
        if isinstance(listed_authors, yaml.SequenceNode)
        else []
    )
    if authors == () and site is not None:
        authors = site.authors
        if not authors:
            nodes.error(
                node,
                f"{where}.author",
                Code.MISSING_AUTHOR,
                "an article needs an author: give it 'author' or set 'site.author' (Atom feeds require one)",
            )
            authors = INVALID
    unique = {name: read[name] for name in _UNIQUE if isinstance(read[name], str)}
    unique_nodes = {name: values[name] for name in unique}
    if "atom_id" not in values and f.kept_atom_id(None, unique.get("guid")):
        # the guid is then the entry's Atom id, which another article's atom_id may not be
        unique["atom_id"], unique_nodes["atom_id"] = unique["guid"], unique_nodes["guid"]
    # a required field that is missing was reported by `mapping`
    if INVALID in read.values() or authors is INVALID or not values.keys() >= _REQUIRED:
        return Read(None, unique, article_tags), unique_nodes, tag_nodes, author_nodes
    made = Article(
        read["id"],
        read["title"],
        read["link"],
        published,
        read["updated"],
        read["summary"],
        read["content"],
        article_tags,
        authors,
        read["draft"],
        read["image"],
        read["enclosures"],
        read["guid"],
        read["atom_id"],
        read["full_text"],
        read["language"],
        **{field.name: read[field.name] for field in f.EPISODE_FIELDS},
    )
    if site is not None:
        _episode(nodes, made, node, where, site)
    return Read(made, unique, article_tags), unique_nodes, tag_nodes, author_nodes


def articles(
    nodes: Nodes, node: yaml.Node | None, site: Site | None, tags: Tags
) -> tuple[list[Read], Places]:
    reads: list[Read] = []
    places = Places()
    if node is None or is_null(node):
        return reads, places
    if not isinstance(node, yaml.SequenceNode):
        nodes.error(node, "articles", Code.WRONG_TYPE, f"'articles' must be a list, not a {kind_of(node)}")
        return reads, places
    for i, item in enumerate(node.value):
        read, unique_nodes, tag_nodes, author_nodes = article(nodes, item, f"articles[{i}]", site, tags)
        reads.append(read)
        places.unique.append(unique_nodes)
        places.tags.append(tag_nodes)
        places.articles.append(item)
        places.authors.append(author_nodes)
    return reads, places


# -- across articles -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clash:
    """Article `article`'s unique field `field`, or its tag number `tag`, clashes with the
    same of article `first`, earlier in the catalogue."""

    article: int
    tag: int | None
    first: int
    first_tag: int | None
    field: str = ""


@dataclass(frozen=True, slots=True)
class AuthorClash:
    """Author number `author` of article `article` would share a folder with another author,
    number `first_author` of article `first`; or, if `uri`, is taken for that author, whose
    name it has, but gives another uri (a warning)."""

    article: int
    author: int
    first: int
    first_author: int
    uri: bool = False


class Authors:
    """The authors of the articles, one per `author_key`, seen article by article."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[Author, int, int]] = {}
        """Each author as first written, and where, by key."""
        self.slugs: dict[str, tuple[int, int]] = {}
        self.clashes: list[AuthorClash] = []
        self._keys: dict[tuple[str, str | None], str] = {}  # many articles share their authors
        self._uris: dict[str, tuple[str, int, int]] = {}
        self._told: set[str] = set()  # keys of authors already reported, to report each once

    def see(self, i: int, article: Article) -> None:
        for a, author in enumerate(article.authors):
            key = self._keys.get((author.name, author.id))
            if key is None:
                key = self._keys[author.name, author.id] = f.author_key(author)
            if key not in self.first:
                slug = f.author_slug(author)
                if slug in self.slugs:
                    if key not in self._told:
                        self._told.add(key)
                        self.clashes.append(AuthorClash(i, a, *self.slugs[slug]))
                    continue
                self.first[key] = (author, i, a)
                self.slugs[slug] = (i, a)
            if author.uri and not author.id:
                uri, first, first_author = self._uris.setdefault(key, (author.uri, i, a))
                if uri != author.uri and key not in self._told:
                    self._told.add(key)
                    self.clashes.append(AuthorClash(i, a, first, first_author, uri=True))


@dataclass
class Across:
    """What the rules across articles find."""

    tags: list[Tag]
    """Every tag, in order of first appearance, named by its first spelling."""
    articles: list[Article | None]
    """The articles, each with its tags so named."""
    clashes: list[Clash]
    unused: list[str]
    """Slugs of tags the site defines that no article has."""
    authors: list[Author] = field(default_factory=list)
    """Every author, in order of first appearance, as first written."""
    author_clashes: list[AuthorClash] = field(default_factory=list)
    unknown: list[tuple[str, str, str]] = field(default_factory=list)
    """What selections name that no article has: the selection, 'tags' or 'authors', the slug."""
    lookalikes: list[Clash] = field(default_factory=list)
    """Tags whose `lookalike_key` an earlier, different tag has, not listed as distinct."""
    episode_clashes: list[EpisodeClash] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.clashes
            or self.unused
            or self.author_clashes
            or self.unknown
            or self.lookalikes
            or self.episode_clashes
        )


def across(
    reads: Sequence[Read],
    defined: Sequence[str],
    selections: Sequence[Selection] = (),
    distinct: Sequence[Sequence[str]] = (),
    *,
    podcast: bool = False,
) -> Across:
    """The rules that look across articles: ids (and kept ids) are unique; spellings of one tag (see
    `tag_key`) are one tag, named by the first; two different tags may not share a folder, nor
    two different authors (see `author_key`); two tags that look alike (see `lookalike_key`) are
    a warning unless a group of `distinct` slugs holds both; every tag the site defines is used,
    and every tag and author a selection names; within each show (the site's `podcast`, a
    tag's), episode numbers are unique in their season and enclosures are not shared. One pass,
    in catalogue order: each tag is looked up by its key, never compared with the others."""
    authors = Authors()
    episodes = Episodes(podcast)
    groups: dict[str, set[int]] = {}  # the distinct groups each slug is in
    for g, group in enumerate(distinct):
        for slug in group:
            groups.setdefault(slug, set()).add(g)
    lookalike: dict[str, tuple[int, int, str]] = {}  # the first tag of each lookalike key, and its slug
    lookalikes: list[Clash] = []
    seen: dict[tuple[str, str], int] = {}  # each unique field's values
    by_key: dict[str, Tag] = {}
    by_slug: dict[str, tuple[int, int]] = {}
    by_name: dict[str, Tag] = {}  # each spelling's tag, once known
    clashes: list[Clash] = []
    articles: list[Article | None] = []
    for i, read in enumerate(reads):
        for name, value in read.unique.items():
            first = seen.setdefault((name, value), i)
            if first != i:
                clashes.append(Clash(i, None, first, None, name))
        named = []
        for t, tag in enumerate(read.tags):
            known = by_name.get(tag.name)
            if known is None:
                key = f.tag_key(tag.name)
                known = by_key.get(key)
                if known is None:
                    if tag.slug in by_slug:
                        clashes.append(Clash(i, t, *by_slug[tag.slug]))
                        continue
                    known = by_key[key] = tag
                    by_slug[tag.slug] = (i, t)
                    first_i, first_t, first_slug = lookalike.setdefault(
                        f.lookalike_key(tag.slug), (i, t, tag.slug)
                    )
                    meant = groups.get(tag.slug, set()) & groups.get(first_slug, set())
                    if (first_i, first_t) != (i, t) and not meant:
                        lookalikes.append(Clash(i, t, first_i, first_t))
                by_name[tag.name] = known
            named.append(known)
        article = read.article
        if article is not None:
            authors.see(i, article)
            episodes.see(i, article)
        if article is not None:
            tags = tuple({id(k): k for k in named}.values())  # each tag once, as first spelt
            # another spelling, or the same tag twice (the tags the other process of a reading
            # in two parts made are equal to these, not the same objects: they may stay)
            if tags != article.tags:
                article = replace(article, tags=tags)
        articles.append(article)
    used = {tag.slug for tag in by_key.values()}
    unknown = [
        (selection.name, kind, slug)
        for selection in selections
        for kind, named, known in (
            ("tags", selection.tags + selection.excluded_tags, by_slug),
            ("authors", selection.authors + selection.excluded_authors, authors.slugs),
        )
        for slug in named
        if slug not in known
    ]
    return Across(
        list(by_key.values()),
        articles,
        clashes,
        [s for s in defined if s not in used],
        [author for author, _, _ in authors.first.values()],
        authors.clashes,
        unknown,
        lookalikes,
        episodes.clashes,
    )


def place(
    nodes: Nodes,
    compared: Across,
    reads: Sequence[Read],
    places: Places,
    definitions: Definitions,
    references: References,
) -> None:
    """Report what `across` found, at the places the articles were read from."""
    for episode_clash in compared.episode_clashes:
        _place_episode(nodes, episode_clash, places)
    for author_clash in compared.author_clashes:
        _place_author(nodes, author_clash, reads, places)
    unknown = set(compared.unknown)
    for name, named in references.items():
        for kind, slug, where, node in named:
            if (name, kind, slug) in unknown:
                _place_unknown(nodes, compared, where, kind, node)
    for clash in compared.clashes:
        if clash.tag is None:
            node, first = places.unique[clash.article][clash.field], places.unique[clash.first][clash.field]
            value, line = reads[clash.article].unique[clash.field], first.start_mark.line + 1
            nodes.error(
                node,
                f"articles[{clash.article}].{clash.field}",
                Code.DUPLICATE_VALUE,
                f"duplicate Atom id '{value}' (first used at line {line}): an article's atom_id, or "
                "else its guid where that is an absolute IRI, is its entry's Atom id, which must be unique"
                if clash.field == "atom_id"
                else f"duplicate {clash.field} '{value}' (first used at line {line}); "
                f"{clash.field}s must be unique",
            )
        else:
            assert clash.first_tag is not None
            node = places.tags[clash.article][clash.tag]
            first = places.tags[clash.first][clash.first_tag]
            tag, first_tag = reads[clash.article].tags[clash.tag], reads[clash.first].tags[clash.first_tag]
            nodes.error(
                node,
                f"articles[{clash.article}].tags[{clash.tag}]",
                Code.FOLDER_CLASH,
                f"tags '{tag.name}' and '{first_tag.name}' (line {first.start_mark.line + 1}) "
                f"would both be written to feeds/tags/{tag.slug}/; spell them alike or rename one",
            )
    for lookalike in compared.lookalikes:
        assert lookalike.tag is not None and lookalike.first_tag is not None
        node = places.tags[lookalike.article][lookalike.tag]
        first = places.tags[lookalike.first][lookalike.first_tag]
        tag = reads[lookalike.article].tags[lookalike.tag]
        first_tag = reads[lookalike.first].tags[lookalike.first_tag]
        nodes.error(
            node,
            f"articles[{lookalike.article}].tags[{lookalike.tag}]",
            Code.LOOKALIKE_TAGS,
            f"tag '{tag.name}' looks like '{first_tag.name}' (line {first.start_mark.line + 1}) misspelt: "
            f"they make two tag feeds, feeds/tags/{tag.slug}/ and feeds/tags/{first_tag.slug}/; spell "
            f"them alike, or, if they are two tags, add [{first_tag.name}, {tag.name}] to site.distinct_tags",
        )
    for slug in compared.unused:
        key = definitions[slug][0]
        nodes.error(
            key,
            f"site.tags.{key.value}",
            Code.UNUSED_TAG,
            f"no article has the tag '{key.value}', so this entry is unused",
        )


def _place_author(nodes: Nodes, clash: AuthorClash, reads: Sequence[Read], places: Places) -> None:
    def where(article: int, author: int) -> tuple[str, yaml.Node]:
        """The author's place: its own, or the article's where it has the site's authors."""
        own = places.authors[article]
        return own[author] if own else (f"articles[{article}]", places.articles[article])

    def author(article: int, number: int) -> Author:
        valid = reads[article].article
        assert valid is not None  # only valid articles' authors are compared
        return valid.authors[number]

    at, node = where(clash.article, clash.author)
    line = where(clash.first, clash.first_author)[1].start_mark.line + 1
    this, first = author(clash.article, clash.author), author(clash.first, clash.first_author)
    if clash.uri:
        nodes.error(
            node,
            at,
            Code.AUTHOR_URIS_DIFFER,
            f"author '{this.name}' has the uri {this.uri}, but '{first.name}' (line {line}) has {first.uri}: "
            "they are taken for one author, with one feed; if they are two people, give each an 'id'",
        )
    else:
        # an author with an id is one with another only by the same id, whatever the names
        given = this.id or first.id
        advice = (
            "give one another 'id'"  # a Windows device name: 'con' is written as 'con-tag'
            if this.id and first.id
            else f"give the one without an 'id' one of its own (or, if they are one person, the id '{given}')"
            if given
            else "give one an 'id' (or, if they are one person, the same name)"
        )
        nodes.error(
            node,
            at,
            Code.FOLDER_CLASH,
            f"authors '{this.name}' and '{first.name}' (line {line}) would both be written to "
            f"feeds/authors/{f.author_slug(this)}/; {advice}",
        )


def _place_unknown(nodes: Nodes, compared: Across, where: str, kind: str, node: yaml.Node) -> None:
    """A tag or author a selection names that no article has, with the likeliest it meant."""
    known = (
        [tag.name for tag in compared.tags]
        if kind == "tags"
        else [author.id or author.name for author in compared.authors]  # what names each (see author_slug)
    )
    what = kind[:-1]
    # an author with an id is named by it alone: one named by its name is not unknown
    slug = f.tag_slug(node.value)
    ids = [a.id for a in compared.authors if a.id and kind == "authors" and f.tag_slug(a.name) == slug]
    if ids:
        expected = " or ".join(f"'{i}'" for i in ids)
        nodes.error(
            node,
            where,
            Code.UNKNOWN_REFERENCE,
            f"the author '{node.value}' has an id, which a selection names it by (expected {expected})",
        )
        return
    close = difflib.get_close_matches(node.value, known, n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        if close
        else f"no {what} has a name close to it;"
    )
    examples = ", ".join(known[:5]) + (", ..." if len(known) > 5 else "")
    nodes.error(
        node,
        where,
        Code.UNKNOWN_REFERENCE,
        f"no article has the {what} '{node.value}' ({hint} expected "
        + (f"one of: {examples})" if known else f"a {what} some article has; there is none)"),
    )


# -- podcasts --------------------------------------------------------------------------------


def _episode(nodes: Nodes, article: Article, node: yaml.Node, where: str, site: Site) -> None:
    """What directories ask of an article in a show (the site's podcast or one of its tags'):
    one enclosure they play, of a known length, at an address with its type's extension; a
    duration; a number for a full episode of a serial show; JPEG or PNG art."""
    shows = [show for show in (site.podcast, *(t.podcast for t in article.tags)) if show]
    if not shows:
        return
    if not article.enclosures:
        nodes.error(
            node,
            f"{where}.enclosures",
            Code.EPISODE_ENCLOSURE,
            "an episode of a podcast without 'enclosures': directories list no episode without its "
            "audio or video file",
        )
        return
    listed = _value(node, "enclosures")
    first = listed.value[0] if isinstance(listed, yaml.SequenceNode) else node
    enclosure = article.enclosures[0]
    at = f"{where}.enclosures[0]"
    if len(article.enclosures) > 1 and isinstance(listed, yaml.SequenceNode):
        nodes.error(
            listed.value[1],
            f"{where}.enclosures[1]",
            Code.EPISODE_ENCLOSURE,
            "an episode has one enclosure in RSS, the first: podcast apps see no other",
        )
    if enclosure.type not in directories.PLAYABLE:
        nodes.error(
            _value(first, "type"),
            f"{at}.type",
            Code.EPISODE_TYPE,
            f"'type': {enclosure.type} is not a type podcast directories play (expected one of: "
            f"{', '.join(directories.PLAYABLE)})",
        )
    elif not enclosure.url.lower().endswith(tuple(f".{e}" for e in directories.EXTENSIONS)):
        nodes.error(
            _value(first, "url"),
            f"{at}.url",
            Code.EPISODE_EXTENSION,
            f"'url': {enclosure.url} does not end in .{directories.PLAYABLE[enclosure.type]}, "
            "the extension podcast directories expect of its type",
        )
    if enclosure.length == 0:
        nodes.error(
            _value(first, "length"),
            f"{at}.length",
            Code.EPISODE_LENGTH,
            "'length': 0: directories show and check an episode's size; give the file's size in bytes",
        )
    if article.duration is None:
        nodes.error(
            node,
            f"{where}.duration",
            Code.EPISODE_DURATION,
            "an episode without 'duration': apps show its length from it",
        )
    full = article.episode_type in (None, "full")  # trailers and bonus episodes stand outside the order
    if full and article.episode is None and any(show.type == "serial" for show in shows):
        nodes.error(
            node,
            f"{where}.episode",
            Code.EPISODE_NUMBER,
            "a full episode of a serial podcast without an 'episode' number, which Apple Podcasts "
            "orders it by",
        )
    if article.image and not directories.ARTWORK_URL.fullmatch(article.image.url):
        nodes.error(
            _value(node, "image"),
            f"{where}.image",
            Code.EPISODE_ART,
            f"'image': {article.image.url} does not end in .jpg or .png: directories show it as no "
            "episode's art",
        )


def _value(node: yaml.Node, key: str) -> yaml.Node:
    """The value of `key` in the mapping `node`, or `node` if it has none."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), node)
    return node


@dataclass(frozen=True, slots=True)
class EpisodeClash:
    """Article `article`, in show `show`, has the episode number (`field` 'episode') of the
    same season, or the enclosure (`field` 'enclosures'), of article `first`."""

    article: int
    first: int
    show: str
    field: str


class Episodes:
    """The episodes of each show, by season and number and by enclosure, seen article by article."""

    def __init__(self, site_show: bool) -> None:
        self.site_show = site_show
        self.numbers: dict[tuple[str, int | None, int], int] = {}
        self.enclosures: dict[tuple[str, str], int] = {}
        self.clashes: list[EpisodeClash] = []

    def see(self, i: int, article: Article) -> None:
        shows = ([""] if self.site_show else []) + [f"tags/{t.slug}" for t in article.tags if t.podcast]
        for show in shows:
            if article.episode is not None:
                first = self.numbers.setdefault((show, article.season, article.episode), i)
                if first != i:
                    self.clashes.append(EpisodeClash(i, first, show, "episode"))
            if article.enclosures:
                first = self.enclosures.setdefault((show, article.enclosures[0].url), i)
                if first != i:
                    self.clashes.append(EpisodeClash(i, first, show, "enclosures"))


def _place_episode(nodes: Nodes, clash: EpisodeClash, places: Places) -> None:
    node = _value(places.articles[clash.article], clash.field)
    line = _value(places.articles[clash.first], clash.field).start_mark.line + 1
    show = f"the podcast of feeds/{clash.show}/" if clash.show else "the site's podcast"
    if clash.field == "episode":
        nodes.error(
            node,
            f"articles[{clash.article}].episode",
            Code.EPISODE_NUMBER_CLASH,
            f"episode number {node.value} is already that of the episode at line {line}, in the same season "
            f"of {show}: apps list one of them",
        )
    else:
        nodes.error(
            node,
            f"articles[{clash.article}].enclosures",
            Code.EPISODE_ENCLOSURE_CLASH,
            f"the same enclosure as the episode at line {line}, in {show}: Apple Podcasts lists only "
            "the first episode with a file's address",
        )
