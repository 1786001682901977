"""What RSS and Atom checks share: the report, dates, URIs, plain text and HTML."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import quote, quote_plus, unquote_to_bytes

import html5lib
from html5lib.html5parser import ParseError
from lxml import etree  # type: ignore[import-untyped]

from feedpub.problems import Problem, Severity
from feedpub.render.content import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

ATOM = "http://www.w3.org/2005/Atom"
HISTORY = "http://purl.org/syndication/history/1.0"
MEDIA = "http://search.yahoo.com/mrss/"
_M = f"{{{MEDIA}}}"
_MEDIUMS = ("image", "audio", "video", "document", "executable")
EARLIEST = "1990-01-01"
_URI = re.compile(r"[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+")
_HTTP = re.compile(r"https?://[^/]")
# RFC 3986's regular expression for the parts of a URI reference (appendix B)
_URI_PARTS = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?")
_KEPT_UNESCAPED = "~:/?[]@!$&'()*+,;="
_DEFAULT_PORTS = {"http": 80, "ftp": 21}
_END_TAG = re.compile(r"</(\w+)>")
_ENTITY_LIKE = re.compile(r"&(#?\w+)")
_CHARACTER_DATA = re.compile(r"&#[x0-9]|<[/a-zA-Z]")
_BAD_CHARACTERS = re.compile("[\x80-\x9f\ufffd]")
MAX_DEPTH = 512
"""Elements nested in HTML at most, as browsers' parsers have them (Chromium's and WebKit's
re-parent deeper ones): the HTML5 tree builder walks its stack of open elements at every
tag, so a depth without bound would make checking one entry take hours."""


class _TooDeep(Exception):
    pass


class _OpenElements(list[Any]):
    def append(self, element: Any) -> None:
        if len(self) >= MAX_DEPTH:
            raise _TooDeep
        super().append(element)


class _Bounded(html5lib.getTreeBuilder("etree")):  # type: ignore[misc]
    """html5lib's tree of elements, refusing to nest deeper than MAX_DEPTH."""

    def reset(self) -> None:
        super().reset()
        self.openElements = _OpenElements()


_HTML = html5lib.HTMLParser(tree=_Bounded, strict=True)
_LENIENT_HTML = html5lib.HTMLParser(tree=_Bounded)
# The RFC 822 date-time form the W3C validator accepts without comment.
_RFC822 = re.compile(
    r"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d\d\d\d \d\d:\d\d(:\d\d)? ([+-]?\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)"
)


class Report:
    """Problems found in one file, each naming the W3C validator's message it stands for."""

    def __init__(self, path: str, data: bytes, now: datetime) -> None:
        self.path = path
        self.hex_lines = [b"&#x" in line for line in data.split(b"\n")]
        """Which lines hold '&#x', looked for once: a feed written on one line would otherwise
        be searched whole for every plain-text element in it."""
        self.now = now
        self.problems: list[Problem] = []

    def error(self, line: int, col: int, w3c: str, message: str, *, warning: bool = False) -> None:
        severity = Severity.WARNING if warning else Severity.ERROR
        self.problems.append(Problem(self.path, line, col, severity, f"{message} [{w3c}]"))

    def at(self, element: etree._Element, w3c: str, message: str, *, warning: bool = False) -> None:
        self.error(element.sourceline or 1, 1, w3c, f"<{_name(element)}>: {message}", warning=warning)

    def hex_references_on_lines(self, element: etree._Element) -> bool:
        """Whether the element's source lines hold '&#x', which exempts plain text from the
        W3C validator's suspicion of escaped HTML."""
        first = (element.sourceline or 1) - 1
        last = first + (element.text or "").count("\n")
        return any(self.hex_lines[first : last + 1])


def _name(element: etree._Element) -> str:
    qname = etree.QName(element)
    prefix = element.prefix
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def text_of(element: etree._Element) -> str:
    return element.text or ""


def check_plain_text(element: etree._Element, report: Report, *, rss: bool) -> None:
    """A plain-text field must not read as HTML (W3C ContainsHTML and CharacterData)."""
    value = text_of(element)
    if not value.strip():
        report.at(element, "NotBlank", "should not be blank", warning=True)
    check_characters(element, value, report)
    kind = "ContainsHTML" if rss else "ContainsUndeclaredHTML"
    end_tag = _END_TAG.search(value)
    if end_tag:
        report.at(element, kind, f"plain text contains an HTML end tag {end_tag.group()!r}", warning=True)
        return
    exempt = report.hex_references_on_lines(element)
    for name in _ENTITY_LIKE.findall(value):
        if (name in name2codepoint or name == "apos" or not name.isalpha()) and not exempt:
            report.at(
                element, kind, f"plain text contains '&{name}', which reads as an HTML entity", warning=True
            )
            return
    if rss and _CHARACTER_DATA.search(value) and not exempt:
        report.at(
            element, "CharacterData", "'&' or '<' in plain text not written as a hex reference", warning=True
        )


