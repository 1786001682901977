"""Fuzz the command over the catalogue's raw bytes and its arguments:
`python bench/fuzz.py [--examples N] [--seed S]`.

Each example is a catalogue (mostly a mutation of the sample `articles.yaml`; sometimes random
bytes, a YAML document built from strategies, or a hostile snippet such as an alias bomb), a
command line (check, build or verify with real and junk options), a prepared sandbox (an output
folder that is a file, a symbolic link inside it, a stale manifest, damaged feeds...) and the
encoding of stdout and stderr. It runs `feedpub.cli.main` in-process in a fresh sandbox, then
a handful of the examples again through the real command in a subprocess, and checks that

- no exception but SystemExit escapes, the exit status is 0, 1, 2, 74 or 75, and no traceback
  is printed;
- nothing outside the output folder that build actually used (its subtree, and folders
  created to hold it) is created, changed or deleted; check, verify and a run that exits
  1 or 2 change nothing at all;
- the subprocess gives the same exit status and output as the in-process run.

The seed is random unless given, and printed. Each failure it finds is shrunk and printed with
an `@example(...)` line: put it above the test in tests/test_fuzz.py that it fails, and the test
suite tries that example on every run from then on, fixed or not.

`strategies()`, `check()`, `describe()` and `as_example()` are importable; tests/test_fuzz.py
reuses them.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from hypothesis import HealthCheck, find, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from feedpub import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "articles.yaml").read_bytes()
_FEED = ROOT / "feeds" / "atom.xml"
SAMPLE_FEED = (
    _FEED.read_bytes()
    if _FEED.is_file()
    else b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    b"<id>urn:x</id><title>t</title><updated>2024-01-01T00:00:00Z</updated></feed>\n"
)
STATUSES = frozenset({0, 1, 2, 73, 74, 75})
CATALOGUE = "articles.yaml"

# ---------------------------------------------------------------------------------------------
# Catalogue bytes
# ---------------------------------------------------------------------------------------------

CHUNKS = [
    b": ", b"- ", b"\n", b"\t", b"  ", b"'", b'"', b"#", b"&a ", b"*a", b"!!", b"{", b"}", b"[", b"]",
    b",", b"?", b"|", b">", b"%", b"@", b"`", b"<<: ", b"~", b"null", b"\x00", b"\x01", b"\x1b", b"\x7f",
    b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xef\xbf\xbd", b"\xef\xbf\xbe", b"\xc2\x85",
    b"\xe2\x80\xa8", b"\r", b"\r\n", b"\xc3\x83\xc2\xa9", b"</p>", b"<b>", b"]]>", b"&amp;",
    b"\xf0\x9f\x98\x80", b"\xd7\xa9\xd7\x9c", b"\xe2\x80\x8f", b"2023-02-30", b"9999-12-31T23:59:59-12:00",
    b"---", b"...",
]  # fmt: skip
"""Byte runs worth inserting: YAML syntax, invalid UTF-8, characters XML or readers refuse."""

VALUES = [
    "", "~", "null", "[]", "{}", "[a, b]", "{a: 1}", "yes", "no", "true", "0", "-1", "1001", "1000", "1",
    "99999999999999999999999", "1e400", ".nan", ".inf", "0x10", "1:20", "1_000", "'quoted'", '"\\x00"',
    '"\\ud800"', '"\\U0010FFFF"', '"\\x85 \\u2028"', '"\\e"', '"\\uFFFE"', "Café", "CafÃ©", "a </p> b",
    "a <b>bold</b>", "&amp; ]]> <", "👩🏽‍🚀 שלום مرحبا", "x" * 300, "Europe/Londn", "America/New_York",
    "Asia/Kathmandu", "Pacific/Kiritimati", "Etc/GMT+12", "UTC", "../../etc", "zz", "en-GB", "x-klingon",
    "i-default", "ar", "mailto:a@b.c", "javascript:alert(1)", "https://", "http://[::1]/",
    "https://exämple.org/ü?q=1#f", "https://example.org/a b", "/relative", "//example.org/",
    "ftp://example.org/", "a@b", "a@b.c", "Name <a@b.c>", "a@localhost", "ü@example.org",
    "2023-02-30", "2023-12-07", "1990-01-01", "1989-12-31", "1970-01-01", "0001-01-01", "9999-12-31",
    "2023-12-07T10:00:00-05:00", "2023-12-07T10:00:00+05:45", "2023-12-07 10:00:00", "2023-12-07t10:00:00z",
    "2024-03-10T02:30:00", "2024-11-03T01:30:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59.999999+00:00", "1990-01-01T00:00:00+14:00", "2023-12-07T24:00:00",
    "2023-12-07T10:00:00.123456789Z", "2001-12-14 21:59:43.10 -5", "<p>x</p><script>alert(1)</script>",
    "<a href='javascript:x'>x</a><img src=x onerror=alert(1)>", "<a href='../rel'>r</a>",
    "'<iframe src=//e.org>'", "!!binary aGVsbG8=", "!!str 5", "!!int 0x10", "!!set {a}", "!!omap [a: 1]",
    "!custom x", "!!python/object/apply:os.system ['touch pwned']", "!!python/name:os.system", "*nowhere",
    "&x 1", "[*a]", "|\n  block\n  text", ">-\n  folded", "[Gaza, gaza, GÁZA, ' Gaza ']", "[C++, C]",
    "[---, '', ü]", "{name: ''}", "{name: a@b.c}", "[{name: A}, {name: B, email: b@example.org}]",
]  # fmt: skip
"""Replacement values for one field of the sample: valid ones, boundary ones and nonsense."""

MOMENTS = [
    "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59", "9999-12-31",
    "9999-12-31T23:59:59.999999+00:00",
    "1990-01-01", "1990-01-01T00:00:00+14:00", "1989-12-31T23:59:59-12:00", "2024-03-10T02:30:00",
    "2024-11-03T01:30:00", "2023-12-07", "2023-02-30", "0001-01-01", "2023-12-07T10:00:00+05:45",
]  # fmt: skip
"""Boundary moments: the end of time, the first allowed date, daylight-saving gaps and overlaps."""

KEYS = [
    "site", "articles", "title", "link", "feed_url", "description", "language", "timezone", "author",
    "authors", "max_items", "id", "tags", "published", "updated", "summary", "content", "draft", "name",
    "email", "uri", "titel", "<<", "? x", "Title", "", "'site'", "[a]", "{a: 1}", "ü",
]  # fmt: skip


def _nesting(depth: int, kind: int) -> bytes:
    if kind == 0:
        return b"site: " + b"[" * depth + b"]" * (depth // 2)
    if kind == 1:
        return b"site: " + b"{a: " * depth + b"}" * depth
    if kind == 2:
        return b"".join(b"  " * i + b"- \n" for i in range(min(depth, 5000)))
    return b"".join(b" " * i + b"k%d:\n" % i for i in range(min(depth, 5000)))


def _alias_chain(count: int, kind: int) -> bytes:
    if kind == 0:  # one anchor redefined each time: a billion laughs with a single name
        return b"site:\n  - &a [x, x]\n" + b"  - &a [*a, *a]\n" * count
    if kind == 1:
        return b"site: &a [*a, *a]\n"  # recursive
    if kind == 2:
        return b"d0: &d0 {a: 1, b: 2}\n" + b"".join(
            b"d%d: &d%d {<<: [*d%d, *d%d], k%d: x}\n" % (i, i, i - 1, i - 1, i) for i in range(1, count + 1)
        )
    return b"a: &a [" + b"x, " * count + b"]\nb: [" + b"*a, " * count + b"]\n"


HOSTILE = [
    b"!!python/object/apply:os.system ['touch pwned']\n",
    b"site: !!python/object/apply:os.system ['touch pwned']\n",
    b"site: !!python/name:os.system\n",
    b"site: !!python/object/new:tuple [[1, 2]]\n",
    b"%TAG !p! tag:yaml.org,2002:python/\n---\nsite: !p!object/apply:os.system ['touch pwned']\n",
    b"site: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch pwned']\n",
    b"site: !!binary AAAA\narticles: !!set {a}\n",
    b"\x00",
    b"site:\n  title: \x00\x01\x02\x1b\x7f\n",
    bytes(range(32)),
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf\xef\xbb\xbfsite: {}\n",
    b"\xff\xfes\x00i\x00t\x00e\x00:\x00",
    b"site: x\r\narticles: []\r\n",
    b"site: x\rarticles: []\r",
    b"---\nsite: {}\n---\narticles: []\n",
    b"%YAML 1.1\n---\nsite: {}\n",
    b"%YAML 9.9\n---\nsite: {}\n",
    b"? [a, b]\n: c\n",
    b"{[a]: 1}\n",
    b"site: {? {a: 1} : 2}\n",
    b"? !!python/tuple [1]\n: x\n",
    b"site:\n  title: a\n  title: b\n",
    b"[]\n",
    b"'just a string'\n",
    b"",
    b"\n\n\n",
    b"# only a comment\n",
    b'site: "\\ud800\\udfff"\n',
    b"site: *undefined\n",
    b"<<: *undefined\n",
    b"site: {<<: [1, 2]}\n",
]
"""Hostile documents written out by hand."""

HOSTILE_XML = [
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
    b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
    b'&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol4;</title></feed>\n',
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    b'<rss version="2.0"><channel><title>&e;</title></channel></rss>\n',
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&e;</title></feed>\n',
    b"<feed>" * 20000,
    b'<rss version="2.0"><channel></channel></rss>',
    b'<rss version="9"/>',
    b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    b"",
    b"\xff\xfe<\x00",
    b"<?xml version='1.0' encoding='latin-1'?>"
    b"<rss version='2.0'><channel><title>\xe9</title></channel></rss>",
]
"""Hostile feeds for the folder verify reads."""


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    """Deep nesting, alias chains and bombs, python tags, control bytes, odd documents."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        depth = draw(st.sampled_from([1, 10, 100, 1000, 10_000, 100_000]) | st.integers(1, 3000))
        return _nesting(depth, draw(st.integers(0, 3)))
    if kind == 1:
        return _alias_chain(draw(st.integers(0, 64)), draw(st.integers(0, 3)))
    return draw(st.sampled_from(HOSTILE))


