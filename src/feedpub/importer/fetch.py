"""A source's bytes, from a file or over HTTP(S), within bounds of size and time.

Every document is refused past `Limits.document_bytes`, and all of an import's documents
together past `Limits.total_bytes`; a server that sends nothing for `idle_seconds`, or takes
longer than `document_seconds` for one document (from connecting, through the status line
and headers, to the last byte), is given up on. Compressed answers are inflated within the
same bound, so a small gzip cannot become a large document; a gzip answer of several members
is inflated whole.

Links are followed (redirects, and older pages in `history`) to public addresses, and to the
host and port of the source the user named; any other host is refused before connecting if
it resolves to an address that is loopback, private, link-local or otherwise not public
(an IPv4 address carried in IPv6 is judged as itself). Each host is looked up once, and
connected to only at the addresses found then, so that no second lookup can lead elsewhere.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

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
    charset: str = ""
    """The charset the server's Content-Type names, '' if none (or for files)."""


class Missing(Exception):
    """An HTTP 404 or 410: where a paged feed ends."""


class _TooLarge(Exception):
    pass


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


Resolver = Callable[[str, int], list[str]]
"""A host and port → the addresses to connect to."""


def resolve(host: str, port: int) -> list[str]:
    """`host`'s addresses, as the system's resolver answers."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in answers))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_KINDS = ("loopback", "link_local", "unspecified", "multicast", "private", "reserved")


def not_public(address: str) -> str | None:
    """What `address` is ('loopback', 'private', 'link-local'...) if it is not public. An
    IPv6 address that carries an IPv4 one (mapped, 6to4, Teredo, NAT64) is judged by it."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if ip in _NAT64:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        ip = carried or ip
    kind = next((k for k in _KINDS if getattr(ip, f"is_{k}")), None)
    if kind is None and not ip.is_global:
        kind = "not public"
    return kind and kind.replace("_", "-")


@dataclass
class Reach:
    """Where one source's documents may come from: the host and port of `source`, as the user
    named it, and hosts whose addresses are all public."""

    source: str
    resolver: Resolver = resolve
    seconds: float = Limits().idle_seconds
    """How long a lookup may take."""
    _checked: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def check(self, url: str) -> None:
        """Resolve `url`'s host, once: Refused if it is another host than the source's and
        has an address that is not public; else its addresses are the only ones connected to.
        The source's host, asked through a proxy, is the proxy's to find."""
        host, port = _host_port(url)
        named = (host, port) == _host_port(as_uri(self.source))
        if named and _proxied(url, host):
            return
        try:
            addresses = [host] if _is_ip(host) else self._lookup(host, port)
        except OSError as e:
            raise Refused(Why.IO, f"{url}: cannot find the address of {host}: {e.strerror or e}") from None
        for address in [] if named else addresses:
            kind = not_public(address)
            if kind:
                raise Refused(
                    Why.INVALID,
                    f"{url}: not followed: {host} is at {address}, a {kind} address, and feedpub "
                    "follows links only to public addresses and to the host and port named "
                    f"({urlsplit(self.source).netloc})",
                )
        self._checked[(host, port)] = addresses

    def _lookup(self, host: str, port: int) -> list[str]:
        """The resolver's answer, given up on after `seconds` (a lookup cannot be stopped: its
        thread is left to end)."""
        answers: list[list[str]] = []
        failures: list[OSError] = []

        def ask() -> None:
            try:
                answers.append(self.resolver(host, port))
            except OSError as e:
                failures.append(e)

        thread = threading.Thread(target=ask, daemon=True)
        thread.start()
        thread.join(self.seconds)
        if failures:
            raise failures[0]
        if not answers:
            raise OSError(f"no answer within {self.seconds:g} s")
        return answers[0]

    def addresses(self, host: str, port: int) -> list[str] | None:
        """The addresses found for `host`, None for a host never checked (a proxy's)."""
        return self._checked.get((host.lower(), port))


def _proxied(url: str, host: str) -> bool:
    """Whether `url` is asked for through a proxy the environment names (http_proxy...)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# what stays as it is in a URI's path and query: its delimiters, and '%' (already escaped)
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


def as_uri(url: str) -> str:
    """`url` as the ASCII URI to ask for: an IRI's host in IDNA, its other characters outside
    printable ASCII percent-encoded, as browsers do; Refused if it holds a user name or a
    password, or its host or port is not one."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise Refused(
            Why.USAGE,
            f"{shown}: a user name or password in a URL is not supported (download the feed with "
            "them, 'curl -u', say, and import the file)",
        )
    try:
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as e:
        raise Refused(Why.USAGE, f"{url}: not a valid URL ({_one_line(e)})") from None
    if not host:
        raise Refused(Why.USAGE, f"{url}: not a valid URL (it names no host)")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    path, query = (quote(part, safe=_URI_SAFE) for part in (parts.path, parts.query))
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "", port or (443 if parts.scheme.lower() == "https" else 80))


