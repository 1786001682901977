"""`feedpub import` with hostile input: the YAML it writes reads back as exactly the text
meant, by feedpub and by other YAML readers; what it fetches stays where the user pointed."""

from __future__ import annotations

import html
import json
import os
import socket
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import article, called, catalogue_text, feedpub, valid
from feedpub import importer, load, source
from feedpub.importer import fetch, yaml_text
from feedpub.importer.mapping import Draft
from producers import NEW_SITE, small_item, small_rss
from producers import imported as imported_with_guesses
from test_import_http import Server, server, xml


def without_guesses(result: Any) -> Any:
    """`result` without the line saying what a new catalogue's site block guessed, which these
    tests' small feeds always make and which test_import_platforms tests."""
    result.stderr = "".join(line for line in result.stderr.splitlines(True) if not line.startswith(NEW_SITE))
    return result


def imported(folder: Path, *sources: str) -> Any:
    return without_guesses(imported_with_guesses(folder, *sources))


__all__ = ["server"]  # the fixture, which tests here take too

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
@example(Draft("f:1", "l", {"id": "<<", "title": "<<", "link": "=", "tags": ["<<", "y", "a?b"]}), "  ")
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


# -- fetching: links lead only to public addresses, or to the host and port the user named ------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),  # a cloud's metadata service
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "not public"),  # shared by carriers' NAT
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("93.184.215.14", None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
        ("::ffff:93.184.215.14", None),
    ],
)
def test_addresses_that_are_not_public_are_told_apart(address: str, kind: str | None) -> None:
    assert fetch.not_public(address) == kind


NAMES = {
    "feed.example": ["93.184.215.14"],
    "metadata.example": ["169.254.169.254"],
    "inside.example": ["93.184.215.14", "10.0.0.7"],  # one address inside is enough to refuse
    "mapped.example": ["::ffff:127.0.0.1"],
    "v6.example": ["::1"],
    "localhost": ["127.0.0.1"],
}


def resolver(host: str, port: int) -> list[str]:
    if host not in NAMES:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return NAMES[host]


@pytest.mark.parametrize(
    ("source", "link", "refused"),
    [
        ("https://feed.example/feed/", "https://feed.example/feed/?paged=2", None),
        ("https://feed.example/feed/", "http://metadata.example/latest/", "169.254.169.254, a link-local"),
        ("https://feed.example/feed/", "http://169.254.169.254/latest/", "169.254.169.254, a link-local"),
        ("https://feed.example/feed/", "https://inside.example/", "10.0.0.7, a private"),
        ("https://feed.example/feed/", "https://mapped.example/", "::ffff:127.0.0.1, a loopback"),
        ("https://feed.example/feed/", "http://[::1]/", "::1, a loopback"),
        ("https://feed.example/feed/", "http://v6.example/", "::1, a loopback"),
        # the host the user named is reached wherever it is, but only it, on its port
        ("http://localhost:8080/feed/", "http://LOCALHOST:8080/page/2", None),
        ("http://localhost:8080/feed/", "http://localhost:8081/", "127.0.0.1, a loopback"),
        ("http://localhost/feed/", "https://localhost/", "127.0.0.1, a loopback"),
        ("http://localhost:8080/feed/", "http://127.0.0.1:8080/", "127.0.0.1, a loopback"),
        ("http://metadata.example/", "http://metadata.example:80/archive", None),
    ],
)
def test_a_link_to_an_address_that_is_not_public_is_refused_unless_its_host_was_named(
    source: str, link: str, refused: str | None
) -> None:
    reach = fetch.Reach(source, resolver)
    if refused is None:
        reach.check(link)
        return
    with pytest.raises(importer.Refused) as caught:
        reach.check(link)
    assert f"is at {refused} address" in str(caught.value)
    assert caught.value.why is importer.Why.INVALID


def test_a_lookup_that_takes_longer_than_the_idle_limit_is_given_up_on() -> None:
    answered = threading.Event()

    def slow(host: str, port: int) -> list[str]:
        answered.wait(30)  # a name server that does not answer, until the test is done
        return ["93.184.215.14"]

    reach = fetch.Reach("https://feed.example/feed/", slow, seconds=0.1)
    try:
        with pytest.raises(importer.Refused) as caught:
            reach.check("https://elsewhere.example/feed/?page=2")
    finally:
        answered.set()
    assert str(caught.value) == (
        "https://elsewhere.example/feed/?page=2: cannot find the address of elsewhere.example: "
        "no answer within 0.1 s"
    )
    assert caught.value.why is importer.Why.IO