def _lines(data: bytearray) -> list[bytes]:
    return bytes(data).splitlines(keepends=True) or [b""]


OPERATIONS = [
    "value", "key", "insert", "replace", "delete", "dup_line", "swap_lines", "indent", "snippet", "truncate",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: bytes = SAMPLE) -> bytes:
    """`base` after up to four mutations: byte runs inserted, replaced or deleted, lines
    duplicated, swapped or re-indented, one field's value or key replaced, a hostile snippet
    inserted, or the file truncated."""
    data = bytearray(base)
    chunk = st.sampled_from(CHUNKS) | st.binary(min_size=1, max_size=24)
    for _ in range(max(0, draw(st.integers(-2, 4)))):  # often none: the sample as it is
        op = draw(st.sampled_from(OPERATIONS))
        n = len(data)
        lines = _lines(data)
        if op == "value":
            fields = [i for i, line in enumerate(lines) if b":" in line] or [0]
            i = draw(st.sampled_from(fields))
            head = lines[i].split(b":", 1)[0]
            value = draw(st.sampled_from(VALUES) | st.text(max_size=12)).encode("utf-8", "surrogatepass")
            lines[i] = head + b": " + value + b"\n"
            data = bytearray(b"".join(lines))
        elif op == "key":
            fields = [i for i, line in enumerate(lines) if b":" in line] or [0]
            i = draw(st.sampled_from(fields))
            parts = lines[i].split(b":", 1)
            indent = parts[0][: len(parts[0]) - len(parts[0].lstrip(b" -"))]
            key = draw(st.sampled_from(KEYS)).encode()
            lines[i] = indent + key + b":" + (parts[1] if len(parts) > 1 else b" x\n")
            data = bytearray(b"".join(lines))
        elif op == "insert":
            pos = draw(st.integers(0, n))
            data[pos:pos] = draw(chunk)
        elif op == "replace":
            pos = draw(st.integers(0, n))
            data[pos : pos + draw(st.integers(1, 32))] = draw(chunk)
        elif op == "delete":
            pos = draw(st.integers(0, n))
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "dup_line":
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
            data = bytearray(b"".join(lines))
        elif op == "swap_lines":
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"".join(lines))
        elif op == "indent":
            i = draw(st.integers(0, len(lines) - 1))
            shift = draw(st.integers(-4, 4))
            lines[i] = b" " * shift + lines[i] if shift >= 0 else lines[i][-shift:]
            data = bytearray(b"".join(lines))
        elif op == "snippet":
            i = draw(st.integers(0, len(lines)))
            lines.insert(i, draw(hostile()))
            data = bytearray(b"".join(lines))
        else:
            del data[draw(st.integers(0, n)) :]
    return bytes(data)


