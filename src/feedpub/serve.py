"""`feedpub serve`: the feeds on 127.0.0.1 while the catalogue is being edited, rebuilt each
time it is saved, with the media types, ETag and Last-Modified a real web server would send."""

from __future__ import annotations

import email.utils
import html
import http.server
import io
import os
import socket
import stat
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import watchfiles

from feedpub.layout import PAGE, page_of
from feedpub.render import hosting
from feedpub.render.hosting import MEDIA_TYPES

MAX_PATH = 1024
"""Characters of a request path at most (414 beyond): no feed's path comes near it."""
MAX_HEAD = 64 * 1024
"""Bytes of a request read at most (431 beyond): a browser's request head is a few KiB."""
MAX_CONNECTIONS = 32
"""Connections answered at once, each by a thread; more are answered 503 and closed."""
_BUSY = b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Deadline(io.RawIOBase):
    """A connection's socket, read and written until a moment only: no call waits past it,
    none starts after it (TimeoutError), and at most `most` bytes are read (then it reads
    as ended, and `overrun` is set)."""

    def __init__(self, connection: socket.socket, seconds: float, most: int) -> None:
        self.connection = connection
        self.end = time.monotonic() + seconds
        self.left = most
        self.overrun = False

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def _wait(self) -> None:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's time is up")
        self.connection.settimeout(left)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self.left:
            self.overrun = True
            return 0
        self._wait()
        with memoryview(buffer) as view:
            read = self.connection.recv_into(view[: self.left])
        self.left -= read
        return read

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._wait()
        self.connection.sendall(data)
        return len(data)


class Preview:
    """The site's feed_url as last built: the preview's pages link there to its own files."""

    feed_url: str | None = None

    def localised(self, page: bytes) -> bytes:
        """`page` (HTML) with its links to the feeds' public addresses made links to the
        preview's: only attributes, so the lines shown for pasting keep the public ones."""
        if not self.feed_url:
            return page
        return page.replace(f'href="{html.escape(self.feed_url)}'.encode(), b'href="/')


