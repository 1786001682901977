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
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from conftest import NOW_TEXT, ROOT, built, called, feedpub
from feedpub.deploy import DEADLINE, REQUEST_SECONDS, Locked, Options, Result, Unreachable, deploy, remote
from feedpub.deploy import plan as planning
from feedpub.deploy.destination import Destination, Store, Usage, parse
from feedpub.deploy.remote import LOCK, MANIFEST, Lock
from feedpub.layout import FEED_FILES, PAGE
from feedpub.render import hosting
from s3server import Exchange, Proxy, SeaweedFS, Trickler
from test_publish import FEW_FILES, few_files, many_tags, with_few_files
from test_reader import newsboat

PREFIX = "site"

FOLDER_FILES = sorted((*FEED_FILES, PAGE))
"""The files of a tag's folder: its feeds and its page."""


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
    return built(site)


def run(s3: SeaweedFS, site: Path, bucket: str, **options: Any) -> Result:
    return deploy(
        site / "feeds", f"s3://{bucket}/{PREFIX}", Options(**{"endpoint_url": s3.endpoint} | options)
    )


def command(s3: SeaweedFS, bucket: str, *args: str, endpoint: str | None = None) -> list[str]:
    """`feedpub deploy` to the test's bucket, as a user types it (through `endpoint` if given)."""
    return [sys.executable, "-m", "feedpub", *arguments(s3, bucket, *args, endpoint=endpoint)]


def arguments(s3: SeaweedFS, bucket: str, *args: str, endpoint: str | None = None) -> list[str]:
    return ["deploy", "--endpoint-url", endpoint or s3.endpoint, *args, f"s3://{bucket}/{PREFIX}"]