def _every(base: bytes, keys: tuple[bytes, ...], value: bytes) -> bytes:
    """`base` with the value of every `key:` line of `keys` replaced by `value`."""
    pattern = re.compile(rb"^(\s*(?:- )?(?:%s):)[^\n]*" % b"|".join(keys), re.MULTILINE)
    return pattern.sub(lambda m: m.group(1) + b" " + value, base)


@st.composite
def same_everywhere(draw: st.DrawFn) -> bytes:
    """The sample with one field set to one value in every article: every date the same
    boundary moment (ties at the end of time), every title, link, id or tag list the same."""
    fields = [(b"published", b"updated"), (b"published",), (b"title",), (b"link",), (b"id",), (b"tags",)]
    keys = draw(st.sampled_from([*fields, (b"summary",), (b"timezone",)]))
    values = MOMENTS if keys[0] == b"published" else VALUES
    return _every(SAMPLE, keys, draw(st.sampled_from(values)).encode("utf-8", "surrogatepass"))


_TEXTS = st.sampled_from(
    ["Example", "Gázà", "العمال", "a & b <c>", "]]>", "CafÃ©", "a </p>", "x\x85y", "a\u2028b", "😀", " a ",
     ""]
) | st.text(max_size=16)  # fmt: skip
_URLS = st.sampled_from(
    ["https://example.org/", "https://example.org/feeds/", "http://example.org/a b", "https://exämple.org/ü",
     "/relative", "ftp://x/", "javascript:alert(1)", "https://", "http://[::1]/", "https://e.org/%zz"]
) | st.text(max_size=16)  # fmt: skip
_MOMENTS = (
    st.dates(min_value=date(1985, 1, 1))
    | st.datetimes(min_value=datetime(1985, 1, 1), timezones=st.none() | st.timezones())
    | st.sampled_from(["2023-02-30", "9999-12-31T23:59:59-12:00", "2024-03-10T02:30:00", "now", 20231207])
)
_AUTHOR = st.fixed_dictionaries(
    {"name": _TEXTS},
    optional={
        "email": st.sampled_from(["a@example.org", "a@b", "ü@example.org", "a b@c.d", ""]),
        "uri": _URLS,
    },
)
_ARTICLE = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a1", "a1", "a-2", "x.y_z~", "-bad", "x" * 129, "ü"]) | st.text(max_size=8),
        "title": _TEXTS,
        "link": _URLS,
        "published": _MOMENTS,
    },
    optional={
        "updated": _MOMENTS,
        "summary": _TEXTS,
        "content": st.sampled_from(VALUES) | _TEXTS,
        "tags": st.lists(st.sampled_from(["Gaza", "gaza", "GÁZA", "C++", "C", "---", "", "🙂"]) | _TEXTS),
        "author": _AUTHOR,
        "authors": st.lists(_AUTHOR, max_size=3),
        "draft": st.sampled_from([True, False, "no", None, 0]),
        "titel": _TEXTS,
    },
)
_SITE = st.fixed_dictionaries(
    {"title": _TEXTS, "link": _URLS, "feed_url": _URLS, "description": _TEXTS},
    optional={
        "language": st.sampled_from(["en", "en-GB", "ar", "zz", "x-klingon", "", "EN_us"]),
        "timezone": st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu", "Nowhere/City", "+05:00"]),
        "author": _AUTHOR,
        "max_items": st.integers(-5, 1005) | st.sampled_from([10**30, 1.5, "50", True]),
        "id": _URLS,
        "tags": st.dictionaries(_TEXTS, st.fixed_dictionaries({}, optional={"title": _TEXTS})),
    },
)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | _TEXTS | _MOMENTS
_TREES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A YAML document built from strategies: a catalogue-shaped one or any tree."""
    if draw(st.booleans()):
        document = {"site": draw(_SITE), "articles": draw(st.lists(_ARTICLE, max_size=4))}
    else:
        document = draw(_TREES)
    flow = draw(st.sampled_from([None, False, True]))
    text = yaml.safe_dump(
        document, allow_unicode=draw(st.booleans()), default_flow_style=flow, sort_keys=False, width=10**6
    )
    return text.encode("utf-8", "surrogatepass")


@st.composite
def catalogues(draw: st.DrawFn) -> bytes:
    """Mostly mutations of the sample; sometimes the sample with one value in every article,
    random bytes, built documents or hostile snippets; now and then with a byte-order mark, CRLF
    line ends or a trailing NUL."""
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        data = draw(mutated())
    elif kind <= 5:
        data = draw(same_everywhere())
    elif kind == 6:
        data = draw(st.binary(max_size=400))
    elif kind <= 8:
        data = draw(documents())
    else:
        data = draw(hostile())
    finish = draw(st.integers(0, 11))
    if finish == 1:
        data = b"\xef\xbb\xbf" + data
    elif finish == 2:
        data = data.replace(b"\n", b"\r\n")
    elif finish == 3:
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    elif finish == 4:
        data += b"\x00"
    return data


# ---------------------------------------------------------------------------------------------
# Command lines and sandboxes
# ---------------------------------------------------------------------------------------------

CATALOGUE_PATHS = [CATALOGUE, "missing.yaml", "--", ".", "feeds", "articles.yaml/x", "", "ü.yaml", "\udcff"]
OUT_PATHS = [
    "feeds", "out/x", "a b", "ü/é", "feeds/tags", CATALOGUE, "articles.yaml/sub", "./feeds", "feeds/",
    "out//x", "--", "elsewhere/new", "n" * 300, "feeds/.feedpub-manifest.json", "\udcff", "-feeds",
]  # fmt: skip
"""Relative paths inside the sandbox; the junk ones still name nothing outside it."""
NOW_VALUES = [
    "9999-12-31T23:59:59.999999", "2024-06-01", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00+05:45",
    "2024-03-10T02:30:00", "2024-11-03T01:30", "1970-01-01T00:00:00Z", "1990-01-01", "0001-01-01",
    "2023-12-07T10:00:00-05:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "2024-06-01 12:00", "20240601T120000", "", "now", "yesterday", "2024-13-01", "2024-02-30", "24:00",
    "2024-06-01T25:00", "1e9", "-1", "2024-06-01T12:00:00+24:00", "\udcff", "2024-W01-1",
    "\u0662\u0660\u0662\u0664-\u0660\u0661-\u0660\u0661",
]  # fmt: skip
FOLDERS = ["feeds", ".", "elsewhere", CATALOGUE, "missing", "feeds/tags", "\udcff", "-", "feeds/atom.xml"]
JUNK = [
    "--", "-", "--cat", "--o", "--n", "--q", "-x", "--outt", "-qq", "-qh", "--quiet=1", "extra", "ü",
    "\udcff", "%s", "{}", "'", "--no-such-option", "-catalogue", "--Catalogue", "build", "check", "verify",
    "--version=1", "-h-", "—out",
]  # fmt: skip

_token = st.sampled_from(JUNK) | st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8
)
"""A junk argument: never a NUL or an unpaired surrogate, which no real argv can carry."""


def _valued(option: str, values: list[str]) -> st.SearchStrategy[list[str]]:
    """`option VALUE` or `option=VALUE`: the value is often `values[0]` (a valid one), else mostly
    one of `values` (valid ones first), else junk."""
    value = st.tuples(st.integers(0, 3), st.sampled_from(values), _token).map(
        lambda v: values[0] if v[0] == 0 else v[2] if v[0] == 3 else v[1]
    )
    return st.tuples(value, st.booleans()).map(
        lambda vb: [f"{option}={vb[0]}"] if vb[1] and vb[0] else [option, vb[0]]
    )


_CATALOGUE_OPTION = _valued("--catalogue", CATALOGUE_PATHS)
_FITTING = {
    "check": _CATALOGUE_OPTION,
    "build": st.one_of(
        _CATALOGUE_OPTION,
        _valued("--out", OUT_PATHS),
        _valued("--now", NOW_VALUES),
        st.sampled_from([["-q"], ["--quiet"]]),
    ),
    "verify": st.sampled_from(FOLDERS).map(lambda folder: [folder]),
}
"""Options the command takes."""
_ANY = st.one_of(
    _FITTING["build"],
    _FITTING["verify"],
    st.sampled_from([["--help"], ["-h"], ["--version"], ["--out"], ["--now"], ["--catalogue"]]),
    _token.map(lambda token: [token]),
)
"""Any option, whether the command takes it or not, and junk."""


@st.composite
def arguments(draw: st.DrawFn) -> tuple[str, ...]:
    """A command, then up to four options: mostly ones it takes, with values mostly valid;
    sometimes others, junk, a missing value or command, or --help and --version."""
    command = draw(st.sampled_from(["check", "build", "verify"]))
    most = 2 if command == "verify" else 4  # verify takes one folder: two are a usage error
    options = draw(st.lists(st.tuples(st.integers(0, 7), _FITTING[command], _ANY), max_size=most))
    argv = [
        command,
        *(token for kind, fitting, other in options for token in (other if kind == 7 else fitting)),
    ]
    prefix = draw(st.integers(0, 19))
    if prefix == 1:
        argv.insert(0, draw(st.sampled_from(["--version", "--help", "-h"])))
    elif prefix == 2:
        argv[0] = draw(_token)
    elif prefix == 3:
        argv = argv[1:]
    return tuple(argv)


SETUPS = [
    "plain",  # the catalogue and elsewhere/victim.txt, a file no run may touch
    "user-files",  # feeds/notes.txt and feeds/tags/mine/x.txt, which feedpub did not write
    "feeds-is-file",  # an output folder that is a file
    "link-inside",  # feeds/tags is a symbolic link to ../elsewhere
    "link-feed",  # feeds/atom.xml is a symbolic link to ../elsewhere/victim.txt
    "out-is-link",  # feeds is a symbolic link to elsewhere (a legitimate deployment)
    "stale",  # a manifest naming files outside feeds, a stale tag feed and a dead build's temp file
    "feeds-xml",  # feeds/atom.xml and feeds/tags/t/rss.xml from `feed`, for verify
]


def feed_bytes(draw: st.DrawFn) -> bytes:
    """A feed for verify to read: hostile XML or a mutation of a real feed."""
    if draw(st.booleans()):
        return draw(st.sampled_from(HOSTILE_XML))
    return draw(mutated(SAMPLE_FEED))


@dataclass(frozen=True)
class Example:
    catalogue: bytes
    argv: tuple[str, ...]
    setup: str = "plain"
    encoding: str = "utf-8"
    feed: bytes = b""


@st.composite
def strategies(draw: st.DrawFn) -> Example:
    """One example: catalogue bytes, argv, sandbox set-up and the encoding of stdout/stderr.

    One in ten is a time-travel build: every date of the sample set to one boundary moment,
    built as of that moment or of the end of time: a combination random draws rarely make."""
    setup = draw(st.sampled_from(SETUPS))
    if draw(st.integers(0, 9)) == 9:
        moment = draw(st.sampled_from(MOMENTS))
        catalogue = _every(SAMPLE, (b"published", b"updated"), moment.encode())
        argv = ("build", "--now", draw(st.sampled_from([moment, NOW_VALUES[0]])), *draw(arguments())[1:])
    else:
        catalogue, argv = draw(catalogues()), draw(arguments())
    return Example(
        catalogue=catalogue,
        argv=argv,
        setup=setup,
        encoding=draw(st.sampled_from(["utf-8", "ascii", "latin-1"])),
        feed=feed_bytes(draw) if setup == "feeds-xml" else b"",
    )


def prepare(root: Path, example: Example) -> None:
    """Write the catalogue and the set-up's files into the empty folder `root`."""
    (root / CATALOGUE).write_bytes(example.catalogue)
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "victim.txt").write_bytes(b"must survive\n")
    feeds = root / "feeds"
    if example.setup == "user-files":
        (feeds / "tags" / "mine").mkdir(parents=True)
        (feeds / "notes.txt").write_bytes(b"mine\n")
        (feeds / "tags" / "mine" / "x.txt").write_bytes(b"mine\n")
    elif example.setup == "feeds-is-file":
        feeds.write_bytes(b"not a folder\n")
    elif example.setup == "link-inside":
        feeds.mkdir()
        (feeds / "tags").symlink_to(Path("..") / "elsewhere")
    elif example.setup == "link-feed":
        feeds.mkdir()
        (feeds / "atom.xml").symlink_to(Path("..") / "elsewhere" / "victim.txt")
    elif example.setup == "out-is-link":
        feeds.symlink_to("elsewhere")
    elif example.setup == "stale":
        (feeds / "tags" / "old").mkdir(parents=True)
        (feeds / "tags" / "old" / "rss.xml").write_bytes(b"<rss/>\n")
        (feeds / ".feedpub-tmp-1-rss.xml").write_bytes(b"half")
        listed = ["../elsewhere/victim.txt", "/etc/hostname", "tags/old/rss.xml", "tags/../../articles.yaml"]
        (feeds / ".feedpub-manifest.json").write_text(json.dumps({"files": listed}), encoding="utf-8")
    elif example.setup == "feeds-xml":
        (feeds / "tags" / "t").mkdir(parents=True)
        (feeds / "atom.xml").write_bytes(example.feed)
        (feeds / "tags" / "t" / "rss.xml").write_bytes(example.feed)


