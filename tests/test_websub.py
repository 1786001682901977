"""`websub.ping` against real hubs on 127.0.0.1, each misbehaving in its own way: whatever the
hub does, the ping is over by its deadline, reads a bounded answer, and says what went wrong in
a line per kind of failure."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator

import pytest

from feedpub import websub

DEADLINE = 2.0
LATEST = 2.5 * DEADLINE
"""The ping stops at its deadline; the rest is room for a busy machine, in proportion to it."""
TOPICS = [f"https://example.org/feeds/tags/t{n}/atom.xml" for n in range(20)]
"""Twenty feeds: one at a time, a hub that never answers would hold the ping for minutes."""


class Hub:
    """A hub on 127.0.0.1 that reads each publish request whole, then answers as `answer` says
    (until `stopped` is set); it keeps what it received and counts what it sent."""

    def __init__(self, answer: Callable[[Hub, socket.socket, bytes], None]) -> None:
        self.answer = answer
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.bodies: list[bytes] = []
        self.sent = 0
        self.waiting = self.most_waiting = 0
        """Requests received and not answered yet, now and at most."""
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hub?x=1"
        self.handlers: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            handler = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            self.handlers.append(handler)
            handler.start()

    def _handle(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            body = self._request(connection)
            if body is not None:
                self.answer(self, connection, body)

    def _request(self, connection: socket.socket) -> bytes | None:
        """The body of the publish request, kept; None if the ping hung up first (or spoke
        TLS, which this hub does not)."""
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = connection.recv(1024)
            if not chunk:
                return None
            head += chunk
        head, _, body = head.partition(b"\r\n\r\n")
        assert head.startswith(b"POST /hub?x=1 HTTP/1.1\r\n"), head
        length = int(head.lower().partition(b"content-length: ")[2].split(b"\r\n")[0])
        while len(body) < length:
            body += connection.recv(1024)
        with self.lock:
            self.bodies.append(body)
        return body

    def send(self, connection: socket.socket, data: bytes) -> None:
        connection.sendall(data)
        with self.lock:
            self.sent += len(data)

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        for handler in self.handlers:
            handler.join(10)


@contextlib.contextmanager
def hub(answer: Callable[[Hub, socket.socket, bytes], None]) -> Iterator[Hub]:
    made = Hub(answer)
    try:
        yield made
    finally:
        made.close()


def timed_ping(url: str, topics: list[str], deadline: float = DEADLINE) -> tuple[list[str], float]:
    started = time.monotonic()
    failures = websub.ping(url, topics, deadline)
    return failures, time.monotonic() - started


def silent(hub: Hub, connection: socket.socket, body: bytes) -> None:
    hub.stopped.wait()  # accepts, reads the request, never answers


def trickling(hub: Hub, connection: socket.socket, body: bytes) -> None:
    for byte in b"HTTP/1.1 204 No Content\r\n\r\n":  # a byte a second: each read is quick
        hub.send(connection, bytes([byte]))
        if hub.stopped.wait(1):
            return


def streaming(status: bytes) -> Callable[[Hub, socket.socket, bytes], None]:
    def answer(hub: Hub, connection: socket.socket, body: bytes) -> None:
        hub.send(connection, status)
        chunk = b"x" * 65536
        while not hub.stopped.is_set() and hub.sent < 256 * 2**20:  # the old ping read 7 GB
            hub.send(connection, chunk)

    return answer


def failing(hub: Hub, connection: socket.socket, body: bytes) -> None:
    hub.send(connection, b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")


def working(hub: Hub, connection: socket.socket, body: bytes) -> None:
    with hub.lock:
        hub.waiting += 1
        hub.most_waiting = max(hub.most_waiting, hub.waiting)
    time.sleep(0.5)  # a slow hub: one request at a time, twenty would take ten seconds
    with hub.lock:
        hub.waiting -= 1
    hub.send(connection, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")


def test_a_working_hub_hears_of_every_feed_once_several_at_a_time() -> None:
    with hub(working) as h:
        failures, _ = timed_ping(h.url, TOPICS, websub.DEADLINE)
    assert failures == []
    told = [urllib.parse.parse_qs(body.decode()) for body in h.bodies]
    assert all(request["hub.mode"] == ["publish"] for request in told)
    assert sorted(url for request in told for url in request["hub.url"]) == sorted(TOPICS)
    assert 1 < h.most_waiting <= websub.THREADS


def test_a_hub_that_never_answers_costs_the_deadline_not_a_wait_per_feed() -> None:
    with hub(silent) as h:
        failures, took = timed_ping(h.url, TOPICS)
    assert len(h.bodies) <= websub.THREADS  # no feed waited for the one before it to time out
    assert took < LATEST
    assert failures == [f"hub {h.url} did not answer within 2 s for 20 feeds ({TOPICS[0]} and 19 more)"]


def test_an_https_hub_that_never_completes_the_handshake_is_cut_off_at_the_deadline() -> None:
    with hub(silent) as h:
        url = h.url.replace("http://", "https://")
        failures, took = timed_ping(url, TOPICS[:3])
    assert took < LATEST
    assert failures == [f"hub {url} did not answer within 2 s for 3 feeds ({TOPICS[0]} and 2 more)"]


def test_a_hub_that_trickles_a_byte_a_second_is_cut_off_at_the_deadline() -> None:
    with hub(trickling) as h:
        failures, took = timed_ping(h.url, TOPICS[:3])
    assert took < LATEST
    assert h.sent >= 1  # it did answer something, just never enough
    assert failures == [f"hub {h.url} did not answer within 2 s for 3 feeds ({TOPICS[0]} and 2 more)"]


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", None),
        (b"", "answered with something other than HTTP"),
    ],
)
def test_a_hub_that_streams_without_end_is_read_no_further_than_a_few_kilobytes(
    status: bytes, failure: str | None
) -> None:
    with hub(streaming(status)) as h:
        failures, took = timed_ping(h.url, TOPICS[:2])
        # what it managed to send before the ping hung up is what the sockets' buffers hold
        assert h.sent < 64 * 2**20
    assert took < LATEST
    assert failures == (
        [] if failure is None else [f"hub {h.url} {failure} for 2 feeds ({TOPICS[0]} and 1 more)"]
    )


def test_a_hub_that_fails_is_one_line_naming_its_answer() -> None:
    with hub(failing) as h:
        failures, _ = timed_ping(h.url, TOPICS)
    assert failures == [
        f"hub {h.url} answered 500 Internal Server Error for 20 feeds ({TOPICS[0]} and 19 more)"
    ]
    assert len(h.bodies) == 20


def test_an_unreachable_hub_is_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        url = f"http://127.0.0.1:{taken.getsockname()[1]}/"
    failures, took = timed_ping(url, TOPICS[:1])
    assert took < LATEST
    assert failures == [f"hub {url} could not be reached: Connection refused for {TOPICS[0]}"]


def test_no_thread_of_a_ping_outlives_it_for_long() -> None:
    with hub(silent) as h:
        websub.ping(h.url, TOPICS, DEADLINE)
        for thread in threading.enumerate():
            if thread.name == "feedpub-websub":
                thread.join()  # ends on its own, while the hub still keeps its connection open
        assert not h.stopped.is_set()
