"""A fetched document → a page of old entries: which format it is, read safely.

XML is parsed with entity resolution and network access off, and any document that declares
entities is refused: feeds have no use for them, and XML bombs ("billion laughs") and
external entities (which would read local files) are made of them. libxml2 also refuses
entity expansion beyond a small factor and nesting beyond its depth limit. JSON is parsed
by the standard library, whose depth and number limits end in errors, never in a crash.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from feedpub.importer import atom, jsonfeed, rss, wxr
from feedpub.importer.elements import ATOM
from feedpub.importer.fetch import Fetched
from feedpub.importer.old import Page, Refused, Why

FORMATS = "RSS 2.0, RSS 1.0, Atom 1.0, JSON Feed or a WordPress export (WXR)"
_WEB_PAGE = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
_ENTITY_DECLARATION = ("<!ENTITY", "<!entity")
_JSON_TYPES = ("application/feed+json", "application/json")
# a byte-order mark, or an XML declaration that names an encoding: the document says its own
_ENCODING_MARKED = re.compile(rb"\xef\xbb\xbf|\xfe\xff|\xff\xfe|<\?xml[^>]*\bencoding\s*=")
# a surrogate, escaped (\ud83d) or as the bytes Python's decoder lets through for one
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def read(fetched: Fetched) -> Page:
    data = fetched.data.removeprefix(b"\xef\xbb\xbf")
    if data.lstrip()[:1] in (b"{", b"[") or fetched.media_type in _JSON_TYPES:
        return jsonfeed.read(_json(data, fetched.address), fetched.address)
    if _WEB_PAGE.match(data[:4096]):
        raise Refused(
            Why.INVALID,
            f"{fetched.address} is a web page, not a feed: give the address of the feed itself, "
            'which the page names in <link rel="alternate" type="application/rss+xml" href="…">',
        )
    root = _xml(data, fetched)
    if root.tag == "rss":
        return wxr.read(root, fetched.address) if wxr.is_export(root) else rss.read(root, fetched.address)
    if root.tag == f"{rss.RDF}RDF":
        return rss.read_rdf(root, fetched.address)
    if root.tag == f"{ATOM}feed":
        return atom.read(root, fetched.address)
    name = etree.QName(root)
    raise Refused(
        Why.INVALID,
        f"{fetched.address} is XML but not a feed feedpub reads: its root element is "
        f"<{name.localname}>{f' in {name.namespace}' if name.namespace else ''} (expected {FORMATS})",
    )


def _json(data: bytes, address: str) -> Any:
    """The JSON document, each lone surrogate in its strings (half of a UTF-16 pair, which is
    no character, and which JSON's escapes and Python's decoder let through) made U+FFFD, the
    mark of a character lost, which the import then removes and notes."""
    try:
        document = json.loads(data)
        if _SURROGATE_BYTES.search(data):
            text = json.dumps(document, ensure_ascii=False)
            if _SURROGATE.search(text):
                document = json.loads(_SURROGATE.sub("\ufffd", text))
        return document
    except (ValueError, RecursionError) as e:  # ValueError: bad JSON, or a number too long
        message = str(e) if not isinstance(e, RecursionError) else "nested too deeply"
        raise Refused(Why.INVALID, f"{address} is not valid JSON: {message}") from None


def _xml(data: bytes, fetched: Fetched) -> etree._Element:
    """The document's root, read in the encoding it names (UTF-8 if none); one that names
    none (no byte-order mark, no encoding in its XML declaration) and is not UTF-8 is read
    in the charset its server named, if it named one."""
    base = None if fetched.is_file else fetched.address
    try:
        root = _parsed(data, base, None)
    except etree.XMLSyntaxError as e:
        if _declares_entities(data):
            raise _entities(fetched.address) from None
        root = _in_servers_charset(data, base, fetched, e)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _entities(fetched.address)
    return root


def _in_servers_charset(
    data: bytes, base: str | None, fetched: Fetched, error: etree.XMLSyntaxError
) -> etree._Element:
    """The root of a document that is not UTF-8 and names no encoding of its own, read in the
    charset its server named; else Refused with the `error` reading it as UTF-8 met."""
    if (
        fetched.charset
        and error.code == etree.ErrorTypes.ERR_INVALID_ENCODING
        and not _ENCODING_MARKED.match(fetched.data)
    ):
        with contextlib.suppress(etree.XMLSyntaxError, LookupError):  # a charset lxml does not know
            return _parsed(data, base, fetched.charset)
    raise Refused(Why.INVALID, f"{fetched.address} is not well-formed XML: {error}") from None


def _parsed(data: bytes, base: str | None, encoding: str | None) -> etree._Element:
    parser = etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    return etree.fromstring(data, parser, base_url=base)


def _declares_entities(data: bytes) -> bool:
    """Whether the document's prolog (where a DTD goes) declares an entity, in UTF-8 or UTF-16."""
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        prolog_end = data.find("]>".encode(encoding))
        prolog = data[: prolog_end if prolog_end >= 0 else 1 << 20]
        if any(mark.encode(encoding) in prolog for mark in _ENTITY_DECLARATION):
            return True
    return False


def _entities(address: str) -> Refused:
    return Refused(
        Why.INVALID,
        f"{address} declares XML entities (<!ENTITY …>), which feeds have no use for and XML bombs "
        "and external-entity attacks are made of: refused, nothing imported",
    )
