"""Published feeds as readers get them over HTTP → problems.

`verify_site` starts from a URL (the site's `feed_url`, a feed, an OPML list or an HTML page),
finds every feed a reader or a crawler would (see `links`), and checks each document's bytes
as `verify DIR` does, plus what HTTP adds: the status and redirects, the media type and
charset, validators and a conditional request, compression, Cache-Control, WebSub's Link
header, and that each feed's self link is where it was fetched from. It follows links on the
site's host and port only, naming the others, within `answers.Limits`.
"""

from __future__ import annotations

import re
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from feedpub.layout import ATOM, JSON, OPML, PAGE, RSS, STYLESHEET
from feedpub.problems import Problem, Severity, ordered
from feedpub.render.hosting import is_full_page, media_type, newest_pages
from feedpub.verify import verify_document
from feedpub.verify.answers import Answer, Failed, Limits, Session, address
from feedpub.verify.links import Document, Kind, Link, read

MAX_REDIRECTS = 5
"""Redirects followed from one link; more is a chain readers may give up on."""
LARGE = 1 << 16
"""Bytes of a feed above which it should be sent compressed to readers that accept gzip."""
LONGEST_LIVE = 3600
"""Seconds a cache may keep a live document (a feed, its newest archive page, the index page,
the OPML list) before readers miss new articles for longer than a poll or two."""
SHORTEST_FULL = 86400
"""Seconds under which a stated lifetime of a full archive page, which never changes, is short."""
ROOT_FILES = (PAGE, OPML, ATOM, RSS, JSON)
"""What feedpub publishes at `feed_url` itself: where a URL ending in '/' is started from."""
_REDIRECTS = (301, 302, 303, 307, 308)
_FILES = {
    Kind.ATOM: ATOM,
    Kind.RSS: RSS,
    Kind.JSON: JSON,
    Kind.OPML: OPML,
    Kind.STYLESHEET: STYLESHEET,
    Kind.PAGE: PAGE,
}
"""The file feedpub writes each kind of document as, whose media type README gives."""
_COPED = {
    Kind.ATOM: {"application/rss+xml", "text/xml", "text/plain", "application/octet-stream", ""},
    Kind.RSS: {"application/atom+xml", "text/xml", "text/plain", "application/octet-stream", ""},
    Kind.JSON: {"application/json", "text/plain", "application/octet-stream", ""},
    Kind.OPML: {"application/xml", "text/xml", "text/plain", "application/octet-stream", ""},
    Kind.STYLESHEET: set(),
    Kind.PAGE: set(),
}
"""Media types readers (or, for the stylesheet and the page, browsers) read the document
right with, though not the type README gives it: a warning. Any other type is an error."""
_ALSO_RIGHT = {
    Kind.ATOM: {"application/atom+xml"},
    Kind.RSS: {"application/rss+xml"},
    Kind.STYLESHEET: {"application/xslt+xml", "application/xml", "text/xml"},
}
"""Types as right as README's: the registered feed types, the stylesheet's other XML types."""
_LINK_HEADER = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)


@dataclass(slots=True)
class Verified:
    """What `verify_site` found and did."""

    start: str = ""
    """Where checking started: the address given, or where it redirects on another host."""
    feeds: int = 0
    documents: int = 0
    """Documents checked: the feeds, and the OPML lists, pages and stylesheets."""
    requests: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    off_site: list[str] = field(default_factory=list)
    """Links to other hosts (or ports), named and not followed."""


@dataclass(slots=True)
class _Fetched:
    answer: Answer | None = None
    failure: Failed | None = None
    hops: list[tuple[str, int, str]] = field(default_factory=list)
    """Each redirect followed: from, status, to."""
    conditional: int | Failed | None = None
    """The status of the conditional request (or why it failed); None if none was sent."""


def verify_site(start: str, limits: Limits | None = None, now: datetime | None = None) -> Verified:
    """Every problem of the feeds found from `start` (an http or https URL), as readers get them."""
    return _Crawl(start, limits or Limits(), now or datetime.now(UTC)).run()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


