"""The deployment and editing integrations, run as the tools that use them run them: the cron
line in cron's bare environment, the systemd units through systemd-analyze, the pre-commit hook
as a config names it, and `feedpub init`."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT, article, catalogue_text, feedpub, tool
from feedpub import schema
from feedpub.publish import cache

VENV = Path(sys.executable).parent.parent
EXAMPLES = ROOT / "examples"


def site(tmp_path: Path) -> Path:
    """A site checkout at tmp_path/site with feedpub installed in its .venv, as in the examples."""
    home = tmp_path / "site"
    home.mkdir()
    (home / ".venv").symlink_to(VENV, target_is_directory=True)
    (home / "articles.yaml").write_bytes((ROOT / "articles.yaml").read_bytes())
    return home


def test_the_cron_line_works_in_crons_bare_environment_and_speaks_only_on_failure(tmp_path: Path) -> None:
    (line,) = [
        text for text in (EXAMPLES / "cron").read_text().splitlines() if text and not text.startswith("#")
    ]
    home = site(tmp_path)
    command = line.split(None, 5)[5].replace("/srv/site", str(home))

    def run() -> subprocess.CompletedProcess[str]:
        # cron sets HOME (here the site's folder, as for examples/systemd's user) and no more
        bare = ["env", "-i", f"HOME={home}", "/bin/sh", "-c", command]
        return subprocess.run(bare, capture_output=True, text=True, check=False)

    first = run()
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert (home / "feeds" / "atom.xml").is_file()
    assert len(list((home / ".cache" / "feedpub").glob("*.pickle"))) == 1  # kept for the next build
    (home / "articles.yaml").write_text(catalogue_text(article(link="nope")), encoding="utf-8")
    broken = run()
    assert broken.returncode == 1 and "'link': 'nope' is a relative URL" in broken.stderr  # cron mails this


def units(tmp_path: Path) -> Path:
    home = site(tmp_path)
    (home / "feeds").mkdir()
    for unit in ("feedpub.service", "feedpub.timer"):
        text = (EXAMPLES / "systemd" / unit).read_text().replace("/srv/site", str(home))
        (tmp_path / unit).write_text(text)
    return tmp_path


def test_the_systemd_units_verify_and_are_hardened(tmp_path: Path) -> None:
    folder = units(tmp_path)
    verified = subprocess.run(
        [tool("systemd-analyze"), "verify", "feedpub.service", "feedpub.timer"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (verified.returncode, verified.stderr) == (0, ""), verified.stderr
    security = subprocess.run(
        [tool("systemd-analyze"), "security", "--offline=yes", "feedpub.service"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    exposure = float(
        re.search(r"Overall exposure level for feedpub.service: ([\d.]+)", security.stdout).group(1)
    )
    assert exposure < 4.0  # "OK" in systemd's terms; an unhardened service scores 9.6
    service = (folder / "feedpub.service").read_text()
    for setting in ("ProtectSystem=strict", "ReadWritePaths=", "User=feedpub", "SuccessExitStatus=75"):
        assert setting in service


def test_the_systemd_service_lets_a_build_keep_what_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `ProtectSystem=strict` only the paths the unit names are writable: the cache
    folder feedpub finds in the unit's environment must be the one systemd makes for it."""
    service = (EXAMPLES / "systemd" / "feedpub.service").read_text().splitlines()
    settings = dict(line.split("=", 1) for line in service if "=" in line and not line.startswith("#"))
    name, _, value = settings["Environment"].partition("=")
    monkeypatch.setenv(name, value)
    kept = cache.location(Path("feeds"))
    assert kept is not None and kept.parent == Path("/var/cache") / settings["CacheDirectory"]


def test_the_systemd_units_verify_as_shipped_and_their_command_builds(tmp_path: Path) -> None:
    verified = subprocess.run(
        [tool("systemd-analyze"), "verify", "feedpub.service", "feedpub.timer"],
        cwd=EXAMPLES / "systemd",
        capture_output=True,
        text=True,
        check=False,
    )
    assert (verified.returncode, verified.stderr) == (0, ""), verified.stderr
    service = (units(tmp_path) / "feedpub.service").read_text()
    (command,) = [
        line.removeprefix("ExecStart=") for line in service.splitlines() if line.startswith("ExecStart=")
    ]
    built = subprocess.run(
        command.split(), cwd=tmp_path / "site", capture_output=True, text=True, check=False
    )
    assert (built.returncode, built.stdout, built.stderr) == (0, "", "")
    assert (tmp_path / "site" / "feeds" / "atom.xml").is_file()


