"""A source's bytes, from a file or over HTTP(S), within bounds of size and time.

Every document is refused past `Limits.document_bytes`, and all of an import's documents
together past `Limits.total_bytes`; a server that sends nothing for `idle_seconds`, or takes
longer than `document_seconds` for one document (from connecting, through the status line
and headers, to the last byte), is given up on. Compressed answers are inflated within the
same bound, so a small gzip cannot become a large document; a gzip answer of several members
is inflated whole.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedpub import __version__
from feedpub.importer.old import Refused, Why

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class Limits:
    pages: int = 500
    """Documents read from one source, following its older pages."""
    document_bytes: int = 256 << 20
    """The largest document read (after decompression)."""
    total_bytes: int = 1 << 30
    """All documents of one import together."""
    idle_seconds: float = 10.0
    """How long a server may send nothing."""
    document_seconds: float = 60.0
    """How long one document may take."""


@dataclass(slots=True)
class Budget:
    """What is left of an import's bytes."""

    left: int


@dataclass(frozen=True, slots=True)
class Fetched:
    address: str
    """Where the bytes came from: the URL after redirects, or the file's path."""
    data: bytes
    media_type: str
    """The server's Content-Type without parameters, '' for files."""
    is_file: bool


class Missing(Exception):
    """An HTTP 404 or 410: where a paged feed ends."""


class _TooLarge(Exception):
    pass


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def fetch(source: str, limits: Limits, budget: Budget) -> Fetched:
    """The bytes of `source`, a file's path or an http(s) URL; Refused if they cannot be had
    within the limits, Missing if the server says there is no such document."""
    most = min(limits.document_bytes, budget.left)
    try:
        if is_url(source):
            fetched = _download(source, most, limits)
        elif "://" in source:
            raise Refused(Why.USAGE, f"{source}: only files and http(s) URLs can be imported")
        else:
            fetched = _read(Path(source), most)
    except _TooLarge:
        raise Refused(Why.INVALID, _too_large(source, limits, budget)) from None
    budget.left -= len(fetched.data)
    return fetched


def _too_large(source: str, limits: Limits, budget: Budget) -> str:
    if budget.left < limits.document_bytes:
        return (
            f"{source}: the import has read {_mib(limits.total_bytes - budget.left)} already, "
            f"and reads at most {_mib(limits.total_bytes)} in all"
        )
    return f"{source} is larger than {_mib(limits.document_bytes)}, the most feedpub reads of one document"


def _mib(count: int) -> str:
    return f"{count / (1 << 20):,.0f} MiB"


def _read(path: Path, most: int) -> Fetched:
    try:
        with path.open("rb") as f:
            if path.stat().st_size > most:  # a regular file's size, known before reading it
                raise _TooLarge
            data = f.read(most + 1)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise Refused(Why.USAGE, f"cannot read '{path}': {e.strerror}") from None
    except OSError as e:
        raise Refused(Why.IO, f"cannot read '{path}': {e.strerror}") from None
    if len(data) > most:  # a device or a pipe, whose size is not known before
        raise _TooLarge
    return Fetched(str(path), data, "", is_file=True)