Entry = tuple[str, bytes]


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under `root` (relative, normalised) → its kind and bytes or link target."""
    entries: dict[str, Entry] = {}
    for folder, dirs, files in os.walk(root):  # symbolic links to folders are not followed
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                entries[rel] = ("link", os.fsencode(os.readlink(path)))
            elif os.path.isdir(path):
                entries[rel] = ("dir", b"")
            else:
                try:
                    entries[rel] = ("file", Path(path).read_bytes())
                except OSError as e:
                    entries[rel] = ("unreadable", str(e).encode())
    return entries


def output_folders(argv: tuple[str, ...], root: Path) -> list[str]:
    """The folder build writes into, as the command's own parser reads `argv` (abbreviations,
    `--out=`, the last one winning), and the folder that names when resolved; [] if not a build."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            args = cli._parser().parse_args(list(argv))
        except SystemExit:
            return []
    out = getattr(args, "out", None)  # only build has --out
    if not isinstance(out, str):
        return []  # not a build, or an --out feedpub cannot use (nothing may change then)
    named = os.path.normpath(out)
    real = os.path.relpath(os.path.realpath(root / out), os.path.realpath(root))
    return [named] if real == named or real.startswith("..") else [named, real]


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder + os.sep)


def changes(before: dict[str, Entry], after: dict[str, Entry], outs: list[str]) -> list[str]:
    """Paths created, changed or deleted other than inside the output folders `outs`, or
    folders created to hold them."""
    found = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if any(path != out and _inside(path, out) for out in outs):
            continue
        if old is None and new == ("dir", b"") and any(_inside(out, path) for out in outs):
            continue
        what = "created" if old is None else "deleted" if new is None else "changed"
        found.append(f"{path!r} {what}")
    return found


