"""One GET request of `feedpub verify URL`, within the bounds of the whole verification.

Every request is counted against `Limits.max_requests`; all of them together end by
`Limits.deadline` (a socket still open then is shut down, whatever the server is doing);
no answer's body is read past `Limits.max_bytes`, compressed or inflated.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import quote, urldefrag, urlsplit

from feedpub import __version__
from feedpub.importer.fetch import Inflater, Watch, watched
from feedpub.verify import MAX_FEED_BYTES

USER_AGENT = f"feedpub/{__version__} (feedpub verify)"
_CHUNK = 1 << 16
_URL_CHARACTERS = "/?#[]@!$&'()*+,;=:%~-._"
"""RFC 3986's characters, besides letters and digits (which are never escaped)."""
_REDIRECT_BODY = 1 << 16
"""Bytes of a redirect's or an error's body read at most: only its status and headers matter."""


def address(url: str) -> str:
    """`url` without its fragment, and with what a URL may not hold (letters beyond ASCII,
    spaces) escaped in UTF-8, as browsers send it: one spelling for each address."""
    return urldefrag(quote(url.strip(), safe=_URL_CHARACTERS))[0]


@dataclass(frozen=True, slots=True)
class Limits:
    deadline: float = 60.0
    """Seconds for the whole verification, every request together."""
    max_requests: int = 1000
    """Requests sent at most, redirects and conditional requests included."""
    max_bytes: int = MAX_FEED_BYTES
    """The largest body read of one answer (before and after decompression)."""
    threads: int = 8
    """Requests in flight at once."""
    idle: float = 10.0
    """How long a server may send nothing before its answer is given up."""


@dataclass(frozen=True, slots=True)
class Answer:
    url: str
    status: int
    reason: str
    headers: Message
    body: bytes
    """The body as sent, inflated if it was compressed; b'' for a redirect or an error."""


class Failed(Exception):
    """No answer: the message says why (unreachable, too large, too slow, out of requests)."""

    def __init__(self, message: str, *, whole_run: str = "", kind: str = "Unreachable") -> None:
        super().__init__(message)
        self.kind = kind
        """The problem's name: Unreachable, or TooLarge."""
        self.reason = whole_run
        """Why no request gets an answer any more (the deadline, --max-requests), if that is why."""

    @property
    def whole_run(self) -> bool:
        return bool(self.reason)


@dataclass
class Session:
    """The requests of one verification, counted and under one deadline."""

    limits: Limits
    sent: int = 0
    """Requests sent (or begun)."""
    read: int = 0
    """Bytes of bodies read off the network, before decompression."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _watch: Watch | None = None
    _end: float = 0.0
    _context: ssl.SSLContext = field(default_factory=ssl.create_default_context)

    def __enter__(self) -> Session:
        self._watch = Watch(self.limits.deadline).__enter__()
        self._end = time.monotonic() + self.limits.deadline
        return self

    def __exit__(self, *exc: object) -> None:
        """Requests still under way (at the deadline, or on Ctrl-C) end now."""
        assert self._watch is not None
        self._watch.expire()
        self._watch.__exit__(*exc)

    @property
    def out_of_requests(self) -> str:
        return f"--max-requests {self.limits.max_requests} were sent"

    @property
    def too_late(self) -> str:
        return f"the deadline of {self.limits.deadline:g} s passed"

    def left(self) -> float:
        """Seconds until the deadline (0 once it has passed)."""
        return max(0.0, self._end - time.monotonic())

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """The server's answer to GET `url` (redirects are answers too, not followed)."""
        assert self._watch is not None
        timeout = min(self.limits.idle, self.left())
        if timeout < 0.001:  # a socket's timeout of 0 would not wait at all
            raise Failed("not fetched in time", whole_run=self.too_late)
        with self._lock:
            if self.sent >= self.limits.max_requests:
                raise Failed("not fetched", whole_run=self.out_of_requests)
            self.sent += 1
        parts = urlsplit(address(url))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host, port = parts.hostname or "", parts.port
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        watched(connection, self._watch)
        sent = {
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip",
            "Connection": "close",
            **(headers or {}),
        }
        try:
            connection.request("GET", target, headers=sent)
            response = connection.getresponse()
            body = self._body(response) if response.status == 200 else self._drained(response)
            return Answer(url, response.status, response.reason, response.headers, body)
        except (OSError, http.client.HTTPException, ValueError, zlib.error) as e:
            # a socket's timeout set to the time left may run out a moment before the watch does
            if self._watch.expired or (isinstance(e, TimeoutError) and timeout < self.limits.idle):
                raise Failed("not fetched in time", whole_run=self.too_late) from None
            if isinstance(e, TimeoutError):
                raise Failed(f"cannot be fetched: no answer within {timeout:g} s") from None
            reason = getattr(e, "strerror", None) or " ".join(str(e).split()) or type(e).__name__
            raise Failed(f"cannot be fetched: {reason}") from None
        finally:
            connection.close()

    def _body(self, response: http.client.HTTPResponse) -> bytes:
        most = self.limits.max_bytes
        too_large = Failed(
            f"is larger than {most:,} bytes, the most read of one answer; not checked", kind="TooLarge"
        )
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > most:
            raise too_large
        coding = response.headers.get("Content-Encoding", "").strip().lower()
        if coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise Failed(f"is sent as {coding!r} though only gzip was accepted")
        inflater = Inflater(gzip=coding != "deflate") if coding not in ("", "identity") else None
        chunks, size, wire = [], 0, 0
        while size <= most and wire <= most:
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            self._count(len(chunk))
            wire += len(chunk)
            if inflater is not None:
                chunk = inflater.inflate(chunk, most + 1 - size)
            chunks.append(chunk)
            size += len(chunk)
        if size > most or wire > most:
            raise too_large
        if self._watch is not None and self._watch.expired:  # the body seemed to end where it was cut
            raise Failed("not read in time", whole_run=self.too_late)
        return b"".join(chunks)

    def _drained(self, response: http.client.HTTPResponse) -> bytes:
        self._count(len(response.read1(_REDIRECT_BODY)))
        return b""

    def _count(self, size: int) -> None:
        with self._lock:
            self.read += size