def fetch(source: str, limits: Limits, budget: Budget, reach: Reach | None = None) -> Fetched:
    """The bytes of `source`, a file's path or an http(s) URL (reached as `reach` allows; by
    default, it is the source the user named); Refused if they cannot be had within the
    limits, Missing if the server says there is no such document."""
    most = min(limits.document_bytes, budget.left)
    try:
        if is_url(source):
            reach = reach or Reach(source, seconds=limits.idle_seconds)
            fetched = _download(as_uri(source), most, limits, reach)
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


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed (urllib's limit of 10), but only to http(s) addresses that
    `reach` allows; a redirect's body is never read (urllib would read all of it)."""

    def __init__(self, reach: Reach) -> None:
        super().__init__()
        self.reach = reach

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> urllib.request.Request | None:
        if isinstance(fp, http.client.HTTPResponse):
            fp.close()
        if not is_url(newurl):
            raise urllib.error.URLError(f"redirected to {newurl}, which is not an http(s) address")
        self.reach.check(newurl)
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
    def __init__(self, watch: Watch, reach: Reach) -> None:
        super().__init__()
        self.watch = watch
        self.reach = reach

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        return watched(http.client.HTTPConnection(host, **kwargs), self.watch, self.reach)


class _WatchedHttps(urllib.request.HTTPSHandler):
    def __init__(self, watch: Watch, reach: Reach) -> None:
        super().__init__()
        self.watch = watch
        self.reach = reach

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        context = getattr(self, "_context", None)
        connection = http.client.HTTPSConnection(host, context=context, **kwargs)
        return watched(connection, self.watch, self.reach)


def watched(
    connection: http.client.HTTPConnection, watch: Watch, reach: Reach | None = None
) -> http.client.HTTPConnection:
    """`connection`, made only to the addresses `reach` (if any) checked for its host, whose
    socket the watch shuts at the deadline: the plain socket as soon as it is connected (a TLS
    handshake is watched too), and the TLS one over it."""
    create = connection._create_connection  # type: ignore[attr-defined]
    connect = connection.connect

    def created(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        checked = reach.addresses(*address) if reach else None
        if checked is None:
            return watch.add(create(address, *args, **kwargs))
        failure: OSError | None = None
        for ip in checked:  # as create_connection tries each address, but only these
            try:
                return watch.add(create((ip, address[1]), *args, **kwargs))
            except OSError as e:
                failure = e
        raise failure or OSError(f"{address[0]} has no address")

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


def _download(url: str, most: int, limits: Limits, reach: Reach) -> Fetched:
    with Watch(limits.document_seconds) as watch:
        try:
            return _request(url, most, limits, watch, reach)
        except (Refused, _TooLarge, http.client.HTTPException, OSError, ValueError):
            if watch.expired:  # whatever the shut socket made the reading say
                raise Refused(Why.IO, _too_slow(url, limits)) from None
            raise


def _too_slow(url: str, limits: Limits) -> str:
    return f"{url}: took longer than {limits.document_seconds:g} s to send"


def _request(url: str, most: int, limits: Limits, watch: Watch, reach: Reach) -> Fetched:
    reach.check(url)
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"feedpub/{__version__} (feedpub import)",
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )
    deadline = time.monotonic() + limits.document_seconds
    opener = urllib.request.build_opener(
        _Redirects(reach), _WatchedHttp(watch, reach), _WatchedHttps(watch, reach)
    )
    try:
        with opener.open(request, timeout=limits.idle_seconds) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > most:
                raise _TooLarge
            data = _body(response, response.headers.get("Content-Encoding", ""), most, deadline, url, limits)
            if watch.expired:  # the body may have seemed to end where the socket was shut
                raise Refused(Why.IO, _too_slow(url, limits))
            media_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            charset = response.headers.get_content_charset() or ""
            return Fetched(response.url, data, media_type, is_file=False, charset=charset)
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
    if response.length:  # what Content-Length promised and the connection did not bring
        raise Refused(
            Why.IO,
            f"{url}: the connection closed {response.length:,} bytes before the end the server announced",
        )
    return b"".join(chunks)


class Inflater:
    """Inflates a deflate stream (zlib's, as HTTP's 'deflate' is, or the bare data without
    zlib's header, as some servers send it and browsers read it), or every member of a gzip
    stream (RFC 1952 allows several, one after the other, which together are the document)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._inflater: Any = None  # made for the first data, which tells zlib's from bare

    def _new(self, data: bytes) -> Any:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)

    def inflate(self, data: bytes, room: int) -> bytes:
        """What `data` inflates to, at most `room` bytes (more input is then not needed: the
        document is too large already)."""
        out: list[bytes] = []
        if self._inflater is None:
            self._inflater = self._new(data)
        while data and room > 0:
            if self._inflater.eof:
                if not self._gzip:
                    break  # what follows a deflate stream is not part of it
                data = data.lstrip(b"\0")  # padding between or after members, as gzip allows
                if not data:
                    break
                self._inflater = self._new(data)
            piece = self._inflater.decompress(data, room)
            out.append(piece)
            room -= len(piece)
            data = self._inflater.unused_data if self._inflater.eof else b""
        return b"".join(out)
