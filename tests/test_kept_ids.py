"""Kept ids: the `guid` and `atom_id` an old feed gave an article, validated like `id`, and
the format each goes into: RSS and JSON Feed carry the guid, Atom the atom_id or an IRI guid."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import NOW, ROOT, article, catalogue_text, parse, valid
from feedpub import catalogue, load
from feedpub.catalogue import fields
from feedpub.importer import catalogue_file
from feedpub.importer.mapping import Draft
from feedpub.problems import Severity
from feedpub.render import render
from feedpub.render.plan import entry_id
from feedpub.verify import verify_document
from feedpub.verify.common import canonical_uri
from test_schema import schema_errors

LONGEST = "g" * fields.MAX_GUID

RULES = [
    # (what, catalogue, line:col, words in the message)
    (
        "guid with white space",
        catalogue_text(article("a1", "guid: 'post 12'")),
        "12:11",
        ["'guid': 'post 12' contains white space", "without white space", "at most 2048"],
    ),
    (
        "guid too long",
        catalogue_text(article("a1", f"guid: {LONGEST}g")),
        "12:11",
        ["'guid'", "is 2,049 characters long", "at most 2048"],
    ),
    ("empty guid", catalogue_text(article("a1", "guid: ''")), "12:11", ["'guid' is empty"]),
    (
        "guid with a control character",
        catalogue_text(article("a1", 'guid: "a\\x01b"')),
        "12:11",
        ["'guid'", "U+0001"],
    ),
    (
        "guid that is a mapping",
        catalogue_text(article("a1", "guid: {a: b}")),
        "12:11",
        ["'guid' must be text"],
    ),
    (
        "duplicate guid",
        catalogue_text(article("a1", "guid: p12"), article("a2", "guid: p12")),
        "17:11",
        ["duplicate guid 'p12' (first used at line 12)", "must be unique"],
    ),
    (
        "relative atom_id",
        catalogue_text(article("a1", "atom_id: /2023/12/post")),
        "12:14",
        ["'atom_id': '/2023/12/post' is not valid", "absolute IRI", "Atom requires one"],
    ),
    (
        "atom_id with white space",
        catalogue_text(article("a1", "atom_id: 'tag:example.org,2023:a b'")),
        "12:14",
        ["'atom_id'", "is not valid", "absolute IRI"],
    ),
    (
        "duplicate atom_id",
        catalogue_text(
            article("a1", "atom_id: 'tag:example.org,2023:1'"),
            article("a2", "atom_id: 'tag:example.org,2023:1'"),
        ),
        "17:14",
        ["duplicate Atom id 'tag:example.org,2023:1' (first used at line 12)"],
    ),
]


@pytest.mark.parametrize(("what", "text", "where", "words"), RULES, ids=[r[0] for r in RULES])
def test_kept_id_rule_reports_place_and_what_is_valid(
    what: str, text: str, where: str, words: list[str]
) -> None:
    found, problems = parse(text)
    assert found is None
    (message,) = [str(p) for p in problems if p.severity is Severity.ERROR]
    assert message.startswith(f"articles.yaml:{where}: error: "), message
    for word in words:
        assert word in message


KEPT = [
    # (fields as written, (guid, atom_id) as read)
    (["guid: https://example.org/?p=12"], ("https://example.org/?p=12", None)),
    (["guid: 5f3a1b2c9d0e8f7a6b5c4d3e"], ("5f3a1b2c9d0e8f7a6b5c4d3e", None)),
    (["guid: 12"], ("12", None)),  # YAML's integer, read as the text it is
    (["guid: '  spaced-around  '"], ("spaced-around", None)),
    ([f"guid: {LONGEST}"], (LONGEST, None)),
    (
        ["guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a'"],
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", None),
    ),
    (["atom_id: 'tag:example.org,2003:3.2397'"], (None, "tag:example.org,2003:3.2397")),
    (
        ["guid: https://example.org/?p=1", "atom_id: https://example.org/?p=1"],
        ("https://example.org/?p=1", "https://example.org/?p=1"),
    ),
    (
        ["guid: '12'", "atom_id: 'https://example.org/2023/12/post'"],
        ("12", "https://example.org/2023/12/post"),
    ),
    ([], (None, None)),
]


@pytest.mark.parametrize(("fields", "kept"), KEPT)
def test_kept_ids_are_read_as_written(fields: list[str], kept: tuple[str | None, str | None]) -> None:
    (read,) = valid(catalogue_text(article("a1", *fields))).articles
    assert (read.guid, read.atom_id) == kept


def test_a_guid_may_be_another_articles_atom_id_only_if_it_is_not_its_own_atom_id() -> None:
    # what one article's RSS guid was may be what another's Atom id was, but a guid that is
    # an absolute IRI is also the entry's Atom id unless atom_id says otherwise
    a1 = article("a1", "guid: 'https://example.org/?p=1'", "atom_id: 'tag:example.org,2023:1'")
    found = valid(catalogue_text(a1, article("a2", "guid: 'x2'", "atom_id: 'https://example.org/?p=1'")))
    assert [(a.guid, a.atom_id) for a in found.articles] == [
        ("https://example.org/?p=1", "tag:example.org,2023:1"),
        ("x2", "https://example.org/?p=1"),
    ]


def part(text: str) -> catalogue.Part:
    root, problems = load.parse(text.encode(), "articles.yaml")
    assert root is not None, problems
    found = catalogue.part(root, "articles.yaml")
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("guid: g1", "guid: g2", True),
        ("guid: g1", "guid: g1", False),
        ("atom_id: 'tag:a,2024:1'", "atom_id: 'tag:a,2024:1'", False),
        ("guid: 'tag:a,2024:1'", "atom_id: 'tag:a,2024:1'", False),  # both the Atom id
        ("guid: 'a-1'", "atom_id: 'tag:a-1'", True),
    ],
)
def test_two_parts_read_at_once_are_joined_only_without_a_kept_id_in_both(
    first: str, second: str, joined: bool
) -> None:
    # a duplicate across the parts is left to reading the whole, which places the problem
    head, tail = part(catalogue_text(article("a1", first))), part(catalogue_text(article("a2", second)))
    assert (catalogue.join(head, tail, 0) is not None) is joined


@pytest.mark.parametrize(
    ("fields", "schema_refuses"),
    [
        ("guid: 'a b'", True),
        ("guid: null", True),
        ("guid: [a]", True),
        ("atom_id: 12", True),
        ("atom_id: /relative", True),
        ("atom_id: 'tag:a b'", True),
        ("atom_id: 2024-01-01", True),
        ("guid: ''", True),
        (f"guid: {LONGEST}g", False),  # the schema is looser: check refuses it
        ("guid: https://example.org/?p=1", False),
        ("atom_id: 'tag:example.org,2024:1'", False),
    ],
)
def test_the_schema_is_never_stricter_than_feedpub_on_kept_ids(fields: str, schema_refuses: bool) -> None:
    text = catalogue_text(article("a1", fields))
    assert bool(schema_errors(text)) is schema_refuses
    if schema_refuses:
        assert parse(text)[0] is None


# -- rendering: which id each format carries ----------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
LINK = "https://example.org/a1"
UUID = "urn:uuid:"


def ids(*fields: str) -> tuple[tuple[str, str | None], str, str]:
    """(RSS guid and its isPermaLink, Atom id, JSON Feed id) of one article with `fields`."""
    files = render(valid(catalogue_text(article("a1", *fields))), NOW)
    (guid,) = etree.fromstring(files["rss.xml"]).findall("channel/item/guid")
    (atom,) = etree.fromstring(files["atom.xml"]).findall(f"{ATOM}entry/{ATOM}id")
    (item,) = json.loads(files["feed.json"])["items"]
    return (guid.text, guid.get("isPermaLink")), atom.text, item["id"]


def test_without_kept_ids_an_entry_keeps_todays_name_based_uuid_everywhere() -> None:
    own = entry_id(valid(catalogue_text()).site, "a1")
    assert own.startswith(UUID)
    assert ids() == ((own, "false"), own, own)


@pytest.mark.parametrize(
    ("fields", "rss", "atom", "json_id"),
    [
        # WordPress: the guid is an address, but not the article's: not a permalink
        (
            ["guid: https://example.org/?p=12"],
            ("https://example.org/?p=12", "false"),
            "https://example.org/?p=12",
            "https://example.org/?p=12",
        ),
        # Hugo: the guid is the article's own link, a permalink as RSS's default has it
        ([f"guid: {LINK}"], (LINK, "true"), LINK, LINK),
        # Ghost: a bare hexadecimal id, which cannot be an Atom id
        (
            ["guid: 5f3a1b2c9d0e8f7a6b5c4d3e"],
            ("5f3a1b2c9d0e8f7a6b5c4d3e", "false"),
            "own",
            "5f3a1b2c9d0e8f7a6b5c4d3e",
        ),
        # old RSS and Atom feeds that used different ids: each format keeps its own
        (
            ["guid: '12'", "atom_id: 'tag:example.org,2023:12'"],
            ("12", "false"),
            "tag:example.org,2023:12",
            "12",
        ),
        (["atom_id: 'tag:example.org,2023:12'"], ("own", "false"), "tag:example.org,2023:12", "own"),
    ],
)
def test_kept_ids_go_where_old_readers_look_for_them(
    fields: list[str], rss: tuple[str, str], atom: str, json_id: str
) -> None:
    own = entry_id(valid(catalogue_text()).site, "a1")
    expected = (
        (own if rss[0] == "own" else rss[0], rss[1]),
        own if atom == "own" else atom,
        own if json_id == "own" else json_id,
    )
    assert ids(*fields) == expected


def test_feedparser_reads_the_kept_ids_back() -> None:
    text = catalogue_text(
        article("a1", "guid: https://example.org/?p=1"),
        article("a2", "guid: '2'", "atom_id: 'tag:example.org,2023:2'"),
    )
    files = render(valid(text), NOW)
    by_format = {
        name: [e.id for e in feedparser.parse(files[name]).entries] for name in ("rss.xml", "atom.xml")
    }
    # feedparser 6 does not read JSON Feed
    by_format["feed.json"] = [item["id"] for item in json.loads(files["feed.json"])["items"]]
    assert by_format == {
        "rss.xml": ["2", "https://example.org/?p=1"],
        "atom.xml": ["tag:example.org,2023:2", "https://example.org/?p=1"],
        "feed.json": ["2", "https://example.org/?p=1"],
    }


def test_the_sample_feeds_do_not_change() -> None:
    # the sample has no kept ids: every feed feedpub wrote before kept ids existed is the same
    sample = valid((ROOT / "articles.yaml").read_text(encoding="utf-8"))
    files = render(sample, NOW)
    committed = {
        str(p.relative_to(ROOT / "feeds")): p.read_bytes() for p in (ROOT / "feeds").rglob("[!.]*.*")
    }
    assert files.keys() == committed.keys()
    assert [path for path in files if files[path] != committed[path]] == []


# -- verify: kept ids are judged as the W3C validator judges them -------------------------------


@pytest.mark.parametrize(
    ("uri", "canonical"),
    [
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"),
        ("https://example.org/?p=12", "https://example.org/?p=12"),
        ("tag:example.org,2003:3.2397", "tag:example.org,2003:3.2397"),
        ("https://example.org/a%20b", "https://example.org/a%20b"),
        ("URN:UUID:1225C695", "urn:UUID:1225C695"),
        ("HTTP://Example.ORG:80/a/./b/../c", "http://example.org/a/c"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org:8080/", "http://example.org:8080/"),
        ("https://example.org/caf%c3%a9", "https://example.org/caf%C3%A9"),
        ("https://example.org/%7Euser", "https://example.org/~user"),
        ("https://example.org/?q=a%20b", "https://example.org/?q=a+b"),
        ("mailto:Jane@EXAMPLE.org", "mailto:Jane@example.org"),
        ("https://example.org/café", None),
        ("https://example.org/%ff", None),
    ],
)
def test_canonical_form_is_the_w3c_validators(uri: str, canonical: str | None) -> None:
    assert canonical_uri(uri) == canonical


def test_feeds_with_kept_ids_pass_verify() -> None:
    text = catalogue_text(
        article("a1", "guid: https://example.org/?p=1"),
        article("a2", "guid: 5f3a1b2c9d0e8f7a6b5c4d3e"),
        article("a3", "guid: 'post-3'", "atom_id: 'tag:example.org,2023:3'", published="2024-01-03"),
        article("a4", "guid: https://example.org/a4", published="2024-01-04"),
    )
    files = render(valid(text), NOW)
    for path in ("rss.xml", "atom.xml"):
        assert verify_document(files[path], path, path, NOW) == [], path


def test_a_kept_guid_of_a_few_digits_draws_the_w3c_warning_it_drew_before() -> None:
    # the old feed had it; changing it would show the entry again, so it is kept as it was
    files = render(valid(catalogue_text(article("a1", "guid: '1234'"))), NOW)
    problems = verify_document(files["rss.xml"], "rss.xml", "rss.xml", NOW)
    assert [p.message for p in problems] == [
        "<guid>: guid is not sufficiently unique [NotSufficientlyUnique]"
    ]


def test_a_guid_that_is_another_articles_atom_id_is_refused() -> None:
    # both would be the Atom <id> of an entry, and Atom ids must be unique
    found, problems = parse(
        catalogue_text(
            article("a1", "atom_id: 'https://example.org/?p=1'"),
            article("a2", "guid: https://example.org/?p=1"),
        )
    )
    assert found is None
    assert [(p.line, p.col) for p in problems] == [(17, 11)]
    assert "duplicate Atom id 'https://example.org/?p=1' (first used at line 12)" in problems[0].message


@pytest.mark.parametrize("field", ["guid", "atom_id"])
def test_an_imported_entry_with_the_id_of_another_is_already_there_not_skipped(
    tmp_path: Path, field: str
) -> None:
    # the second entry's guid or atom_id is the first's Atom id (its guid, an absolute IRI)
    path = tmp_path / "articles.yaml"
    path.write_text(catalogue_text(), encoding="utf-8")
    drafts = [
        Draft(
            f"feed.xml:{n}",
            name,
            {"id": name, "title": name, "link": f"https://example.org/{name}", "published": "2024-01-01"}
            | {key: "tag:example.org,2024:1"},
        )
        for n, (name, key) in enumerate([("one", "guid"), ("two", field)])
    ]
    settled = catalogue_file.settle(catalogue_file.read(path), None, drafts, lambda line: None)
    assert ([d.fields["id"] for d in settled.written], settled.skipped, settled.already) == (["one"], [], 1)