def cli(
    s3: SeaweedFS,
    site: Path,
    bucket: str,
    *args: str,
    env: dict[str, str] | None = None,
    endpoint: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`feedpub deploy` to the test's bucket, as a user runs it, with `env` added."""
    return subprocess.run(
        command(s3, bucket, *args, endpoint=endpoint),
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | s3.environment() | (env or {}),
        check=False,
    )


def deploy_called(
    s3: SeaweedFS, site: Path, bucket: str, *args: str, endpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`feedpub deploy` to the test's bucket, called in this process: for a test of what
    deploy does, not of its process (the `bucket` fixture gives the environment)."""
    return called(*arguments(s3, bucket, *args, endpoint=endpoint), cwd=site)


def feedpub_in(environment: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, as a user runs it, with `environment` as its whole environment."""
    return subprocess.run(
        [sys.executable, "-m", "feedpub", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
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


def keys(s3: SeaweedFS, bucket: str) -> set[str]:
    """The keys in the bucket, without reading the objects."""
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


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
    # one PUT a file, list again, write the manifest, read the lock again, delete it
    assert result.requests == {
        "GetObject": 3,
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
    pages = {p for p in files if p.endswith("/index.html")}  # each after the feeds it names
    assert pages and {planning.tier(p) for p in pages} == {2}
    assert {planning.tier(p) for p in files if "/archive/" in f"/{p}" and p not in pages} == {0}
    assert {planning.tier(p) for p in FEED_FILES} == {2}
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
    # the lock, the manifest, one listing, the uploads, a listing and the manifest after them,
    # the lock read again
    assert result.requests == {
        "GetObject": 3,
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
    assert sorted(result.deleted) == [f"tags/imt-statements/{n}" for n in FOLDER_FILES]
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
    assert sorted(result.deleted) == [f"tags/imt-statements/{n}" for n in FOLDER_FILES if n != "atom.xml"]
    assert result.requests["HeadObject"] == 3  # only the three objects the listing did not vouch for
    assert_holds(s3, bucket, files, {f"{PREFIX}/tags/imt-statements/atom.xml": mine})


def test_dry_run_lists_the_changes_and_makes_none(s3: SeaweedFS, bucket: str, tmp_path: Path) -> None:
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    before = objects(s3, bucket)
    build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    served = s3.requests(bucket)
    result = deploy_called(s3, tmp_path, bucket, "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "would delete tags/imt-statements/atom.xml" in lines
    assert any(line.startswith("would upload tags/solidarity-movement/") for line in lines)
    assert re.fullmatch(
        rf"\d+ files → s3://{bucket}/{PREFIX}: \d+ would be uploaded, \d+ unchanged, {len(FOLDER_FILES)} would be deleted in \d+\.\d\d s",
        lines[-1],
    )
    assert objects(s3, bucket) == before
    assert {kind for kind, _ in s3.requests(bucket) - served} <= {"GET", "LIST"}


def test_a_path_in_the_bucket_that_breaks_the_key_rule_is_left_alone_and_printed_on_one_line(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """A manifest under the prefix edited to name a key with a line break: no line of output,
    and no line of --invalidate's input, is split by it, and the object is not deleted."""
    files = build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    client = s3.client()
    manifest = json.loads(client.get_object(Bucket=bucket, Key=f"{PREFIX}/{MANIFEST}")["Body"].read())
    odd = "tags/index.html\natom.xml"
    data = b"an object at a key with a line break"
    digest = hashlib.sha256(data).hexdigest()
    manifest["files"][odd] = {"sha256": digest, "type": "text/html", "cache": "no-cache"}
    put_by_hand(s3, bucket, f"{PREFIX}/{MANIFEST}", json.dumps(manifest).encode())
    put_by_hand(s3, bucket, f"{PREFIX}/{odd}", data, Metadata={"sha256": digest})
    files = build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    stale = [f"tags/imt-statements/{n}" for n in FOLDER_FILES]
    dry = deploy_called(s3, tmp_path, bucket, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    deletions = [line for line in dry.stdout.splitlines() if line.startswith("would delete ")]
    assert sorted(deletions) == [f"would delete tags/imt-statements/{n}" for n in FOLDER_FILES]
    assert "'tags/index.html\\natom.xml', which breaks the key rule" in dry.stderr
    result = deploy_called(s3, tmp_path, bucket, "--invalidate", f"cat > {tmp_path / 'told'}")
    assert result.returncode == 0, result.stderr
    told = (tmp_path / "told").read_text().splitlines()
    assert told and set(told) <= set(files) | set(stale)
    assert_holds(s3, bucket, files, {f"{PREFIX}/{odd}": data})


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
        ("s3://bucket/my site/café", Destination("bucket", "my site/café/")),
        ("s3://bucket/a+b/x=1;y@z", Destination("bucket", "a+b/x=1;y@z/")),
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
        "s3://bucket//a",
        "s3://bucket//",
        "s3://bucket/a//",
        "s3://bucket/../x",
        "s3://bucket/a/./b",
        "s3://bucket/a\\b",
        "s3://bucket/a\nb",
        "s3://bucket/a\tb",
        "s3://bucket/a\u2028b",
        "s3://bucket/a\u200bb",
        "s3://bucket/" + "x" * 1024,
        "https://bucket/x",
    ],
)
def test_bad_destinations_are_usage_errors(text: str, tmp_path: Path) -> None:
    with pytest.raises(Usage):
        parse(text)
    (tmp_path / "feeds").mkdir()
    result = called("deploy", text, cwd=tmp_path)
    assert result.returncode == 2 and "argument DEST: " in result.stderr
    # checked before a build too: build --deploy with it writes nothing
    (tmp_path / "articles.yaml").write_text(catalogue(), encoding="utf-8")
    built = called("build", "--deploy", text, cwd=tmp_path)
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
    result = called("deploy", *args, "--dry-run", "s3://bucket/x", cwd=tmp_path)
    assert result.returncode == 2 and refused in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCY"
"""A secret access key, as someone may put it in an address: never to be printed."""


@pytest.mark.parametrize(
    ("args", "env", "status"),
    [
        (["--endpoint-url", f"http://AKIDEXAMPLE:{SECRET}@127.0.0.1:9/"], {}, 2),
        (["--endpoint-url", f"http://AKIDEXAMPLE:{SECRET}@127.0.0.1:99999/"], {}, 2),
        (["--endpoint-url", f"AKIDEXAMPLE:{SECRET}@127.0.0.1"], {}, 2),
        (["--endpoint-url", f"http://127.0.0.1:9/@{SECRET}"], {}, 2),
        ([], {"AWS_ENDPOINT_URL": f"http://AKIDEXAMPLE:{SECRET}@127.0.0.1:9/"}, 2),
        ([], {"AWS_ENDPOINT_URL_S3": f"http://AKIDEXAMPLE:{SECRET}@127.0.0.1:9/"}, 2),
        # a proxy's password, in an error that names the proxy
        (["--endpoint-url", "http://127.0.0.1:9/"], {"HTTP_PROXY": f"http://proxy:{SECRET}@127.0.0.1:9"}, 74),
    ],
    ids=[
        "userinfo",
        "userinfo and a bad port",
        "no scheme",
        "in the path",
        "AWS_ENDPOINT_URL",
        "_S3",
        "proxy",
    ],
)
def test_credentials_in_an_address_are_never_printed(
    args: list[str], env: dict[str, str], status: int, tmp_path: Path
) -> None:
    """A cron job mails what it prints: a user:password@ is refused without being repeated."""
    build(tmp_path, catalogue())
    environment = {
        key: value for key, value in os.environ.items() if not key.upper().startswith(("AWS_", "NO_PROXY"))
    }
    environment |= {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1"}
    for command in (["deploy", *args, "s3://bucket/x"], ["build", "--deploy", "s3://bucket/x", *args]):
        result = feedpub_in(
            environment | env | {"AWS_CONFIG_FILE": str(tmp_path / "none")}, *command, cwd=tmp_path
        )
        assert result.returncode == status, result.stderr
        assert SECRET not in result.stdout + result.stderr and "Traceback" not in result.stderr
        if status == 2:
            assert "user or password" in result.stderr or "holds an '@'" in result.stderr


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"AWS_MAX_ATTEMPTS": "abc"}, "invalid literal for int()"),
        ({"AWS_MAX_ATTEMPTS": "-3"}, '"max_attempts": -3 must be an integer greater than or equal to 1'),
        ({"AWS_RETRY_MODE": "bogus"}, '"mode": "bogus" must be one of'),
        ({"AWS_PROFILE": "nosuch"}, "The config profile (nosuch) could not be found"),
    ],
)
def test_an_aws_setting_botocore_refuses_is_a_usage_error(
    setting: dict[str, str], said: str, tmp_path: Path
) -> None:
    build(tmp_path, catalogue())
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    result = feedpub_in(
        environment | {"AWS_CONFIG_FILE": str(tmp_path / "none")} | setting,
        "deploy",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "s3://bucket/x",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "the AWS configuration cannot be used: " in result.stderr, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr


def test_a_password_in_dest_is_refused_and_not_printed(tmp_path: Path) -> None:
    result = feedpub("deploy", f"s3://AKIDEXAMPLE:{SECRET}@bucket/x", cwd=tmp_path)
    assert result.returncode == 2 and "names a user or password" in result.stderr
    assert SECRET not in result.stderr


def test_only_the_files_the_build_lists_go_up_and_what_else_the_folder_holds_never_does(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    files = build(tmp_path, catalogue())
    feeds = tmp_path / "feeds"
    (feeds / "backup.env.txt").write_text("AWS_SECRET_ACCESS_KEY=hunter2", encoding="utf-8")
    (feeds / "tags" / "notes.md").write_text("my own notes", encoding="utf-8")
    os.mkfifo(feeds / "pipe")  # a read of it would wait until the timeout
    (feeds / os.fsdecode(b"caf\xe9.xml")).write_bytes(b"a name that is not UTF-8")
    result = cli(s3, tmp_path, bucket)
    assert result.returncode == 0, result.stderr
    assert_holds(s3, bucket, files)


def test_a_folder_no_build_wrote_is_refused_and_nothing_is_uploaded_or_deleted(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """`--out .` from a web root, a typo in a cron line: its catalogue (with a draft) and its
    backup must not go public, and the live feeds must stay."""
    files = build(tmp_path, catalogue())
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
    (tmp_path / "backup.env.txt").write_text("AWS_SECRET_ACCESS_KEY=hunter2", encoding="utf-8")
    (tmp_path / "atom.xml").write_text("<feed>not a build's</feed>", encoding="utf-8")
    before, served = objects(s3, bucket), s3.requests(bucket)
    for args in (["--out", "."], ["--out", ".", "--dry-run"], ["--out", "feeds/tags"]):
        result = deploy_called(s3, tmp_path, bucket, *args)
        assert result.returncode == 2, result.stderr
        assert "is not the output of feedpub build (it has no .feedpub-manifest.json)" in result.stderr
    assert s3.requests(bucket) == served  # not even read
    assert objects(s3, bucket) == before
    assert_holds(s3, bucket, files)


def _edit_manifest(feeds: Path, change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads((feeds / ".feedpub-manifest.json").read_bytes())
    change(manifest)
    (feeds / ".feedpub-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _listing(path: str, data: bytes) -> Callable[[Path], None]:
    """A file at `path` that the manifest lists with its digest, as a build would."""

    def make(feeds: Path) -> None:
        (feeds / path).write_bytes(data)
        _edit_manifest(feeds, lambda m: m["files"].update({path: hashlib.sha256(data).hexdigest()}))

    return make


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda feeds: (feeds / "tags" / "gaza" / "atom.xml").write_bytes(b"<feed>edited</feed>"),
            "tags/gaza/atom.xml",
        ),
        (lambda feeds: (feeds / "rss.xml").unlink(), "rss.xml"),
        (
            lambda feeds: (feeds / "feed.json").unlink() or (feeds / "feed.json").symlink_to("/etc/hostname"),
            "feed.json",
        ),
        (
            lambda feeds: _edit_manifest(feeds, lambda m: m.update(pending={"atom.xml": []})),
            "stopped part-way",
        ),
        (
            lambda feeds: (feeds / ".feedpub-manifest.json").write_text("{", encoding="utf-8"),
            "lists no files",
        ),
        (
            lambda feeds: _edit_manifest(feeds, lambda m: m.update(files=["atom.xml"])),
            "lists no files with their digests",
        ),
        (
            lambda feeds: _listing("line\nbreak.xml", b"x")(feeds),
            "'line\\nbreak.xml', which has a backslash or",
        ),
        (
            lambda feeds: _listing("back\\slash.xml", b"x")(feeds),
            "'back\\\\slash.xml', which has a backslash or",
        ),
        (
            lambda feeds: _listing(os.fsdecode(b"caf\xe9.xml"), b"x")(feeds),
            "'caf\\udce9.xml', which has a backslash or a character that is not printable",
        ),
        (
            lambda feeds: _edit_manifest(feeds, lambda m: m["files"].update({"x" * 256: "0" * 64})),
            "a part over 255",
        ),
    ],
    ids=[
        "edited",
        "removed",
        "a link",
        "a build stopped",
        "unreadable",
        "paths without digests",
        "a line break",
        "a backslash",
        "not UTF-8",
        "a part too long",
    ],
)
def test_a_folder_not_as_its_build_left_it_exits_73_and_nothing_is_uploaded_or_deleted(
    s3: SeaweedFS, bucket: str, tmp_path: Path, change: Callable[[Path], None], named: str
) -> None:
    build(tmp_path, catalogue())
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
    build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))  # to upload and delete
    change(tmp_path / "feeds")
    before, served = objects(s3, bucket), s3.requests(bucket)
    result = deploy_called(s3, tmp_path, bucket)
    assert result.returncode == 73 and "nothing was deployed" in result.stderr, result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
    assert s3.requests(bucket) == served
    assert objects(s3, bucket) == before


def test_an_empty_or_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    assert called("deploy", "s3://bucket/x", cwd=tmp_path).returncode == 2
    (tmp_path / "feeds").mkdir()
    result = called("deploy", "s3://bucket/x", cwd=tmp_path)
    assert result.returncode == 2 and "it has no .feedpub-manifest.json" in result.stderr


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
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    build(site, catalogue())
    run(s3, site, bucket)
    before = objects(s3, bucket)
    files = build(site, catalogue().replace("IMT statements", "Solidarity movement"))
    with Proxy(s3.endpoint) as proxy:
        stopped = proxy.endpoint  # once closed, its port refuses connections as a stopped server's
    result = deploy_called(s3, site, bucket, endpoint=stopped)
    assert result.returncode == 74
    assert f"cannot reach {stopped}" in result.stderr and "nothing was deleted" in result.stderr
    assert objects(s3, bucket) == before
    assert deploy_called(s3, site, bucket).returncode == 0
    assert_holds(s3, bucket, files)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_deploy_killed_at_a_random_moment_then_run_again_converges(
    s3: SeaweedFS, bucket: str, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    build(tmp_path, catalogue(max_items=1))
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
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
    result = deploy_called(s3, tmp_path, bucket)  # its dead process's lock is taken over at once
    assert result.returncode == 0, result.stderr
    assert_holds(s3, bucket, files)
    assert not lock_exists(s3, bucket)


def test_a_fifo_in_place_of_the_builds_lock_never_keeps_a_deploy_waiting(site_dir: Path) -> None:
    files = built(site_dir)
    lock = site_dir / "feeds" / ".feedpub.lock"
    lock.unlink(missing_ok=True)
    os.mkfifo(lock)
    script = (
        "import sys; from pathlib import Path; from feedpub.deploy import folder; "
        "print(len(folder.built(Path(sys.argv[1]))))"
    )
    # the deadline only stops a run that would wait for ever for a writer to the FIFO
    found = subprocess.run(
        [sys.executable, "-c", script, str(site_dir / "feeds")], capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stderr
    assert int(found.stdout) == len([path for path in files if path != "_headers"])


def test_a_deploy_stopped_while_a_write_is_under_way_leaves_its_lock_for_the_next_to_take_over(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """SIGTERM while the manifest is being written: that write may still land, so no other
    deploy may start as if this one had finished; the next one here takes the dead one's lock."""
    files = build(tmp_path, catalogue())
    arrived, exited, landed = threading.Event(), threading.Event(), threading.Event()

    def handler(exchange: Exchange, upstream: str) -> None:
        last = (
            exchange.method == "PUT"
            and _key(exchange).endswith(MANIFEST)
            and any(map(_upload, proxy.exchanges))
        )
        if last:
            arrived.set()
            exited.wait(timeout=60)  # the write lands only once the deploy has exited
        exchange.forward(upstream)
        if last:
            landed.set()

    with Proxy(s3.endpoint, handler) as proxy:
        process = subprocess.Popen(
            command(s3, bucket, endpoint=proxy.endpoint),
            cwd=tmp_path,
            env=os.environ | s3.environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert arrived.wait(timeout=60)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
        exited.set()
        assert landed.wait(timeout=60)
    assert lock_exists(s3, bucket)
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
    assert_holds(s3, bucket, files)


class _Stopped(BaseException):
    """What a stop (Ctrl-C, SIGTERM) raises in the thread it lands in, as KeyboardInterrupt does."""


def test_a_write_stopped_while_its_thread_is_being_started_counts_as_under_way(
    s3: SeaweedFS, bucket: str
) -> None:
    """A stop lands on whatever line the waiting thread is at. Here, as on a loaded machine now
    and then, still in the start of the request's thread, which has already sent the write:
    that write may land yet, so the Store sends no further write (and a deploy leaves its
    lock). A trace function lands the stop there, where a signal lands only by chance."""
    where = parse(f"s3://{bucket}/{PREFIX}")
    arrived, stopped = threading.Event(), threading.Event()

    def handler(exchange: Exchange, upstream: str) -> None:
        arrived.set()
        stopped.wait(timeout=60)
        exchange.forward(upstream)

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is threading.Thread.start.__code__:
            return stop_as_it_returns
        return None

    def stop_as_it_returns(frame: FrameType, event: str, arg: object) -> Any:
        if event == "return" and arrived.wait(timeout=60):
            raise _Stopped
        return stop_as_it_returns

    with Proxy(s3.endpoint, handler) as proxy:
        store = Store(where, endpoint_url=proxy.endpoint, profile=None, workers=1)
        tracing = sys.gettrace()
        sys.settrace(tracer)
        try:
            with pytest.raises(_Stopped):
                store.put(where.key("first.txt"), b"first", content_type="text/plain")
        finally:
            sys.settrace(tracing)
            stopped.set()
        with pytest.raises(Unreachable, match="not sent: an earlier request was given up on"):
            store.put(where.key("second.txt"), b"second", content_type="text/plain")
    assert [_key(exchange) for exchange in proxy.exchanges] == [f"{PREFIX}/first.txt"]


def test_a_deploy_stopped_again_while_it_awaits_its_uploads_leaves_its_lock(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """Stopped during its uploads, a deploy awaits those under way before it releases its lock;
    stopped again meanwhile (and once more, to get out of the wait), they may land after it has
    gone, so it leaves its lock and sends no further write. The stops are signals sent to the
    thread wherever it waits for the uploads or for the threads that send them."""
    files = build(tmp_path, catalogue())
    arrived, returned = threading.Event(), threading.Event()
    stops: list[str] = []

    def handler(exchange: Exchange, upstream: str) -> None:
        if _upload(exchange):
            arrived.set()
            returned.wait(timeout=60)
        exchange.forward(upstream)

    def stopped(signum: int, frame: FrameType | None) -> None:
        raise _Stopped

    def stop_where_it_waits() -> None:
        main = threading.main_thread().ident
        assert main is not None and arrived.wait(timeout=60)
        stopped_in = None
        while not returned.is_set():
            frame = sys._current_frames().get(main)
            while frame is not None and frame.f_code not in (
                futures.wait.__code__,
                threading.Thread.join.__code__,
            ):
                frame = frame.f_back
            if frame is not None and frame is not stopped_in:
                stops.append(frame.f_code.co_name)
                stopped_in = frame
                signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.001)

    previous = signal.signal(signal.SIGUSR1, stopped)
    stopper = threading.Thread(target=stop_where_it_waits)
    with Proxy(s3.endpoint, handler) as proxy:
        stopper.start()
        try:
            with pytest.raises(_Stopped):
                run(s3, tmp_path, bucket, endpoint_url=proxy.endpoint)
        finally:
            returned.set()
            stopper.join()
            signal.signal(signal.SIGUSR1, previous)
    assert stops == ["wait", "join", "join"]
    assert lock_exists(s3, bucket)
    uploads = [exchange for exchange in proxy.exchanges if _upload(exchange)]
    assert len(uploads) <= Options().workers  # those under way when it was stopped, and no more
    s3.client().delete_object(Bucket=bucket, Key=f"{PREFIX}/{LOCK}")  # as it expires: its holder lives on
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
    assert_holds(s3, bucket, files)


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
        second = deploy_called(s3, tmp_path, bucket)
        assert second.returncode == 75
        assert (
            f"another deploy to s3://{bucket}/{PREFIX} is running (pid {holder.pid} on {socket.gethostname()})"
            in second.stderr
        )
    finally:
        holder.kill()
        holder.wait()
    # its holder gone, the lock is taken over by the next deploy, which completes
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
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
    with pytest.raises(Locked, match="took over the lock of this one"):
        first.renew()  # due, its lease long past: it learns that it lost the lock
    first.release()  # leaves the other's lock alone
    assert lock_exists(s3, bucket)
    second.release()
    assert not lock_exists(s3, bucket)


def _key(exchange: Exchange) -> str:
    """The key an exchange is about, without the bucket."""
    return urllib.parse.unquote(urllib.parse.urlsplit(exchange.path).path).split("/", 2)[-1]


def _upload(exchange: Exchange) -> bool:
    """Whether the exchange is the upload of a file (not the lock, not the manifest)."""
    return exchange.method == "PUT" and not _key(exchange).endswith((LOCK, MANIFEST))


def _hand_lock(s3: SeaweedFS, bucket: str, **holder: Any) -> None:
    """A lock another deploy, on another machine, holds."""
    body = {"holder": "another", "host": "elsewhere.example", "pid": 1, "lease": 120} | holder
    put_by_hand(s3, bucket, f"{PREFIX}/{LOCK}", json.dumps(body).encode())


def test_a_lock_written_but_answered_with_an_error_is_known_as_this_deploys_own(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """Written, answered 503, tried again and refused 412: the lock there is this deploy's."""
    files = build(tmp_path, catalogue())

    def handler(exchange: Exchange, upstream: str) -> None:
        exchange.forward(upstream)
        first = not any(e.status == 503 for e in proxy.exchanges)
        if (
            exchange.method == "PUT"
            and _key(exchange).endswith(LOCK)
            and exchange.header("If-None-Match")
            and first
        ):
            exchange.status, exchange.answer = 503, b"<Error><Code>SlowDown</Code></Error>"

    with Proxy(s3.endpoint, handler) as proxy:
        result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
    assert result.returncode == 0, result.stderr
    writes = [e.status for e in proxy.exchanges if e.method == "PUT" and _key(e).endswith(LOCK)]
    assert writes[:2] == [503, 412]
    assert_holds(s3, bucket, files)
    assert not lock_exists(s3, bucket)


def _dated(value: Callable[[str], list[str]]) -> Callable[[Exchange, str], None]:
    """A handler that gives the lock's GET the Date headers `value` makes of the server's."""

    def handler(exchange: Exchange, upstream: str) -> None:
        exchange.forward(upstream)
        if exchange.method == "GET" and _key(exchange).endswith(LOCK):
            date = next(v for k, v in exchange.answer_headers if k.lower() == "date")
            exchange.answer_headers = [(k, v) for k, v in exchange.answer_headers if k.lower() != "date"]
            exchange.answer_headers += [("Date", text) for text in value(date)]

    return handler


@pytest.mark.parametrize(
    ("value", "status", "said"),
    [
        (lambda date: [date.replace("GMT", "-0000")], 75, "another deploy to"),
        (lambda date: [date.replace("GMT", "+0200")], 75, "another deploy to"),
        (lambda date: [date, date], 74, "is not one HTTP date"),
        (lambda date: ["yesterday"], 74, "'yesterday' is not one HTTP date"),
        (lambda date: ["Mon, 31 Feb 2026 12:00:00 GMT"], 74, "is not one HTTP date"),
        (lambda date: ["Mon, 07 Dec 99999 12:00:00 GMT"], 74, "is not one HTTP date"),
    ],
    ids=["-0000", "+0200", "twice", "words", "no such day", "year 99999"],
)
def test_a_date_header_of_any_form_is_read_or_refused_never_a_traceback(
    s3: SeaweedFS, bucket: str, tmp_path: Path, value: Callable[[str], list[str]], status: int, said: str
) -> None:
    """The lock's age is told by the server's Date: a lock another deploy holds is respected."""
    build(tmp_path, catalogue())
    _hand_lock(s3, bucket)
    before = objects(s3, bucket)
    with Proxy(s3.endpoint, _dated(value)) as proxy:
        result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
    assert result.returncode == status and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert objects(s3, bucket) == before


def test_a_lock_of_a_dead_process_here_is_taken_over_at_once_but_not_one_that_only_looks_like_it(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """A cloned machine or a container may share the host name, not the processes."""
    files = build(tmp_path, catalogue())
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(finished.stdout)
    elsewhere = "00000000-0000-0000-0000-000000000000 pid:[1]"
    _hand_lock(s3, bucket, host=socket.gethostname(), pid=dead, processes=elsewhere)
    result = deploy_called(s3, tmp_path, bucket)
    assert result.returncode == 75 and f"is running (pid {dead} on {socket.gethostname()})" in result.stderr
    _hand_lock(s3, bucket, host=socket.gethostname(), pid=dead, processes=remote._PROCESSES)
    assert deploy_called(s3, tmp_path, bucket).returncode == 0
    assert_holds(s3, bucket, files)


def _rewritten(kind: str, old: bytes, new: bytes) -> Callable[[Exchange, str], None]:
    """A handler that writes `new` for `old` in the answers to `kind` of request (LIST, UPLOAD)."""

    def handler(exchange: Exchange, upstream: str) -> None:
        exchange.forward(upstream)
        if (kind == "LIST" and "list-type=2" in exchange.path) or (kind == "UPLOAD" and _upload(exchange)):
            exchange.answer = exchange.answer.replace(old, new)
            exchange.answer_headers = [
                (k, v.replace(old.decode(), new.decode())) for k, v in exchange.answer_headers
            ]

    return handler


def _not_s3(exchange: Exchange, upstream: str) -> None:
    exchange.status, exchange.answer = 200, b"<!doctype html><title>Welcome to nginx!</title>"
    exchange.answer_headers = [("Content-Type", "text/html")]


def _without_etag(exchange: Exchange, upstream: str) -> None:
    exchange.forward(upstream)
    if _upload(exchange):
        exchange.answer_headers = [(k, v) for k, v in exchange.answer_headers if k.lower() != "etag"]


@pytest.mark.parametrize(
    ("handler", "status", "said"),
    [
        (_without_etag, 74, "the service's answer cannot be read (KeyError('ETag'))"),
        (
            _rewritten(
                "LIST",
                b"<IsTruncated>false</IsTruncated>",
                b"<IsTruncated>true</IsTruncated><NextContinuationToken>again</NextContinuationToken>",
            ),
            74,
            "the service's listing goes round in a circle",
        ),
        (_rewritten("LIST", b"<Size>", b"<Size>many"), 74, "cannot list s3://"),
        (_not_s3, 74, "cannot read s3://"),
        (_rewritten("LIST", b"&#34;", b""), 0, ""),  # ETags quoted in one answer, not in another
    ],
    ids=["no ETag", "a listing in a circle", "a size that is no number", "not S3", "unquoted ETags"],
)
def test_a_server_that_answers_what_cannot_be_read_exits_74_and_deletes_nothing(
    s3: SeaweedFS,
    bucket: str,
    tmp_path: Path,
    handler: Callable[[Exchange, str], None],
    status: int,
    said: str,
) -> None:
    build(tmp_path, catalogue())
    run(s3, tmp_path, bucket)
    files = build(tmp_path, catalogue().replace("IMT statements", "Solidarity movement"))
    before = keys(s3, bucket)
    with Proxy(s3.endpoint, handler) as proxy:
        result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
    assert result.returncode == status and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    if status:
        assert "nothing was deleted" in result.stderr
        assert before <= keys(s3, bucket)
    else:
        assert_holds(s3, bucket, files)


def _refusing(exchange: Exchange, upstream: str) -> None:
    message = "Access Denied. " * 20_000
    exchange.status, exchange.answer = (
        403,
        f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>".encode(),
    )
    exchange.answer_headers = [("Content-Type", "application/xml")]


def test_what_a_server_sends_is_told_in_a_message_cut_short(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    """A cron job mails what it prints: not megabytes of a server's text."""
    build(tmp_path, catalogue())
    with Proxy(s3.endpoint, _refusing) as proxy:
        result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
    assert result.returncode == 74 and "characters more)" in result.stderr, result.stderr[:2000]
    assert len(result.stderr) < 1000 and "Traceback" not in result.stderr


def test_a_lock_object_not_feedpubs_is_respected_for_a_lease_and_read_no_further_than_a_lock(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    build(tmp_path, catalogue())
    for data in (b"[" * (remote.LOCK_BYTES * 4), b"not json", json.dumps({"lease": "x"}).encode()):
        put_by_hand(s3, bucket, f"{PREFIX}/{LOCK}", data)
        with Proxy(s3.endpoint) as proxy:
            result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
        assert result.returncode == 75, result.stderr
        assert re.search(
            rf"{LOCK} is not a lock in the form feedpub writes; it is taken over 1\d\d s", result.stderr
        )
        assert max(len(e.answer) for e in proxy.exchanges) <= remote.LOCK_BYTES


def test_a_deploy_that_finds_its_lock_taken_over_stops_before_its_next_write(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    build(tmp_path, catalogue(max_items=1))
    run(s3, tmp_path, bucket)
    before = objects(s3, bucket)
    build(tmp_path, catalogue(max_items=2).replace("IMT statements", "Solidarity movement"))

    def handler(exchange: Exchange, upstream: str) -> None:
        if _upload(exchange):
            if sum(map(_upload, proxy.exchanges)) == 3:
                _hand_lock(s3, bucket, holder="newer")  # as a deploy that took it over would
            time.sleep(0.3)  # uploads that take a while: the lock falls due for renewal
        exchange.forward(upstream)

    with Proxy(s3.endpoint, handler) as proxy, pytest.raises(Locked, match="took over the lock of this one"):
        run(s3, tmp_path, bucket, endpoint_url=proxy.endpoint, lease=20, request_seconds=5, workers=1)
    refused = next(
        i
        for i, e in enumerate(proxy.exchanges)
        if _key(e).endswith(LOCK) and e.method == "PUT" and e.status == 412
    )
    assert not any(map(_upload, proxy.exchanges[refused:]))
    after = objects(s3, bucket)
    assert json.loads(after.pop(f"{PREFIX}/{LOCK}"))["holder"] == "newer"  # left to its holder
    assert {key for key in before if key not in after} == set()  # nothing deleted


def test_a_write_is_refused_once_the_lease_has_too_little_left_retries_too(
    s3: SeaweedFS, bucket: str
) -> None:
    """The lease as a controllable clock: `sent` moved back as if seconds had passed."""
    where = parse(f"s3://{bucket}/{PREFIX}")

    def handler(exchange: Exchange, upstream: str) -> None:
        if _key(exchange) == f"{PREFIX}/retried.txt":
            lock.sent -= 30  # the lease runs low while the request is under way; it fails
            exchange.status, exchange.answer = 503, b"<Error><Code>SlowDown</Code></Error>"
            return
        exchange.forward(upstream)

    with Proxy(s3.endpoint, handler) as proxy:
        store = Store(where, endpoint_url=proxy.endpoint, profile=None, workers=1, request_seconds=10)
        lock = Lock(store, where, lease=40)
        lock.acquire()
        store.guard = lock.check
        store.put(where.key("first.txt"), b"within the lease", content_type="text/plain")
        with pytest.raises(Locked, match="too near its 40 s lease"):
            store.put(where.key("retried.txt"), b"its retry is not sent", content_type="text/plain")
        lock.renew()  # due, and written: the lease is whole again
        store.put(where.key("renewed.txt"), b"within the lease again", content_type="text/plain")
        lock.sent -= 30
        with pytest.raises(Locked, match="too near its 40 s lease"):
            store.put(where.key("late.txt"), b"not sent", content_type="text/plain")
        lock.release()
    assert [_key(e) for e in proxy.exchanges if _upload(e)] == [
        f"{PREFIX}/first.txt",
        f"{PREFIX}/retried.txt",
        f"{PREFIX}/renewed.txt",
    ]
    assert set(objects(s3, bucket)) == {f"{PREFIX}/first.txt", f"{PREFIX}/renewed.txt"}


@pytest.mark.parametrize(
    ("meanwhile", "said"),
    [
        (
            lambda s3, bucket: put_by_hand(
                s3, bucket, f"{PREFIX}/atom.xml", b"<feed>an older deploy's</feed>"
            ),
            "objects this deploy uploaded were replaced or deleted by someone else before it finished "
            "(first atom.xml)",
        ),
        (
            lambda s3, bucket: _hand_lock(s3, bucket, holder="newer"),
            "took over the lock of this one before it finished",
        ),
    ],
    ids=["an upload replaced", "the lock taken over"],
)
def test_a_deploy_does_not_report_success_unless_its_uploads_and_its_lock_are_as_it_left_them(
    s3: SeaweedFS, bucket: str, tmp_path: Path, meanwhile: Callable[[SeaweedFS, str], None], said: str
) -> None:
    files = build(tmp_path, catalogue())

    def handler(exchange: Exchange, upstream: str) -> None:
        exchange.forward(upstream)
        if _upload(exchange) and _key(exchange) == f"{PREFIX}/index.html":  # the last upload
            meanwhile(s3, bucket)

    with Proxy(s3.endpoint, handler) as proxy:
        result = deploy_called(s3, tmp_path, bucket, endpoint=proxy.endpoint)
    assert result.returncode == 75 and said in result.stderr, result.stderr
    s3.client().delete_object(Bucket=bucket, Key=f"{PREFIX}/{LOCK}")  # the other deploy's, if any, gone
    assert deploy_called(s3, tmp_path, bucket).returncode == 0  # and the next deploy puts it right
    assert_holds(s3, bucket, files)


_ANSWER = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: 0\r\n\r\n"


def _given_up(trickler: Trickler) -> list[int]:
    """The bytes the trickler had sent when the client went away (it notices within a byte)."""
    for _ in range(100):
        if trickler.sent:
            break
        time.sleep(trickler.interval)
    return trickler.sent


def test_help_gives_the_deadlines_deploy_keeps(tmp_path: Path) -> None:
    """cli.py does not import feedpub.deploy to say them: they are checked here."""
    for command in ("deploy", "build"):
        shown = " ".join(feedpub(command, "--help", cwd=tmp_path).stdout.split())
        assert f"one of them at most {REQUEST_SECONDS:g} s" in shown
        assert f"(default: {DEADLINE:g})" in shown


def test_a_server_that_trickles_its_answer_is_given_up_on_at_the_deadline(tmp_path: Path) -> None:
    build(tmp_path, catalogue())
    for command in (["deploy"], ["build", "--deploy", "s3://bucket/x"]):
        with Trickler(_ANSWER, interval=0.5) as trickler:
            args = [*command, "--endpoint-url", trickler.endpoint, "--timeout", "2"]
            if command == ["deploy"]:
                args.append("s3://bucket/x")
            result = feedpub_in(
                os.environ
                | {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_DEFAULT_REGION": "us-east-1"},
                *args,
                cwd=tmp_path,
            )
            assert result.returncode == 74, result.stderr
            assert "the deploy's 2 s (--timeout) ran out; nothing was deleted" in result.stderr
            assert "Traceback" not in result.stderr
            sent = _given_up(trickler)
            assert sent and max(sent) < len(_ANSWER)  # gone before the answer was whole


def test_one_request_is_given_up_on_after_its_own_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "a",
        "AWS_SECRET_ACCESS_KEY": "b",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    build(tmp_path, catalogue())
    # its answer would take 20 s; the deploy's own deadline is the default's
    with (
        Trickler(_ANSWER, interval=0.25) as trickler,
        pytest.raises(Unreachable, match=r"sent no complete answer within 1 s; nothing was deleted"),
    ):
        deploy(
            tmp_path / "feeds", "s3://bucket/x", Options(endpoint_url=trickler.endpoint, request_seconds=1)
        )


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
    command = [
        "build",
        "--now",
        NOW_TEXT,
        "--deploy",
        f"s3://{bucket}/{PREFIX}",
        "--endpoint-url",
        s3.endpoint,
    ]
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


def test_a_deploy_of_ten_times_more_tag_folders_than_open_files_uploads_them_all(
    s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    tags = 10 * FEW_FILES
    many_tags(tmp_path, tags // 10, tags_each=10)
    assert with_few_files(tmp_path, "build", "--now", NOW_TEXT).returncode == 0
    result = subprocess.run(
        command(s3, bucket),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ | s3.environment(),
        preexec_fn=few_files,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{PREFIX}/tags/")
    assert sum(len(page.get("Contents", [])) for page in pages) == len(FOLDER_FILES) * tags