@dataclass
class Result:
    status: int | None
    stdout: str
    stderr: str
    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    """One short name per problem, such as 'OverflowError at catalogue.py:309', to tell bugs apart."""


_PACKAGE = os.path.dirname(cli.__file__)


def _escaped(error: Exception) -> str:
    """'Type at file:line' of the innermost frame in feedpub that `error` passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if frame.filename.startswith(_PACKAGE)] or frames
    where = f"{os.path.relpath(ours[-1].filename, _PACKAGE)}:{ours[-1].lineno}" if ours else "?"
    return f"{type(error).__name__} at {where}"


def run_in_process(argv: tuple[str, ...], encoding: str) -> Result:
    """`feedpub.cli.main(argv)` with stdout and stderr captured in streams of `encoding` with
    strict errors, as a terminal's would be; main() makes them replace what they cannot carry."""
    out = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict", write_through=True)
    result = Result(None, "", "")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):  # type: ignore[type-var]
        try:
            result.status = cli.main(list(argv))
        except SystemExit as e:
            result.status = 0 if e.code is None else e.code if isinstance(e.code, int) else -1
        except Exception as e:
            last = traceback.format_exc().rstrip().splitlines()[-5:]
            result.problems.append("exception escaped main(): ...\n" + "\n".join(last))
            result.kinds.append(_escaped(e))
    for stream in (out, err):
        stream.flush()
    result.stdout, result.stderr = (
        stream.buffer.getvalue().decode(encoding, "replace")  # type: ignore[attr-defined]
        for stream in (out, err)
    )
    return result


