"""The catalogue's JSON Schema (draft 2020-12), for editors that complete and check YAML.

Made from the field tables the catalogue is read with (`catalogue.fields`), so the two
cannot drift apart. The schema is a looser check than feedpub's: whatever it rejects,
`feedpub check` rejects too (YAML types a bare `no` or `42` that feedpub reads as text, so
text fields accept them).
"""

from __future__ import annotations

import json
from typing import Any

from feedpub.catalogue import fields
from feedpub.catalogue.nodes import Table

ID = "https://feedpub.invalid/schema/articles.schema.json"
FILE = "articles.schema.json"
"""The name `feedpub init` writes the schema under, beside the catalogue that points at it."""
_TITLES = {
    "site": "The site",
    "article": "An article",
    "author": "An author",
    "tag": "A tag feed's title and description",
    "image": "An image",
    "enclosure": "A file that goes with the article",
    "selection": "A named feed: the articles it includes and excludes",
    "include": "What an article must match, one of each list given",
    "exclude": "What an article may not match",
    "podcast": "What makes the RSS feeds a podcast's, as directories read them",
    "owner": "Who directories write to about the show",
    "funding": "Where listeners support the show",
    "transcript": "An episode's transcript",
}


def schema() -> dict[str, Any]:
    """The schema as a JSON-ready mapping."""
    definitions = {name: _object(table, _TITLES[name]) for name, table in fields.RECORDS.items()}
    for name in ("site", "article"):
        definitions[name]["not"] = {"required": ["author", "authors"]}  # one or the other
    top = _object(fields.TOP, "feedpub catalogue (articles.yaml)")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        **top,
        "description": "The articles a site publishes as feeds with feedpub.",
        "$defs": definitions,
    }


def text() -> str:
    """The schema as written to schema/articles.schema.json."""
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _object(table: Table, title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "properties": {
            f.name: {**f.kind.schema, "title": f.name, "description": f.description}
            | ({} if f.default in (None, ()) else {"default": f.default})
            for f in table.fields
        },
        "required": [f.name for f in table.fields if f.required],
        "additionalProperties": False,
    }
