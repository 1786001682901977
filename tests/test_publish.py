"""Publishing through the real CLI: unchanged files untouched, atomic, locked, tidy, contained.
Builds are called in this process (conftest's `build`); what needs a process of its own (a FIFO
in the way, limits, umask, signals, strace) runs the command."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import filecmp
import hashlib
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import (
    DATA,
    NOW,
    NOW_TEXT,
    ROOT,
    SITE,
    TWO_ARTICLES,
    article,
    build,
    called,
    catalogue_text,
    feedpub,
    valid,
)
from feedpub import publish
from feedpub.layout import FEED_FILES, could_write
from feedpub.render import render


def rendered(text: str, now: datetime = NOW) -> dict[str, bytes]:
    """What a build of `text` at `now` writes, by path: the counts the tests expect are taken
    from it rather than written as numbers."""
    return render(valid(text), now)


def rewritten(before: str, after: str, now: datetime = NOW, then: datetime = NOW) -> int:
    """How many files a build of `after` at `then` writes over a build of `before` at `now`."""
    old = rendered(before, now)
    return sum(old.get(path) != data for path, data in rendered(after, then).items())


FILES = len(rendered(TWO_ARTICLES))
"""The files a build of `site_dir` writes."""
EDITED = rewritten(TWO_ARTICLES, TWO_ARTICLES.replace("Article a1", "Article one", 1))
"""The files a build writes after `edit`."""

PER_FEED = len(FEED_FILES) + 1
"""The files of one feed: its formats and its page."""


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def age(folder: Path) -> None:
    """Date every file back, so that any rewrite shows in its mtime."""
    for p in folder.rglob("*"):
        os.utime(p, ns=(946684800 * 10**9, 946684800 * 10**9), follow_symlinks=False)


def test_first_build_writes_every_feed(site_dir: Path) -> None:
    result = feedpub("build", "--now", NOW_TEXT, cwd=site_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"2 articles → {FILES} files: {FILES} written, 0 unchanged, 0 removed in "
    )
    feeds = site_dir / "feeds"
    assert sorted(str(p.relative_to(feeds)) for p in feeds.rglob("[!.]*") if p.is_file()) == [
        "atom.xml",
        "authors/jane-doe/atom.xml",
        "authors/jane-doe/feed.json",
        "authors/jane-doe/index.html",
        "authors/jane-doe/rss.xml",
        "feed.json",
        "feed.xsl",
        "feeds.opml",
        "index.html",
        "rss.xml",
        "tags/gaza/atom.xml",
        "tags/gaza/feed.json",
        "tags/gaza/index.html",
        "tags/gaza/rss.xml",
        "tags/israel/atom.xml",
        "tags/israel/feed.json",
        "tags/israel/index.html",
        "tags/israel/rss.xml",
    ]
    assert not list(feeds.rglob(f"{publish.TEMP_PREFIX}*"))


def test_an_unchanged_build_writes_nothing_at_all(site_dir: Path) -> None:
    build(site_dir)
    before = snapshot(site_dir / "feeds")
    time.sleep(0.01)
    result = build(site_dir)
    assert (result.returncode, result.stderr) == (0, "")
    assert f"0 written, {FILES} unchanged, 0 removed" in result.stdout
    assert snapshot(site_dir / "feeds") == before


def test_feeds_whose_bytes_would_not_change_keep_their_mtimes(site_dir: Path) -> None:
    build(site_dir)
    age(site_dir / "feeds")  # no longer what the manifest recorded: a full build follows
    before = snapshot(site_dir / "feeds")
    result = build(site_dir)
    assert f"0 written, {FILES} unchanged, 0 removed" in result.stdout
    after = snapshot(site_dir / "feeds")
    assert {p: v for p, v in after.items() if p != publish.RECORD} == {
        p: v for p, v in before.items() if p != publish.RECORD
    }


def test_editing_one_article_rewrites_only_its_feeds(site_dir: Path) -> None:
    build(site_dir)
    age(site_dir / "feeds")
    before = snapshot(site_dir / "feeds")
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("Article a1", "Article one"), encoding="utf-8")
    assert f"{EDITED} written, {FILES - EDITED} unchanged" in build(site_dir).stdout
    after = snapshot(site_dir / "feeds")
    assert sorted(p for p in after if after[p] != before[p] and not p.startswith(".")) == [
        "atom.xml",
        "authors/jane-doe/atom.xml",
        "authors/jane-doe/feed.json",
        "authors/jane-doe/index.html",
        "authors/jane-doe/rss.xml",
        "feed.json",
        "index.html",
        "rss.xml",
        "tags/gaza/atom.xml",
        "tags/gaza/feed.json",
        "tags/gaza/index.html",
        "tags/gaza/rss.xml",
    ]


def under_umask(mask: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`build` run under the umask `mask`, as cron or a systemd unit may set it."""
    return feedpub("build", "--now", NOW_TEXT, cwd=cwd, preexec_fn=lambda: os.umask(mask))


def modes(folder: Path) -> dict[str, int]:
    """The permission bits of every file and folder under `folder`."""
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in sorted(folder.rglob("*"))}


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(site_dir: Path) -> None:
    assert under_umask(0o022, site_dir).returncode == 0
    feeds = site_dir / "feeds"
    (feeds / "tags" / "gaza" / "rss.xml").chmod(0o640)  # as its owner chose
    before, old = modes(feeds), snapshot(feeds)
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(
        catalogue.read_text().replace("Article a1", "Article one").replace("[Gaza]", "[Gaza, Later]")
    )
    result = under_umask(0o077, site_dir)  # as a strict cron or systemd unit runs it
    assert result.returncode == 0, result.stderr
    new = snapshot(feeds)
    replaced = {path for path in old if new[path] != old[path]}
    assert {"rss.xml", "tags/gaza/rss.xml", publish.MANIFEST, publish.RECORD} <= replaced
    after = modes(feeds)
    assert {path: mode for path, mode in after.items() if path in before} == before
    assert before[publish.MANIFEST] == before[publish.RECORD] == before["rss.xml"] == 0o644
    assert {path: mode for path, mode in after.items() if path not in before} == {
        "tags/later": 0o700,
        "tags/later/atom.xml": 0o600,
        "tags/later/feed.json": 0o600,
        "tags/later/index.html": 0o600,
        "tags/later/rss.xml": 0o600,
    }


def test_same_catalogue_and_now_give_identical_bytes(site_dir: Path) -> None:
    build(site_dir, "--out", "one")
    time.sleep(0.01)
    build(site_dir, "--out", "two")
    match, mismatch, errors = filecmp.cmpfiles(
        site_dir / "one",
        site_dir / "two",
        [str(p.relative_to(site_dir / "one")) for p in (site_dir / "one").rglob("[!.]*.*")],
        shallow=False,
    )
    assert len(match) == FILES and not mismatch and not errors


def test_invalid_catalogue_changes_nothing_on_disk(site_dir: Path) -> None:
    build(site_dir)
    before = snapshot(site_dir / "feeds")
    (site_dir / "articles.yaml").write_text(catalogue_text(article(link="nope")), encoding="utf-8")
    result = build(site_dir)
    assert result.returncode == 1
    assert "'link': 'nope' is a relative URL" in result.stderr
    assert snapshot(site_dir / "feeds") == before
    assert build(site_dir, "--out", "fresh").returncode == 1
    assert not (site_dir / "fresh").exists()