def test_a_host_is_connected_to_only_at_the_addresses_found_when_it_was_checked(server: str) -> None:
    Server.routes["/feed.xml"] = xml(small_rss(small_item(1)))
    port = int(server.rsplit(":", 1)[1])
    # feed.test is no name the system knows: only the address the check found can reach it
    reach = fetch.Reach(f"http://feed.test:{port}/feed.xml", lambda host, port: ["127.0.0.1"])
    fetched = fetch.fetch(f"http://feed.test:{port}/feed.xml", fetch.Limits(), fetch.Budget(1 << 20), reach)
    assert b"Item 1" in fetched.data


@pytest.fixture(params=["127.0.0.1", "127.0.0.2"])
def elsewhere(request: pytest.FixtureRequest) -> Iterator[socket.socket]:
    """A listening socket nothing answers on, on another port or another loopback address than
    the server's: whether feedpub connected to it, accept() tells."""
    listener = socket.socket()
    listener.bind((request.param, 0))
    listener.listen()
    listener.setblocking(False)
    try:
        yield listener
    finally:
        listener.close()


def connected(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
    except BlockingIOError:
        return False
    return True


def older(link: str) -> str:
    return f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="prev-archive" href="{link}"/>'


@pytest.mark.parametrize("how", ["linked", "redirected"])
def test_an_older_page_elsewhere_than_the_host_named_is_not_followed_and_said(
    tmp_path: Path, server: str, elsewhere: socket.socket, how: str
) -> None:
    host, port = elsewhere.getsockname()
    there = f"http://{host}:{port}/archive.xml"
    Server.routes["/feed.xml"] = xml(
        small_rss(older(there if how == "linked" else "/archive.xml"), small_item(1))
    )
    Server.routes["/archive.xml"] = (301, {"Location": there}, b"")
    result = imported(tmp_path, f"{server}/feed.xml")
    assert (result.returncode, result.stdout) == (
        0,
        "imported 1 entry from 1 source into articles.yaml: 1 found, 0 skipped\n",
    )
    assert result.stderr == (
        f"{server}/feed.xml: stopped following older pages: {there}: not followed: {host} is at "
        f"{host}, a loopback address, and feedpub follows links only to public addresses and to the host "
        f"and port named ({server.removeprefix('http://')})\n"
    )
    assert not connected(elsewhere)


def test_an_older_page_on_another_name_for_the_host_named_is_not_followed(
    tmp_path: Path, server: str
) -> None:
    # the same server, port and address, by a name the user did not give
    there = server.replace("127.0.0.1", "localhost") + "/archive.xml"
    Server.routes["/feed.xml"] = xml(small_rss(older(there), small_item(1)))
    Server.routes["/archive.xml"] = xml(small_rss(small_item(2)))
    result = imported(tmp_path, f"{server}/feed.xml")
    assert result.returncode == 0
    assert result.stderr.startswith(
        f"{server}/feed.xml: stopped following older pages: {there}: not followed: localhost is at "
    )
    assert ", a loopback address, and feedpub follows links only to public addresses" in result.stderr
    assert Server.requests == ["/feed.xml"]


def test_a_source_redirected_elsewhere_than_the_host_named_is_refused(
    tmp_path: Path, server: str, elsewhere: socket.socket
) -> None:
    host, port = elsewhere.getsockname()
    Server.routes["/feed.xml"] = (302, {"Location": f"http://{host}:{port}/feed.xml"}, b"")
    result = imported(tmp_path, f"{server}/feed.xml")
    assert result.returncode == 1
    assert f"not followed: {host} is at {host}, a loopback address" in result.stderr
    assert not (tmp_path / "articles.yaml").exists()
    assert not connected(elsewhere)


# -- an older page that cannot be read ends the following, not the import -------------------------


@pytest.mark.parametrize(
    ("route", "link", "why"),
    [
        ((403, {}, b"no"), "/archive.xml", "{server}/archive.xml: the server answered 403 Forbidden"),
        (
            (500, {}, b"oops"),
            "/archive.xml",
            "{server}/archive.xml: the server answered 500 Internal Server Error",
        ),
        (None, "file:///etc/passwd", "the older page file:///etc/passwd is not an http(s) address"),
        (None, "ftp://127.0.0.1/old.xml", "the older page ftp://127.0.0.1/old.xml is not an http(s) address"),
        (
            (301, {"Location": "file:///etc/passwd"}, b""),
            "/archive.xml",
            "Redirection to url 'file:///etc/passwd' is not allowed",
        ),
        (
            (200, {"Content-Type": "text/html"}, b"<!doctype html><p>gone"),
            "/archive.xml",
            "is a web page, not a feed",
        ),
        (
            (200, {}, b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'b'>]><rss/>"),
            "/archive.xml",
            "declares XML entities",
        ),
        ((200, {}, b"<rss><channel>"), "/archive.xml", "is not well-formed XML"),
    ],
)
def test_an_older_page_that_cannot_be_read_stops_the_following_with_a_warning(
    tmp_path: Path, server: str, route: tuple[int, dict[str, str], bytes] | None, link: str, why: str
) -> None:
    Server.routes["/feed.xml"] = xml(small_rss(older(link), small_item(1), small_item(2)))
    if route is not None:
        Server.routes[link] = route
    result = imported(tmp_path, f"{server}/feed.xml")
    assert (result.returncode, result.stdout) == (
        0,
        "imported 2 entries from 1 source into articles.yaml: 2 found, 0 skipped\n",
    )
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{server}/feed.xml: ")
    assert why.format(server=server) in line
    assert Server.requests == ["/feed.xml", *([link] if route else [])]


# -- addresses as users and feeds write them -----------------------------------------------------


def test_an_address_with_characters_beyond_ascii_is_asked_for_percent_encoded(
    tmp_path: Path, server: str
) -> None:
    Server.routes["/caf%C3%A9/feed%20one.xml"] = xml(small_rss(older("archive/été 1.xml"), small_item(2)))
    Server.routes["/caf%C3%A9/archive/%C3%A9t%C3%A9%201.xml"] = xml(small_rss(small_item(1)))
    result = imported(tmp_path, f"{server}/café/feed one.xml")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("imported 2 entries")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            "http://jane:secret@{host}/feed.xml",
            "http://{host}/feed.xml: a user name or password in a URL is not supported (download the "
            "feed with them, 'curl -u', say, and import the file)",
        ),
        (
            "http://127.0.0.1:99999/feed.xml",
            "http://127.0.0.1:99999/feed.xml: not a valid URL (Port out of range 0-65535)",
        ),
        ("http:///feed.xml", "http:///feed.xml: not a valid URL (it names no host)"),
    ],
)
def test_an_address_that_cannot_be_asked_for_is_a_usage_error_said_without_its_password(
    tmp_path: Path, server: str, address: str, message: str
) -> None:
    host = server.removeprefix("http://")
    result = imported(tmp_path, address.format(host=host))
    assert (result.returncode, result.stderr) == (2, f"feedpub: {message.format(host=host)}\n")
    assert Server.requests == []
    assert not (tmp_path / "articles.yaml").exists()


