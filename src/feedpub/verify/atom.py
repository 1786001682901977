"""Atom 1.0: RFC 4287's RELAX NG schema, its two Schematron rules, and the W3C validator's
Atom checks."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from lxml import etree  # type: ignore[import-untyped]

from feedpub.verify.common import (
    ATOM,
    HISTORY,
    MEDIA,
    Report,
    check_canonical_id,
    check_history,
    check_html,
    check_media,
    check_plain_text,
    check_rfc3339,
    check_self_links,
    check_uri,
    text_of,
)

A = f"{{{ATOM}}}"
_FEED_METADATA = {
    f"{A}{n}"
    for n in (
        "author",
        "category",
        "contributor",
        "generator",
        "icon",
        "id",
        "link",
        "logo",
        "rights",
        "subtitle",
        "title",
        "updated",
    )
}


@cache
def schema() -> etree.RelaxNG:
    """RFC 4287 Appendix B, converted from compact syntax by trang (see atom.rnc)."""
    return etree.RelaxNG(etree.parse(str(files("feedpub.verify") / "atom.rng")))


def check(root: etree._Element, relative: str, report: Report) -> None:
    rng = schema()
    if not rng.validate(root.getroottree()):
        for error in rng.error_log:
            report.error(error.line, error.column, "RFC 4287", f"schema: {error.message}")
    for prefix, uri in root.nsmap.items():
        if prefix in ("atom", "xhtml") or (uri == ATOM and prefix is not None):
            report.at(root, "AvoidNamespacePrefix", f"declares xmlns:{prefix}", warning=True)
        elif prefix is not None and (prefix, uri) not in (("fh", HISTORY), ("media", MEDIA)):
            report.at(root, "UnknownNamespace", f"declares xmlns:{prefix}={uri!r}", warning=True)
    _check_declared_once(root, report)
    entries = root.findall(f"{A}entry")
    first_entry = root.index(entries[0]) if entries else len(root)
    for child in root[first_entry:]:
        if child.tag in _FEED_METADATA:
            report.at(child, "MisplacedMetadata", "must appear before all entries")
    check_self_links(root, root.findall(f"{A}link"), relative, report, "MissingSelf")
    check_history(root, report)
    feed_has_author = root.find(f"{A}author") is not None
    feed_id = root.find(f"{A}id")
    if feed_id is not None:
        check_canonical_id(feed_id, text_of(feed_id), report)
    for element in root.iter(f"{A}updated", f"{A}published"):
        check_rfc3339(element, report)
    for element in root.iter(f"{A}title", f"{A}subtitle", f"{A}summary", f"{A}content", f"{A}rights"):
        if element.get("type") == "html":
            check_html(element, report, relative_ok=True)
        elif element.get("type") in (None, "text"):
            check_plain_text(element, report, rss=False)
    for element in root.iter(f"{A}name"):
        check_plain_text(element, report, rss=False)
    for category in root.iter(f"{A}category"):
        if not category.get("term", "").strip():
            report.at(category, "NotBlank", "term should not be blank", warning=True)
    for element in root.findall(f"{A}icon") + root.findall(f"{A}logo"):
        check_uri(element, text_of(element), report)
    ids: dict[str, int] = {}
    updated: dict[str, int] = {}
    for entry in entries:
        _check_entry(entry, feed_has_author, ids, updated, report)


def _check_entry(
    entry: etree._Element, feed_has_author: bool, ids: dict[str, int], updated: dict[str, int], report: Report
) -> None:
    has_content = entry.find(f"{A}content") is not None
    alternates = [link for link in entry.findall(f"{A}link") if link.get("rel", "alternate") == "alternate"]
    if not has_content and not alternates:
        report.at(entry, "MissingContentOrAlternate", "needs content or an alternate link")
    if not has_content and entry.find(f"{A}summary") is None:
        report.at(entry, "MissingTextualContent", "has neither summary nor content", warning=True)
    if not feed_has_author and entry.find(f"{A}author") is None:
        report.at(entry, "MissingElement", "missing author (and the feed has none)")
    for link in entry.findall(f"{A}link"):
        check_uri(link, link.get("href", ""), report)
    check_media(entry, report)
    if len({(link.get("type"), link.get("hreflang")) for link in alternates}) < len(alternates):
        report.at(entry, "DuplicateAtomLink", "two alternate links with the same type and hreflang")
    ident = entry.find(f"{A}id")
    if ident is not None:
        check_canonical_id(ident, text_of(ident), report)
        if text_of(ident) in ids:
            report.at(
                ident, "DuplicateEntries", f"same id as the entry on line {ids[text_of(ident)]}", warning=True
            )
        ids[text_of(ident)] = ident.sourceline
    stamp = entry.find(f"{A}updated")
    if stamp is not None:
        if text_of(stamp) in updated:
            report.at(
                stamp,
                "DuplicateUpdated",
                f"same updated as the entry on line {updated[text_of(stamp)]}",
                warning=True,
            )
        updated[text_of(stamp)] = stamp.sourceline


def _check_declared_once(root: etree._Element, report: Report) -> None:
    for element in root.iterdescendants():
        if isinstance(element.tag, str) and element.nsmap != root.nsmap:
            report.at(element, "namespaces", "declares a namespace below the root")
