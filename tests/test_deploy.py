"""feedpub deploy against a real S3-compatible server (SeaweedFS on 127.0.0.1): what it
uploads, with which headers, in how many requests; what it deletes and what it never
touches; how it recovers from being killed, from a stopped server and from another deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, feedpub
from feedpub.deploy import Locked, Options, Result, deploy
from feedpub.deploy import plan as planning
from feedpub.deploy.destination import Destination, Store, Usage, parse
from feedpub.deploy.remote import LOCK, MANIFEST, Lock
from feedpub.render import hosting
from s3server import SeaweedFS
from test_reader import newsboat

NOW = "2024-06-01T12:00:00Z"
PREFIX = "site"


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bucket(s3: SeaweedFS, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty bucket of the test's own, and the environment that reaches it."""
    name = "t-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    s3.client().create_bucket(Bucket=name)
    for key, value in s3.environment().items():
        monkeypatch.setenv(key, value)
    return name


def catalogue(*, max_items: int = 3, archive: bool = True, edits: tuple[tuple[str, str], ...] = ()) -> str:
    """The sample catalogue with archive pages of `max_items`, and `edits` (old, new) made."""
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    text = text.replace("  max_items: 50\n", f"  max_items: {max_items}\n  archive: {str(archive).lower()}\n")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return text


