"""A source's bytes, from a file or over HTTP(S), within bounds of size and time.

Every document is refused past `Limits.document_bytes`, and all of an import's documents
together past `Limits.total_bytes`; a server that sends nothing for `idle_seconds`, or takes
longer than `document_seconds` for one document, is given up on. Compressed answers are
inflated within the same bound, so a small gzip cannot become a large document.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
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


_OPENER = urllib.request.build_opener(_OnlyHttp)


def _download(url: str, most: int, limits: Limits) -> Fetched:
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"feedpub/{__version__} (feedpub import)",
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )
    deadline = time.monotonic() + limits.document_seconds
    try:
        with _OPENER.open(request, timeout=limits.idle_seconds) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > most:
                raise _TooLarge
            data = _body(response, response.headers.get("Content-Encoding", ""), most, deadline, url, limits)
            media_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            return Fetched(response.url, data, media_type, is_file=False)
    except urllib.error.HTTPError as e:
        if e.code in (404, 410):
            raise Missing(url) from None
        raise Refused(Why.IO, f"{url}: the server answered {e.code} {e.reason}") from None
    except TimeoutError:
        raise Refused(Why.IO, f"{url}: no answer within {limits.idle_seconds:g} s") from None
    except urllib.error.URLError as e:
        reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
        if isinstance(e.reason, TimeoutError):
            reason = f"no answer within {limits.idle_seconds:g} s"
        raise Refused(Why.IO, f"{url}: {reason}") from None
    except (http.client.HTTPException, OSError) as e:
        raise Refused(Why.IO, f"{url}: {e.__class__.__name__}: {e}") from None


def _body(
    response: http.client.HTTPResponse, encoding: str, most: int, deadline: float, url: str, limits: Limits
) -> bytes:
    """The response's body, inflated, and at most `most` + 1 bytes of it (enough to tell it
    is too large)."""
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        inflater = zlib.decompressobj()
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
            raise Refused(Why.IO, f"{url}: took longer than {limits.document_seconds:g} s to send")
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, most + 1 - size)
            except zlib.error as e:
                raise Refused(Why.IO, f"{url}: the compressed document is damaged ({e})") from None
        chunks.append(chunk)
        size += len(chunk)
    if size > most:
        raise _TooLarge
    return b"".join(chunks)
