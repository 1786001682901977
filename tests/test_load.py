"""Reading bytes into YAML nodes: encodings, bombs, tags, and what PyYAML lets through."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml

from conftest import SITE, article, catalogue_text, feedpub, parse, valid
from feedpub import load, source
from feedpub.problems import Severity


def only_error(text: str | bytes) -> str:
    data = text if isinstance(text, bytes) else text.encode()
    root, problems = load.parse(data, "articles.yaml")
    assert root is None
    assert len(problems) == 1, problems
    assert problems[0].severity is Severity.ERROR
    return str(problems[0])


def test_bom_and_crlf_are_fine() -> None:
    text = "\ufeff" + catalogue_text().replace("\n", "\r\n")
    assert valid(text).articles[0].title == "Article a1"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused_though_libyaml_could_read_them(encoding: str) -> None:
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    root, problems = load.parse(bom + catalogue_text().encode(encoding), "articles.yaml")
    assert root is None
    assert [str(p) for p in problems] in (
        [
            "articles.yaml:1:1: error: catalogue is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
        ],
    )


def test_invalid_utf8_is_located_at_the_byte() -> None:
    data = catalogue_text().encode().replace(b"Article a1", b"Article \xff1")
    assert only_error(data).startswith("articles.yaml:9:20: error: byte 0xff is not valid UTF-8")


def test_billion_laughs_is_refused_before_expansion() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    message = only_error("\n".join(lines) + "\n")
    assert "aliases expand" in message and "alias bomb" in message


def test_an_alias_of_one_large_text_is_weighed_by_its_characters_and_placed_at_the_alias(
    tmp_path: Path,
) -> None:
    # 300 aliases of one 900 KB content: few nodes, but feeds of 270 MB of content
    big = "x" * 900_000
    text = catalogue_text(
        article("a1", f"content: &big '{big}'"),
        *(
            f"  - {{id: c{i}, title: T, link: 'https://e.org/c{i}', published: 2024-01-01, content: *big}}\n"
            for i in range(300)
        ),
    )
    message = only_error(text)
    # the tenth alias takes the document past ten times its characters and the slack
    at = text.splitlines()[12 + 9].index("*big") + 1
    assert message.startswith(f"articles.yaml:22:{at}: error: invalid YAML: aliases expand "), message
    assert "characters into 270," in message and "alias bomb" in message
    (tmp_path / "articles.yaml").write_text(text, encoding="utf-8")
    checked = feedpub("check", cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (1, message + "\n")


def test_anchors_used_as_catalogues_use_them_pass_in_a_large_catalogue() -> None:
    # the site's author aliased in each of 10,000 articles, and defaults merged into each
    site = SITE.replace("author: {", "author: &jane {").replace(
        "articles:\n", "x-defaults: &d {link: https://example.org/x, published: 2024-01-01}\narticles:\n"
    )
    text = site + "".join(
        f"  - {{<<: *d, id: a{i}, title: Article {i}, author: *jane}}\n" for i in range(10_000)
    )
    root, problems = load.parse(text.encode(), "articles.yaml")
    assert root is not None and problems == []


def test_recursive_alias_is_refused() -> None:
    assert "alias refers to a node that contains it" in only_error("site: &s [*s]\narticles: []\n")


def test_python_object_tag_is_refused_at_its_place() -> None:
    text = catalogue_text(article("a1", "summary: !!python/object/apply:os.system [echo hi]"))
    root, problems = load.parse(text.encode(), "articles.yaml")
    assert root is None
    assert [str(p)[:24] for p in problems] == ["articles.yaml:12:14: err"]
    assert "'!!python/object/apply:os.system' is not allowed" in problems[0].message


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("", "1:1", "catalogue is empty"),
        ("# only a comment\n", "1:1", "catalogue is empty"),
        ("- a\n- b\n", "1:1", "must be a mapping"),
        ("just text\n", "1:1", "must be a mapping"),
        (
            "site: {}\n---\narticles: []\n",
            "2:1",
            "expected a single document in the stream, but found another document",
        ),
        ("site: [\n", "2:1", "invalid YAML"),
        ("site:\n  title: a: b\n", "2:11", "invalid YAML: mapping values are not allowed"),
        ("a: \x07\n", "1:4", "U+0007 is not allowed"),
        ("a: " + "[" * 2000 + "]" * 2000 + "\n", "1:", "invalid YAML"),
    ],
)
def test_unreadable_documents_get_one_located_error(text: str, where: str, words: str) -> None:
    message = only_error(text)
    assert message.startswith(f"articles.yaml:{where}"), message
    assert words in message


def test_oversized_catalogue_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    assert "larger than" in only_error(catalogue_text())


def test_anchors_aliases_and_merge_keys_work() -> None:
    text = SITE.replace(
        "articles:\n", "defaults: &d {link: https://example.org/x, published: 2024-01-01}\narticles:\n"
    )
    found, problems = parse(text)
    assert found is None  # 'defaults' is not a catalogue field
    assert any("unknown key 'defaults'" in p.message for p in problems)
    text = catalogue_text(
        "  - &first\n    id: a1\n    title: One\n    link: https://example.org/1\n    published: 2024-01-01\n",
        "  - <<: *first\n    id: a2\n    title: Two\n",
    )
    first, second = valid(text).articles
    assert (second.id, second.title, second.link) == ("a2", "Two", "https://example.org/1")
    assert second.published == first.published


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_deep_nesting_is_refused_by_either_loader(monkeypatch: pytest.MonkeyPatch, loader: str) -> None:
    monkeypatch.setattr(load, "_Loader", getattr(yaml, loader))
    message = only_error("site: " + "[" * 5000 + "]" * 5000 + "\nlist: " + "- " * 10 + "x\n")
    assert "invalid YAML" in message


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
def test_places_count_characters_not_bytes(monkeypatch: pytest.MonkeyPatch, loader: str) -> None:
    monkeypatch.setattr(load, "_Loader", getattr(yaml, loader))
    assert only_error("a: ééé \x07\n").startswith("articles.yaml:1:8: error: invalid YAML: character U+0007")
    assert only_error("a: ééé\nb: é: c\n").startswith("articles.yaml:2:5: error: invalid YAML")
    assert only_error(b"a: \xc3\xa9\xc3\xa9 \xff\n").startswith("articles.yaml:1:7: error: byte 0xff")


@pytest.mark.parametrize("loader", ["CSafeLoader", "SafeLoader"])
@pytest.mark.parametrize(
    ("text", "where", "advice"),
    [
        ("a:\n  content: <p>Step one: mix the soil</p>\n", "2:23", "must be quoted, as in content:"),
        ("a:\n\tb: 1\n", "2:1", "indent with spaces"),
        ("a:\n  b: 1\n\t c: 2\n", "3:1", "indent with spaces"),
        ("a:\n  b: 1\n c: 2\n", "3:2", "each key in the same column as the other keys"),
        ("a:\n  - b: 1\n   c: 2\n", "3:4", "each '-' in the same column"),
        ("a: 1\n- b\n", "2:1", "each '-' in the same column"),
        ("title: [Draft] my post\n", "1:16", "quote the whole value"),
        ("title: 'it's here'\n", "1:12", "a ' inside '…' is written ''"),
        ("a: 1\nb\nc: 2\n", "3:1", "a key needs ': ' after it"),
        ("a: 'abc\nb: 1\n", "3:1", "started at 1:4, found unexpected end of stream; a quoted value must end"),
        ('a: "C:\\path"\n', "1:", "a backslash starts an escape"),
        ("a: [1, 2\nb: 1\n", "2:2", "a [...] or {...} list must close on its line"),
        ("a: {x: 1\nb: 1\n", "2:2", "a [...] or {...} list must close on its line"),
        ("a: @home\n", "1:4", "may not start with @"),
        ("a: *bold* text\n", "1:9", "an alias or an anchor to YAML: quote it"),
        ("a: *bold\n", "1:4", "an alias or an anchor to YAML: quote it"),
        ("a: |x\n  b\n", "1:5", "after '|' or '>' the text starts on the next line"),
        ("a: &x 1\nb: &x 2\n", "2:4", "give each &anchor its own name"),
    ],
)
def test_common_yaml_mistakes_say_what_to_write_instead(
    monkeypatch: pytest.MonkeyPatch, loader: str, text: str, where: str, advice: str
) -> None:
    monkeypatch.setattr(load, "_Loader", getattr(yaml, loader))
    message = only_error(text)
    assert message.startswith(f"articles.yaml:{where}") and "error: invalid YAML: " in message, message
    assert advice in message, message