def edit(site_dir: Path) -> None:
    """Change the catalogue, so that the next build has something to write."""
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("Article a1", "Article one", 1), encoding="utf-8")


def test_a_held_lock_makes_a_second_build_exit_75(site_dir: Path) -> None:
    build(site_dir)
    edit(site_dir)
    with open(site_dir / "feeds" / publish.LOCK, "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = build(site_dir)
    assert result.returncode == 75
    assert "another build" in result.stderr and "try again later" in result.stderr
    assert build(site_dir).returncode == 0  # released: the next run goes ahead


def test_a_locked_out_build_stops_before_reading_the_catalogue(site_dir: Path) -> None:
    build(site_dir)
    (site_dir / "broken.yaml").write_text("site: [\n")
    with open(site_dir / "feeds" / publish.LOCK, "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        missing = build(site_dir, "--catalogue", "missing.yaml")
        broken = build(site_dir, "--catalogue", "broken.yaml")
        edit(site_dir)
        with pytest.raises(subprocess.CalledProcessError) as locked_out:
            yaml_was_loaded(site_dir)
    assert (missing.returncode, broken.returncode, locked_out.value.returncode) == (75, 75, 75)
    assert "another build is writing feeds" in missing.stderr + broken.stderr
    assert "missing.yaml" not in missing.stderr and "broken.yaml" not in broken.stderr
    imported = {line.split("|")[-1].strip() for line in locked_out.value.stderr.splitlines()}
    assert "feedpub.publish" in imported and "yaml" not in imported


@pytest.mark.parametrize("catalogue", ["invalid", "missing"])
def test_a_build_that_writes_nothing_leaves_no_lock_or_folder_behind(site_dir: Path, catalogue: str) -> None:
    if catalogue == "invalid":
        (site_dir / "articles.yaml").write_text(catalogue_text(article(link="nope")), encoding="utf-8")
    else:
        (site_dir / "articles.yaml").unlink()
    (site_dir / "kept").mkdir()
    before = sorted(p.relative_to(site_dir) for p in site_dir.rglob("*"))
    assert build(site_dir, "--out", "new/deeper").returncode in (1, 2)
    assert build(site_dir, "--out", "kept").returncode in (1, 2)
    assert sorted(p.relative_to(site_dir) for p in site_dir.rglob("*")) == before


def test_a_lock_left_by_a_killed_build_does_not_block(site_dir: Path) -> None:
    build(site_dir)
    edit(site_dir)
    holder = subprocess.Popen(
        [
            "python3",
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'r+'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(site_dir / "feeds" / publish.LOCK),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    assert build(site_dir).returncode == 75
    holder.kill()
    holder.wait()
    assert build(site_dir).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` unwritable for real: a read-only tmpfs for root, permissions otherwise."""
    if os.geteuid() != 0:
        for p in [folder, *folder.rglob("*")]:
            if p.is_dir():
                p.chmod(0o555)
        try:
            yield
        finally:
            for p in [folder, *folder.rglob("*")]:
                if p.is_dir():
                    p.chmod(0o755)
        return
    saved = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], check=True)
    try:
        for rel, data in saved.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_output_exits_74_and_keeps_old_feeds(site_dir: Path) -> None:
    build(site_dir)
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("Article a2", "Article two"), encoding="utf-8")
    feeds = site_dir / "feeds"
    with read_only(feeds):
        before = snapshot(feeds)
        result = build(site_dir)
        assert result.returncode == 74
        assert "cannot write feeds/" in result.stderr
        assert "Read-only file system" in result.stderr or "Permission denied" in result.stderr
        assert snapshot(feeds) == before
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("out", ["nd1/nd2/" + "a" * 300, "x/" + "d/" * 2100 + "d"])
def test_an_output_folder_that_cannot_be_made_leaves_no_folder_behind(site_dir: Path, out: str) -> None:
    result = build(site_dir, "--out", out)
    assert result.returncode == 74
    assert "nothing in" in result.stderr and "was changed" in result.stderr
    assert not (site_dir / out.partition("/")[0]).exists()


def test_an_output_path_that_is_a_file_exits_74(site_dir: Path) -> None:
    (site_dir / "feeds").write_text("not a folder")
    result = build(site_dir)
    assert result.returncode == 74
    assert "feeds" in result.stderr
    assert (site_dir / "feeds").read_text() == "not a folder"


def test_stale_tag_feeds_go_but_files_made_by_hand_stay(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    (feeds / "robots.txt").write_text("mine")
    (feeds / "tags" / "gaza" / "notes.txt").write_text("mine too")
    retagged = catalogue_text(article("a1", "tags: [Other]"), article("a2", published="2024-02-03"))
    (site_dir / "articles.yaml").write_text(retagged, encoding="utf-8")
    result = build(site_dir)
    assert result.returncode == 0
    # the new tag's feeds, with the OPML and index, which list tags, and the old tags' feeds gone
    written, gone = rewritten(TWO_ARTICLES, retagged), set(rendered(TWO_ARTICLES)) - set(rendered(retagged))
    assert (
        f"{written} written, {len(rendered(retagged)) - written} unchanged, {len(gone)} removed"
        in result.stdout
    )
    assert not (feeds / "tags" / "israel").exists()  # emptied by feedpub, so removed
    assert sorted(p.name for p in (feeds / "tags" / "gaza").iterdir()) == ["notes.txt"]
    assert (feeds / "robots.txt").read_text() == "mine"
    assert (feeds / "tags" / "other" / "atom.xml").is_file()


def test_feeds_of_an_author_or_selection_left_without_articles_go(site_dir: Path) -> None:
    site = SITE.replace(
        "articles:", "  feeds:\n    by-bo: {title: Bo's, include: {authors: [Bo]}}\narticles:"
    )
    ann, jane, bo = (
        article("a1", "author: {name: Ann}"),
        article("a2", published="2024-02-03"),
        article("a3", "author: {name: Bo}", published="2024-02-04"),
    )
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue_text(ann, jane, bo, site=site), encoding="utf-8")
    assert build(site_dir).returncode == 0
    feeds = site_dir / "feeds"
    folders = ["authors/ann", "authors/jane-doe", "authors/bo", "by-bo"]
    assert all((feeds / folder / "atom.xml").is_file() for folder in folders)
    catalogue.write_text(catalogue_text(jane, bo, site=site), encoding="utf-8")  # Ann's last article
    assert build(site_dir, "--allow-shrink").returncode == 0
    assert not (feeds / "authors" / "ann").exists()
    catalogue.write_text(catalogue_text(jane, bo + "    draft: true\n", site=site), encoding="utf-8")
    result = build(site_dir)
    assert result.returncode == 0, result.stderr
    assert f"{2 * PER_FEED} removed" in result.stdout  # Bo's and the selection's
    assert sorted(p.name for p in (feeds / "authors").iterdir()) == ["jane-doe"]
    assert not (feeds / "by-bo").exists()


def make_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def make_link(path: Path) -> None:
    path.unlink()
    path.symlink_to("/etc/hostname")


def make_folder(path: Path) -> None:
    path.unlink()
    (path / "x").mkdir(parents=True)


def make_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a folder")


@pytest.mark.parametrize(
    ("path", "make", "reason"),
    [
        ("tags/israel/rss.xml", make_folder, "is a folder, where feedpub writes a file"),
        ("tags/israel/atom.xml", make_fifo, "is not a regular file, where feedpub writes one"),
        ("tags/gaza", make_file, "Not a directory"),
        (publish.MANIFEST, make_link, "is a symbolic link; feedpub does not follow links"),
        (publish.MANIFEST, make_fifo, "is not a regular file"),
        (publish.MANIFEST, make_folder, "is not a regular file"),
        (publish.RECORD, make_link, "is a symbolic link; feedpub does not follow links"),
        (publish.RECORD, make_fifo, "is not a regular file"),
        (publish.RECORD, make_folder, "is not a regular file"),
        (publish.LOCK, make_link, "is a symbolic link; feedpub does not follow links"),
        (publish.LOCK, make_fifo, "is not a regular file; feedpub locks the folder with one"),
        (publish.LOCK, make_folder, "is not a regular file; feedpub locks the folder with one"),
    ],
)
def test_something_else_where_feedpub_keeps_a_file_exits_74_and_names_it(
    site_dir: Path, path: str, make: Callable[[Path], None], reason: str
) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    make(feeds / path)
    edit(site_dir)
    before = feeds_only(feeds)
    result = feedpub("build", "--now", NOW_TEXT, cwd=site_dir)  # within its time limit: never waits on a FIFO
    assert result.returncode == 74
    assert f"feedpub: cannot write feeds/{path}: {reason}; " in result.stderr
    assert "Traceback" not in result.stderr
    assert feeds_only(feeds) == before


@pytest.mark.parametrize(
    ("kind", "reason"), [("fifo", "Not a directory"), ("link", "No such file or directory")]
)
def test_an_output_path_that_is_a_fifo_or_a_link_to_nowhere_exits_74(
    site_dir: Path, kind: str, reason: str
) -> None:
    if kind == "fifo":
        os.mkfifo(site_dir / "feeds")
    else:
        (site_dir / "feeds").symlink_to("nowhere")
    result = feedpub("build", "--now", NOW_TEXT, cwd=site_dir)  # within its time limit
    assert result.returncode == 74
    assert result.stderr == f"feedpub: cannot write feeds: {reason}; nothing in feeds was changed\n"
    assert not (site_dir / "nowhere").exists()


def test_a_symlinked_tag_folder_is_not_written_through(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (site_dir / "feeds" / "tags").mkdir(parents=True)
    (site_dir / "feeds" / "tags" / "gaza").symlink_to(outside, target_is_directory=True)
    result = build(site_dir)
    assert result.returncode == 74
    assert "tags/gaza: is a symbolic link" in result.stderr
    assert list(outside.iterdir()) == []


def test_temporary_files_of_a_killed_build_are_swept(site_dir: Path) -> None:
    build(site_dir)
    leftover = site_dir / "feeds" / "tags" / "gaza" / f"{publish.TEMP_PREFIX}999-rss.xml"
    leftover.write_text("<half a feed")
    assert build(site_dir).returncode == 0
    assert not leftover.exists()


def test_the_sweep_removes_only_what_a_build_of_this_folder_can_have_left(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    swept = [
        f"{publish.TEMP_PREFIX}999-rss.xml",
        f"{publish.TEMP_PREFIX}999-{publish.MANIFEST}",
        f"tags/gaza/{publish.TEMP_PREFIX}12-atom.xml",
        f"tags/gaza/{publish.TEMP_PREFIX}12-old-feed.json",
    ]
    kept = [
        f"{publish.TEMP_PREFIX}notes.txt",  # not a name feedpub makes
        f"{publish.TEMP_PREFIX}999-robots.txt",  # not beside a file feedpub manages
        f"css/{publish.TEMP_PREFIX}notes.txt",
        f"css/{publish.TEMP_PREFIX}999-rss.xml",  # in a folder feedpub does not manage
        f"tags/israel/{publish.TEMP_PREFIX}4242-rss.xml",  # the live file of a build into tags/israel
    ]
    for path in swept + kept:
        (feeds / path).parent.mkdir(parents=True, exist_ok=True)
        (feeds / path).write_text("x")
    edit(site_dir)
    with open(feeds / "tags" / "israel" / publish.LOCK, "w") as nested:
        fcntl.flock(nested, fcntl.LOCK_EX)  # another build owns tags/israel, and is writing now
        result = build(site_dir)
    assert result.returncode == 0, result.stderr
    assert [path for path in swept if (feeds / path).exists()] == []
    assert [path for path in kept if not (feeds / path).exists()] == []


def test_a_stray_file_that_only_looks_temporary_does_not_defeat_the_shortcut(site_dir: Path) -> None:
    (site_dir / "feeds").mkdir()
    (site_dir / "feeds" / f"{publish.TEMP_PREFIX}notes.txt").write_text("mine")
    build(site_dir)
    assert not yaml_was_loaded(site_dir)


@pytest.mark.parametrize("kind", ["list", "digests"])  # a list of paths, which proves nothing, or digests
def test_a_tampered_manifest_cannot_delete_outside(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory, kind: str
) -> None:
    victim = tmp_path_factory.mktemp("victim") / "precious.txt"
    victim.write_text("keep")
    build(site_dir)
    manifest = site_dir / "feeds" / publish.MANIFEST
    outside = ["../articles.yaml", str(victim), "tags/../../x"]
    digest = hashlib.sha256(b"keep").hexdigest()
    manifest.write_text(json.dumps({"files": outside if kind == "list" else dict.fromkeys(outside, digest)}))
    assert build(site_dir).returncode == 0
    assert victim.read_text() == "keep"
    assert (site_dir / "articles.yaml").exists()


def test_a_build_never_replaces_files_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "index.html").write_text("MY HOMEPAGE\n")
    (tmp_path / "w" / "rss.xml").write_text("old\n")
    before = snapshot(tmp_path / "w")
    refused = feedpub("build", "--out", "w", cwd=tmp_path)
    assert refused.returncode == 73
    assert "w holds files that feedpub did not write" in refused.stderr
    assert "  w/index.html (would be replaced)\n  w/rss.xml (would be replaced)\n" in refused.stderr
    assert "nothing was written" in refused.stderr and "--overwrite" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert snapshot(tmp_path / "w") == before  # not even a lock file
    replaced = feedpub("build", "--out", "w", "--overwrite", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert b"MY HOMEPAGE" not in (tmp_path / "w" / "index.html").read_bytes()
    assert b"<rss" in (tmp_path / "w" / "rss.xml").read_bytes()
    edit(tmp_path)
    assert build(tmp_path, "--out", "w").returncode == 0  # now they are feedpub's own


def test_a_feed_edited_by_hand_is_not_replaced_without_overwrite(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    original = (feeds / "rss.xml").read_bytes()
    (feeds / "rss.xml").write_bytes(original.replace(b"Article a1", b"Edited by hand"))
    edit(site_dir)
    refused = build(site_dir)
    assert refused.returncode == 73
    assert "feeds/rss.xml (would be replaced)" in refused.stderr
    assert b"Edited by hand" in (feeds / "rss.xml").read_bytes()
    assert f"{EDITED} written, {FILES - EDITED} unchanged" in build(site_dir, "--overwrite").stdout
    assert b"Edited by hand" not in (feeds / "rss.xml").read_bytes()


def test_a_manifest_edited_to_list_a_users_file_does_not_make_it_feedpubs(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    (feeds / "tags" / "mine").mkdir()
    (feeds / "tags" / "mine" / "rss.xml").write_text("mine")
    manifest = json.loads((feeds / publish.MANIFEST).read_text())
    manifest["files"]["tags/mine/rss.xml"] = hashlib.sha256(b"something else").hexdigest()
    (feeds / publish.MANIFEST).write_text(json.dumps(manifest))
    edit(site_dir)
    refused = build(site_dir)
    assert refused.returncode == 73
    assert "feeds/tags/mine/rss.xml (would be removed)" in refused.stderr
    assert (feeds / "tags" / "mine" / "rss.xml").read_text() == "mine"


def test_an_edited_manifest_removes_only_files_a_build_could_write(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    (feeds / "notes.txt").write_text("mine")
    (feeds / "uploads" / "keep").mkdir(parents=True)
    (feeds / "tags" / "gone").mkdir()  # a feed's folder, listed below, left empty as by a killed build
    manifest = json.loads((feeds / publish.MANIFEST).read_text())
    manifest["files"].update(
        {
            publish.LOCK: hashlib.sha256(b"").hexdigest(),
            publish.RECORD: hashlib.sha256((feeds / publish.RECORD).read_bytes()).hexdigest(),
            f"tags/{publish.LOCK}/rss.xml": "0" * 64,
            "notes.txt": hashlib.sha256(b"mine").hexdigest(),
            "uploads/keep/none.txt": "0" * 64,
            "uploads/keep/rss.xml": "0" * 64,
            "tags/gone/rss.xml": "0" * 64,
        }
    )
    (feeds / publish.MANIFEST).write_text(json.dumps(manifest))
    with (site_dir / "articles.yaml").open("a") as catalogue:
        catalogue.write("# c\n")
    result = build(site_dir)
    assert result.returncode == 0, result.stderr
    assert "0 removed" in result.stdout
    assert (feeds / publish.LOCK).is_file() and (feeds / publish.RECORD).is_file()
    assert (feeds / "notes.txt").read_text() == "mine"
    assert (feeds / "uploads" / "keep").is_dir() and not (feeds / "tags" / "gone").exists()
    listed = json.loads((feeds / publish.MANIFEST).read_text())["files"]
    assert all(could_write(path) for path in listed)


def test_editing_only_the_manifest_makes_a_full_build(site_dir: Path) -> None:
    build(site_dir)
    assert not yaml_was_loaded(site_dir)
    manifest = site_dir / "feeds" / publish.MANIFEST
    manifest.write_text(manifest.read_text().replace('"files": {', '"files": {"notes.txt": "0",', 1))
    assert yaml_was_loaded(site_dir)
    assert not yaml_was_loaded(site_dir)  # the full build left the manifest as it records it


def test_a_manifest_of_paths_without_digests_proves_no_file_to_be_feedpubs(site_dir: Path) -> None:
    """A list of paths, each with a size and a time: no feedpub release ever wrote one, and a
    file's size and time are no proof that feedpub wrote its bytes."""
    build(site_dir)
    feeds = site_dir / "feeds"
    paths = sorted(str(p.relative_to(feeds)) for p in feeds.rglob("[!.]*") if p.is_file())
    stats = {path: [(feeds / path).stat().st_size, (feeds / path).stat().st_mtime_ns] for path in paths}
    (feeds / publish.RECORD).unlink()
    (feeds / publish.MANIFEST).write_text(json.dumps({"files": paths, "build": {"files": stats}}))
    edit(site_dir)
    before = snapshot(feeds)
    refused = build(site_dir)
    assert refused.returncode == 73 and "feeds/atom.xml (would be replaced)" in refused.stderr
    assert snapshot(feeds) == before
    assert build(site_dir, "--overwrite").returncode == 0


def committed(folder: Path) -> dict[Path, bytes]:
    """The files of `folder` a checkout holds: the feeds and the manifest, not the record of a
    build on this machine, its lock or temporary files."""
    return {
        p.relative_to(folder): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and (not p.name.startswith(".") or p.name == publish.MANIFEST)
    }


def test_committed_feeds_match_a_fresh_build(tmp_path: Path) -> None:
    result = feedpub(
        "build",
        "-q",
        "--catalogue",
        str(ROOT / "articles.yaml"),
        "--out",
        str(tmp_path / "feeds"),
        cwd=tmp_path,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    fresh, kept = committed(tmp_path / "feeds"), committed(ROOT / "feeds")
    assert sorted(fresh) == sorted(kept)
    assert Path(publish.MANIFEST) in kept
    stale = [str(p) for p in fresh if fresh[p] != kept[p]]
    assert not stale, f"feeds/ is out of date: run 'feedpub build' and commit ({stale})"


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_git_keeps_the_manifest_and_ignores_what_is_this_machines() -> None:
    def ignored(name: str) -> bool:
        found = subprocess.run(["git", "check-ignore", "-q", f"feeds/{name}"], cwd=ROOT, check=False)
        return found.returncode == 0

    assert not ignored(publish.MANIFEST)
    assert ignored(publish.RECORD) and ignored(publish.LOCK) and ignored(f"{publish.TEMP_PREFIX}1-rss.xml")


def test_readmes_first_command_works_on_a_fresh_clone_and_after_editing_the_sample(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    for path, data in committed(ROOT / "feeds").items():
        (clone / "feeds" / path).parent.mkdir(parents=True, exist_ok=True)
        (clone / "feeds" / path).write_bytes(data)
    (clone / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    command = [str(Path(sys.executable).parent / "feedpub"), "build"]
    first = subprocess.run(command, cwd=clone, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert f"0 written, {len(committed(ROOT / 'feeds')) - 1} unchanged, 0 removed" in first.stdout
    catalogue = clone / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("Stop Criminal Attack", "Stop the Attack"))
    (clone / "feeds" / publish.RECORD).unlink()  # as on a machine that only has the commit
    edited = subprocess.run(command, cwd=clone, capture_output=True, text=True, check=False)
    assert edited.returncode == 0, edited.stderr
    assert b"Stop the Attack" in (clone / "feeds" / "atom.xml").read_bytes()


# -- the shortcut for runs with nothing new: what it may skip, and everything that defeats it ---


def imported_by_a_run(site_dir: Path) -> set[str]:
    """The modules `feedpub build` imports in `site_dir`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "feedpub", "build", "--now", NOW_TEXT],
        cwd=site_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{FILES} unchanged" in result.stdout
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "feedpub.publish" in imported
    return imported


def yaml_was_loaded(site_dir: Path) -> bool:
    """Whether a build with nothing new to publish loaded any of the modules a full build needs."""
    return bool(
        imported_by_a_run(site_dir) & {"yaml", "feedgen", "lxml", "feedpub.catalogue", "feedpub.render"}
    )


def test_an_unchanged_run_does_not_even_load_yaml_or_feedgen(site_dir: Path) -> None:
    build(site_dir)
    assert not yaml_was_loaded(site_dir)
    # nor what a build's records and writer could use but a cron run need not pay for
    assert not imported_by_a_run(site_dir) & {"dataclasses", "concurrent.futures", "zoneinfo", "tempfile"}


def test_a_run_at_or_after_a_scheduled_moment_publishes_it(site_dir: Path) -> None:
    catalogue = site_dir / "articles.yaml"
    text = TWO_ARTICLES + article("later", published="2024-07-01T00:00:00Z")
    catalogue.write_text(text, encoding="utf-8")
    assert f"{len(rendered(text))} written" in build(site_dir).stdout
    assert "0 written" in called("build", "--now", "2024-06-30T23:59:59Z", cwd=site_dir).stdout
    result = called("build", "--now", "2024-07-01T00:00:00Z", cwd=site_dir)
    # the site's and its author's feeds, in three formats, and the index
    published = rewritten(text, text, then=datetime(2024, 7, 1, tzinfo=UTC))
    assert f"{published} written" in result.stdout
    assert b"Article later" in (site_dir / "feeds" / "atom.xml").read_bytes()


def test_a_feed_deleted_by_hand_is_put_back_and_one_edited_only_when_asked(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    original = (feeds / "rss.xml").read_bytes()
    (feeds / "tags" / "israel" / "atom.xml").unlink()
    assert f"1 written, {FILES - 1} unchanged" in build(site_dir).stdout
    assert (feeds / "tags" / "israel" / "atom.xml").is_file()
    (feeds / "rss.xml").write_bytes(original.replace(b"Article a1", b"Vandalised"))
    assert build(site_dir).returncode == 73  # the record no longer holds; the bytes are not feedpub's
    assert f"1 written, {FILES - 1} unchanged" in build(site_dir, "--overwrite").stdout
    assert (feeds / "rss.xml").read_bytes() == original


def test_a_build_recorded_by_another_version_is_not_trusted(site_dir: Path) -> None:
    build(site_dir)
    path = site_dir / "feeds" / publish.RECORD
    record = json.loads(path.read_text())
    record["version"] = "0.0.0"
    path.write_text(json.dumps(record))
    assert f"0 written, {FILES} unchanged" in build(site_dir).stdout
    assert json.loads(path.read_text())["version"] != "0.0.0"  # a full build rewrote it


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda r: r | {"files": {}}, id="no files listed"),
        pytest.param(lambda r: r | {"files": dict(list(r["files"].items())[:3])}, id="some files listed"),
        pytest.param(lambda r: r | {"since": "yesterday"}, id="since not a date"),
        pytest.param(lambda r: r | {"until": "2999-01-01T00:00:00"}, id="until without offset"),
        pytest.param(lambda r: r | {"until": [1]}, id="until a list"),
        pytest.param(lambda r: r | {"articles": "1"}, id="articles a string"),
        pytest.param(lambda r: r | {"articles": True}, id="articles a boolean"),
        pytest.param(lambda r: r | {"warned": ["abc"]}, id="warned not text"),
        pytest.param(lambda r: r | {"warned": "abc"}, id="warned naming no warnings kept"),
        pytest.param(lambda r: r | {"files": r["files"] | {"x\u0000y": [1, 2]}}, id="a NUL in a path"),
        pytest.param(lambda r: r | {"files": r["files"] | {"rss.xml": [1.5, 2]}}, id="a size not a count"),
        pytest.param(lambda r: "[" * 100_000, id="nested too deeply"),
    ],
)
def test_a_record_edited_by_hand_makes_a_full_build_never_a_traceback(
    site_dir: Path, forge: Callable[[dict[str, object]], object]
) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    path = feeds / publish.RECORD
    for gone, written in ((None, 0), ("rss.xml", 1)):
        forged = forge(json.loads(path.read_text()))
        path.write_text(forged if isinstance(forged, str) else json.dumps(forged))
        if gone:
            (feeds / gone).unlink()  # only a full build puts it back
        result = build(site_dir)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert f"{written} written, {FILES - written} unchanged" in result.stdout


def test_a_manifest_nested_too_deeply_makes_a_full_build(site_dir: Path) -> None:
    build(site_dir)
    manifest = site_dir / "feeds" / publish.MANIFEST
    manifest.write_text("[" * 100_000)
    result = build(site_dir)
    assert result.returncode == 0 and result.stderr == ""  # the files hold what it writes
    assert f"0 written, {FILES} unchanged" in result.stdout
    assert len(json.loads(manifest.read_text())["files"]) == FILES  # and it is written anew


def test_warnings_are_repeated_by_an_unchanged_run_unless_quiet(site_dir: Path) -> None:
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(
        catalogue.read_text().replace("articles:", "  tags:\n    Unused: {title: T}\narticles:")
    )
    first, second = build(site_dir), build(site_dir)
    assert "warning: no article has the tag 'Unused'" in first.stderr
    assert (second.stderr, f"{FILES} unchanged" in second.stdout) == (first.stderr, True)
    assert build(site_dir, "-q").stderr == ""


# -- faults: each fails the build with 74, naming the path and the reason, and changes no feed ---


def bigger(site_dir: Path, count: int = 400) -> None:
    """A catalogue whose feeds no longer fit a small disk."""
    body = "<p>" + "Long article text. " * 200 + "</p>"
    (site_dir / "articles.yaml").write_text(
        catalogue_text(*(article(f"n{i}", "tags: [Gaza]", f"content: '{body}'") for i in range(count))),
        encoding="utf-8",
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")
def test_a_full_disk_exits_74_and_changes_no_feed(site_dir: Path) -> None:
    feeds = site_dir / "feeds"
    feeds.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(feeds)], check=True)
    try:
        assert build(site_dir).returncode == 0
        before = snapshot(feeds)
        bigger(site_dir)
        result = build(site_dir)
        assert result.returncode == 74
        assert "cannot write feeds/" in result.stderr and "No space left on device" in result.stderr
        assert snapshot(feeds) == before
        assert not list(feeds.rglob(f"{publish.TEMP_PREFIX}*"))
    finally:
        subprocess.run(["umount", str(feeds)], check=True)


def test_a_tag_folder_that_refuses_writing_exits_74_and_changes_no_feed(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    edit(site_dir)
    (feeds / "tags" / "gaza").chmod(0o555)
    before = snapshot(feeds)
    try:
        # root may write anywhere; a user namespace without privileges lets the mode apply to it too
        command = [sys.executable, "-m", "feedpub", "build", "--now", NOW_TEXT]
        result = subprocess.run(
            ["unshare", "--user", *command] if os.geteuid() == 0 else command,
            cwd=site_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        (feeds / "tags" / "gaza").chmod(0o755)
    assert result.returncode == 74
    assert "cannot write feeds/tags/gaza/atom.xml: Permission denied" in result.stderr
    assert snapshot(feeds) == before


def test_builds_started_together_never_write_at_once(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("together")
    body = "<p>" + "Text. " * 300 + "</p>"
    catalogues = {
        name: catalogue_text(
            *(article(f"{name}{i}", f"tags: [{name}{i % 7}]", f"content: '{body}'") for i in range(150))
        )
        for name in ("a", "b")
    }
    for name, text in catalogues.items():
        (work / f"{name}.yaml").write_text(text, encoding="utf-8")
        assert (
            called(
                "build",
                "-q",
                "--now",
                NOW_TEXT,
                "--catalogue",
                f"{name}.yaml",
                "--out",
                f"ref-{name}",
                cwd=work,
            ).returncode
            == 0
        )
    references = [
        {p: data for p, (data, _) in snapshot(work / f"ref-{name}").items() if not p.startswith(".")}
        for name in ("a", "b")
    ]
    for _ in range(3):
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "feedpub",
                    "build",
                    "-q",
                    "--now",
                    NOW_TEXT,
                    "--catalogue",
                    f"{'ab'[i % 2]}.yaml",
                    "--out",
                    "shared",
                ],
                cwd=work,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(8)
        ]
        results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
        assert {status for status, _ in results} <= {0, 75}
        assert any(status == 0 for status, _ in results)
        assert all(
            "another build is writing shared, or a deploy reading it; try again later" in err
            for status, err in results
            if status == 75
        )
        final = {p: data for p, (data, _) in snapshot(work / "shared").items() if not p.startswith(".")}
        assert final in references  # all from one catalogue: never a mixture of two builds
        assert not list((work / "shared").rglob(f"{publish.TEMP_PREFIX}*"))


def test_a_folder_a_killed_build_made_but_never_filled_is_removed(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    manifest = json.loads((feeds / publish.MANIFEST).read_text())
    # as a build that was killed after recording its intent and making the folder leaves it
    manifest["pending"] = {"tags/later/rss.xml": ["0" * 64]}
    (feeds / publish.MANIFEST).write_text(json.dumps(manifest))
    (feeds / "tags" / "later").mkdir()
    (feeds / "tags" / "later" / f"{publish.TEMP_PREFIX}1-rss.xml").write_text("<half")
    edit(site_dir)
    assert build(site_dir).returncode == 0
    assert not (feeds / "tags" / "later").exists()


# -- many folders: the files open at once do not grow with them -----------------------------------

FEW_FILES = 64
"""Files a process of the many-folders tests may have open at once (cron and systemd often
allow 1,024), a tenth of the tag folders those tests make."""


def few_files() -> None:
    """For `preexec_fn`: the process may have no more than FEW_FILES files open at once."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (FEW_FILES, FEW_FILES))


def with_few_files(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI run with `args`, under FEW_FILES open files at most."""
    return feedpub(*args, cwd=cwd, preexec_fn=few_files)


def many_tags(site_dir: Path, articles: int, tags_each: int) -> None:
    """A catalogue of `articles` articles, each with `tags_each` tags of its own."""
    listed = [
        article(f"a{n}", f"tags: [{', '.join(f'Tag {n}-{k}' for k in range(tags_each))}]")
        for n in range(articles)
    ]
    (site_dir / "articles.yaml").write_text(catalogue_text(*listed), encoding="utf-8")


def test_a_site_with_ten_times_more_tag_folders_than_open_files_builds_rebuilds_and_prunes(
    tmp_path: Path,
) -> None:
    tags = 10 * FEW_FILES
    folder = tmp_path / "feeds" / "tags"
    many_tags(tmp_path, tags // 10, tags_each=10)
    first = with_few_files(tmp_path, "build", "--now", NOW_TEXT)
    assert first.returncode == 0, first.stderr
    assert len(list(folder.iterdir())) == tags
    unchanged = with_few_files(tmp_path, "build", "--now", NOW_TEXT)
    assert (unchanged.returncode, unchanged.stderr) == (0, "")
    assert " 0 written" in unchanged.stdout
    many_tags(tmp_path, tags // 10, tags_each=5)  # the same articles, each with half its tags
    pruned = with_few_files(tmp_path, "build", "--now", NOW_TEXT)
    assert pruned.returncode == 0, pruned.stderr
    assert len(list(folder.iterdir())) == tags // 2
    assert f"{PER_FEED * tags // 2} removed" in pruned.stdout
    checked = with_few_files(tmp_path, "verify", "feeds")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# -- the switch from old feeds to new: undone on failure, and the folder's state said truly ------


def temporaries(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(f"{publish.TEMP_PREFIX}*"))


def feeds_only(folder: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _) in snapshot(folder).items() if not Path(path).name.startswith(".")}


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`path` made immutable with chattr +i, so that renaming over it fails (EPERM)."""
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"this file system (or user) cannot make a file immutable: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_rename_that_fails_mid_switch_puts_every_old_feed_back(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    edit(site_dir)  # rewrites atom.xml, feed.json and rss.xml, in that order, and gaza's feeds
    before = snapshot(feeds)
    with immutable(feeds / "rss.xml"):
        result = build(site_dir)
        after = snapshot(feeds)
    assert result.returncode == 74
    assert (
        result.stderr
        == "feedpub: cannot write feeds/rss.xml: Operation not permitted; every feed in feeds is as it was\n"
    )
    assert after == before  # the same bytes and times: the renamed files' old inodes are back
    assert temporaries(feeds) == []
    assert f"{EDITED} written" in build(site_dir).stdout


def test_without_hard_links_old_feeds_are_kept_by_copy_and_put_back(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system that refuses hard links (FAT, exFAT, some network shares), the old
    feeds are kept by copying them before the switch, with their modes and times: a rename
    that fails puts them back as they were."""

    from feedpub import build as pipeline

    request = pipeline.Request(site_dir / "articles.yaml", site_dir / "feeds", NOW)
    pipeline.build(request)
    feeds = site_dir / "feeds"
    edit(site_dir)
    age(feeds)
    (feeds / "atom.xml").chmod(0o640)
    before, permissions = snapshot(feeds), modes(feeds)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", refused)
    mask = os.umask(0o077)  # the copies are made under a strict umask
    try:
        with immutable(feeds / "rss.xml"), pytest.raises(publish.PublishError) as failed:
            pipeline.build(request)
    finally:
        os.umask(mask)
    assert failed.value.state == f"every feed in {feeds} is as it was"
    assert (snapshot(feeds), modes(feeds)) == (before, permissions)
    assert temporaries(feeds) == []
    built = pipeline.build(request)
    assert isinstance(built, pipeline.Built) and len(built.outcome.written) == EDITED
    assert temporaries(feeds) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")
def test_a_first_build_on_a_disk_too_small_for_it_leaves_the_folder_empty(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    reference = tmp_path_factory.mktemp("reference")
    assert build(site_dir, "--out", str(reference)).returncode == 0
    pages = sum(-(-p.stat().st_size // 4096) for p in reference.rglob("*") if p.is_file())
    feeds = site_dir / "feeds"
    feeds.mkdir()
    seen = set()
    for size in range(pages - 4, pages + 4):  # from too small for the feeds to enough for all
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size * 4}k", "tmpfs", str(feeds)], check=True)
        try:
            result = build(site_dir)
            seen.add(result.returncode)
            if result.returncode == 0:
                assert feeds_only(feeds) == feeds_only(reference)
            else:
                assert result.returncode == 74, result.stderr
                assert "No space left on device; every feed in feeds is as it was" in result.stderr
                assert sorted(p.name for p in feeds.rglob("*")) == [publish.LOCK]  # no manifest, no folder
        finally:
            subprocess.run(["umount", str(feeds)], check=True)
    assert seen == {0, 74}


needs_strace = pytest.mark.skipif(
    shutil.which("strace") is None, reason="fault injection needs strace (Debian package strace)"
)


def traced(site_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """A build run under strace with `options`; strace's own output is not in the result."""
    command = [sys.executable, "-m", "feedpub", "build", "--now", NOW_TEXT]
    return subprocess.run(
        ["strace", "-f", "-qq", "-o", "/dev/null", *options, *command],
        cwd=site_dir,
        capture_output=True,
        text=True,
        check=False,
    )


def calls(site_dir: Path, log: Path) -> list[str]:
    """The fsync and renameat calls the build's main thread makes, in order (strace counts
    calls for injection thread by thread), each folder they name by its path. Only it makes
    them: the files are written, and flushed with fdatasync, by other threads."""
    command = [sys.executable, "-m", "feedpub", "build", "--now", NOW_TEXT]
    subprocess.run(
        ["strace", "-f", "-qq", "-y", "-e", "trace=fsync,renameat", "-o", str(log), *command],
        cwd=site_dir,
        capture_output=True,
        check=True,
    )
    lines = log.read_text().splitlines()
    main = lines[0].split()[0]
    assert all(line.split()[0] == main for line in lines), "another thread renamed or fsynced"
    return [line.split(None, 1)[1] for line in lines]


def nth(found: list[str], call: str, index: int) -> int:
    """Which call of its kind (counting from 1) `found[index]` is."""
    return sum(1 for line in found[: index + 1] if line.startswith(f"{call}("))


@dataclass
class Rehearsal:
    """What the next build of a site did in a copy of it: its main thread's calls, the feeds it
    renamed into place (by their paths in the feeds folder, in order, with the index of the
    call), and the feeds it made."""

    calls: list[str]
    renames: list[tuple[int, str]]
    feeds: dict[str, bytes]

    def injected(self, rename: int, fault: str) -> str:
        """strace's option that makes the `rename`th feed rename (from 0) fail with `fault`."""
        return f"inject=renameat:{fault}:when={nth(self.calls, 'renameat', self.renames[rename][0])}"


_RENAME = re.compile(r'renameat\(\d+<[^>]*>, "[^"]*", \d+<(?P<folder>[^>]*)>, "(?P<name>[^"]*)"\)')


def rehearse(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    """Build once, edit the catalogue, then rehearse the next build in a copy."""
    build(site_dir)
    edit(site_dir)
    twin = tmp_path_factory.mktemp("twin") / "site"
    shutil.copytree(site_dir, twin, symlinks=True)
    found = calls(twin, twin.parent / "trace")
    feeds = str((twin / "feeds").resolve())
    renames = []
    for index, line in enumerate(found):
        renamed = _RENAME.match(line)
        if renamed and not renamed["name"].startswith("."):  # not the manifest or the record
            folder = renamed["folder"].removeprefix(feeds).strip("/")
            renames.append((index, f"{folder}/{renamed['name']}".lstrip("/")))
    return Rehearsal(found, renames, feeds_only(twin / "feeds"))


@needs_strace
def test_an_error_renaming_the_third_feed_puts_the_first_two_back(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rehearsal = rehearse(site_dir, tmp_path_factory)
    feeds = site_dir / "feeds"
    before = snapshot(feeds)
    result = traced(site_dir, "-e", rehearsal.injected(2, "error=EIO"))
    assert result.returncode == 74
    failed = f"cannot write feeds/{rehearsal.renames[2][1]}: Input/output error"
    assert f"{failed}; every feed in feeds is as it was" in result.stderr
    assert snapshot(feeds) == before
    assert temporaries(feeds) == []


@needs_strace
def test_a_switch_that_cannot_be_undone_says_which_feeds_are_new(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rehearsal = rehearse(site_dir, tmp_path_factory)
    new = rehearsal.feeds
    feeds = site_dir / "feeds"
    old = feeds_only(feeds)
    # the third rename fails, and so does every rename after it, putting old files back too
    result = traced(site_dir, "-e", rehearsal.injected(2, "error=EIO") + "+")
    assert result.returncode == 74
    switched = {path for _, path in rehearsal.renames[:2]}
    assert (
        f"cannot write feeds/{rehearsal.renames[2][1]}: Input/output error; feeds is part new, part old: "
        f"2 files are new ({', '.join(f'feeds/{path}' for path in sorted(switched))}) and the rest are as "
        "they were; the next build that succeeds brings them all up to date"
    ) in result.stderr
    now = feeds_only(feeds)
    assert {path for path in now if now[path] != old[path]} == switched
    assert {path for path in now if now[path] == new[path]} >= switched
    assert temporaries(feeds) == []
    assert build(site_dir).returncode == 0
    assert feeds_only(feeds) == new


@needs_strace
def test_a_flush_that_fails_after_the_switch_says_every_feed_is_new_but_not_on_disk(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rehearsal = rehearse(site_dir, tmp_path_factory)
    found, new = rehearsal.calls, rehearsal.feeds
    last = rehearsal.renames[-1][0]
    flush = next(i for i, line in enumerate(found) if i > last and line.startswith("fsync("))
    feeds = site_dir / "feeds"
    result = traced(site_dir, "-e", f"inject=fsync:error=EIO:when={nth(found, 'fsync', flush)}")
    assert result.returncode == 74
    assert (
        "Input/output error; every feed in feeds is new, but the folder could not be flushed to disk"
        in result.stderr
    )
    assert feeds_only(feeds) == new
    assert temporaries(feeds) == []
    again = build(site_dir)  # not taken for done: the build was not recorded
    assert f"0 written, {FILES} unchanged" in again.stdout
    assert yaml_was_loaded(site_dir) is False  # and now it is


# -- a catalogue with fewer articles than the last build: refused unless asked for -------------


def test_a_catalogue_cut_short_is_refused_unless_shrinking_is_allowed(site_dir: Path) -> None:
    catalogue = site_dir / "articles.yaml"
    whole = catalogue.read_text()
    build(site_dir)
    before = snapshot(site_dir / "feeds")
    catalogue.write_text(whole[: whole.index("  - id: a2")])  # as if saving stopped after a1
    refused = build(site_dir)
    assert refused.returncode == 1
    assert refused.stderr == (
        "feedpub: articles.yaml has 1 article, fewer than the 2 of the last build into feeds; nothing "
        "was written. A catalogue cut off while it was being saved looks like this: if articles were "
        "removed on purpose, build once with --allow-shrink\n"
    )
    assert snapshot(site_dir / "feeds") == before
    allowed = build(site_dir, "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
    assert "1 article → " in allowed.stdout
    edit(site_dir)
    assert build(site_dir).returncode == 0  # the last build had one article
    catalogue.write_text(whole)
    assert build(site_dir).returncode == 0  # growing needs no permission


# -- the pipeline itself, in-process: what it returns, and that it prints nothing ---------------


def test_the_build_pipeline_returns_what_happened_and_prints_nothing(
    site_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    from feedpub import build as pipeline

    request = pipeline.Request(catalogue=site_dir / "articles.yaml", out=site_dir / "feeds", now=NOW)
    first = pipeline.build(request)
    assert isinstance(first, pipeline.Built) and not first.shortcut
    assert (first.articles, len(first.outcome.written), first.outcome.removed) == (2, FILES, [])
    again = pipeline.build(request)
    assert isinstance(again, pipeline.Built) and again.shortcut
    assert len(again.outcome.unchanged) == FILES
    catalogue = site_dir / "articles.yaml"
    whole = catalogue.read_text()
    catalogue.write_text(whole[: whole.index("  - id: a2")])
    shrunk = pipeline.build(request)
    assert shrunk == pipeline.Shrunk(articles=1, recorded=2)
    catalogue.write_text(catalogue_text(article(link="nope")))
    invalid = pipeline.build(request)
    assert isinstance(invalid, pipeline.Invalid)
    assert "'link': 'nope' is a relative URL" in str(invalid.problems[0])
    assert capsys.readouterr() == ("", "")


@needs_strace
def test_a_build_killed_mid_switch_leaves_only_files_the_next_build_owns(
    site_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    rehearsal = rehearse(site_dir, tmp_path_factory)
    killed = traced(site_dir, "-e", rehearsal.injected(2, "signal=KILL"))
    assert killed.returncode == -9
    switched = [path for path, data in feeds_only(feeds).items() if b"Article one" in data]
    assert switched == sorted(path for _, path in rehearsal.renames[:2])  # the kill came before the third
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("Article a2", "Article two"), encoding="utf-8")
    result = build(site_dir)  # another catalogue again: every file in the way is still feedpub's
    assert result.returncode == 0, result.stderr
    assert temporaries(feeds) == []
    assert build(site_dir, "--out", "reference").returncode == 0
    assert feeds_only(feeds) == feeds_only(site_dir / "reference")


def reads(site_dir: Path, path: Path) -> tuple[subprocess.CompletedProcess[str], list[tuple[int, int]]]:
    """A build run under strace, and each read of the file at `path` it made: the bytes asked
    for and the bytes read."""
    logs = Path(tempfile.mkdtemp(dir=site_dir.parent))
    command = [sys.executable, "-m", "feedpub", "build", "--now", NOW_TEXT]
    # a log for each thread (-ff): in one log, a read another thread interrupts is split in two
    result = subprocess.run(
        [
            "strace",
            "-ff",
            "-qq",
            "-y",
            "-e",
            "trace=read,pread64,readv,preadv",
            "-o",
            str(logs / "t"),
            *command,
        ],
        cwd=site_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    pattern = re.compile(rf"p?readv?\(\d+<{re.escape(str(path.resolve()))}>, .*, (\d+)\) += (\d+)$")
    found = [pattern.search(line) for log in logs.iterdir() for line in log.read_text().splitlines()]
    return result, [(int(match[1]), int(match[2])) for match in found if match]


def opens(site_dir: Path) -> dict[str, int]:
    """A build run under strace, and how often it opened the record and the manifest (their
    temporaries are other names)."""
    log = Path(tempfile.mkdtemp(dir=site_dir.parent)) / "log"
    command = [sys.executable, "-m", "feedpub", "build", "--now", NOW_TEXT]
    subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(log), *command],
        cwd=site_dir,
        capture_output=True,
        check=True,
    )
    text = log.read_text()
    return {name: text.count(f'"{name}", O_RDONLY') for name in (publish.RECORD, publish.MANIFEST)}


@needs_strace
def test_a_build_reads_the_record_and_the_manifest_once(site_dir: Path) -> None:
    once = {publish.RECORD: 1, publish.MANIFEST: 1}
    assert opens(site_dir) == once  # the first build: neither is there yet
    assert opens(site_dir) == once  # nothing new: the record holds
    (site_dir / "feeds" / "tags" / "israel" / "atom.xml").unlink()
    assert opens(site_dir) == once  # the same catalogue, but the record no longer holds
    edit(site_dir)
    assert opens(site_dir) == once  # another catalogue


def sparse(path: Path, size: int) -> None:
    """Put a file of `size` bytes, taking no disk, where `path` is."""
    path.unlink()
    with path.open("wb") as f:
        f.truncate(size)


@needs_strace
def test_a_file_whose_size_is_not_what_the_manifest_records_is_refused_unread(site_dir: Path) -> None:
    build(site_dir)
    tags = site_dir / "feeds" / "tags"
    replaced, removed = tags / "gaza" / "rss.xml", tags / "israel" / "rss.xml"
    for path in (replaced, removed):
        sparse(path, 3 * 2**30)  # 3 GB to whoever reads it
    catalogue = site_dir / "articles.yaml"
    catalogue.write_text(catalogue.read_text().replace("[Gaza, Israel]", "[Gaza]"))  # Israel's feeds go
    for path, fate in ((replaced, "would be replaced"), (removed, "would be removed")):
        result, read = reads(site_dir, path)
        assert result.returncode == 73, result.stderr
        assert f"feeds/tags/{path.parent.name}/rss.xml ({fate})" in result.stderr
        assert read == []


@needs_strace
def test_a_file_of_unrecorded_size_is_hashed_a_chunk_at_a_time(site_dir: Path) -> None:
    build(site_dir)
    feeds = site_dir / "feeds"
    manifest = json.loads((feeds / publish.MANIFEST).read_text())
    del manifest["sizes"]  # as feedpub wrote it before it kept sizes
    (feeds / publish.MANIFEST).write_text(json.dumps(manifest))
    feed = feeds / "tags" / "gaza" / "rss.xml"
    sparse(feed, 16 * 2**20)
    edit(site_dir)
    result, read = reads(site_dir, feed)
    assert result.returncode == 73, result.stderr
    assert "feeds/tags/gaza/rss.xml (would be replaced)" in result.stderr
    assert sum(got for _, got in read) == 16 * 2**20  # once, to the end
    assert max(asked for asked, _ in read) <= 2**20


def test_an_interrupted_build_has_its_exit_status_documented(site_dir: Path) -> None:
    shown = feedpub("build", "--help", cwd=site_dir).stdout
    assert "130 stopped by Ctrl-C (SIGINT)" in shown
    troubleshooting = ROOT / "docs" / "how-to" / "troubleshooting.md"
    assert "| 130 | stopped by Ctrl-C (SIGINT)" in troubleshooting.read_text(encoding="utf-8")


def test_every_file_a_build_writes_is_one_it_could_write() -> None:
    from test_hosting import rendered, sample

    files = rendered(sample(max_items=1))  # archives, tag archives and every host's file
    assert any("/archive/" in path for path in files) and {"_headers", ".htaccess"} <= set(files)
    assert [path for path in files if not could_write(path)] == []
    audiences = render(valid((DATA / "audiences.yaml").read_text(encoding="utf-8")), NOW)
    assert {path.partition("/")[0] for path in audiences} >= {"authors", "lang", "no-opinion"}
    assert [path for path in audiences if not could_write(path)] == []
    never = [
        "notes.txt",
        "tags/x/page.html",
        "a/b/rss.xml",
        "a/b/index.html",
        ".feedpub.lock",
        "My Feed/rss.xml",
    ]
    # a selection may not take the name of feedpub's own folders
    never += [f"{folder}/atom.xml" for folder in ("tags", "authors", "lang", "archive")]
    assert not any(could_write(p) for p in never)


@pytest.mark.parametrize("budget", ["", "  max_bytes: 100000\n"])
def test_a_build_lets_the_catalogues_bytes_go_before_rendering(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, budget: str
) -> None:
    """Rendering is when a build holds the most memory; the catalogue's bytes are not held
    then, with site.max_bytes too (what it leaves out is placed from the one reading)."""
    import feedpub.render
    from feedpub import build as pipeline

    path = site_dir / "articles.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("articles:\n", f"{budget}articles:\n"))
    digest = hashlib.sha256(path.read_bytes()).digest()
    rendering = feedpub.render.rendered
    seen: list[bool] = []

    def rendered(*args: object, **kwargs: object) -> object:
        frames = [f.f_locals.values() for f, _ in traceback.walk_stack(sys._getframe(1))]
        catalogues = (v for values in frames for v in values if isinstance(v, bytes))
        seen.append(any(hashlib.sha256(v).digest() == digest for v in catalogues))
        return rendering(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feedpub.render, "rendered", rendered)
    request = pipeline.Request(path, site_dir / "feeds", now=NOW, jobs=1)
    assert isinstance(pipeline.build(request), pipeline.Built)
    assert seen == [False]