def check_characters(element: etree._Element, value: str, report: Report) -> None:
    if _BAD_CHARACTERS.search(value):
        report.at(element, "BadCharacters", "contains a C1 control character or U+FFFD", warning=True)


def check_html(element: etree._Element, report: Report, *, relative_ok: bool, plain: bool = False) -> None:
    """Escaped HTML must parse as HTML5 without error and hold only allowlisted, safe markup;
    if it stands for `plain` text (an RSS channel's description, which readers take for
    HTML), no markup at all."""
    value = text_of(element)
    check_characters(element, value, report)
    try:
        try:
            fragment = _HTML.parseFragment(value)
        except ParseError as e:
            report.at(element, "NotHtml", f"invalid HTML: {e}", warning=True)
            fragment = _LENIENT_HTML.parseFragment(value)  # what a reader makes of it all the same
    except _TooDeep:
        report.at(
            element,
            "TooDeep",
            f"HTML nests elements more than {MAX_DEPTH} deep, which browsers do not (not checked further)",
            warning=True,
        )
        return
    marked = False
    for node in fragment.iter():
        if not isinstance(node.tag, str) or node.tag == "DOCUMENT_FRAGMENT":
            continue
        tag = node.tag.rpartition("}")[2]
        if plain and not marked:
            report.at(
                element,
                "ContainsHTML",
                f"plain text holds markup <{tag}>, which readers render (escape it for HTML)",
                warning=True,
            )
            marked = True
        if tag not in ALLOWED_TAGS:
            report.at(element, "SecurityRisk", f"HTML contains a <{tag}> element", warning=True)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for attribute, target in node.attrib.items():
            if attribute not in allowed:
                report.at(
                    element, "SecurityRiskAttr", f"HTML <{tag}> has a {attribute!r} attribute", warning=True
                )
            elif attribute in ("href", "src"):
                scheme = target.partition(":")[0].lower() if re.match(r"\w+:", target) else ""
                if not scheme and not relative_ok:
                    report.at(
                        element, "ContainsRelRef", f"HTML holds a relative URL {target!r}", warning=True
                    )
                elif scheme and scheme not in URL_SCHEMES:
                    report.at(element, "SecurityRisk", f"HTML holds a {scheme}: URL", warning=True)


def check_uri(element: etree._Element, value: str, report: Report, w3c: str = "InvalidFullLink") -> None:
    """An absolute, ASCII-only URI; http(s) ones with a host."""
    if not _URI.fullmatch(value) or (value.lower().startswith("http") and not _HTTP.match(value.lower())):
        report.at(element, w3c, f"{value!r} is not a full and valid URL")


def check_self_links(
    parent: etree._Element, links: list[etree._Element], relative: str, report: Report, missing: str
) -> None:
    """A feed links to itself, absolutely, at the address it is published at: `relative` is
    that address when the feed was fetched from it, else the feed's path under the feeds
    folder, which the address ends with; `missing` names the W3C message for no such link."""
    selfs = [link for link in links if link.get("rel") == "self"]
    if not selfs:
        report.at(parent, missing, 'missing a link rel="self"', warning=True)
    fetched = "://" in relative
    for link in selfs:
        href = link.get("href", "")
        check_uri(link, href, report, "RelativeSelf")
        if fetched and href != relative:
            report.at(
                link,
                "SelfDoesntMatchLocation",
                f"self link {href!r} is not {relative!r}, the address it was fetched from",
                warning=True,
            )
        elif not fetched and not href.endswith("/" + relative):
            report.at(
                link,
                "SelfDoesntMatchLocation",
                f"self link {href!r} does not end with {relative!r}",
                warning=True,
            )


def check_history(parent: etree._Element, report: Report) -> None:
    """An archive page (RFC 5005's fh:archive on an Atom <feed> or an RSS <channel>, whose
    links are atom:link in both) links to the page before or after it and to its feed
    (current), unless it says it is complete (fh:complete), as the W3C validator checks Atom."""
    archive = parent.find(f"{{{HISTORY}}}archive")
    if archive is None or parent.find(f"{{{HISTORY}}}complete") is not None:
        return
    relations = {link.get("rel") for link in parent.findall(f"{{{ATOM}}}link")}
    if not relations & {"prev-archive", "next-archive"}:
        report.at(
            archive,
            "ArchiveIncomplete",
            "an archive page with neither a prev-archive nor a next-archive link (nor fh:complete)",
            warning=True,
        )
    if "current" not in relations:
        report.at(archive, "MissingCurrentInArchive", "an archive page without a current link", warning=True)


def check_canonical_id(element: etree._Element, value: str, report: Report) -> None:
    """An Atom id in the canonical form the W3C validator wants ids in (ids kept from an old
    feed may be any URI; feedpub's own are urn:uuid, which always are)."""
    canonical = canonical_uri(value)
    if canonical != value:
        shown = f"(it would be {canonical!r})" if canonical else "(it is not ASCII)"
        report.at(element, "NonCanonicalURI", f"{value!r} is not in canonical form {shown}", warning=True)


