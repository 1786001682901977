"""`feedpub serve` as a person runs it while editing, and the progress bar a long build shows on
a terminal (and only there)."""

from __future__ import annotations

import contextlib
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
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from conftest import ROOT, free_port, serve
from feedpub.serve import MAX_CONNECTIONS, MAX_HEAD, Preview
from test_hosting import assert_pages_for_browsers, sample
from test_publish import FEW_FILES, few_files, many_tags

GENERATE = ROOT / "bench" / "generate.py"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, b""


@contextlib.contextmanager
def listening(
    work: Path, out: str, *args: str, preexec_fn: Callable[[], object] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`feedpub serve --out out` in `work`, with `args`, once it listens (its first build done,
    it says where); its address; stopped with Ctrl-C on leaving."""
    port = free_port()
    process = serve(work, "--port", str(port), "--out", out, *args, preexec_fn=preexec_fn)
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        built, serving = process.stdout.readline(), process.stdout.readline()
        assert serving.startswith(f"serving {out} at {base}/"), built + serving
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


@pytest.fixture
def server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`feedpub serve` of the sample catalogue, given the options the test is parametrized with."""
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    with listening(tmp_path, "out", *getattr(request, "param", [])) as (base, process):
        yield base, tmp_path, process


def test_serve_answers_with_media_types_etags_and_304(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, _, _ = server
    status, headers, body = fetch(f"{base}/atom.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<feed" in body and headers["ETag"] and headers["Last-Modified"]
    etag = headers["ETag"]
    with urllib.request.urlopen(urllib.request.Request(f"{base}/atom.xml", method="HEAD"), timeout=5) as head:
        assert (head.headers["ETag"], head.headers["Content-Length"], head.read()) == (
            etag,
            str(len(body)),
            b"",
        )
    for matching in (etag, f'"x", {etag}', f"W/{etag}", "*"):
        assert fetch(f"{base}/atom.xml", {"If-None-Match": matching})[0] == 304, matching
    for other in (f"W/{etag}-garbage", etag[:-2] + '"', '"x"'):  # a part of the tag is not the tag
        assert fetch(f"{base}/atom.xml", {"If-None-Match": other})[0] == 200, other
    assert fetch(f"{base}/atom.xml", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    for since in ("Mon, 01 Jan 1990 00:00:00 GMT", "yesterday", "Mon, 01 Jan 99999 00:00:00 GMT"):
        assert fetch(f"{base}/atom.xml", {"If-Modified-Since": since})[0] == 200, since
    # If-None-Match decides where both are given (RFC 9110, 13.2.2)
    both = {"If-None-Match": '"x"', "If-Modified-Since": headers["Last-Modified"]}
    assert fetch(f"{base}/atom.xml", both)[0] == 200
    assert fetch(f"{base}/feed.json")[1]["Content-Type"] == "application/feed+json; charset=utf-8"
    assert fetch(f"{base}/feed.xsl")[1]["Content-Type"] == "text/xsl; charset=utf-8"


def test_serve_gives_browsers_the_page_and_readers_the_feed(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(sample(hosting="[]"), encoding="utf-8")
    preview = Preview()
    preview.feed_url = "https://example.org/feeds/"  # the sample's: its pages link to the preview instead
    with listening(tmp_path, "out") as (base, _):
        assert_pages_for_browsers(base, tmp_path / "out", preview.localised)


def test_serve_rebuilds_when_the_catalogue_is_saved(server: tuple[str, Path, subprocess.Popen[str]]) -> None:
    base, work, process = server
    assert process.stdout is not None and process.stderr is not None
    catalogue = work / "articles.yaml"
    catalogue.write_text(
        catalogue.read_text().replace("Stop Criminal Attack on Gaza!", "Stop the Criminal Attack!")
    )
    assert " written, " in process.stdout.readline()  # what the rebuild wrote
    good = fetch(f"{base}/atom.xml")[2]
    assert b"Stop the Criminal Attack!" in good
    catalogue.write_text(catalogue.read_text().replace("  title: Socialist", "  titel: Socialist", 1))
    # a broken catalogue is reported
    assert any("unknown key 'titel' in 'site' (did you mean 'title'?" in line for line in process.stderr)
    assert fetch(f"{base}/atom.xml")[2] == good  # and the feeds built last stay served


def answer(base: str, path: bytes, head: bytes = b"") -> bytes:
    """The status line `feedpub serve` answers a GET of `path` with, sent as is over a socket
    with the header lines `head`."""
    with connect(base, 10) as connection:
        connection.sendall(b"GET " + path + b" HTTP/1.0\r\n" + head + b"\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.partition(b"\r\n")[0]


def wait_for(condition: Callable[[], bool]) -> bool:
    """Whether `condition` comes true, asked every tenth of a second; the minute allowed is a
    guard against a hang, not a bound the behaviour is held to."""
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def connect(base: str, seconds: float) -> socket.socket:
    return socket.create_connection(("127.0.0.1", int(base.rpartition(":")[2])), timeout=seconds)


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
    assert (out / ".feedpub-manifest.json").is_file() and (out / ".feedpub-build.json").is_file()
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
        (b"/.feedpub-manifest.json", b"404 File not found"),  # feedpub's bookkeeping, not for readers
        (b"/%2efeedpub-build.json", b"404 File not found"),
        (b"/inside.xml", b"200 OK"),
        (b"/", b"200 OK"),
    ]
    assert [(path, answer(base, path)) for path, _ in table] == [
        (path, b"HTTP/1.0 " + status) for path, status in table
    ]
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=10)
    assert "Traceback" not in errors


TIMEOUT = 1.0
"""The --timeout the tests of slow clients give: each waits for a few of it."""


def closed(connection: socket.socket) -> bool:
    """Whether the server has closed `connection` (or reset it), without waiting."""
    if not select.select([connection], [], [], 0)[0]:
        return False
    try:
        return connection.recv(65536) == b""
    except ConnectionResetError:
        return True


def trickle(connection: socket.socket, data: bytes, pause: float) -> int:
    """Send `data` a byte every `pause` seconds until the server closes the connection; the
    bytes it accepted."""
    for sent in range(len(data)):
        if closed(connection):
            return sent
        try:
            connection.send(data[sent : sent + 1])
        except (BrokenPipeError, ConnectionResetError):
            return sent
        time.sleep(pause)
    return len(data)


@pytest.mark.parametrize("server", [["--timeout", str(TIMEOUT)]], indirect=True)
def test_serve_closes_a_connection_that_sends_nothing_or_trickles_its_request(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    """Each connection has a thread: clients that connect and say nothing, or a byte at a
    time, must not keep theirs past the --timeout from connecting."""
    base = server[0]
    idle = [connect(base, TIMEOUT * 10) for _ in range(10)]
    trickling = connect(base, TIMEOUT * 10)
    try:
        started = time.monotonic()
        assert fetch(f"{base}/atom.xml")[0] == 200  # served meanwhile
        # a header byte every tenth of the timeout: forty of them would take four timeouts
        request = b"GET /atom.xml HTTP/1.0\r\nX-Slow: " + b"a" * 40
        accepted = trickle(trickling, request, TIMEOUT / 10)
        assert accepted < len(request) - 20  # closed well before the client was done
        assert time.monotonic() - started > TIMEOUT * 0.9  # waited for, not refused
        assert all(wait_for(lambda connection=connection: closed(connection)) for connection in idle)
    finally:
        for connection in [*idle, trickling]:
            connection.close()


@pytest.mark.parametrize("server", [["--timeout", str(TIMEOUT)]], indirect=True)
def test_serve_closes_a_connection_that_reads_its_answer_too_slowly(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    """The timeout covers the answer too: a client that reads a large file a little at a
    time, never idle for long, keeps the thread no longer than one that sends nothing."""
    base, work, _ = server
    size = 64 * 1024 * 1024  # far more than the two sockets' buffers hold
    with open(work / "out" / "big.xml", "wb") as big:
        big.truncate(size)
    received = 0
    with connect(base, TIMEOUT * 10) as connection:
        connection.sendall(b"GET /big.xml HTTP/1.0\r\n\r\n")
        try:  # a quarter of a MiB each tenth of the timeout, until half the file
            while received < size // 2 and (chunk := connection.recv(256 * 1024)):
                received += len(chunk)
                time.sleep(TIMEOUT / 10)
        except ConnectionResetError:
            pass
    assert 0 < received < size // 2  # the answer began, and was cut off


@pytest.mark.parametrize("server", [["--timeout", "60"]], indirect=True)
def test_serve_answers_503_beyond_its_connections_and_431_to_a_huge_head(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base = server[0]
    assert answer(base, b"/atom.xml", b"X-Big: " + b"a" * (MAX_HEAD - 100) + b"\r\n") == b"HTTP/1.0 200 OK"
    lines = b"".join(b"X-%d: %s\r\n" % (n, b"a" * 1000) for n in range(MAX_HEAD // 1000 + 1))
    for head in (b"X-Big: " + b"a" * MAX_HEAD + b"\r\n", lines):
        assert answer(base, b"/atom.xml", head) == b"HTTP/1.0 431 Request longer than 65536 bytes"
    held = [connect(base, 10) for _ in range(MAX_CONNECTIONS)]
    try:
        with connect(base, 10) as extra:  # answered at once, before it says anything
            assert extra.recv(65536).partition(b"\r\n")[0] == b"HTTP/1.0 503 Service Unavailable"
        assert not any(closed(connection) for connection in held)  # kept, each with its thread
    finally:
        for connection in held:
            connection.close()
    assert wait_for(lambda: answer(base, b"/atom.xml") == b"HTTP/1.0 200 OK")


def test_serve_says_nothing_of_clients_that_reset_their_connections(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    """A reader that gives up mid-answer is no news: the terminal is for the catalogue."""
    base, _, process = server
    for _ in range(10):
        connection = connect(base, 10)
        connection.sendall(b"GET /atom.xml HTTP/1.0\r\n\r\n")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # with linger 0: a reset, not a goodbye
    assert fetch(f"{base}/atom.xml")[0] == 200
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=10)
    assert "Exception" not in errors and "Traceback" not in errors, errors


def test_serve_sends_the_etag_of_the_bytes_it_sends_while_a_build_replaces_them(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    """A build renames new files over old ones while answers are being made: an answer's
    ETag (its size, then its time), Last-Modified and length are those of its body."""
    base, work, _ = server
    out = work / "out"
    versions = [out / ".one", out / ".two"]
    years = {1000: 2001, 3000: 2002}  # each version's length, and the year of its time
    for (size, year), version in zip(years.items(), versions, strict=True):
        version.write_bytes(b"x" * size)
        os.utime(version, (0, datetime(year, 1, 1, tzinfo=UTC).timestamp()))
    stop = threading.Event()

    def replace() -> None:
        while not stop.is_set():
            for version in versions:
                os.link(version, out / ".new")
                os.replace(out / ".new", out / "race.xml")

    replacing = threading.Thread(target=replace)
    replacing.start()
    try:
        answers = [fetch(f"{base}/race.xml")[1:] for _ in range(300)]
    finally:
        stop.set()
        replacing.join()
    for headers, body in answers:
        assert (
            int(headers["ETag"].strip('"').partition("-")[0], 16)
            == len(body)
            == int(headers["Content-Length"])
        )
        assert parsedate_to_datetime(headers["Last-Modified"]).year == years[len(body)]


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


def watches(pid: int) -> int:
    """How many folders the process `pid` watches with inotify."""
    found = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == "anon_inode:inotify":
                found += (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text().count("inotify wd:")
    return found


def test_serve_of_ten_times_more_tag_folders_than_open_files_watches_only_the_catalogues_folder(
    tmp_path: Path,
) -> None:
    tags = 10 * FEW_FILES
    many_tags(tmp_path, tags // 10, tags_each=10)
    with listening(tmp_path, "feeds", preexec_fn=few_files) as (base, process):
        assert fetch(f"{base}/tags/tag-{tags // 10 - 1}-9/atom.xml")[0] == 200
        assert watches(process.pid) == 1  # not the feeds' folders below it


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