def build(site: Path, text: str) -> dict[str, bytes]:
    """Build `text` into site/feeds; every file the build left, as deploy reads the folder."""
    (site / "articles.yaml").write_text(text, encoding="utf-8")
    result = feedpub("build", "-q", "--now", NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    feeds = site / "feeds"
    return {
        path.relative_to(feeds).as_posix(): path.read_bytes()
        for path in sorted(feeds.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def run(s3: SeaweedFS, site: Path, bucket: str, **options: Any) -> Result:
    return deploy(site / "feeds", f"s3://{bucket}/{PREFIX}", Options(endpoint_url=s3.endpoint, **options))


def command(s3: SeaweedFS, bucket: str, *args: str) -> list[str]:
    """`feedpub deploy` to the test's bucket, as a user types it."""
    return [
        sys.executable,
        "-m",
        "feedpub",
        "deploy",
        "--endpoint-url",
        s3.endpoint,
        *args,
        f"s3://{bucket}/{PREFIX}",
    ]


def cli(
    s3: SeaweedFS, site: Path, bucket: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`feedpub deploy` to the test's bucket, as a user runs it, with `env` added."""
    return subprocess.run(
        command(s3, bucket, *args),
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | s3.environment() | (env or {}),
        check=False,
    )


def objects(s3: SeaweedFS, bucket: str, prefix: str = "") -> dict[str, bytes]:
    client = s3.client()
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def assert_holds(
    s3: SeaweedFS, bucket: str, files: dict[str, bytes], foreign: dict[str, bytes] | None = None
) -> None:
    """The prefix holds exactly `files` (with their headers), the manifest and the `foreign`
    objects; no lock is left."""
    found = objects(s3, bucket)
    foreign = foreign or {}
    assert {key: data for key, data in found.items() if key in foreign} == foreign
    deployed = {
        key.removeprefix(f"{PREFIX}/"): data
        for key, data in found.items()
        if key not in foreign and key != f"{PREFIX}/{MANIFEST}"
    }
    assert deployed == files
    client = s3.client()
    newest = hosting.newest_pages(files)
    for path in files:
        head = client.head_object(Bucket=bucket, Key=f"{PREFIX}/{path}")
        assert head["ContentType"] == hosting.media_type(path), path
        assert head["CacheControl"] == hosting.cache_control(path, newest), path
        assert head["Metadata"]["sha256"] == hashlib.sha256(files[path]).hexdigest(), path


def put_by_hand(s3: SeaweedFS, bucket: str, key: str, data: bytes, **extra: Any) -> None:
    s3.client().put_object(Bucket=bucket, Key=key, Body=data, **extra)


# -- what is uploaded, with what, in how many requests -----------------------------------------


def test_first_deploy_uploads_every_file_with_its_type_and_lifetime(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue())
    result = run(s3, tmp_path, bucket)
    served = s3.requests(bucket)
    assert sorted(result.uploaded) == sorted(files) and result.unchanged == [] and result.deleted == []
    assert_holds(s3, bucket, files)
    assert {hosting.cache_control(p, hosting.newest_pages(files)) for p in files} == {
        hosting.LIVE,
        hosting.IMMUTABLE,
    }
    # read the lock, write it, read the manifest, list, name the new paths in the manifest,
    # one PUT a file, list again, write the manifest, delete the lock
    assert result.requests == {
        "GetObject": 2,
        "PutObject": len(files) + 3,
        "ListObjectsV2": 2,
        "DeleteObject": 1,
    }
    assert sum(served.values()) == sum(result.requests.values()) + 1  # + creating the bucket
    assert sum(n for (kind, _), n in served.items() if kind == "PUT") == len(files) + 3 + 1


def test_uploads_go_in_steps_that_never_link_ahead(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    files = build(tmp_path, catalogue())
    result = run(s3, tmp_path, bucket)
    steps = [planning.tier(path) for path in result.uploaded]
    assert steps == sorted(steps)
    assert result.uploaded[-2:] == ["feeds.opml", "index.html"]
    assert {planning.tier(p) for p in files if "/archive/" in f"/{p}"} == {0}
    assert {planning.tier(p) for p in ("atom.xml", "rss.xml", "feed.json")} == {2}
    beside = ("tags/gaza/atom.xml", "authors/jane-doe/feed.json", "lang/en-gb/rss.xml", "no-gaza/atom.xml")
    assert {planning.tier(p) for p in beside} == {1}
    assert {planning.tier(p) for p in ("tags/archive/atom.xml", "no-gaza/archive/2/atom.xml")} == {1, 0}


def test_a_page_that_comes_to_link_to_a_new_page_goes_up_after_it(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """An article starts the site's page 4: page 3, whose next-archive named the feed, now
    names page 4, which is there by the time page 3 says so."""
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    later = "articles:\n  - id: later\n    title: Later\n    link: https://example.org/later/\n    published: 2024-01-01\n\n"
    build(tmp_path, catalogue(edits=(("articles:\n", later),)))
    uploaded = run(s3, tmp_path, bucket).uploaded
    new, replaced = ("archive/4/atom.xml", "archive/4/rss.xml"), ("archive/3/atom.xml", "archive/3/rss.xml")
    assert max(uploaded.index(p) for p in new) < min(uploaded.index(p) for p in replaced)
    assert planning.tier(new[0]) < planning.tier(replaced[0], replacing=True)  # a step apart


def test_an_unchanged_deploy_uploads_nothing(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    files = build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    before = s3.requests(bucket)
    result = run(s3, tmp_path, bucket)
    served = s3.requests(bucket) - before
    assert result.uploaded == [] and result.deleted == [] and sorted(result.unchanged) == sorted(files)
    # the lock (read, written, deleted), the manifest and one listing: no request per file
    assert result.requests == {"GetObject": 2, "PutObject": 1, "ListObjectsV2": 1, "DeleteObject": 1}
    assert sum(served.values()) == 5 and served["PUT", "200"] == 1
    assert_holds(s3, bucket, files)


def test_a_one_article_edit_uploads_only_the_files_build_rewrote(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    first = build(tmp_path, catalogue(archive=False, max_items=50))
    run(s3, tmp_path, bucket)
    second = build(
        tmp_path,
        catalogue(
            archive=False,
            max_items=50,
            edits=(("Stop Criminal Attack on Gaza!", "Stop the Criminal Attack on Gaza!"),),
        ),
    )
    rewritten = sorted(path for path in second if first.get(path) != second[path])
    assert 0 < len(rewritten) < len(second) / 2
    result = run(s3, tmp_path, bucket, invalidate=f"cat > {tmp_path / 'told'}")
    assert sorted(result.uploaded) == rewritten
    # the lock, the manifest, one listing, the uploads, a listing and the manifest after them
    assert result.requests == {
        "GetObject": 2,
        "PutObject": len(rewritten) + 2,
        "ListObjectsV2": 2,
        "DeleteObject": 1,
    }
    assert (tmp_path / "told").read_text().split() == rewritten  # what a CDN may hold old
    assert_holds(s3, bucket, second)


def test_a_stale_tags_objects_are_removed_and_nothing_else_is_touched(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    foreign = {
        f"{PREFIX}/notes.txt": b"someone's own file under the prefix",
        f"{PREFIX}-old/atom.xml": b"a neighbouring prefix",
        "elsewhere/atom.xml": b"outside the prefix",
        "atom.xml": b"at the bucket's root",
    }
    for key, data in foreign.items():
        put_by_hand(s3, bucket, key, data)
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    text = catalogue().replace("IMT statements", "Solidarity movement")
    files = build(tmp_path, text)
    assert not any(path.startswith("tags/imt-statements/") for path in files)
    result = run(s3, tmp_path, bucket)
    assert sorted(result.deleted) == [
        f"tags/imt-statements/{n}" for n in ("atom.xml", "feed.json", "rss.xml")
    ]
    assert_holds(s3, bucket, files, foreign)


def test_an_object_changed_by_hand_is_put_back_and_one_replaced_by_hand_is_not_deleted(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    # SeaweedFS's listings give whole seconds: a change made within the second of feedpub's
    # upload that keeps the bytes would list the same (Amazon S3 gives milliseconds)
    time.sleep(1.1)
    put_by_hand(s3, bucket, f"{PREFIX}/rss.xml", b"<rss>edited by hand</rss>", ContentType="application/xml")
    data = files["atom.xml"]  # the same bytes, served otherwise
    put_by_hand(
        s3,
        bucket,
        f"{PREFIX}/atom.xml",
        data,
        ContentType="text/plain",
        Metadata={"sha256": hashlib.sha256(data).hexdigest()},
    )
    mine = b"my own page now"
    put_by_hand(s3, bucket, f"{PREFIX}/tags/imt-statements/atom.xml", mine)
    files = build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    result = run(s3, tmp_path, bucket)
    assert {"rss.xml", "atom.xml"} <= set(result.uploaded)
    assert sorted(result.deleted) == ["tags/imt-statements/feed.json", "tags/imt-statements/rss.xml"]
    assert result.requests["HeadObject"] == 3  # only the three objects the listing did not vouch for
    assert_holds(s3, bucket, files, {f"{PREFIX}/tags/imt-statements/atom.xml": mine})


def test_dry_run_lists_the_changes_and_makes_none(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    before = objects(s3, bucket)
    build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    served = s3.requests(bucket)
    result = cli(s3, tmp_path, bucket, "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "would delete tags/imt-statements/atom.xml" in lines
    assert any(line.startswith("would upload tags/solidarity-movement/") for line in lines)
    assert re.fullmatch(
        rf"\d+ files → s3://{bucket}/{PREFIX}: \d+ would be uploaded, \d+ unchanged, 3 would be deleted in \d+\.\d\d s",
        lines[-1],
    )
    assert objects(s3, bucket) == before
    assert {kind for kind, _ in s3.requests(bucket) - served} <= {"GET", "LIST"}


def test_the_command_prints_one_summary_line_and_nothing_with_q(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue(archive=False, max_items=50))
    first = cli(s3, tmp_path, bucket)
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(
        rf"{len(files)} files → s3://{bucket}/{PREFIX}: {len(files)} uploaded, 0 unchanged, 0 deleted in \d+\.\d\d s\n",
        first.stdout,
    )
    again = cli(s3, tmp_path, bucket, "-q")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s3://bucket", Destination("bucket", "")),
        ("s3://bucket/", Destination("bucket", "")),
        ("s3://bucket/feeds", Destination("bucket", "feeds/")),
        ("s3://bucket/a/b/", Destination("bucket", "a/b/")),
    ],
)
def test_destination(text: str, expected: Destination) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "bucket/feeds",
        "s3://",
        "s3:///feeds",
        "s3://b/feeds",
        "s3://bucket/a//b",
        "s3://bucket/../x",
        "https://bucket/x",
    ],
)
def test_bad_destinations_are_usage_errors(text: str, tmp_path: Path) -> None:
    with pytest.raises(Usage):
        parse(text)
    (tmp_path / "feeds").mkdir()
    result = feedpub("deploy", text, cwd=tmp_path)
    assert result.returncode == 2 and "argument DEST: " in result.stderr
    # checked before a build too: build --deploy with it writes nothing
    (tmp_path / "articles.yaml").write_text(catalogue(), encoding="utf-8")
    built = feedpub("build", "--deploy", text, cwd=tmp_path)
    assert built.returncode == 2 and "argument --deploy: " in built.stderr
    assert list((tmp_path / "feeds").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["--out", ""], "argument --out: an empty path"),
        (["--endpoint-url", "notaurl"], "argument --endpoint-url: 'notaurl' is not an http(s) address"),
        (["--endpoint-url", "http://127.0.0.1:99999"], "is not an http(s) address"),
        (["--endpoint-url", "ftp://s3.example.org"], "is not an http(s) address"),
    ],
)
def test_an_empty_folder_path_or_a_bad_endpoint_is_a_usage_error_before_anything_is_read(
    args: list[str], refused: str, tmp_path: Path
) -> None:
    """An unset variable in `--out "$FEEDS"` would otherwise upload the current folder."""
    build(tmp_path, catalogue())
    (tmp_path / "secrets.txt").write_text("password=hunter2", encoding="utf-8")
    result = feedpub("deploy", *args, "--dry-run", "s3://bucket/x", cwd=tmp_path)
    assert result.returncode == 2 and refused in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_fifo_in_the_folder_is_passed_over_not_waited_on(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue())
    os.mkfifo(tmp_path / "feeds" / "pipe")
    result = cli(s3, tmp_path, bucket)  # a read of the FIFO would wait until the timeout
    assert result.returncode == 0, result.stderr
    assert_holds(s3, bucket, files)


def test_an_empty_or_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    assert feedpub("deploy", "s3://bucket/x", cwd=tmp_path).returncode == 2
    (tmp_path / "feeds").mkdir()
    result = feedpub("deploy", "s3://bucket/x", cwd=tmp_path)
    assert result.returncode == 2 and "no files to deploy" in result.stderr


# -- failures ----------------------------------------------------------------------------------


def test_wrong_credentials_exit_74_and_change_nothing(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    before = objects(s3, bucket)
    build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    for name, value in (("AWS_SECRET_ACCESS_KEY", "wrong"), ("AWS_ACCESS_KEY_ID", "nobody")):
        result = cli(s3, tmp_path, bucket, env={name: value})
        assert result.returncode == 74, result.stderr
        assert re.search(r"(SignatureDoesNotMatch|InvalidAccessKeyId).*nothing was deleted", result.stderr)
    assert objects(s3, bucket) == before


def test_a_stopped_server_exits_74_deletes_nothing_and_the_next_deploy_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = SeaweedFS(tmp_path / "s3")
    server.start()
    try:
        for key, value in server.environment().items():
            monkeypatch.setenv(key, value)
        server.client().create_bucket(Bucket="stopped")
        site = tmp_path / "site"
        site.mkdir()
        build(site, catalogue())
        run(server, site, "stopped")
        before = objects(server, "stopped")
        files = build(site, catalogue().replace("IMT statements", "Solidarity movement"))
        server.stop()
        result = cli(server, site, "stopped")
        assert result.returncode == 74
        assert f"cannot reach {server.endpoint}" in result.stderr and "nothing was deleted" in result.stderr
        server.start()
        assert objects(server, "stopped") == before
        assert cli(server, site, "stopped").returncode == 0
        assert_holds(server, "stopped", files)
    finally:
        server.stop()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_deploy_killed_at_a_random_moment_then_run_again_converges(
    s3: SeaweedFS, bucket: str, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    build(tmp_path, catalogue(max_items=1))
    assert cli(s3, tmp_path, bucket).returncode == 0
    edits = (
        ("Stop Criminal Attack on Gaza!", "Stop the Criminal Attack on Gaza!"),
        ("IMT statements", "Solidarity movement"),
    )
    files = build(tmp_path, catalogue(max_items=2, edits=edits))  # nearly every file moves
    process = subprocess.Popen(
        command(s3, bucket), cwd=tmp_path, env=os.environ | s3.environment(), stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while not lock_exists(s3, bucket) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # until it holds the lock: its imports take a second or so
    time.sleep(rng.uniform(0, 0.1))  # a deploy of this folder sends tens of requests after that
    process.send_signal(signal.SIGKILL)
    # killed, as nearly always; on a machine fast enough to finish first, the rerun must
    # converge all the same, and no outcome depends on the machine's speed
    assert process.wait(timeout=10) in (-signal.SIGKILL, 0)
    result = cli(s3, tmp_path, bucket)  # its dead process's lock is taken over at once
    assert result.returncode == 0, result.stderr
    assert_holds(s3, bucket, files)
    assert not lock_exists(s3, bucket)


def lock_exists(s3: SeaweedFS, bucket: str) -> bool:
    return f"{PREFIX}/{LOCK}" in {
        item["Key"]
        for item in s3.client().list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/").get("Contents", [])
    }


# -- one deploy at a time ------------------------------------------------------------------------


_HOLD = """
import sys, time
from feedpub.deploy.destination import Store, parse
from feedpub.deploy.remote import Lock
where = parse(sys.argv[2])
Lock(Store(where, endpoint_url=sys.argv[1], profile=None, workers=1), where).acquire()
print("held", flush=True)
time.sleep(120)
"""
"""A deploy that holds the lock and is slow to finish: taking it as a deploy does, then waiting."""


def test_a_second_deploy_exits_75_while_the_first_runs(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    files = build(tmp_path, catalogue(max_items=1))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, s3.endpoint, f"s3://{bucket}/{PREFIX}"],
        env=os.environ | s3.environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        second = cli(s3, tmp_path, bucket)
        assert second.returncode == 75
        assert (
            f"another deploy to s3://{bucket}/{PREFIX} is running (pid {holder.pid} on {socket.gethostname()})"
            in second.stderr
        )
    finally:
        holder.kill()
        holder.wait()
    # its holder gone, the lock is taken over by the next deploy, which completes
    assert cli(s3, tmp_path, bucket).returncode == 0
    assert_holds(s3, bucket, files)


def test_only_one_of_several_deploys_starting_at_once_gets_the_lock(s3: SeaweedFS, bucket: str) -> None:
    where = parse(f"s3://{bucket}/{PREFIX}")
    store = Store(where, endpoint_url=s3.endpoint, profile=None, workers=8)
    locks = [Lock(store, where) for _ in range(8)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(locks))

    def take(lock: Lock) -> None:
        barrier.wait()
        try:
            lock.acquire()
            outcomes.append("held")
        except Locked:
            outcomes.append("locked")

    threads = [threading.Thread(target=take, args=(lock,)) for lock in locks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held"] + ["locked"] * 7
    for lock in locks:
        lock.release()
    assert not lock_exists(s3, bucket)


def test_an_expired_lock_is_taken_over_and_its_holder_told(s3: SeaweedFS, bucket: str) -> None:
    where = parse(f"s3://{bucket}/{PREFIX}")
    store = Store(where, endpoint_url=s3.endpoint, profile=None, workers=2)
    first = Lock(store, where, lease=2)  # this process: alive, so only its lease can run out
    first.acquire()
    with pytest.raises(Locked, match="is running"):
        Lock(store, where).acquire()
    time.sleep(3)
    second = Lock(store, where)
    second.acquire()
    first.renewed = 0  # due for renewal: it learns that it lost the lock
    with pytest.raises(Locked, match="took over the lock of this one"):
        first.renew()
    first.release()  # leaves the other's lock alone
    assert lock_exists(s3, bucket)
    second.release()
    assert not lock_exists(s3, bucket)


# -- a reader of the bucket ------------------------------------------------------------------------


def test_newsboat_reads_the_feeds_from_the_bucket_and_gets_304_when_polling_again(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue(archive=False, max_items=50))
    run(s3, tmp_path, bucket)
    url = f"{s3.endpoint}/{bucket}/{PREFIX}/tags/gaza/atom.xml"
    with urllib.request.urlopen(url) as answer:
        assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
        assert answer.headers["Cache-Control"] == hosting.LIVE
        etag, modified = answer.headers["ETag"], answer.headers["Last-Modified"]
    run(s3, tmp_path, bucket)  # an unchanged deploy leaves the objects, so their validators hold
    for header, value in (("If-None-Match", etag), ("If-Modified-Since", modified)):
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(urllib.request.Request(url, headers={header: value}))
        assert answer.value.code == 304
    before = s3.requests(bucket)
    workdir = tmp_path / "reader"
    workdir.mkdir()
    found = {}
    for _ in range(3):  # newsboat asks conditionally from its third reload on
        found = newsboat(workdir, [url])
    assert len(found[url]) == files["tags/gaza/atom.xml"].count(b"<entry>")
    served = s3.requests(bucket) - before
    assert served["GET", "200"] == 2 and served["GET", "304"] == 1


def test_the_manifest_names_every_object_feedpub_deployed(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    files = build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    manifest = json.loads(s3.client().get_object(Bucket=bucket, Key=f"{PREFIX}/{MANIFEST}")["Body"].read())
    assert sorted(manifest["files"]) == sorted(files)
    assert all(record["etag"] and record["sha256"] for record in manifest["files"].values())


def test_a_folder_rebuilt_during_the_deploy_stops_it_before_anything_is_deleted(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    before = objects(s3, bucket)
    build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))

    def rebuild_index(done: int, total: int) -> None:
        """After the first upload, a build rewrites index.html, which goes up last."""
        if done == 1:
            (tmp_path / "feeds" / "index.html").write_bytes(b"<!doctype html><title>newer</title>")

    with pytest.raises(Locked, match=r"index\.html changed during the deploy.*nothing was deleted"):
        run(s3, tmp_path, bucket, progress=rebuild_index, workers=1)
    after = objects(s3, bucket)
    assert {key for key in before if key not in after} == set()  # the stale tag's objects are all there
    assert f"{PREFIX}/index.html" in after and after[f"{PREFIX}/index.html"] == before[f"{PREFIX}/index.html"]
    (tmp_path / "feeds" / "index.html").unlink()  # written by this test, not by feedpub, which keeps off it
    files = build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    assert run(s3, tmp_path, bucket).deleted
    assert_holds(s3, bucket, files)


def test_build_deploy_builds_then_deploys_in_one_command(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue(), encoding="utf-8")
    command = ["build", "--now", NOW, "--deploy", f"s3://{bucket}/{PREFIX}", "--endpoint-url", s3.endpoint]
    result = feedpub(*command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    built, deployed = result.stdout.splitlines()
    assert built.startswith("12 articles → ") and f"→ s3://{bucket}/{PREFIX}: " in deployed
    files = {
        path.relative_to(tmp_path / "feeds").as_posix(): path.read_bytes()
        for path in sorted((tmp_path / "feeds").rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
    assert_holds(s3, bucket, files)
    # a build that fails deploys nothing
    (tmp_path / "articles.yaml").write_text("site: {}\n", encoding="utf-8")
    assert feedpub(*command, cwd=tmp_path).returncode == 1
    assert_holds(s3, bucket, files)