class _Crawl:
    def __init__(self, start: str, limits: Limits, now: datetime) -> None:
        self.start = address(start)
        self.given = self.start
        """The first address fetched: the one given, or feed_url's index page."""
        self.limits = limits
        self.now = now
        self.site = _origin(self.start)
        self.rebase: tuple[str, str] | None = None
        """(where the feeds say they are, where they were fetched): links under the first are
        read under the second, so that a copy served at another address is checked itself."""
        self.seen: dict[str, tuple[str, str] | None] = {}
        """Each URL queued, with the document and relation it was first linked from."""
        self.expected: dict[str, Kind | None] = {}
        self.off_site: dict[str, tuple[str, str]] = {}
        self.served: list[tuple[str, Kind, Message]] = []
        self.unfetched: dict[str, list[str]] = {}
        """URLs given up on for a reason of the whole run (the deadline, --max-requests)."""
        self.verified = Verified(self.start)
        self.pending: dict[Future[_Fetched], str] = {}

    def run(self) -> Verified:
        began = time.monotonic()
        pool = ThreadPoolExecutor(self.limits.threads, thread_name_prefix="feedpub-verify")
        with Session(self.limits) as session:
            self.session, self.pool = session, pool
            folder = self.start.endswith("/")
            self.given = self.start + ROOT_FILES[0] if folder else self.start
            self.seen[self.given] = None
            self.expected[self.given] = _expected_at(ROOT_FILES[0]) if folder else None
            first = self._fetch(self.given)  # before the others: it may lead to where the site is
            if first.answer is not None and _origin(first.answer.url) != self.site:
                moved = urlsplit(first.answer.url)
                self.start = (
                    urlunsplit((*moved[:2], urlsplit(self.start).path, "", "")) if folder else moved.geturl()
                )
                self.site, self.verified.start = _origin(self.start), self.start
            self._analyse(self.given, first)
            for name in ROOT_FILES[1:] if folder else ():
                self._queue(self.start + name, None, _expected_at(name))
            while self.pending:
                done, _ = wait(self.pending, timeout=session.left(), return_when=FIRST_COMPLETED)
                if not done:
                    break
                for future in done:
                    self._analyse(self.pending.pop(future), future.result())
            late = list(self.pending.values())
            pool.shutdown(wait=False, cancel_futures=True)
        verified = self.verified
        if late:
            self.unfetched.setdefault(session.too_late, []).extend(late)
        for reason, urls in self.unfetched.items():
            verified.problems.append(
                self._problem(
                    self.start,
                    f"{len(urls)} address{'es' if len(urls) > 1 else ''} not checked, "
                    f"as {reason} (first: {sorted(urls)[0]})",
                    "Unfinished",
                )
            )
        if not verified.feeds and not verified.problems:
            self._add(
                self.start,
                "no feed found from here: an HTML page names its feeds with "
                '<link rel="alternate" type="application/atom+xml" href="...">',
                "NoFeeds",
            )
        self._check_lifetimes()
        verified.off_site = sorted(self.off_site)
        verified.requests, verified.bytes_read = session.sent, session.read
        verified.seconds = time.monotonic() - began
        verified.problems = ordered(verified.problems)
        return verified

    # -- finding -----------------------------------------------------------------------------

    def _queue(self, url: str, source: tuple[str, str] | None, expected: Kind | None) -> None:
        if url in self.seen:
            return
        self.seen[url] = source
        self.expected[url] = expected
        if len(self.seen) > self.limits.max_requests:  # each takes a request: no more are left
            self.unfetched.setdefault(self.session.out_of_requests, []).append(url)
            return
        self.pending[self.pool.submit(self._fetch, url)] = url

    def _follow(self, link: Link, source: str) -> None:
        url = self._rebased(link.url)
        if urlsplit(url).scheme not in ("http", "https"):
            return
        if _origin(url) != self.site:
            self.off_site.setdefault(url, (source, link.rel))
        else:
            self._queue(url, (source, link.rel), link.expected)

    def _rebased(self, url: str) -> str:
        if self.rebase and url.startswith(self.rebase[0] + "/"):
            return self.rebase[1] + url[len(self.rebase[0]) :]
        return url

    def _learn_rebase(self, declared: str, fetched: str) -> None:
        """Read links under `declared`'s folder as links under `fetched`'s, once: `declared`
        is the self link of a feed fetched from `fetched`, on another host."""
        if self.rebase or _origin(declared) == self.site:
            return
        common = 0
        while common < min(len(declared), len(fetched)) and declared[-1 - common] == fetched[-1 - common]:
            common += 1
        suffix = fetched[len(fetched) - common :]
        cut = suffix.find("/")
        if cut < 0:
            return
        self.rebase = (declared[: len(declared) - common + cut], fetched[: len(fetched) - common + cut])
        for url, (source, rel) in list(self.off_site.items()):
            if url.startswith(self.rebase[0] + "/"):
                del self.off_site[url]
                self._follow(Link(url, rel, self.expected.get(url)), source)

    # -- fetching (in the pool's threads) -------------------------------------------------------

    def _fetch(self, url: str) -> _Fetched:
        fetched = _Fetched()
        here, visited = url, {url}
        try:
            while True:
                answer = self.session.get(here)
                if answer.status not in _REDIRECTS or "Location" not in answer.headers:
                    break
                there = address(urljoin(here, answer.headers["Location"]))
                fetched.hops.append((here, answer.status, there))
                elsewhere = _origin(there) != self.site and url != self.given  # where the site is
                if there in visited or len(fetched.hops) > MAX_REDIRECTS or elsewhere:
                    fetched.answer = answer
                    return fetched
                here = there
                visited.add(there)
            fetched.answer = answer
            if answer.status == 200:
                fetched.conditional = self._conditional(answer)
        except Failed as e:
            fetched.failure = e
        return fetched

    def _conditional(self, answer: Answer) -> int | Failed | None:
        validator = (
            ("If-None-Match", answer.headers["ETag"])
            if answer.headers["ETag"]
            else ("If-Modified-Since", answer.headers["Last-Modified"])
        )
        if not validator[1]:
            return None
        try:
            return self.session.get(answer.url, dict([validator])).status
        except Failed as e:
            return e

    # -- checking -------------------------------------------------------------------------------

    def _problem(self, url: str, message: str, kind: str, *, warning: bool = False) -> Problem:
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(url, 1, 1, severity, f"{message} [{kind}]")

    def _add(self, url: str, message: str, kind: str, *, warning: bool = False) -> None:
        self.verified.problems.append(self._problem(url, message, kind, warning=warning))

    def _analyse(self, url: str, fetched: _Fetched) -> None:
        source = self.seen[url]
        linked = f" (linked from {source[0]} as {source[1]})" if source else ""
        if fetched.failure is not None:
            if fetched.failure.whole_run:
                self.unfetched.setdefault(fetched.failure.reason, []).append(url)
            else:
                self._add(url, f"{fetched.failure}{linked}", fetched.failure.kind)
            return
        answer = fetched.answer
        assert answer is not None
        if not self._redirects_right(url, fetched, linked):
            return
        if answer.url != url:
            if answer.url in self.seen:
                return  # checked as itself
            self.seen[answer.url], self.expected[answer.url] = source, self.expected[url]
        if answer.status != 200:
            self._add(answer.url, f"answers {answer.status} {answer.reason}{linked}".rstrip(), "HttpStatus")
            return
        document = read(answer.body, answer.url)
        expected = self.expected[url]
        if not self._is_what_was_linked(url, answer, document, expected, linked):
            return
        kind = document.kind
        assert kind is not None
        self.verified.documents += 1
        self.verified.feeds += kind.is_feed
        if kind in (Kind.ATOM, Kind.RSS):
            problems = verify_document(answer.body, answer.url, answer.url, self.now, document.root)
            self.verified.problems += problems or []
        elif kind is Kind.JSON:
            for declared in document.selves:
                if declared != answer.url:
                    self._add(
                        answer.url,
                        f"feed_url {declared!r} is not the address it was fetched from",
                        "SelfDoesntMatchLocation",
                        warning=True,
                    )
        for declared in document.selves[:1]:
            if declared != answer.url:
                self._learn_rebase(declared, answer.url)
        self._check_type(answer, kind)
        self._check_validators(url, answer, fetched.conditional)
        if kind.is_feed:
            self._check_compression(answer)
            self._check_link_header(answer, document)
        self.served.append((answer.url, kind, answer.headers))
        for link in document.links:
            self._follow(link, answer.url)
        for hub in document.hubs:  # for publishers to ping, not for readers to fetch
            if _origin(hub) != self.site:
                self.off_site.setdefault(hub, (answer.url, "hub"))

    def _redirects_right(self, url: str, fetched: _Fetched, linked: str) -> bool:
        """Whether the redirects (if any) led somewhere to check; each is a problem."""
        if not fetched.hops:
            return True
        last, status, there = fetched.hops[-1]
        chain = " → ".join([url] + [hop[2] for hop in fetched.hops])
        if there in {url} | {hop[0] for hop in fetched.hops}:
            self._add(url, f"redirects in a loop: {chain}{linked}", "RedirectLoop")
            return False
        if len(fetched.hops) > MAX_REDIRECTS:
            self._add(url, f"redirects more than {MAX_REDIRECTS} times: {chain}{linked}", "RedirectChain")
            return False
        if _origin(there) != self.site:
            self._add(url, f"redirects to another host: {there} (not followed){linked}", "OffSiteRedirect")
            self.off_site.setdefault(there, (last, f"redirect {status}"))
            return False
        if url != self.given:  # the address given is the user's; where it leads is the site
            self._add(
                url, f"redirects to {there} ({status}): link to it directly{linked}", "Redirect", warning=True
            )
        return True

    def _is_what_was_linked(
        self, url: str, answer: Answer, document: Document, expected: Kind | None, linked: str
    ) -> bool:
        """Whether the document is what the link to it promised; if not, that is a problem."""
        kind = document.kind
        sent_as = answer.headers.get("Content-Type", "no Content-Type")
        if kind is None:
            markup = answer.body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
            if markup and (expected is None or expected.is_feed):
                problems = verify_document(answer.body, answer.url, answer.url, self.now)
                if problems:  # not well-formed: say where
                    self.verified.problems += problems
                    return False
            wanted = expected.value if expected else "a feed"
            if url == self.given and expected is None:
                wanted = "a feed, an OPML list or an HTML page"
            self._add(
                answer.url,
                f"is not {wanted}: nothing a reader can read (sent as {sent_as}){linked}",
                "NotAFeed",
            )
            return False
        if url == self.given and expected is None:
            return True  # the address given may be any document
        if (expected is None and not kind.is_feed) or (expected is not None and kind is not expected):
            wanted = expected.value if expected else "a feed"
            self._add(answer.url, f"is {kind.value}, not {wanted}{linked}", "NotAFeed")
            return False
        return True

    def _check_type(self, answer: Answer, kind: Kind) -> None:
        given = answer.headers.get("Content-Type", "")
        media = given.split(";")[0].strip().lower()
        right = media_type(_FILES[kind])
        if media not in {right.split(";")[0]} | _ALSO_RIGHT.get(kind, set()):
            coped = media in _COPED[kind]
            shown = f"served as {given!r}" if given else "served without a Content-Type"
            reader = "browsers" if kind in (Kind.STYLESHEET, Kind.PAGE) else "readers"
            effect = f"which {reader} cope with" if coped else f"which {reader} do not take for {kind.value}"
            self._add(answer.url, f"{shown}, {effect}: serve it as {right!r}", "ContentType", warning=coped)
        charset = answer.headers.get_param("charset", header="Content-Type")
        if isinstance(charset, str) and charset.lower() not in ("utf-8", "utf8"):
            self._add(
                answer.url,
                f"served with charset={charset}, but its bytes are UTF-8: {kind.value} decoded as "
                f"{charset} shows wrong characters (serve it with charset=utf-8 or none)",
                "Charset",
            )

    def _check_validators(self, url: str, answer: Answer, conditional: int | Failed | None) -> None:
        if isinstance(conditional, Failed) and conditional.whole_run:
            self.unfetched.setdefault(conditional.reason, []).append(url)
        elif conditional is None:
            self._add(
                answer.url,
                "sent without ETag or Last-Modified: readers download it whole at every poll",
                "NoValidator",
                warning=True,
            )
        elif conditional != 304:
            header = "If-None-Match" if answer.headers["ETag"] else "If-Modified-Since"
            outcome = f"answers {conditional}" if isinstance(conditional, int) else str(conditional)
            self._add(
                answer.url,
                f"{outcome} to a conditional request ({header}), not 304 Not Modified: "
                "readers download it whole at every poll",
                "NotConditional",
                warning=True,
            )

    def _check_compression(self, answer: Answer) -> None:
        coding = answer.headers.get("Content-Encoding", "").strip().lower()
        if len(answer.body) > LARGE and coding in ("", "identity"):
            self._add(
                answer.url,
                f"{len(answer.body):,} bytes sent uncompressed to a reader that accepts gzip "
                f"(gzip would send {len(zlib.compress(answer.body, 6)):,})",
                "NotCompressed",
                warning=True,
            )

    def _check_link_header(self, answer: Answer, document: Document) -> None:
        """WebSub's Link header, where there is one, names the feed's hubs and its address."""
        rels: dict[str, set[str]] = {}
        for value in answer.headers.get_all("Link", []):
            for target, params in _LINK_HEADER.findall(value):
                for rel in _REL.findall(params):
                    for token in (rel[0] or rel[1]).lower().split():
                        rels.setdefault(token, set()).add(urljoin(answer.url, target))
        if "hub" in rels and rels["hub"] != set(document.hubs):
            self._add(
                answer.url,
                f"the Link header names hub {', '.join(sorted(rels['hub']))}, but the feed "
                f"{'names ' + ', '.join(document.hubs) if document.hubs else 'none'}: subscribers "
                "go to the header's",
                "HubHeader",
            )
        for target in sorted(rels.get("self", set()) - {answer.url}):
            self._add(
                answer.url,
                f"the Link header's self {target!r} is not the address it was fetched from",
                "SelfDoesntMatchLocation",
                warning=True,
            )

    def _check_lifetimes(self) -> None:
        """Cache-Control: short for what changes, long (or none said) for full archive pages."""
        paths = {
            url: unquote(urlsplit(url).path).lstrip("/")
            for url in [*self.seen, *(u for u, _, _ in self.served)]
        }
        newest = newest_pages(paths.values())  # of every page linked, whatever it answered
        for url, kind, headers in self.served:
            directives = _directives(headers.get("Cache-Control", ""))
            lifetime = _lifetime(directives)
            if is_full_page(paths[url], newest):  # a feed's page or its page
                if lifetime is not None and lifetime < SHORTEST_FULL and "immutable" not in directives:
                    self._add(
                        url,
                        f"a full archive page, which new articles never change, is cached for "
                        f"{lifetime} s: 'public, max-age=31536000, immutable' spares the server",
                        "CacheControl",
                        warning=True,
                    )
            elif "immutable" in directives:
                self._add(
                    url,
                    f"{kind.value} that changes is served 'immutable': caches never ask for it "
                    "again, and readers miss what is published",
                    "CacheControl",
                )
            elif lifetime is not None and lifetime > LONGEST_LIVE:
                self._add(
                    url,
                    f"{kind.value} that changes may be cached for {lifetime} s: readers see new "
                    f"articles that much later (at most {LONGEST_LIVE}; feedpub's hosts use 300)",
                    "CacheControl",
                    warning=True,
                )


def _expected_at(name: str) -> Kind | None:
    return {PAGE: Kind.PAGE, OPML: Kind.OPML}.get(name)


def _directives(value: str) -> dict[str, str]:
    parameters = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            parameters[name.lower()] = argument.strip().strip('"')
    return parameters


def _lifetime(directives: dict[str, str]) -> int | None:
    """Seconds a shared cache may keep the answer, as stated (None if not stated)."""
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return int(directives[name])
    return 0 if "no-store" in directives or "no-cache" in directives else None