def test_systemd_analyze_would_catch_a_broken_unit(tmp_path: Path) -> None:
    folder = units(tmp_path)
    service = folder / "feedpub.service"
    service.write_text(service.read_text().replace("ExecStart=/usr/bin/env", "ExecStart=/usr/bin/missing"))
    verified = subprocess.run(
        [tool("systemd-analyze"), "verify", "feedpub.service"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode != 0 and "missing" in verified.stderr


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This checkout's files as they are now (uncommitted changes too, as `pre-commit try-repo`
    takes them) committed in a repository of their own, its commit, and a pre-commit home: made
    once for the run, shared by the test workers, so that the hook's environment is installed
    once (pre-commit locks its home while it installs)."""
    run = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        run = run.parent  # the run's folder, each worker's beside the others'
    shared = run / "pre-commit"
    shared.mkdir(exist_ok=True)
    snapshot, home = shared / "hook-repository", shared / "home"
    git = lambda *args: subprocess.run([tool("git"), *args], cwd=snapshot, check=True, capture_output=True)  # noqa: E731
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker makes it, the others wait for it
        if not (snapshot / ".git").exists():
            listed = subprocess.run(
                [tool("git"), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            ).stdout
            for name in filter(None, listed.decode().split("\0")):
                if (ROOT / name).is_file():  # not a file deleted and not yet committed
                    (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, snapshot / name)
            git("init", "-q")
            git("add", "-A")
            git(
                "-c",
                "user.name=feedpub",
                "-c",
                "user.email=feedpub@example.org",
                "commit",
                "-q",
                "-m",
                "hook",
            )
    return snapshot, git("rev-parse", "HEAD").stdout.decode().strip(), home


@pytest.mark.parametrize(
    ("good", "status", "folder"),
    [(True, 0, ""), (False, 1, ""), (True, 0, "-j/")],  # a path that looks like an option is a file
)
def test_the_pre_commit_hook_checks_changed_catalogues(
    tmp_path: Path, hook_repository: tuple[Path, str, Path], good: bool, status: int, folder: str
) -> None:
    """The hook as the documentation tells users to add it: a config naming the repository
    and a commit of it."""
    hooks, rev, home = hook_repository
    repo = tmp_path / "repo"
    (repo / folder).mkdir(parents=True)
    git = lambda *args: subprocess.run([tool("git"), *args], cwd=repo, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    text = (ROOT / "articles.yaml").read_text(encoding="utf-8")
    (repo / folder / "articles.yaml").write_text(
        text if good else text.replace("  title: ", "  titel: ", 1), encoding="utf-8"
    )
    (repo / "notes.md").write_text("not a catalogue")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: feedpub-check\n"
    )
    git("add", ".")
    result = subprocess.run(
        [str(VENV / "bin" / "pre-commit"), "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(home)},
    )
    assert result.returncode == status, result.stdout + result.stderr
    assert "feedpub check" in result.stdout
    if not good:
        assert (
            "articles.yaml:5:3: error: unknown key 'titel' in 'site' (did you mean 'title'?" in result.stdout
        )


def test_init_writes_a_starter_that_publishes_one_article_and_says_the_draft(tmp_path: Path) -> None:
    made = feedpub("init", cwd=tmp_path)
    assert made.returncode == 0 and "wrote articles.yaml and articles.schema.json" in made.stdout
    starter = (tmp_path / "articles.yaml").read_bytes()
    # the editor's schema line names a file that is there
    first = starter.split(b"\n", 1)[0].decode()
    assert first == "# yaml-language-server: $schema=articles.schema.json"
    assert (tmp_path / "articles.schema.json").read_text() == schema.text()
    assert feedpub("check", cwd=tmp_path).stdout == "articles.yaml: 2 articles (1 draft), 1 tag, ok\n"
    built = feedpub("build", "--now", "2024-06-01T00:00:00Z", cwd=tmp_path)
    assert built.returncode == 0 and built.stdout.startswith("2 articles (1 draft) → "), built.stdout
    atom = feedparser.parse((tmp_path / "feeds" / "atom.xml").read_bytes())
    assert [e.title for e in atom.entries] == ["The first article"]
    again = feedpub("build", "--now", "2024-06-01T00:00:00Z", cwd=tmp_path)  # nothing new: from the record
    assert again.stdout.startswith("2 articles (1 draft) → "), again.stdout
    refused = feedpub("init", cwd=tmp_path)
    assert refused.returncode == 2 and "exists already" in refused.stderr
    assert (tmp_path / "articles.yaml").read_bytes() == starter


def test_init_keeps_a_schema_already_beside_the_catalogue(tmp_path: Path) -> None:
    (tmp_path / "articles.schema.json").write_text("{}\n")
    made = feedpub("init", cwd=tmp_path)
    assert made.returncode == 0 and "wrote articles.yaml:" in made.stdout
    assert (tmp_path / "articles.schema.json").read_text() == "{}\n"
