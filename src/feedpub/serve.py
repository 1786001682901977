"""`feedpub serve`: the feeds on 127.0.0.1 while the catalogue is being edited, rebuilt each
time it is saved, with the media types, ETag and Last-Modified a real web server would send."""

from __future__ import annotations

import html
import http.server
import io
import os
import stat
import threading
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path

import watchfiles

from feedpub.render.hosting import MEDIA_TYPES

MAX_PATH = 1024
"""Characters of a request path at most (414 beyond): no feed's path comes near it."""
IDLE_SECONDS = 5
"""How long a connection may wait for its client before it is closed: each has a thread,
which a client that connects and sends nothing would otherwise keep for ever."""


class Preview:
    """The site's feed_url as last built: the preview's pages link there to its own files."""

    feed_url: str | None = None

    def localised(self, page: bytes) -> bytes:
        """`page` (HTML) with its links to the feeds' public addresses made links to the
        preview's: only attributes, so the lines shown for pasting keep the public ones."""
        if not self.feed_url:
            return page
        return page.replace(f'href="{html.escape(self.feed_url)}'.encode(), b'href="/')


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = MEDIA_TYPES
    timeout = IDLE_SECONDS
    etag: str | None = None
    preview = Preview()

    def send_head(self):  # type: ignore[no-untyped-def]
        """As the standard handler (which answers If-Modified-Since), plus ETag and If-None-Match,
        for regular files inside the folder only: a path with a control character (NUL, say)
        or a '..' is a 400, a longer one than MAX_PATH a 414, anything a link leads to outside
        the folder, or that is not a file (a FIFO, a device), a 404, and a folder without an
        index.html a 403 rather than a listing."""
        self.etag = None
        refusal = self._refusal()
        if refusal:
            self.send_error(*refusal)
            return None
        path = self.translate_path(self.path)
        if self._inside(path) is None:  # a link out of the folder: not even a redirect or a 403
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        if os.path.isdir(path) and path.endswith("/"):
            path = os.path.join(path, "index.html")
            if not os.path.lexists(path):
                self.send_error(http.HTTPStatus.FORBIDDEN, "No index.html in this folder")
                return None
        if not os.path.isdir(path):  # a folder is redirected to its name with '/' as usual
            found = self._file(path)
            if found is None:
                self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
                return None
            self.etag = f'"{found.st_size:x}-{found.st_mtime_ns:x}"'
            if _matches(self.headers.get("If-None-Match"), self.etag):
                self.send_response(http.HTTPStatus.NOT_MODIFIED)
                self.end_headers()
                return None
            if path.endswith(".html"):
                return self._page(path, found)
        return super().send_head()

    def _page(self, path: str, found: os.stat_result) -> io.BytesIO | None:
        """An HTML page, linking to the preview's own feeds (a build rewrites the page when
        feed_url changes, so its ETag still stands for what is sent)."""
        try:
            with open(path, "rb") as f:
                page = self.preview.localised(f.read())
        except OSError:
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Last-Modified", self.date_time_string(int(found.st_mtime)))
        self.end_headers()
        return io.BytesIO(page)

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
        if ".." in decoded.split("/"):
            return http.HTTPStatus.BAD_REQUEST, "'..' in path"
        return None

    def _inside(self, path: str) -> str | None:
        """Where `path` leads, links followed, if that is the folder or something in it."""
        real, inside = os.path.realpath(path), os.path.realpath(self.directory)
        return real if real == inside or real.startswith(inside.rstrip(os.sep) + os.sep) else None

    def _file(self, path: str) -> os.stat_result | None:
        """The status of the regular file at `path`, if it is one inside the folder."""
        real = None if path.endswith("/") else self._inside(path)
        if real is None:
            return None
        try:
            found = os.stat(real)
        except OSError:  # missing, a name too long, ...
            return None
        return found if stat.S_ISREG(found.st_mode) else None

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(http.HTTPStatus.FORBIDDEN, "No index.html in this folder")

    def end_headers(self) -> None:
        if self.etag:
            self.send_header("ETag", self.etag)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the catalogue's problems


def serve(folder: Path, catalogue: Path, port: int, build: Callable[[], str | None]) -> None:
    """Build, serve `folder` on 127.0.0.1:`port`, and build again whenever `catalogue` changes,
    until interrupted. `build` gives the site's feed_url (None if it failed), whose links the
    pages served point at the preview's own files instead."""
    preview = Preview()
    preview.feed_url = build()
    handler = type("Handler", (_Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(
        f"serving {folder} at http://127.0.0.1:{server.server_address[1]}/ "
        f"and rebuilding when {catalogue} changes (Ctrl-C to stop)",
        flush=True,
    )
    target = catalogue.resolve()
    try:
        # the folder, not the file: editors often save by writing a new file and renaming it
        for changes in watchfiles.watch(target.parent, debounce=200, rust_timeout=1000):
            if any(Path(path) == target for _, path in changes):
                preview.feed_url = build() or preview.feed_url
    finally:
        server.shutdown()
        server.server_close()


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (RFC 9110's weak comparison, as nginx
    does) or is '*': each tag whole, never a part of one."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
