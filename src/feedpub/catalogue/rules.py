"""The catalogue's rules: the site, each article on its own, and the rules that look
across articles, which run once over the whole list however the catalogue was read."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from feedpub.catalogue import fields as f
from feedpub.catalogue.nodes import INVALID, Invalid, Nodes, is_null, kind_of
from feedpub.model import Article, Author, Site, Tag

Definitions = dict[str, tuple[yaml.Node, str | None, str | None]]
"""site.tags: each defined tag's key node, title and description, by slug."""


def site(nodes: Nodes, node: yaml.Node) -> tuple[Site | None, Definitions]:
    """The site (None if invalid) and its tag definitions. Sets the time zone that dates
    without an offset are read in."""
    values = nodes.mapping(node, "site", f.SITE)
    if values is INVALID:
        return None, {}
    read: dict[str, Any] = {}
    for name in f.SITE.names:  # the time zone first: dates depend on it
        if name not in ("author", "authors"):
            read[name] = nodes.field(values, f.SITE[name], "site")
    if read["timezone"] is not INVALID:
        nodes.tz = zoneinfo.ZoneInfo(read["timezone"])
    authors = _authors(nodes, values, "site")
    definitions = read["tags"] if isinstance(read["tags"], dict) else {}
    read.pop("tags")  # its problems are reported; articles are read with what is valid of it
    if INVALID in read.values() or authors is INVALID or any(read[f.name] is None for f in f.SITE.required):
        return None, definitions
    feed_url = read["feed_url"]
    return Site(
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
    ), definitions


def _authors(nodes: Nodes, values: Mapping[str, yaml.Node], where: str) -> tuple[Author, ...] | Invalid:
    """Authors from `author` or `authors`: () if neither is given."""
    if "author" in values and "authors" in values:
        nodes.error(values["authors"], f"{where}.authors", "give either 'author' or 'authors', not both")
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
            nodes.error(node, where, problem)
            return INVALID
        slug = f.tag_slug(name)
        _, title, description = self.definitions.get(slug, (None, None, None))
        tag = self.by_text[node.value] = Tag(slug, name, title, description)
        return tag


_FIELDS = [field for field in f.ARTICLE.fields if field.name not in ("author", "authors")]
"""An article's fields but its authors (read with the site's in mind)."""
_DEFAULTS: dict[str, Any] = {field.name: field.default for field in _FIELDS}
_KINDS = {field.name: field.kind for field in _FIELDS}
_REQUIRED = frozenset(field.name for field in f.ARTICLE.required)


def article(
    nodes: Nodes, node: yaml.Node, where: str, site: Site | None, tags: Tags
) -> tuple[Read, dict[str, yaml.Node], list[yaml.Node]]:
    """The article at `node` read on its own, with the nodes of its unique fields and of
    its tags."""
    values = nodes.mapping(node, where, f.ARTICLE)
    if values is INVALID:
        return Read(None, {}, ()), {}, []
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
            f"'updated' ({updated.isoformat()}) is before 'published' ({published.isoformat()})",
        )
        read["updated"] = INVALID
    authors = _authors(nodes, values, where)
    if authors == () and site is not None:
        authors = site.authors
        if not authors:
            nodes.error(
                node,
                f"{where}.author",
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
        return Read(None, unique, article_tags), unique_nodes, tag_nodes
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
    )
    return Read(made, unique, article_tags), unique_nodes, tag_nodes


def articles(
    nodes: Nodes, node: yaml.Node | None, site: Site | None, tags: Tags
) -> tuple[list[Read], Places]:
    reads: list[Read] = []
    places = Places()
    if node is None or is_null(node):
        return reads, places
    if not isinstance(node, yaml.SequenceNode):
        nodes.error(node, "articles", f"'articles' must be a list, not a {kind_of(node)}")
        return reads, places
    for i, item in enumerate(node.value):
        read, unique_nodes, tag_nodes = article(nodes, item, f"articles[{i}]", site, tags)
        reads.append(read)
        places.unique.append(unique_nodes)
        places.tags.append(tag_nodes)
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

    @property
    def clean(self) -> bool:
        return not self.clashes and not self.unused


def across(reads: Sequence[Read], defined: Sequence[str]) -> Across:
    """The rules that look across articles: ids (and kept ids) are unique; spellings of one tag (see
    `tag_key`) are one tag, named by the first; two different tags may not share a folder;
    every tag the site defines is used. One pass, in catalogue order."""
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
                by_name[tag.name] = known
            named.append(known)
        article = read.article
        if article is not None and (
            len(named) != len(article.tags)
            or any(k is not t for k, t in zip(named, article.tags, strict=True))
        ):
            # another spelling, or the same tag twice: each tag once, as first spelt (tags
            # that the other process of a reading in two parts made are equal, not the same)
            tags = tuple({id(k): k for k in named}.values())
            if tags != article.tags:
                article = replace(article, tags=tags)
        articles.append(article)
    used = {tag.slug for tag in by_key.values()}
    return Across(list(by_key.values()), articles, clashes, [s for s in defined if s not in used])


def place(
    nodes: Nodes, found: Across, reads: Sequence[Read], places: Places, definitions: Definitions
) -> None:
    """Report what `across` found, at the places the articles were read from."""
    for clash in found.clashes:
        if clash.tag is None:
            node, first = places.unique[clash.article][clash.field], places.unique[clash.first][clash.field]
            value, line = reads[clash.article].unique[clash.field], first.start_mark.line + 1
            nodes.error(
                node,
                f"articles[{clash.article}].{clash.field}",
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
                f"tags '{tag.name}' and '{first_tag.name}' (line {first.start_mark.line + 1}) "
                f"would both be written to feeds/tags/{tag.slug}/; spell them alike or rename one",
            )
    for slug in found.unused:
        key = definitions[slug][0]
        nodes.error(
            key,
            f"site.tags.{key.value}",
            f"no article has the tag '{key.value}', so this entry is unused",
            warning=True,
        )
