"""Shared helpers: small catalogues written as text, the CLI run as users run it or called in
the test's process, builds at one moment; the hypothesis profiles."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from feedpub import catalogue, cli, load, parallel
from feedpub.model import Catalogue
from feedpub.problems import Problem

if TYPE_CHECKING:
    from s3server import SeaweedFS

T = TypeVar("T")
U = TypeVar("U")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
"""The moment the tests render and build at, so that their feeds' bytes do not depend on the day."""
NOW_TEXT = NOW.isoformat().replace("+00:00", "Z")
"""NOW as `--now` takes it."""

# Every run of the suite tries the same examples, so that a test fails or passes on the code
# alone: `ci` (the default) derives them from each test's code, keeps no example database and
# lets no timing decide (no deadline, no too_slow health check). `explore`, chosen with
# --hypothesis-profile=explore or HYPOTHESIS_PROFILE=explore, draws ten times as many at random
# and keeps the failures it finds in .hypothesis/ to try first next time; each one goes into its
# test as an @example or a table row, where `ci` runs it for good.
CI_EXAMPLES = 100
settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=10 * CI_EXAMPLES,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples"),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def scaled(count: int) -> int:
    """`count` examples under the `ci` profile, and as many times more as the profile in use
    draws than `ci` does (ten times when exploring)."""
    return count * settings.default.max_examples // CI_EXAMPLES


SITE = """\
site:
  title: Example News
  link: https://example.org/
  feed_url: https://example.org/feeds/
  description: An example site.
  author: {name: Jane Doe, email: jane@example.org}
articles:
"""
"""Seven lines: the first article of `catalogue_text` starts on line 8."""


def article(
    ident: str = "a1",
    *extra: str,
    title: str | None = "default",
    link: str | None = "default",
    published: str | None = "2024-01-02",
) -> str:
    """One article: id, title, link and published on its first four lines (a field given as
    None is left out), then the `extra` lines as further fields."""
    fields = {
        "title": f"Article {ident}" if title == "default" else title,
        "link": f"https://example.org/{ident}" if link == "default" else link,
        "published": published,
    }
    lines = [f"  - id: {ident}"]
    lines += [f"    {name}: {value}" for name, value in fields.items() if value is not None]
    lines += [f"    {line}" for line in extra]
    return "\n".join(lines) + "\n"


def catalogue_text(*articles: str, site: str = SITE) -> str:
    return site + "".join(articles or (article(),))


def parse(text: str, path: str = "articles.yaml") -> tuple[Catalogue | None, list[Problem]]:
    root, problems = load.parse(text.encode(), path)
    if root is None:
        return None, problems
    return catalogue.validate(root, path)


def valid(text: str) -> Catalogue:
    found, problems = parse(text)
    assert found is not None, [str(p) for p in problems]
    return found


