"""The catalogue's JSON Schema (draft 2020-12), for editors that complete and check YAML.

Made from the field tables `catalogue` validates with, so the two cannot drift apart. The
schema is a looser check than feedpub's: whatever it rejects, `feedpub check` rejects too
(YAML types a bare `no` or `42` that feedpub reads as text, so text fields accept them).
"""

from __future__ import annotations

import json
from typing import Any

from feedpub import catalogue as c

ID = "https://feedpub.invalid/schema/articles.schema.json"
TEXT = {"type": ["string", "number", "boolean"]}
URL = {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://\S"}
DATE = {"type": "string"}


def schema() -> dict[str, Any]:
    """The schema as a JSON-ready mapping."""
    author = _object(
        c.AUTHOR_FIELDS, {"name": TEXT, "email": {"type": "string"}, "uri": URL}, ["name"], "An author"
    )
    authors = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/author"}}
    tag = _object(
        c.TAG_FIELDS, {"title": TEXT, "description": TEXT}, [], "A tag feed's title and description"
    )
    image = _object(c.IMAGE_FIELDS, {"url": URL, "alt": TEXT}, ["url"], "An image")
    enclosure = _object(
        c.ENCLOSURE_FIELDS,
        {"url": URL, "length": {"type": "integer", "minimum": 0}, "type": {"type": "string"}},
        list(c.ENCLOSURE_FIELDS),
        "A file that goes with the article",
    )
    site = _object(
        c.SITE_FIELDS,
        {
            "title": TEXT,
            "link": URL,
            "feed_url": URL,
            "description": TEXT,
            "language": {"type": "string"},
            "timezone": {"type": "string"},
            "author": {"$ref": "#/$defs/author"},
            "authors": authors,
            "max_items": {
                "type": "integer",
                "minimum": c.MAX_ITEMS_RANGE[0],
                "maximum": c.MAX_ITEMS_RANGE[1],
            },
            "tags": {"type": "object", "additionalProperties": {"$ref": "#/$defs/tag"}},
            "id": {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9+.-]*:\S"},
            "websub_hub": URL,
            "archive": {"type": "boolean"},
        },
        list(c.REQUIRED_SITE),
        "The site",
    )
    article = _object(
        c.ARTICLE_FIELDS,
        {
            "id": {
                "anyOf": [
                    {"type": "string", "pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9._~-]{0,127}\s*$"},
                    {"type": "integer", "minimum": 0},
                ]
            },
            "title": TEXT,
            "link": URL,
            "published": DATE,
            "updated": DATE,
            "summary": TEXT,
            "content": TEXT,
            "tags": {"type": ["array", "null"], "items": TEXT},
            "author": {"$ref": "#/$defs/author"},
            "authors": authors,
            "draft": {"type": "boolean"},
            "image": {"anyOf": [URL, {"$ref": "#/$defs/image"}]},
            "enclosures": {"type": "array", "items": {"$ref": "#/$defs/enclosure"}},
            "guid": {"type": ["string", "number", "boolean"], "pattern": r"^\s*\S+\s*$"},
            "atom_id": {"type": "string", "pattern": r"^\s*[A-Za-z][A-Za-z0-9+.-]*:\S+\s*$"},
        },
        list(c.REQUIRED_ARTICLE),
        "An article",
    )
    for block in (site, article):
        block["not"] = {"required": ["author", "authors"]}  # one or the other
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": "feedpub catalogue (articles.yaml)",
        "description": "The articles a site publishes as feeds with feedpub.",
        "type": "object",
        "properties": {
            "site": {"$ref": "#/$defs/site", "description": c.TOP_FIELDS["site"]},
            "articles": {
                "type": ["array", "null"],
                "items": {"$ref": "#/$defs/article"},
                "description": c.TOP_FIELDS["articles"],
            },
        },
        "required": list(c.TOP_FIELDS),
        "additionalProperties": False,
        "$defs": {
            "site": site,
            "article": article,
            "author": author,
            "tag": tag,
            "image": image,
            "enclosure": enclosure,
        },
    }


def text() -> str:
    """The schema as written to schema/articles.schema.json."""
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _object(fields: dict[str, str], types: dict[str, Any], required: list[str], title: str) -> dict[str, Any]:
    assert set(types) == set(fields), "every field the catalogue knows has a type here"
    return {
        "type": "object",
        "title": title,
        "properties": {name: {**types[name], "title": name, "description": fields[name]} for name in fields},
        "required": required,
        "additionalProperties": False,
    }