class _OnlyHttp(urllib.request.HTTPRedirectHandler):
    """Redirects are followed (urllib's limit of 10), but only to http(s) addresses."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not is_url(newurl):
            raise urllib.error.URLError(f"redirected to {newurl}, which is not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class Watch:
    """A deadline for one document (or for all of `feedpub verify URL`'s requests): when it
    passes, every socket opened under it is shut down, so that no read (the status line, a
    header, the body) waits any longer."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> Watch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def add(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def expire(self) -> None:
        """Shut every socket now, as the deadline does."""
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHttp(urllib.request.HTTPHandler):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        return watched(http.client.HTTPConnection(host, **kwargs), self.watch)


class _WatchedHttps(urllib.request.HTTPSHandler):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        context = getattr(self, "_context", None)
        return watched(http.client.HTTPSConnection(host, context=context, **kwargs), self.watch)


def watched(connection: http.client.HTTPConnection, watch: Watch) -> http.client.HTTPConnection:
    """`connection`, whose socket the watch shuts at the deadline: the plain socket as soon as
    it is connected (a TLS handshake is watched too), and the TLS one over it."""
    create = connection._create_connection  # type: ignore[attr-defined]
    connect = connection.connect

    def created(*args: Any, **kwargs: Any) -> socket.socket:
        return watch.add(create(*args, **kwargs))

    def connected() -> None:
        connect()
        if connection.sock is not None:
            watch.add(connection.sock)

    connection._create_connection = created  # type: ignore[attr-defined]
    connection.connect = connected  # type: ignore[method-assign]
    return connection


def _one_line(text: object) -> str:
    """A library's text, which may span lines, on one line."""
    return " ".join(str(text).split())


def _download(url: str, most: int, limits: Limits) -> Fetched:
    with Watch(limits.document_seconds) as watch:
        try:
            return _request(url, most, limits, watch)
        except (Refused, _TooLarge, http.client.HTTPException, OSError, ValueError):
            if watch.expired:  # whatever the shut socket made the reading say
                raise Refused(Why.IO, _too_slow(url, limits)) from None
            raise


def _too_slow(url: str, limits: Limits) -> str:
    return f"{url}: took longer than {limits.document_seconds:g} s to send"


def _request(url: str, most: int, limits: Limits, watch: Watch) -> Fetched:
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"feedpub/{__version__} (feedpub import)",
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )
    deadline = time.monotonic() + limits.document_seconds
    opener = urllib.request.build_opener(_OnlyHttp, _WatchedHttp(watch), _WatchedHttps(watch))
    try:
        with opener.open(request, timeout=limits.idle_seconds) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > most:
                raise _TooLarge
            data = _body(response, response.headers.get("Content-Encoding", ""), most, deadline, url, limits)
            if watch.expired:  # the body may have seemed to end where the socket was shut
                raise Refused(Why.IO, _too_slow(url, limits))
            media_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            return Fetched(response.url, data, media_type, is_file=False)
    except urllib.error.HTTPError as e:
        if e.code in (404, 410):
            raise Missing(url) from None
        if str(e.reason).startswith(urllib.request.HTTPRedirectHandler.inf_msg):  # on three lines
            raise Refused(
                Why.IO,
                f"{url}: the redirects lead in a loop or go on for more than 10 addresses "
                f"(the last answered {e.code}): given up",
            ) from None
        raise Refused(Why.IO, f"{url}: the server answered {e.code} {_one_line(e.reason)}") from None
    except TimeoutError:
        raise Refused(Why.IO, f"{url}: no answer within {limits.idle_seconds:g} s") from None
    except urllib.error.URLError as e:
        reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
        if isinstance(e.reason, TimeoutError):
            reason = f"no answer within {limits.idle_seconds:g} s"
        raise Refused(Why.IO, f"{url}: {_one_line(reason)}") from None
    except (http.client.HTTPException, OSError) as e:
        raise Refused(Why.IO, f"{url}: {e.__class__.__name__}: {_one_line(e)}") from None


def _body(
    response: http.client.HTTPResponse, encoding: str, most: int, deadline: float, url: str, limits: Limits
) -> bytes:
    """The response's body, inflated, and at most `most` + 1 bytes of it (enough to tell it
    is too large)."""
    coding = encoding.strip().lower()
    inflater: Inflater | None
    if coding in ("gzip", "x-gzip"):
        inflater = Inflater(gzip=True)
    elif coding == "deflate":
        inflater = Inflater(gzip=False)
    elif coding in ("", "identity"):
        inflater = None
    else:
        raise Refused(
            Why.IO, f"{url}: the server sent the document as '{encoding}', which feedpub cannot read"
        )
    chunks: list[bytes] = []
    size = 0
    while size <= most:
        if time.monotonic() > deadline:
            raise Refused(Why.IO, _too_slow(url, limits))
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.inflate(chunk, most + 1 - size)
            except zlib.error as e:
                raise Refused(Why.IO, f"{url}: the compressed document is damaged ({_one_line(e)})") from None
        chunks.append(chunk)
        size += len(chunk)
    if size > most:
        raise _TooLarge
    return b"".join(chunks)


class Inflater:
    """Inflates a deflate stream, or every member of a gzip stream (RFC 1952 allows several,
    one after the other, which together are the document)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._inflater = self._new()

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def inflate(self, data: bytes, room: int) -> bytes:
        """What `data` inflates to, at most `room` bytes (more input is then not needed: the
        document is too large already)."""
        out: list[bytes] = []
        while data and room > 0:
            if self._inflater.eof:
                if not self._gzip:
                    break  # what follows a deflate stream is not part of it
                data = data.lstrip(b"\0")  # padding between or after members, as gzip allows
                if not data:
                    break
                self._inflater = self._new()
            piece = self._inflater.decompress(data, room)
            out.append(piece)
            room -= len(piece)
            data = self._inflater.unused_data if self._inflater.eof else b""
        return b"".join(out)
