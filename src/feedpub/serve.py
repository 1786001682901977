"""`feedpub serve`: the feeds on 127.0.0.1 while the catalogue is being edited, rebuilt each
time it is saved, with the media types, ETag and Last-Modified a real web server would send."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import watchfiles

from feedpub.render.hosting import MEDIA_TYPES


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = MEDIA_TYPES
    etag: str | None = None

    def send_head(self):  # type: ignore[no-untyped-def]
        """As the standard handler (which answers If-Modified-Since), plus ETag and If-None-Match."""
        path = self.translate_path(self.path)
        self.etag = None
        if os.path.isfile(path):
            found = os.stat(path)
            self.etag = f'"{found.st_size:x}-{found.st_mtime_ns:x}"'
            if self.etag in self.headers.get("If-None-Match", ""):
                self.send_response(http.HTTPStatus.NOT_MODIFIED)
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        if self.etag:
            self.send_header("ETag", self.etag)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the catalogue's problems


def serve(folder: Path, catalogue: Path, port: int, build: Callable[[], object]) -> None:
    """Build, serve `folder` on 127.0.0.1:`port`, and build again whenever `catalogue` changes,
    until interrupted."""
    build()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(folder)))
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
                build()
    finally:
        server.shutdown()
        server.server_close()