def test_what_a_server_says_in_a_warning_is_escaped(tmp_path: Path, server: str) -> None:
    def refuse(handler: Any) -> None:
        handler.send_response(403, "No \x1b[2J\x1b]0;pwned\x07")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    Server.routes["/feed.xml"] = xml(small_rss(older("/archive.xml"), small_item(1)))
    Server.routes["/archive.xml"] = refuse
    result = imported(tmp_path, f"{server}/feed.xml")
    assert result.returncode == 0
    assert result.stderr == (
        f"{server}/feed.xml: stopped following older pages: {server}/archive.xml: the server answered "
        "403 No \\x1b[2J\\x1b]0;pwned\\x07\n"
    )


def test_a_document_cut_short_of_its_content_length_is_refused(tmp_path: Path, server: str) -> None:
    feed = xml(small_rss(small_item(1)))[2]

    def cut(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(feed) + 100))
        handler.end_headers()
        handler.wfile.write(feed)  # a whole feed, but not all that was announced

    Server.routes["/feed.xml"] = cut
    result = imported(tmp_path, f"{server}/feed.xml")
    assert (result.returncode, result.stderr) == (
        74,
        f"feedpub: {server}/feed.xml: the connection closed 100 bytes before the end the server announced\n",
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_catalogue_too_large_to_read_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text(small_rss(small_item(1)), encoding="utf-8")
    with (tmp_path / "articles.yaml").open("wb") as f:
        f.truncate(source.MAX_BYTES + 1)  # sparse: nothing of it is on disk
    result = imported(tmp_path, "feed.xml")
    assert (result.returncode, result.stderr) == (
        1,
        "feedpub: 'articles.yaml': catalogue is larger than 512 MiB, the most feedpub reads; nothing was written\n",
    )
    assert (tmp_path / "articles.yaml").stat().st_size == source.MAX_BYTES + 1


@pytest.mark.parametrize("half", [b"\\ud800", b"\\udfff", b"\xed\xa0\x80"], ids=["escaped", "low", "raw"])
def test_a_json_feed_with_half_a_character_is_imported_without_it(tmp_path: Path, half: bytes) -> None:
    item = (
        b'{"id": "x%(h)s", "url": "https://ex.org/1", "title": "T%(h)s", "summary": "s%(h)s",'
        b' "content_html": "<p>c%(h)s</p>", "tags": ["t%(h)s"], "date_published": "2023-12-04T10:00:00Z",'
        b' "authors": [{"name": "B%(h)s"}]}'
    ) % {b"h": half}
    (tmp_path / "feed.json").write_bytes(
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [%s]}' % item
    )
    (tmp_path / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
    result = imported(tmp_path, "feed.json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (_, new) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert (new.title, new.summary, new.content, [t.name for t in new.tags]) == ("T", "s", "<p>c</p>", ["t"])


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "bare"])
def test_a_deflate_answer_is_read_with_or_without_zlibs_header(
    tmp_path: Path, server: str, wbits: int
) -> None:
    deflate = zlib.compressobj(wbits=wbits)
    body = deflate.compress(xml(small_rss(small_item(1)))[2]) + deflate.flush()
    Server.routes["/feed.xml"] = (200, {"Content-Encoding": "deflate"}, body)
    result = imported(tmp_path, f"{server}/feed.xml")
    assert (result.returncode, result.stderr) == (0, "")