def tool(name: str) -> str:
    """The path of the command `name`; the test fails, naming it, if it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: tests/run installs it (as root) or names the apt-get line",
            pytrace=False,
        )
    return path


def feedpub(
    *args: str, cwd: Path, timeout: float = 60, preexec_fn: Callable[[], object] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would (`preexec_fn` sets its limits or umask)."""
    return subprocess.run(
        [sys.executable, "-m", "feedpub", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )


def called(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI called in this process, for a test where the process boundary adds nothing:
    the exit status, stdout and stderr that `feedpub` gives, without an interpreter to start.
    It runs in `cwd`, with the test's environment (set it with monkeypatch), and leaves the
    working folder, the standard streams and the signal handlers as it found them. What needs
    a process of its own (signals, limits, umask, an environment of its own, a traceback
    never shown) stays with `feedpub`; an exception the CLI lets out fails the test."""
    streams = sys.stdout, sys.stderr
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP)}
    # text streams over bytes as a subprocess's are: UTF-8, not a terminal
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="") for _ in range(2))
    here = Path.cwd()
    os.chdir(cwd)
    sys.stdout, sys.stderr = out, err
    try:
        status = cli.main(list(args))
    finally:
        sys.stdout, sys.stderr = streams
        os.chdir(here)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    printed = []
    for stream in (out, err):
        stream.flush()
        text = stream.buffer.getvalue().decode()  # type: ignore[attr-defined]
        printed.append(text.replace("\r\n", "\n").replace("\r", "\n"))  # as subprocess reads it
    return subprocess.CompletedProcess(["feedpub", *args], status, *printed)


def build(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`feedpub build` at NOW with `args`, called in this process (see `called`)."""
    return called("build", "--now", NOW_TEXT, *args, cwd=cwd)


def built(cwd: Path) -> dict[str, bytes]:
    """Build cwd's articles.yaml into cwd/feeds at NOW, which must succeed without a word; every
    file the build left there but its hidden records, by path, as deploy reads the folder."""
    result = build(cwd, "-q")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    feeds = cwd / "feeds"
    return {
        path.relative_to(feeds).as_posix(): path.read_bytes()
        for path in sorted(feeds.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def serve(cwd: Path, *args: str, preexec_fn: Callable[[], object] | None = None) -> subprocess.Popen[str]:
    """`feedpub serve` with `args`, as a user starts it, its output read by the test."""
    return subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache folder builds keep articles in, one a test (and its subprocesses), never
    the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


TWO_ARTICLES = catalogue_text(
    article("a1", "tags: [Gaza]"), article("a2", "tags: [Gaza, Israel]", published="2024-02-03")
)
"""`site_dir`'s catalogue: the site's feed, two tags' and an author's (Jane Doe)."""


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A folder holding TWO_ARTICLES as articles.yaml."""
    (tmp_path / "articles.yaml").write_text(TWO_ARTICLES, encoding="utf-8")
    return tmp_path


NGINX = """\
daemon off;
master_process off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {run}/access.log combined;
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  types {{ text/html html; text/xsl xsl; text/x-opml opml; }}
  gzip on;
  gzip_types "application/xml; charset=utf-8" "application/feed+json; charset=utf-8" text/xsl text/x-opml;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location ~ \\.xml$ {{
      types {{ }} default_type "application/xml; charset=utf-8";
      add_header Vary Sec-Fetch-Dest;
      if ($http_sec_fetch_dest = document) {{ rewrite ^(.*/)(?:atom|rss)\\.xml$ $1index.html last; }}
    }}
    location ~ /feed\\.json$ {{
      types {{ }} default_type "application/feed+json; charset=utf-8";
      add_header Vary Sec-Fetch-Dest;
      if ($http_sec_fetch_dest = document) {{ rewrite ^(.*/) $1index.html last; }}
    }}
    location ~ /index\\.html$ {{ add_header Vary Sec-Fetch-Dest; }}
  }}
}}
"""
"""The nginx configuration the documentation suggests (how-to/web-servers.md), as a throw-away server on 127.0.0.1."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def nginx(root: Path, run: Path, port: int | None = None, config: str | None = None) -> Iterator[str]:
    """nginx serving `root` on 127.0.0.1 (its files in `run`) with `config`, the documentation's unless
    given; yields the base URL."""
    port = port or free_port()
    run.mkdir(exist_ok=True)
    (run / "nginx.conf").write_text((config or NGINX).format(run=run, port=port, root=root))
    server = subprocess.Popen(
        [tool("nginx"), "-c", str(run / "nginx.conf"), "-p", str(run), "-e", str(run / "error.log")]
    )
    try:
        while True:  # until it listens, or has stopped for good
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"nginx did not start: {(run / 'error.log').read_text()}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # seen once on a machine at load 5: not the test's concern
            server.kill()
            server.wait()


@pytest.fixture
def second_process(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """See `watch_second_process`."""
    return watch_second_process(monkeypatch)


def watch_second_process(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The process ids that computed `parallel.both`'s second part, one per call (None where
    nothing came back): a test about sharing work asserts that it was really shared."""
    sent: list[int | None] = []
    real = parallel.both
    # A server's thread an earlier test left in this worker would keep `parallel.available`
    # from forking; the test is about what the second process computes, not about threads.
    monkeypatch.setattr(threading, "active_count", lambda: 1)

    def spy(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U | None]:
        mine, theirs = real(here, lambda: (os.getpid(), there()))
        sent.append(None if theirs is None else theirs[0])
        return mine, None if theirs is None else theirs[1]

    monkeypatch.setattr(parallel, "both", spy)
    return sent


def shared(sent: list[int | None]) -> bool:
    """Whether every call of `parallel.both` that `second_process` saw had its second part
    computed by another process."""
    return bool(sent) and all(pid not in (None, os.getpid()) for pid in sent)


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS a test worker, which the deploy tests and verify's share, each test in a
    bucket of its own: starting one takes seconds."""
    from s3server import SeaweedFS  # which imports this module

    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
