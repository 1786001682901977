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
from feedpub.model import Article, Catalogue, Site
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
    return _catalogue(site, compared), problems


def _catalogue(site: Site, compared: rules.Across) -> Catalogue:
    return Catalogue(
        site,
        tuple(compared.tags),
        tuple(a for a in compared.articles if a is not None),
        tuple(compared.authors),
    )


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
    return Part(site, tuple(definitions), tuple(read.article for read in reads if read.article is not None))


def join(first: Part, *others: Part) -> Catalogue | None:
    """The catalogue of `first`'s articles, then each of the `others`', as `validate` reads
    it; None if the rules across articles find anything, which only reading the whole places."""
    if any(other.site != first.site for other in others):
        return None
    articles = first.articles + tuple(article for other in others for article in other.articles)
    compared = rules.across(
        [rules.Read.of(a) for a in articles],
        first.defined,
        first.site.feeds,
        first.site.distinct_tags,
        podcast=first.site.podcast is not None,
    )
    if not compared.clean:
        return None
    return _catalogue(first.site, compared)