def run_subprocess(argv: tuple[str, ...], encoding: str, cwd: Path) -> Result:
    """The real command, `python -m feedpub`, with PYTHONIOENCODING set to `encoding`."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    command = [sys.executable, "-m", "feedpub", *argv]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=300, check=False)
    stdout, stderr = (text.decode(encoding, "replace") for text in (done.stdout, done.stderr))
    return Result(done.returncode, stdout, stderr)


def check(example: Example, *, real: bool = False) -> Result:
    """Run `example` in a fresh sandbox; the result's `problems` name every broken promise."""
    with tempfile.TemporaryDirectory(prefix="feedpub-fuzz-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        prepare(root, example)
        outs = output_folders(example.argv, root)
        before = snapshot(root)
        if real:
            result = run_subprocess(example.argv, example.encoding, root)
        else:
            cwd = os.getcwd()
            os.chdir(root)
            try:
                result = run_in_process(example.argv, example.encoding)
            finally:
                os.chdir(cwd)
        after = snapshot(root)
    if result.status not in STATUSES and not result.kinds:  # None: an exception escaped
        result.problems.append(f"exit status {result.status!r} is not one of {sorted(STATUSES)}")
        result.kinds.append("bad exit status")
    printed = result.stdout + result.stderr
    said = b"Traceback" in example.catalogue or any("Traceback" in arg for arg in example.argv)
    if ("Traceback (most recent call last)" if said else "Traceback") in printed:
        result.problems.append("a traceback was printed")
        result.kinds.append("traceback printed")
    allowed = [] if result.status in (1, 2) else outs  # 1 and 2 promise that nothing was written
    changed = changes(before, after, allowed)
    result.problems += [f"{change} outside the output folder {outs}" for change in changed]
    result.kinds += ["files changed outside the output folder"] if changed else []
    return result


def _catalogue(data: bytes) -> str:
    """The catalogue's exact bytes; when it is a long edit of the sample, as a line diff."""
    if data == SAMPLE:
        return f"catalogue ({len(data)} bytes): the sample articles.yaml, unchanged"
    if len(data) <= 600:
        return f"catalogue bytes ({len(data)}): {data!r}"
    diff = difflib.diff_bytes(
        difflib.unified_diff, SAMPLE.splitlines(True), data.splitlines(True), b"sample", b"catalogue", n=0
    )
    lines = [repr(line)[1:] for line in diff if not line.startswith((b"---", b"+++"))]
    return f"catalogue ({len(data)} bytes): the sample articles.yaml with lines changed:\n  " + "\n  ".join(
        lines
    )


def describe(example: Example, result: Result) -> str:
    """A failing example and its result, in full, for a report."""
    return "\n".join(
        [
            f"argv: {list(example.argv)!r}",
            f"setup: {example.setup!r}, stdout/stderr encoding: {example.encoding!r}",
            _catalogue(example.catalogue),
            *([f"feed bytes ({len(example.feed)}): {example.feed!r}"] if example.feed else []),
            f"exit status: {result.status!r}",
            f"stdout: {result.stdout!r}",
            f"stderr: {result.stderr!r}",
            *(f"PROBLEM: {problem}" for problem in result.problems),
        ]
    )


def edited(base: bytes, old: bytes, new: bytes) -> bytes:
    """`base` with `old`, which it holds once, replaced by `new`: how `as_example` writes a
    small edit of the sample."""
    if base.count(old) != 1:
        raise ValueError(f"{old!r} is not in the base exactly once")
    return base.replace(old, new)


def _written(data: bytes, base: bytes, name: str) -> str:
    """Python for `data`: `base` (named `fuzz.<name>`) itself, `base` with the lines that
    differ replaced, or the bytes, whichever is shortest."""
    if data == base:
        return f"fuzz.{name}"
    literal = repr(data)
    shorter = min(len(base), len(data))
    start = next((i for i, (a, b) in enumerate(zip(base, data, strict=False)) if a != b), shorter)
    start = base.rfind(b"\n", 0, start) + 1  # from the start of the first line that differs
    same_end = 0  # bytes the two share at their ends, after `start`
    while same_end < shorter - start and base[-1 - same_end] == data[-1 - same_end]:
        same_end += 1
    end = len(base) - same_end
    if end == start or base[end - 1 : end] != b"\n":
        end = len(base) if base.find(b"\n", end) < 0 else base.find(b"\n", end) + 1
    while base.count(base[start:end]) != 1:  # more lines around it, until it occurs once
        start = base.rfind(b"\n", 0, max(start - 1, 0)) + 1
        end = len(base) if base.find(b"\n", end) < 0 else base.find(b"\n", end) + 1
    old, new = base[start:end], data[start : len(data) - (len(base) - end)]
    written = f"fuzz.edited(fuzz.{name}, {old!r}, {new!r})"
    return written if len(written) < len(literal) else literal


def as_example(example: Example) -> str:
    """`example` as an `@example` line for a test of tests/test_fuzz.py (which loads this
    file as `fuzz`)."""
    fields = [_written(example.catalogue, SAMPLE, "SAMPLE"), repr(example.argv)]
    fields += [f"setup={example.setup!r}"] if example.setup != "plain" else []
    fields += [f"encoding={example.encoding!r}"] if example.encoding != "utf-8" else []
    fields += [f"feed={_written(example.feed, SAMPLE_FEED, 'SAMPLE_FEED')}"] if example.feed else []
    return f"@example(fuzz.Example({', '.join(fields)}))"


def _normal(text: str) -> str:
    return re.sub(r"in \d+\.\d\d s$", "in N s", text, flags=re.MULTILINE)


def agree(example: Example, inside: Result, real: Result) -> list[str]:
    """How the subprocess's result differs from the in-process one (the build time aside)."""
    return [
        f"{name}: in-process {a!r}, subprocess {b!r}"
        for name, a, b in [
            ("status", inside.status, real.status),
            ("stdout", _normal(inside.stdout), _normal(real.stdout)),
            ("stderr", _normal(inside.stderr), _normal(real.stderr)),
        ]
        if a != b
    ]


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


def _spread(kept: dict[int | None, list[Example]], count: int) -> list[Example]:
    """Up to `count` examples, taken in turn from each exit status's."""
    pools = [list(examples) for _, examples in sorted(kept.items(), key=lambda kv: str(kv[0]))]
    picked: list[Example] = []
    while len(picked) < count and any(pools):
        for pool in pools:
            if pool and len(picked) < count:
                picked.append(pool.pop(len(pool) // 2))
    return picked


def minimal(kind: str, budget: int, seed: int) -> Example:
    """Hypothesis's smallest example with a problem of `kind`: the same search as the run
    (same seed), stopped at the first such example and shrunk."""
    return find(
        strategies(),
        lambda example: kind in check(example).kinds,
        settings=settings(max_examples=budget, deadline=None, database=None),
        random=random.Random(seed),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="in-process examples (default 2000)")
    parser.add_argument("--seed", type=int, help="hypothesis seed (default: a random one, printed)")
    parser.add_argument("--subprocess", type=int, default=20, help="examples re-run as a subprocess")
    options = parser.parse_args()
    chosen = options.seed if options.seed is not None else int.from_bytes(os.urandom(4), "big")

    statuses: Counter[int | None] = Counter()
    kinds: Counter[str] = Counter()
    kept: dict[int | None, list[Example]] = {}
    failing = 0

    # Every example of the budget runs, failing or not, so that one bug does not hide the
    # others; each kind of failure is then shrunk on its own.
    @settings(
        max_examples=options.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategies())
    def fuzz(example: Example) -> None:
        nonlocal failing
        result = check(example)
        statuses[result.status] += 1
        kinds.update(set(result.kinds))
        failing += bool(result.problems)
        if not result.problems:
            kept.setdefault(result.status, []).append(example)

    print(f"feedpub fuzz: {options.examples} examples, seed {chosen}", flush=True)
    started = time.perf_counter()
    hypothesis_seed(random.Random(chosen).getrandbits(64))(fuzz)()
    seconds = time.perf_counter() - started

    # A handful of the passing examples again through the real command, spread over statuses.
    picked = _spread(kept, options.subprocess)
    real_started = time.perf_counter()
    disagreements: list[tuple[Example, str]] = []
    for example in picked:
        inside, real = check(example), check(example, real=True)
        differences = real.problems + agree(example, inside, real)
        if differences:
            disagreements.append((example, f"{describe(example, real)}\n" + "\n".join(differences)))
    real_seconds = time.perf_counter() - real_started

    total = sum(statuses.values())
    spread = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))
    print(f"examples run: {total} in-process in {seconds:.1f} s ({total / seconds:.0f}/s)")
    print(f"exit statuses: {spread}")
    failed = len(disagreements)
    print(f"subprocess: {len(picked)} passing examples re-run in {real_seconds:.1f} s, {failed} failing")
    print(f"failures: {failing + len(disagreements)} ({len(kinds)} distinct)")
    for kind, count in kinds.most_common():
        print(f"  {count:5}  {kind}")
    for number, kind in enumerate(kinds, 1):
        shrinking = time.perf_counter()
        example = minimal(kind, options.examples, chosen)
        result, real = check(example), check(example, real=True)
        print(
            f"\nfailure {number}, {kind}: minimal example ({time.perf_counter() - shrinking:.1f} s to shrink)"
        )
        print(describe(example, result))
        print(f"as a subprocess: exit status {real.status}, " + (", ".join(real.kinds) or "no problem"))
        if real.stderr:
            print("subprocess stderr, last line: " + real.stderr.rstrip().splitlines()[-1])
        print("in tests/test_fuzz.py, above test_no_catalogue_or_arguments_break_the_command:")
        print(as_example(example))
    for example, disagreement in disagreements:
        print("\nsubprocess failure:\n" + disagreement)
        print("in tests/test_fuzz.py, above test_the_real_command_behaves_as_in_process:")
        print(as_example(example))
    return 1 if kinds or disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
