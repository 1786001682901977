"""`feedpub import` with hostile input: the YAML it writes reads back as exactly the text
meant, by feedpub and by other YAML readers; what it fetches stays where the user pointed."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import feedpub
from feedpub import load
from feedpub.importer import yaml_text
from feedpub.importer.mapping import Draft

# -- the YAML written: every scalar reads back as its text, by feedpub and by PyYAML -------------

# Text YAML 1.1 or 1.2 readers take for something else, or that YAML cannot hold as it is.
SPECIALS = [
    *("<<", "=", "~", "null", "NULL", "", " ", "y", "Y", "n", "N", "no", "NO", "yes", "On", "off"),
    *("true", "False", "1", "-1", "+1", "017", "1.5", ".5", "1e3", "1E-3", "0x10", "0o17", "0b101"),
    *("1_000", "1:30", "1:30:00", "1:30.5", ".inf", "-.Inf", ".nan", "2024-01-02", "2024-01-02 10:00:00"),
    *("- a", "-", "? a", "?", ": a", ":", "a:", "#a", "a #b", "a: b", "%TAG", "@a", "`a", "!a", "&a"),
    *("*a", "|", ">", "'a", '"a', "[a]", "{a}", "a,b", "---", "...", "--- a", "\ufeffa", "a\x85b"),
    *("a\u2028b", "a\u2029b", "a\tb", "\ta", "a\t", "a ", " a", "a\rb", "\r", "a\r\n", "\n", "a\n"),
    *("a\n\n", "\n a", "  <pre>  x  \n  y  </pre>", "\x00", "\x7f", "\x9f", "\ufffe", "\uffff", "é"),
]
CHARACTERS = st.one_of(
    st.characters(blacklist_categories=["Cs"]),  # a lone surrogate is not text: no reader makes one
    st.sampled_from(" \t\n\r\x85\u2028\u2029\ufeff:#-?,[]{}'\"!&*|>%@`<=~"),
)
TEXT = st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(CHARACTERS, max_size=8)), max_size=4).map(
    "".join
)
PERSON = st.fixed_dictionaries({"name": TEXT}, optional={"email": TEXT, "uri": TEXT})


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    """An article with every field the import writes, each holding any text, and notes."""
    fields: dict[str, Any] = {"id": draw(TEXT), "title": draw(TEXT), "link": draw(TEXT)}
    for name in ("guid", "atom_id", "summary", "content", "image"):
        if draw(st.booleans()):
            fields[name] = draw(TEXT)
    fields["tags"] = draw(st.lists(TEXT, max_size=3))
    if draw(st.booleans()):
        fields["authors"] = draw(st.lists(PERSON, min_size=1, max_size=2))
    else:
        fields["author"] = draw(PERSON)
    enclosure = st.fixed_dictionaries({"url": TEXT, "length": st.integers(0, 10**12), "type": TEXT})
    fields["enclosures"] = draw(st.lists(enclosure, min_size=1, max_size=2))
    fields["draft"] = draw(st.booleans())
    notes = draw(st.dictionaries(st.sampled_from(["", *fields]), st.lists(TEXT, max_size=2), max_size=3))
    return Draft("feed.xml:1", "label", fields, notes)


def as_text(node: yaml.Node) -> Any:
    """What feedpub's reader sees: every scalar as its text, whatever YAML 1.1 would make of it."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: as_text(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [as_text(item) for item in node.value]
    return node.value


def texts(value: Any) -> Any:
    """`value` with every leaf as the text the import writes for it."""
    if isinstance(value, dict):
        return {k: texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [texts(item) for item in value]
    return str(value).lower() if isinstance(value, bool) else str(value)


def read_back(document: str) -> tuple[Any, Any]:
    """`document` as PyYAML's safe_load reads it and as feedpub's reader sees it."""
    root, problems = load.parse(document.encode(), "articles.yaml")
    assert root is not None, [str(p) for p in problems]
    return yaml.safe_load(document), as_text(root)


@given(drafts(), st.sampled_from(["", "  ", "    "]))
@example(Draft("f:1", "l", {"id": "<<", "title": "<<", "link": "=", "tags": ["<<", "y"]}), "  ")
@example(Draft("f:1", "l", {"id": "a", "content": "  <pre>  x  \n  y</pre>  "}), "  ")
@example(Draft("f:1", "l", {"id": "a", "content": "\n\n <pre>x\n</pre>\n\n\n"}), "")
def test_every_scalar_the_import_writes_reads_back_as_its_text(draft: Draft, dash: str) -> None:
    document = "articles:\n" + yaml_text.article(draft, dash)
    loaded, seen = read_back(document)
    assert loaded == {"articles": [draft.fields]}, document
    assert seen == {"articles": [texts(draft.fields)]}, document


@given(
    st.dictionaries(st.sampled_from(["title", "link", "feed_url", "description", "language"]), TEXT),
    st.lists(PERSON, min_size=1, max_size=2),
    st.dictionaries(st.sampled_from(["title", "author", "link"]), st.lists(TEXT, max_size=2), max_size=2),
    st.lists(TEXT, min_size=1, max_size=2),
)
@example({"title": "no", "description": "1:30"}, [{"name": "<<"}], {}, ["feed\x01.xml", "a\u2028b", "\udcff"])
def test_a_new_site_block_reads_back_as_its_text(
    fields: dict[str, str], people: list[dict[str, str]], notes: dict[str, list[str]], sources: list[str]
) -> None:
    site: dict[str, Any] = {**fields, **({"author": people[0]} if len(people) == 1 else {"authors": people})}
    loaded, seen = read_back(yaml_text.site(site, notes, sources))
    assert loaded["site"] == seen["site"] == site


SPECIAL_TITLES = ["<<", "=", "no", "y", "~", "null", "1:30", "0x10", "1_000", "2024-01-02", "- a", "? b"]
PRE = "<pre>  indented line   \n\ttabbed\t\n  last  </pre>"


def test_an_imported_catalogue_reads_back_with_pyyaml_as_feedpub_reads_it(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>{html.escape(title)}</title><link>https://example.org/{n}</link>"
        f"<guid isPermaLink='false'>{html.escape(title)}</guid><category>{html.escape(title)}</category>"
        f"<pubDate>Mon, 04 Dec 2023 10:{n:02d}:00 +0000</pubDate>"
        f"<description>{html.escape(PRE)}</description></item>"
        for n, title in enumerate(SPECIAL_TITLES)
    )
    (tmp_path / "feed.xml").write_text(
        f"<rss version='2.0'><channel><title>no</title><link>https://example.org/</link>"
        f"<description>1:30</description>{items}</channel></rss>",
        encoding="utf-8",
    )
    result = feedpub("import", "feed.xml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert feedpub("check", cwd=tmp_path).returncode == 0
    loaded = yaml.safe_load((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert (loaded["site"]["title"], loaded["site"]["description"]) == ("no", "1:30")
    articles = sorted(loaded["articles"], key=lambda a: a["published"])
    assert [a["title"] for a in articles] == SPECIAL_TITLES
    # the catalogue refuses a guid with white space and a tag without a letter or digit
    assert [a.get("guid") for a in articles] == [None if " " in t else t for t in SPECIAL_TITLES]
    assert [a.get("tags") for a in articles] == [[t] if t.strip("<=~-? ") else None for t in SPECIAL_TITLES]
    assert {a["content"] for a in articles} == {PRE}
