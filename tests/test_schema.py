"""The catalogue's JSON Schema: generated from feedpub's own field tables, valid draft 2020-12,
and never stricter than feedpub: what it rejects, `feedpub check` rejects too."""

from __future__ import annotations

import datetime
import json
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from conftest import ROOT, article, catalogue_text, feedpub, parse, scaled
from feedpub import schema
from feedpub.catalogue import fields
from test_catalogue import mutated

COMMITTED = ROOT / "schema" / "articles.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(schema.schema())


def plain(data: Any) -> Any:
    """YAML data as an editor's YAML language server hands it to a JSON Schema: dates as text."""
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def schema_errors(text: str) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(plain(yaml.safe_load(text)))]


def test_the_committed_schema_is_what_feedpub_generates() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema.text(), (
        "run: feedpub schema > schema/articles.schema.json"
    )
    assert feedpub("schema", cwd=ROOT).stdout == schema.text()


def test_the_schema_is_draft_2020_12_and_describes_every_field() -> None:
    jsonschema.Draft202012Validator.check_schema(schema.schema())
    definitions = schema.schema()["$defs"]
    assert set(definitions) == set(fields.RECORDS)
    for name, table in fields.RECORDS.items():
        properties = definitions[name]["properties"]
        assert list(properties) == table.names
        assert all(p["title"] and p["description"] for p in properties.values())


def test_the_sample_points_editors_at_the_schema_and_passes_it() -> None:
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schema/articles.schema.json\n")
    assert schema_errors(text) == []


@pytest.mark.parametrize(
    "text",
    [
        catalogue_text(article("a1", "titel: x")),
        catalogue_text(article(title=None)),
        catalogue_text(article(link="ftp://example.org/a1")),
        catalogue_text(article("a1", "draft: 'yes'")),
        catalogue_text(article("a1", "author: {name: A}", "authors: [{name: B}]")),
        catalogue_text(
            article("a1", "enclosures: [{url: 'https://cdn.example.org/a', length: -1, type: a/b}]")
        ),
    ],
)
def test_what_the_schema_rejects_feedpub_rejects(text: str) -> None:
    assert schema_errors(text)
    assert parse(text)[0] is None


@settings(max_examples=scaled(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_schema_is_never_stricter_than_feedpub(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    if schema_errors(text):
        assert parse(text)[0] is None, (
            json.dumps(plain(data), ensure_ascii=False)[:500],
            schema_errors(text),
        )