def test_a_source_asked_for_through_a_proxy_is_the_proxys_to_find(tmp_path: Path, server: str) -> None:
    # the server stands in for the proxy: it is asked for the whole URL of a host no DNS knows
    Server.routes["http://feed.test/feed.xml"] = xml(small_rss(small_item(1)))
    proxied = {**os.environ, "http_proxy": server, "no_proxy": "", "NO_PROXY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "feedpub", "import", "http://feed.test/feed.xml"],
        cwd=tmp_path,
        env=proxied,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, without_guesses(result).stderr) == (0, "")
    assert Server.requests == ["http://feed.test/feed.xml"]


# -- appending: the catalogue's own bytes and line breaks stay as they were ----------------------


@pytest.mark.parametrize(
    ("start", "newline"),
    [(b"", b"\r"), (b"\xef\xbb\xbf", b"\r\n"), (b"\xef\xbb\xbf", b"\n")],
    ids=["CR", "BOM CRLF", "BOM LF"],
)
def test_appending_keeps_the_catalogues_bytes_and_follows_its_line_breaks(
    tmp_path: Path, start: bytes, newline: bytes
) -> None:
    own = start + catalogue_text(article("a1", "# a comment", "content: |-", "  <p>x</p>")).encode().replace(
        b"\n", newline
    )
    (tmp_path / "articles.yaml").write_bytes(own)
    (tmp_path / "feed.xml").write_text(
        small_rss(small_item(1, more=f"<description>{html.escape(PRE)}</description>")), encoding="utf-8"
    )
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    data = (tmp_path / "articles.yaml").read_bytes()
    assert data.startswith(own)
    other_breaks = data[len(own) :].replace(newline, b"")
    assert b"\n" not in other_breaks and b"\r" not in other_breaks
    assert called("check", cwd=tmp_path).returncode == 0
    (new,) = [a for a in yaml.safe_load(data.decode("utf-8-sig"))["articles"] if a["id"] != "a1"]
    assert new["content"] == PRE


def test_a_note_on_a_field_left_out_whole_is_written_above_its_article(tmp_path: Path) -> None:
    only_unfit = '<category>!!!</category><enclosure url="ftp://ex.org/a.mp3" length="1" type="audio/mpeg"/>'
    (tmp_path / "feed.xml").write_text(small_rss(small_item(1, more=only_unfit)), encoding="utf-8")
    assert imported(tmp_path, "feed.xml").returncode == 0
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "  # the feed's category '!!!' has no letter or digit to name a tag: left out\n" in text
    assert "  # 'ftp://ex.org/a.mp3' is not an http(s) address: left out\n" in text
    assert "tags:" not in text and "enclosures:" not in text