def canonical_uri(value: str) -> str | None:
    """`value` in the canonical form the W3C validator compares ids with: a lower-case scheme;
    for http and ftp a lower-case host without its default port, "/" for an empty path and
    no "." or ".." segments; percent-escapes only where needed, in upper case, of NFC text.
    None if `value` is not ASCII (an IRI), which that validator cannot put in canonical form."""
    if not value.isascii():
        return None
    parts = _URI_PARTS.fullmatch(value)
    assert parts is not None  # every string matches
    scheme, authority, path, query, fragment = parts.groups()
    scheme = scheme.lower() if scheme is not None else None
    try:
        if authority is None and scheme == "mailto" and "@" in path[1:]:
            local, _, domain = path.partition("@")
            path = f"{_requoted(local)}@{_requoted(domain.lower())}"
        elif authority is None:
            path = _requoted(path)
        else:
            if scheme in _DEFAULT_PORTS:
                authority = _authority(authority, _DEFAULT_PORTS[scheme])
                path = _without_dot_segments(path) if path else "/"
            path = _requoted(path)
        query = _requoted(query, plus=True) if query is not None else None
        fragment = _requoted(fragment) if fragment is not None else None
    except UnicodeDecodeError:  # escapes of bytes that are not UTF-8
        return None
    return "".join(
        [
            f"{scheme}:" if scheme is not None else "",
            f"//{authority}" if authority is not None else "",
            path,
            f"?{query}" if query is not None else "",
            f"#{fragment}" if fragment is not None else "",
        ]
    )


def _requoted(text: str, *, plus: bool = False) -> str:
    raw = unquote_to_bytes(text.replace("+", " ") if plus else text)
    normal = unicodedata.normalize("NFC", raw.decode("utf-8")).encode("utf-8")
    return quote_plus(normal, safe=_KEPT_UNESCAPED) if plus else quote(normal, safe=_KEPT_UNESCAPED)


def _authority(authority: str, default_port: int) -> str:
    user, _, host = authority.rpartition("@")
    name, colon, port = host.lower().partition(":")
    if colon and not port.isdigit() and port:
        return authority
    if port and int(port) != default_port:
        name += f":{int(port)}"
    user = "" if user == ":" else user
    return f"{user}@{name}" if user else name


def _without_dot_segments(path: str) -> str:
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
            continue
        kept.append(segment)
    return "/".join(kept)


def check_rfc822(element: etree._Element, report: Report) -> datetime | None:
    value = " ".join(text_of(element).split())
    if not _RFC822.fullmatch(value):
        report.at(element, "InvalidRFC2822Date", f"{value!r} is not a strict RFC 822 date-time")
        return None
    moment = parsedate_to_datetime(value)
    if value[:3].isalpha() and moment.strftime("%a") != value[:3]:
        report.at(element, "IncorrectDOW", f"{value!r} has the wrong day of the week")
    if moment.year < 1990 or moment > report.now + timedelta(minutes=10):
        report.at(element, "ImplausibleDate", f"{value!r} is before 1990 or in the future", warning=True)
    return moment


def check_rfc3339(element: etree._Element, report: Report) -> str | None:
    value = text_of(element)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*)?(Z|[+-]\d\d:\d\d)", value):
        report.at(element, "InvalidRFC3339Date", f"{value!r} is not an RFC 3339 date-time")
        return None
    # the validator compares strings against a UTC stamp a day ahead, whatever the offset
    horizon = (report.now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if value < EARLIEST or value > horizon:
        report.at(element, "ImplausibleDate", f"{value!r} is before 1990 or in the future", warning=True)
    return value


def check_media(parent: etree._Element, report: Report) -> None:
    """Media RSS in an RSS item or an Atom entry, as the W3C validator checks it: content and
    thumbnails with full URLs and positive sizes, known mediums, plain or HTML titles, and no
    group without alternatives."""
    for group in parent.findall(f"{_M}group"):
        if len(group.findall(f"{_M}content")) < 2:
            report.at(
                group,
                "MediaGroupWithoutAlternatives",
                "a media:group needs two media:content or more",
                warning=True,
            )
    for element in parent.iter(f"{_M}content", f"{_M}thumbnail"):
        url = element.get("url")
        if url is None:
            if element.tag == f"{_M}thumbnail":
                report.at(element, "MissingAttribute", "missing attribute 'url'")
        else:
            check_uri(element, url, report)
        for name in ("width", "height"):
            value = element.get(name)
            if value is not None and not (value.isascii() and value.isdigit() and int(value) > 0):
                report.at(element, "InvalidPositiveInteger", f"{name} must be a positive whole number")
        medium = element.get("medium")
        if medium is not None and medium not in _MEDIUMS:
            report.at(element, "InvalidMediaMedium", f"medium must be one of {', '.join(_MEDIUMS)}")
    for element in parent.iter(f"{_M}title", f"{_M}description"):
        kind = element.get("type", "plain")
        if kind not in ("plain", "html"):
            report.at(element, "InvalidMediaTextType", "type must be 'plain' or 'html'")
        elif kind == "html":
            check_html(element, report, relative_ok=False)
        else:
            check_plain_text(element, report, rss=False)
