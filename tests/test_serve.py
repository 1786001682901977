"""`feedpub serve` as a person runs it while editing, and the progress bar a long build shows on
a terminal (and only there)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from conftest import ROOT, free_port
from feedpub.serve import IDLE_SECONDS

GENERATE = ROOT / "bench" / "generate.py"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, b""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", "--port", str(port), "--out", "out"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                fetch(f"{base}/index.html")
                break
            except OSError:
                time.sleep(0.05)
        yield base, tmp_path, process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def wait_for(condition: object, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_with_media_types_etags_and_304(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, _, _ = server
    status, headers, body = fetch(f"{base}/atom.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<feed" in body and headers["ETag"] and headers["Last-Modified"]
    etag = headers["ETag"]
    for matching in (etag, f'"x", {etag}', f"W/{etag}", "*"):
        assert fetch(f"{base}/atom.xml", {"If-None-Match": matching})[0] == 304, matching
    for other in (f"W/{etag}-garbage", etag[:-2] + '"', '"x"'):  # a part of the tag is not the tag
        assert fetch(f"{base}/atom.xml", {"If-None-Match": other})[0] == 200, other
    assert fetch(f"{base}/atom.xml", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(f"{base}/feed.json")[1]["Content-Type"] == "application/feed+json; charset=utf-8"
    assert fetch(f"{base}/feed.xsl")[1]["Content-Type"] == "text/xsl; charset=utf-8"


def test_serve_rebuilds_when_the_catalogue_is_saved(server: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, work, process = server
    catalogue = work / "articles.yaml"
    catalogue.write_text(
        catalogue.read_text().replace("Stop Criminal Attack on Gaza!", "Stop the Criminal Attack!")
    )
    assert wait_for(lambda: b"Stop the Criminal Attack!" in fetch(f"{base}/atom.xml")[2])
    good = fetch(f"{base}/atom.xml")[2]
    catalogue.write_text(catalogue.read_text().replace("  title: Socialist", "  titel: Socialist", 1))
    time.sleep(2)  # a broken catalogue is reported, and the feeds built last stay served
    assert fetch(f"{base}/atom.xml")[2] == good
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=10)
    assert "unknown key 'titel' in 'site' (did you mean 'title'?" in errors


def answer(base: str, path: bytes) -> bytes:
    """The status line `feedpub serve` answers a GET of `path` with, sent as is over a socket."""
    with socket.create_connection(("127.0.0.1", int(base.rpartition(":")[2])), timeout=10) as connection:
        connection.sendall(b"GET " + path + b" HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.partition(b"\r\n")[0]


def test_serve_answers_hostile_paths_with_an_error_and_serves_only_files_inside(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, work, process = server
    out = work / "out"
    (work / "elsewhere").mkdir()
    (work / "elsewhere" / "index.html").write_text("not the feeds")
    (out / "secret.xml").symlink_to(work / "articles.yaml")
    (out / "zero.xml").symlink_to("/dev/zero")
    (out / "away").symlink_to(work / "elsewhere")
    (out / "inside.xml").symlink_to("atom.xml")
    (out / "empty").mkdir()
    os.mkfifo(out / "fifo.xml")  # opened for reading, it waits for a writer
    table = [
        (b"/%00", b"400 Control character in path"),
        (b"/atom.xml%00", b"400 Control character in path"),
        (b"/a\x00b", b"400 Control character in path"),
        (b"/x%0d%0aSet-Cookie:%20x=1", b"400 Control character in path"),
        (b"/" + b"a" * 2000, b"414 Path longer than 1024 characters"),
        (b"/tags/" + b"a/" * 600, b"414 Path longer than 1024 characters"),
        (b"/../../etc/passwd", b"400 '..' in path"),
        (b"/%2e%2e/articles.yaml", b"400 '..' in path"),
        (b"*", b"400 Path does not start with '/'"),
        (b"/secret.xml", b"404 File not found"),
        (b"/zero.xml", b"404 File not found"),
        (b"/fifo.xml", b"404 File not found"),
        (b"/away/", b"404 File not found"),
        (b"/away", b"404 File not found"),  # not a redirect that shows the link is there
        (b"/away/index.html", b"404 File not found"),
        (b"/empty/", b"403 No index.html in this folder"),
        (b"/tags/", b"403 No index.html in this folder"),
        (b"/tags", b"301 Moved Permanently"),
        (b"/" + b"b" * 300 + b".xml", b"404 File not found"),  # a name longer than the file system allows
        (b"/inside.xml", b"200 OK"),
        (b"/", b"200 OK"),
    ]
    assert [(path, answer(base, path)) for path, _ in table] == [
        (path, b"HTTP/1.0 " + status) for path, status in table
    ]
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=10)
    assert "Traceback" not in errors


def test_serve_closes_a_connection_that_sends_nothing(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    """Each connection has a thread: clients that connect and say nothing must not keep theirs."""
    base = server[0]
    port = int(base.rpartition(":")[2])
    idle = [socket.create_connection(("127.0.0.1", port), timeout=IDLE_SECONDS + 5) for _ in range(20)]
    try:
        started = time.monotonic()
        assert fetch(f"{base}/atom.xml")[0] == 200  # served meanwhile
        # closed by the server, whose thread for it then ends
        assert [connection.recv(1) for connection in idle] == [b""] * len(idle)
        assert time.monotonic() - started > IDLE_SECONDS - 1  # waited for, not refused
    finally:
        for connection in idle:
            connection.close()


def run_on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal, as in an interactive shell; what it showed there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a terminal's size
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        try:
            chunk = os.read(master, 4096) if ready else b""
        except OSError:  # the terminal closes when the process ends
            chunk = b""
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return process.wait(timeout=60), shown.decode(errors="replace")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue whose build takes more than a second."""
    work = tmp_path_factory.mktemp("big")
    subprocess.run([sys.executable, str(GENERATE), "6000", str(work / "articles.yaml")], check=True)
    text = (work / "articles.yaml").read_text(encoding="utf-8")
    (work / "articles.yaml").write_text(
        text.replace("articles:\n", "  archive: true\narticles:\n", 1), encoding="utf-8"
    )
    return work