def test_the_body_of_a_redirect_is_not_read(tmp_path: Path, server: str) -> None:
    announced = 256 << 20
    sent: list[int] = []
    done = threading.Event()

    def endless(handler: Any) -> None:
        handler.send_response(301)
        handler.send_header("Location", "/feed.xml")
        handler.send_header("Content-Length", str(announced))
        handler.end_headers()
        count, block = 0, b"x" * (1 << 16)
        try:
            while count < announced:
                handler.wfile.write(block)
                count += len(block)
        except OSError:  # the reader closed the connection
            pass
        sent.append(count)
        done.set()

    Server.routes["/old-feed"] = endless
    Server.routes["/feed.xml"] = xml(small_rss(small_item(1)))
    result = imported(tmp_path, f"{server}/old-feed")
    assert (result.returncode, result.stderr) == (0, "")
    assert done.wait(60)
    assert sent[0] < announced // 8  # what the sockets' buffers took before the close was seen


# XML 1.0's characters: what a feed can hold
XML_TEXT = TEXT.map(
    lambda t: "".join(c for c in t if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd")
)


@given(st.lists(st.tuples(XML_TEXT, XML_TEXT, XML_TEXT, XML_TEXT), min_size=1, max_size=3))
def test_whatever_an_rss_feed_says_the_catalogue_written_reads_back_with_pyyaml(
    tmp_path_factory: pytest.TempPathFactory, items: list[tuple[str, str, str, str]]
) -> None:
    feed = small_rss(
        *(
            small_item(
                n,
                title=html.escape(title) or "t",
                more=f"<guid isPermaLink='false'>{html.escape(guid)}</guid>"
                f"<category>{html.escape(tag)}</category><description>{html.escape(content)}</description>",
            )
            for n, (title, guid, tag, content) in enumerate(items)
        )
    )
    reads_back_alike(tmp_path_factory.mktemp("feed"), "feed.xml", feed)


@given(st.lists(st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT), min_size=1, max_size=3))
def test_whatever_a_json_feed_says_the_catalogue_written_reads_back_with_pyyaml(
    tmp_path_factory: pytest.TempPathFactory, items: list[tuple[str, str, str, str, str, str]]
) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {
                "id": guid,
                "url": f"https://ex.org/{n}",
                "title": title,
                "summary": summary,
                "content_html": content,
                "tags": [tag],
                "authors": [{"name": name}],
                "date_published": "2023-12-04T10:00:00Z",
            }
            for n, (guid, title, summary, content, tag, name) in enumerate(items)
        ],
    }
    reads_back_alike(tmp_path_factory.mktemp("feed"), "feed.json", json.dumps(feed))


def reads_back_alike(folder: Path, name: str, feed: str) -> None:
    """Import `feed` into a catalogue in `folder`, which must pass check: PyYAML reads every
    value of the articles as feedpub's reader does (their dates aside)."""
    (folder / "articles.yaml").write_text(catalogue_text(), encoding="utf-8")
    (folder / name).write_text(feed, encoding="utf-8")
    try:
        importer.run([str(folder / name)], folder / "articles.yaml", lambda line: None)
    except importer.Refused as refused:
        assert str(refused).startswith("nothing to import"), refused
        return
    text = (folder / "articles.yaml").read_text(encoding="utf-8")
    valid(text)
    loaded, seen = read_back(text)
    dates = ("published", "updated")  # timestamps to PyYAML, as they are meant
    for by_pyyaml, by_feedpub in zip(loaded["articles"], seen["articles"], strict=True):
        assert {k: texts(v) for k, v in by_pyyaml.items() if k not in dates} == {
            k: v for k, v in by_feedpub.items() if k not in dates
        }


@pytest.mark.parametrize(
    ("encoding", "declaration"),
    [
        ("iso-8859-1", ""),  # the server's charset, which the document does not contradict
        ("utf-8", ""),  # UTF-8, XML's own default, whatever the server says
        ("windows-1252", '<?xml version="1.0" encoding="windows-1252"?>'),  # the document's own
    ],
)
def test_a_document_is_read_in_its_own_encoding_else_utf_8_else_its_servers_charset(
    tmp_path: Path, server: str, encoding: str, declaration: str
) -> None:
    feed = small_rss(small_item(1, title="Café “1”" if encoding != "iso-8859-1" else "Café 1"))
    feed = declaration + feed.removeprefix('<?xml version="1.0"?>')
    Server.routes["/feed.xml"] = (
        200,
        {"Content-Type": "text/xml; charset=ISO-8859-1"},
        feed.encode(encoding),
    )
    result = imported(tmp_path, f"{server}/feed.xml")
    assert (result.returncode, result.stderr) == (0, "")
    (new,) = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles
    assert new.title.startswith("Café ")