class _Server(http.server.ThreadingHTTPServer):
    """A threading server that gives each request `seconds` and answers MAX_CONNECTIONS
    connections at most at once."""

    request_queue_size = MAX_CONNECTIONS  # those beyond are answered, not left to retry

    def __init__(self, port: int, folder: Path, seconds: float) -> None:
        super().__init__(("127.0.0.1", port), partial(_Handler, directory=str(folder)))
        self.seconds = seconds
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.preview = Preview()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if self.slots.acquire(blocking=False):
            super().process_request(request, client_address)
            return
        try:  # a few bytes into a new connection's empty buffer: this never waits
            request.setblocking(False)
            request.send(_BUSY)
        except OSError:
            pass
        self.shutdown_request(request)

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away is no news
            super().handle_error(request, client_address)


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = MEDIA_TYPES
    server: _Server
    etag: str | None = None
    negotiated = False
    """Whether the answer depends on the request's Sec-Fetch-Dest (a feed's file)."""

    def setup(self) -> None:
        """Reads and writes through a _Deadline, so that a client trickling its request a
        byte at a time has no longer than one that sends nothing."""
        self.connection = self.request
        self.deadline = _Deadline(self.connection, self.server.seconds, MAX_HEAD)
        self.rfile = io.BufferedReader(self.deadline)
        self.wfile = self.deadline  # type: ignore[assignment]  # unbuffered, as the standard writer

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.deadline.overrun:
            self.send_error(
                http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, f"Request longer than {MAX_HEAD} bytes"
            )
            return False
        return True

    def send_head(self):  # type: ignore[no-untyped-def]
        """As the standard handler, plus ETag and If-None-Match, for regular files inside the
        folder only: a path with a control character (NUL, say) or a '..' is a 400, a longer
        one than MAX_PATH a 414, anything a link leads to outside the folder, or that is not
        a file (a FIFO, a device), a 404, and a folder without an index.html a 403 rather
        than a listing. A browser that opens a feed's file gets the feed's page, if its folder
        has one (see `layout.page_of`)."""
        self.etag = None
        self.negotiated = False
        refusal = self._refusal()
        if refusal:
            self.send_error(*refusal)
            return None
        path = self.translate_path(self.path)
        if self._inside(path) is None:  # a link out of the folder: not even a redirect or a 403
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        if os.path.isdir(path) and path.endswith("/"):
            path = os.path.join(path, PAGE)
            if not os.path.lexists(path):
                self.send_error(http.HTTPStatus.FORBIDDEN, f"No {PAGE} in this folder")
                return None
        if os.path.isdir(path):  # redirected to its name with '/', as usual
            return super().send_head()
        page = page_of(path)
        if page is not None:
            self.negotiated = True
            header, value = hosting.NAVIGATION
            if self.headers.get(header) == value and os.path.lexists(page):
                path = page
        return self._file(path)

    def _file(self, path: str) -> BinaryIO | None:
        """The regular file at `path` inside the folder, opened once, its headers sent: its
        length, Last-Modified and ETag are those of the bytes sent, whatever a build renames
        over it meanwhile."""
        real = None if path.endswith("/") else self._inside(path)
        try:
            if real is None:
                raise FileNotFoundError(path)
            # not blocking: a FIFO would wait for a writer; a regular file never does
            opened = open(os.open(real, os.O_RDONLY | os.O_NONBLOCK), "rb")  # noqa: SIM115  # the caller closes it
        except OSError:  # missing, a name too long, ...
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        found = os.fstat(opened.fileno())
        self.etag = f'"{found.st_size:x}-{found.st_mtime_ns:x}"'
        if not stat.S_ISREG(found.st_mode):
            opened.close()
            self.etag = None
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        if _matches(self.headers.get("If-None-Match"), self.etag) or _unmodified(
            self.headers.get("If-Modified-Since") if "If-None-Match" not in self.headers else None, found
        ):
            opened.close()
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        body: BinaryIO = opened
        length = found.st_size
        if path.endswith(".html"):  # a page links to the preview's own feeds (a build that
            with opened:  # changes feed_url rewrites the page, so its ETag stands for this)
                page = self.server.preview.localised(opened.read())
            body, length = io.BytesIO(page), len(page)
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-type", self.guess_type(path))
        self.send_header("Content-Length", str(length))
        self.send_header("Last-Modified", self.date_time_string(int(found.st_mtime)))
        self.end_headers()
        return body

    def _refusal(self) -> tuple[http.HTTPStatus, str] | None:
        """Why the request's path is refused before it is looked for, if it is."""
        target = self.path.split("?", 1)[0].split("#", 1)[0]
        if len(target) > MAX_PATH:
            return http.HTTPStatus.REQUEST_URI_TOO_LONG, f"Path longer than {MAX_PATH} characters"
        decoded = urllib.parse.unquote(target)
        if not decoded.startswith("/"):
            return http.HTTPStatus.BAD_REQUEST, "Path does not start with '/'"
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
            return http.HTTPStatus.BAD_REQUEST, "Control character in path"
        parts = decoded.split("/")
        if ".." in parts:
            return http.HTTPStatus.BAD_REQUEST, "'..' in path"
        if any(part.startswith(".") for part in parts):  # feedpub's bookkeeping
            return http.HTTPStatus.NOT_FOUND, "File not found"
        return None

    def _inside(self, path: str) -> str | None:
        """Where `path` leads, links followed, if that is the folder or something in it."""
        real, inside = os.path.realpath(path), os.path.realpath(self.directory)
        return real if real == inside or real.startswith(inside.rstrip(os.sep) + os.sep) else None

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(http.HTTPStatus.FORBIDDEN, f"No {PAGE} in this folder")

    def end_headers(self) -> None:
        if self.etag:
            self.send_header("ETag", self.etag)
        if self.negotiated:
            self.send_header(*hosting.VARY)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the catalogue's problems


def serve(folder: Path, catalogue: Path, port: int, build: Callable[[], str | None], seconds: float) -> None:
    """Build, serve `folder` on 127.0.0.1:`port`, and build again whenever `catalogue` changes,
    until interrupted. `build` gives the site's feed_url (None if it failed), whose links the
    pages served point at the preview's own files instead. A client has `seconds` from
    connecting to send its request and read the answer: each connection has a thread, which a
    client that sends nothing, or a byte now and then, would otherwise keep for ever."""
    target = catalogue.resolve()
    # The folder, not the file: editors often save by writing a new file and renaming it. Only
    # the folder itself, not the feeds' folders below it, however many there are.
    watching = watchfiles.watch(
        target.parent, debounce=200, rust_timeout=1000, yield_on_timeout=True, recursive=False
    )
    next(watching)  # watching from here on (after a second at most): no save after the build is missed
    feed_url = build()
    server = _Server(port, folder, seconds)
    server.preview.feed_url = feed_url
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(
        f"serving {folder} at http://127.0.0.1:{server.server_address[1]}/ "
        f"and rebuilding when {catalogue} changes (Ctrl-C to stop)",
        flush=True,
    )
    try:
        for changes in watching:
            if any(Path(path) == target for _, path in changes):
                server.preview.feed_url = build() or server.preview.feed_url
    finally:
        watching.close()
        server.shutdown()
        server.server_close()


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (RFC 9110's weak comparison, as nginx
    does) or is '*': each tag whole, never a part of one."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _unmodified(if_modified_since: str | None, found: os.stat_result) -> bool:
    """Whether an If-Modified-Since header names a moment no earlier than the file's time
    (to the second, as Last-Modified says it); one that is not a date is no condition."""
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since) if if_modified_since else None
    except (TypeError, ValueError):
        return False
    if since is None:
        return False
    modified = datetime.fromtimestamp(int(found.st_mtime), UTC)
    return modified <= (since if since.tzinfo else since.replace(tzinfo=UTC))