def test_a_long_build_shows_a_progress_bar_on_a_terminal(big: Path) -> None:
    # in one process, rendering this catalogue takes more than the second the bar waits
    command = [sys.executable, "-m", "feedpub", "build", "--jobs", "1", "--out", "one"]
    status, shown = run_on_terminal(command, big)
    assert status == 0
    assert "rendering entries and feeds" in shown and "part/s" in shown


def test_no_progress_bar_without_a_terminal_or_with_q(big: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "feedpub", "build", "--out", "two"],
        cwd=big,
        capture_output=True,
        text=True,
        check=True,
    )
    assert piped.stderr == ""
    status, shown = run_on_terminal([sys.executable, "-m", "feedpub", "build", "-q", "--out", "three"], big)
    assert (status, shown) == (0, "")


def test_the_preview_links_to_its_own_feeds_and_the_built_page_to_the_public_ones(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, work, _ = server
    status, _, page = fetch(f"{base}/index.html")
    assert status == 200
    links = re.findall(rb'href="([^"]+)"', page)
    feeds = [link for link in links if link.endswith((b".xml", b".json", b".opml"))]
    assert len(feeds) > 20 and all(link.startswith(b"/") for link in feeds), feeds
    assert all(fetch(base + link.decode())[0] == 200 for link in feeds)
    # the lines to paste into the site's pages, and the page built for publishing, say where
    # the feeds will be
    assert b"href=&quot;https://example.org/feeds/atom.xml&quot;" in page
    built = (work / "out" / "index.html").read_bytes()
    assert b'href="https://example.org/feeds/atom.xml"' in built and b'href="/atom.xml"' not in built
