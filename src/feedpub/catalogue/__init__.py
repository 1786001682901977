"""YAML nodes → the typed model, collecting every problem on the way.

`nodes` reads typed values from YAML nodes, `fields` describes every field once, `rules`
holds the site's and articles' rules and those across articles, `screen` the characters no
field may hold. A catalogue is read whole (`validate`), or in parts that are joined (`part`,
`join`): both run the rules across articles once over the whole list of articles.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from feedpub.catalogue import fields, rules
from feedpub.catalogue.fields import LANGUAGE_TAG, MIME_TYPE, tag_key, tag_slug
from feedpub.catalogue.nodes import END_TAG, INVALID, Nodes
from feedpub.catalogue.screen import screened, unfit_character
from feedpub.model import Article, Catalogue, Place, Site
from feedpub.parallel import pickled_by_value
from feedpub.problems import Code, Problem, has_errors, ordered

__all__ = [
    "END_TAG",
    "LANGUAGE_TAG",
    "MIME_TYPE",
    "Part",
    "join",
    "part",
    "screened",
    "tag_key",
    "tag_slug",
    "unfit_character",
    "validate",
    "whole",
]


def validate(
    root: yaml.MappingNode, path: str, *, screened: bool = False
) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue if it has no errors, and every problem found, sorted by place.
    `screened`: the document's bytes passed `screened`, so no field is checked for the
    characters it looked for."""
    nodes = Nodes(path, screened=screened)
    try:
        site, definitions, references, reads, places = _read(nodes, root)
        compared = rules.across(
            reads,
            list(definitions),
            site.feeds if site else (),
            site.distinct_tags if site else (),
            podcast=bool(site and site.podcast),
        )
        rules.place(nodes, compared, reads, places, definitions, references)
    except RecursionError:
        nodes.error(root, "", Code.TOO_DEEP, "merge keys are nested too deeply")
        site = None
    problems = ordered(nodes.problems)
    if site is None or has_errors(problems):
        return None, problems
    return _catalogue(site, compared, *_places(root, site)), problems


def _catalogue(site: Site, compared: rules.Across, places: tuple[Place, ...], budget: Place) -> Catalogue:
    return Catalogue(
        site,
        tuple(compared.tags),
        tuple(a for a in compared.articles if a is not None),
        tuple(compared.authors),
        places,
        budget,
    )


def _places(root: yaml.MappingNode, site: Site) -> tuple[tuple[Place, ...], Place]:
    """Where each article starts, and where site.max_bytes is, if it is given (nothing is
    placed otherwise: only what it leaves out is reported after reading)."""
    if site.max_bytes is None:
        return (), (1, 1)
    articles = _child(root, "articles")
    budget = _child(_child(root, "site"), "max_bytes")
    items = articles.value if isinstance(articles, yaml.SequenceNode) else []
    return tuple(_place(item) for item in items), _place(budget)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of `key` in the mapping at `node`, if it is one and holds it."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == key), None)


def _place(node: yaml.Node | None) -> Place:
    return (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)


def _read(
    nodes: Nodes, root: yaml.MappingNode
) -> tuple[Site | None, rules.Definitions, rules.References, list[rules.Read], rules.Places]:
    top = nodes.mapping(root, "", fields.TOP)
    assert top is not INVALID  # load gives a mapping
    site, definitions, references = rules.site(nodes, top["site"]) if "site" in top else (None, {}, {})
    reads, places = rules.articles(nodes, top.get("articles"), site, rules.Tags(definitions))
    return site, definitions, references, reads, places


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Part:
    """The site and a run of the articles of a catalogue, each read without a problem."""

    site: Site
    defined: tuple[str, ...]
    """Slugs of the tags the site defines."""
    articles: tuple[Article, ...]
    places: tuple[Place, ...]
    """Where each article starts, if site.max_bytes is given (see `Catalogue.places`)."""
    budget: Place


def part(root: yaml.MappingNode, path: str, *, screened: bool = False) -> Part | None:
    """What a part of a catalogue holds, if reading it found no problem at all (None
    otherwise: only the whole catalogue, read at once, places problems right). The rules
    across articles are left to `join`."""
    nodes = Nodes(path, screened=screened)
    try:
        site, definitions, _, reads, _ = _read(nodes, root)
    except RecursionError:
        return None
    if nodes.problems or site is None:
        return None
    articles = tuple(read.article for read in reads if read.article is not None)
    return Part(site, tuple(definitions), articles, *_places(root, site))


def join(first: Part, second: Part, shift: int) -> Catalogue | None:
    """The catalogue of `first`'s articles, then `second`'s, as `validate` reads it; None if
    the rules across articles find anything, which only reading the whole places. `second`'s
    articles start `shift` lines further down in the whole than in their part."""
    if first.site != second.site:
        return None
    places = first.places + tuple((line + shift, column) for line, column in second.places)
    return whole(Part(first.site, first.defined, first.articles + second.articles, places, first.budget))


def whole(part: Part) -> Catalogue | None:
    """The catalogue of `part`'s articles, if they are all the catalogue's, as `validate`
    reads it; None if the rules across articles find anything."""
    compared = rules.across(
        [rules.Read.of(a) for a in part.articles],
        part.defined,
        part.site.feeds,
        part.site.distinct_tags,
        podcast=part.site.podcast is not None,
    )
    return _catalogue(part.site, compared, part.places, part.budget) if compared.clean else None
