"""Telling a WebSub hub which feeds changed, once they are on disk (https://www.w3.org/TR/websub/).

A ping ends a cron run, so it must not hold one up: however many feeds changed and whatever the
hub does (accept and never answer, answer a byte at a time, answer without end), all of it is
over within DEADLINE seconds, with THREADS requests in flight at once and no more than
ANSWER_LIMIT bytes of each answer read.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator

from feedpub import __version__

DEADLINE = 10.0
"""Seconds for the whole ping, every feed together."""
THREADS = 8
"""Publish requests in flight at once."""
ANSWER_LIMIT = 4096
"""Bytes of a hub's answer read at most: its status line is all that is needed."""

_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d\d\d)(?: ([^\r\n]*))?\r?\n")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


class _Unanswered(Exception):
    """The hub gave no HTTP answer: the message says what it did instead."""


def ping(hub: str, topics: list[str], deadline: float = DEADLINE) -> list[str]:
    """Send the hub a publish notification for each feed URL in `topics`, several at once, and
    return within `deadline` seconds what went wrong, if anything: one line for each way it
    went wrong, naming the feeds (a hub that fails costs subscribers only a delay)."""
    if not topics:
        return []
    end = time.monotonic() + deadline
    pending = iter(topics)
    outcomes: dict[str, str | None] = {}
    lock = threading.Lock()
    flight = _Flight()
    context = ssl.create_default_context()

    def work() -> None:
        while time.monotonic() < end:
            with lock:
                topic = next(pending, None)
            if topic is None:
                return
            outcome = _publish(hub, topic, end, deadline, flight, context)
            with lock:
                outcomes[topic] = outcome

    workers = [
        threading.Thread(target=work, name="feedpub-websub", daemon=True)
        for _ in range(min(THREADS, len(topics)))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(max(0.0, end - time.monotonic()))
    with lock:
        answered = dict(outcomes)  # what is not in by now never was answered in time
    flight.cut()  # and the requests still waiting on the hub stop here
    failed: dict[str, list[str]] = {}
    for topic in topics:
        reason = answered.get(topic, f"did not answer within {deadline:g} s")
        if reason is not None:
            failed.setdefault(reason, []).append(topic)
    return [
        f"hub {hub} {reason} for {these[0]}"
        if len(these) == 1
        else f"hub {hub} {reason} for {len(these)} feeds ({these[0]} and {len(these) - 1} more)"
        for reason, these in failed.items()
    ]


class _Flight:
    """The connections of the requests in flight, so that all of them can be cut at the
    deadline, even one in the middle of a TLS handshake with a hub that trickles."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False

    def add(self, connection: socket.socket) -> None:
        with self._lock:
            if self._cut:
                raise TimeoutError
            self._open.add(connection)

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            for connection in self._open:
                with contextlib.suppress(OSError):  # closed meanwhile
                    # the plain socket's shutdown, which an SSL socket's own would not reach
                    socket.socket.shutdown(connection, socket.SHUT_RDWR)


def _publish(
    hub: str, topic: str, end: float, deadline: float, flight: _Flight, context: ssl.SSLContext
) -> str | None:
    """None once the hub has accepted the notification for `topic`, else what went wrong."""
    try:
        parts = urllib.parse.urlsplit(hub)
        request = _request(parts, topic)
        with _connected(parts, end, flight, context) as connection:
            connection.settimeout(_left(end))
            connection.sendall(request)
            status, reason = _status(connection, end)
    except TimeoutError:
        return f"did not answer within {deadline:g} s"
    except _Unanswered as e:
        return str(e)
    except (OSError, ValueError) as e:
        return f"could not be reached: {getattr(e, 'strerror', None) or e}"
    if 200 <= status < 300:
        return None
    return f"answered {status} {reason}".rstrip()


def _request(hub: urllib.parse.SplitResult, topic: str) -> bytes:
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
    target = urllib.parse.urlunsplit(("", "", hub.path or "/", hub.query, ""))
    head = (
        f"POST {target} HTTP/1.1\r\n"
        f"Host: {hub.netloc.rpartition('@')[2]}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"User-Agent: feedpub/{__version__}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


@contextlib.contextmanager
def _connected(
    hub: urllib.parse.SplitResult, end: float, flight: _Flight, context: ssl.SSLContext
) -> Iterator[socket.socket]:
    """A connection to the hub, over TLS for https, held in `flight` while it is open."""
    host = hub.hostname or ""
    https = hub.scheme == "https"
    connection = socket.create_connection((host, hub.port or (443 if https else 80)), _left(end))
    try:
        flight.add(connection)
        if https:
            flight.discard(connection)  # wrapping takes its file descriptor over
            connection = context.wrap_socket(connection, server_hostname=host, do_handshake_on_connect=False)
            flight.add(connection)
            connection.settimeout(_left(end))
            connection.do_handshake()
        yield connection
    finally:
        flight.discard(connection)
        connection.close()


def _status(connection: socket.socket, end: float) -> tuple[int, str]:
    """The status code and reason of the hub's final answer, from no more than ANSWER_LIMIT
    bytes of it; interim (1xx) answers are passed over."""
    received, read = b"", 0
    while True:
        line = _STATUS_LINE.match(received)
        if line and not line.group(1).startswith(b"1"):
            return int(line.group(1)), (line.group(2) or b"").decode("latin-1").strip()
        interim = _BLANK_LINE.search(received) if line else None
        if interim:
            received = received[interim.end() :]
            continue
        if not line and (b"\n" in received or len(received) >= ANSWER_LIMIT):
            raise _Unanswered("answered with something other than HTTP")
        if read >= ANSWER_LIMIT:
            raise _Unanswered(f"sent more than {ANSWER_LIMIT} bytes without a final status")
        connection.settimeout(_left(end))
        chunk = connection.recv(ANSWER_LIMIT - read)
        if not chunk:
            raise _Unanswered("closed the connection without answering")
        received += chunk
        read += len(chunk)


def _left(end: float) -> float:
    """Seconds until `end`; TimeoutError if it has passed."""
    left = end - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left
