"""Crash safety under SIGKILL: `python bench/soak.py [--kills N] [--articles M] [--seed S]`.

Builds two different generated catalogues, A and B, into reference folders, then alternately
starts a build of A or of B into one shared folder and SIGKILLs it after a random delay. After
every kill each visible file in the shared folder must be a whole feed, byte for byte A's or B's;
after every build that ends on its own the folder must be exactly that catalogue's reference,
with no temporary file left. Prints a summary; exits 1 if anything was inconsistent.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from feedpub.publish import TEMP_PREFIX

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so a test can import this file too
from generate import catalogue

NOW = "2030-01-01T00:00:00Z"
CHECK_EVERY = 10
"""Every this many iterations, an unkilled build must bring the folder to its reference."""

Files = dict[str, bytes]


@dataclass
class Reference:
    """A catalogue and the feeds and folders a complete build of it leaves."""

    name: str
    catalogue: Path
    files: Files
    folders: set[str]


@dataclass
class SoakResult:
    """Counts of one soak run, and every inconsistency found."""

    articles: tuple[int, int]
    """In A and in B."""
    started: int = 0
    kills: int = 0
    completed: int = 0
    mid_write: int = 0
    """Kills that changed the folder yet left it short of the new feeds: caught while writing."""
    swept: int = 0
    """Temporary files seen after a kill and gone after a later build."""
    only_in_a: int = 0
    only_in_b: int = 0
    build_seconds: float = 0.0
    elapsed: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def inconsistencies(self) -> int:
        return len(self.problems)


def snapshot(folder: Path) -> tuple[Files, set[str]]:
    """Every file under `folder`, hidden ones included, and every folder."""
    files: Files = {}
    folders: set[str] = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir():
            folders.add(relative)
        else:
            files[relative] = path.read_bytes()
    return files, folders


def is_hidden(path: str) -> bool:
    return path.rpartition("/")[2].startswith(".")


def is_temporary(path: str) -> bool:
    return path.rpartition("/")[2].startswith(TEMP_PREFIX)


def visible(files: Files) -> Files:
    """The feeds among `files`: feedpub's lock, manifest and temporary files are hidden."""
    return {path: data for path, data in files.items() if not is_hidden(path)}


def fault_after_kill(path: str, data: bytes, refs: tuple[Reference, ...]) -> str | None:
    """Why a visible file left by a killed build is not a whole old or new feed, or None."""
    versions = {ref.name: ref.files[path] for ref in refs if path in ref.files}
    if not versions:
        return "in neither reference build"
    if data not in versions.values():
        for name, version in versions.items():
            if len(data) < len(version) and version.startswith(data):
                return f"partial file: the first {len(data)} of {len(version)} bytes of {name}'s"
        return f"{len(data)} bytes equal to neither version ({', '.join(versions)})"
    try:
        if path.endswith(".json"):
            json.loads(data)
        elif not path.endswith(".html"):  # an HTML page is checked byte for byte above
            etree.fromstring(data)
    except (etree.XMLSyntaxError, ValueError) as e:
        return f"does not parse: {e}"
    return None


def check_after_kill(files: Files, refs: tuple[Reference, ...]) -> list[str]:
    """Problems with the visible files a killed build left: each must be A's or B's, whole."""
    found = ((path, fault_after_kill(path, data, refs)) for path, data in sorted(visible(files).items()))
    return [f"{path}: {fault}" for path, fault in found if fault]


def check_complete(files: Files, folders: set[str], ref: Reference) -> list[str]:
    """Problems with a folder that a completed build of `ref` left: the same feeds, folders and
    bytes as `ref`, and no temporary file."""
    feeds, expected = visible(files), ref.files
    problems = [f"{path}: temporary file not swept" for path in sorted(files) if is_temporary(path)]
    problems += [f"{path}: not in {ref.name}" for path in sorted(feeds.keys() - expected.keys())]
    problems += [f"{path}: missing (in {ref.name})" for path in sorted(expected.keys() - feeds.keys())]
    problems += [
        f"{path}: differs from {ref.name}"
        for path in sorted(feeds.keys() & expected.keys())
        if feeds[path] != expected[path]
    ]
    problems += [f"{path}/: folder left behind (not in {ref.name})" for path in sorted(folders - ref.folders)]
    return problems


def build_command(ref: Reference, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "feedpub",
        "build",
        "-q",
        "--catalogue",
        str(ref.catalogue),
        "--out",
        str(out),
        "--now",
        NOW,
        "--allow-shrink",  # A has fewer articles than B, which it replaces every other time
    ]


def build(ref: Reference, out: Path) -> subprocess.CompletedProcess[str]:
    """Run one build to the end."""
    return subprocess.run(build_command(ref, out), capture_output=True, text=True, check=False)


def reference(name: str, text: str, workdir: Path) -> Reference:
    """Write catalogue `name` and build it into its own folder."""
    path = workdir / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    ref = Reference(name, path, {}, set())
    out = workdir / f"ref{name}"
    result = build(ref, out)
    if result.returncode != 0:
        raise RuntimeError(f"reference build of {name} failed ({result.returncode}): {result.stderr}")
    files, ref.folders = snapshot(out)
    ref.files = visible(files)
    return ref


def run_soak(kills: int, articles: int, seed: int, workdir: Path, mid_writes: int = 0) -> SoakResult:
    """Kill builds into one shared folder in `workdir` until `kills` of them died mid-build and
    `mid_writes` of those between their first and last write (or ten times `kills` died), checking
    the folder after each; every problem is printed as found and kept in the result."""
    started = time.perf_counter()
    result = SoakResult(articles=(articles, articles + articles // 10))
    refs = (
        reference("A", catalogue(result.articles[0], seed), workdir),
        reference("B", catalogue(result.articles[1], seed + 1), workdir),
    )
    result.only_in_a = len(refs[0].files.keys() - refs[1].files.keys())
    result.only_in_b = len(refs[1].files.keys() - refs[0].files.keys())
    timing = time.perf_counter()
    build(refs[0], workdir / "timing")
    result.build_seconds = time.perf_counter() - timing

    rng = random.Random(seed)
    shared = workdir / "shared"
    shared.mkdir()
    pending: set[str] = set()  # temporary files seen and not yet gone
    known: set[str] = set()  # problems found so far

    def flag(event: str, problem: str) -> None:
        """Record and print `problem`, unless it was found before and has lasted."""
        if problem in known:
            return
        known.add(problem)
        result.problems.append(f"{event}: {problem}")
        print(f"inconsistency after {event}: {problem}", flush=True)

    def inspect(event: str, complete: Reference | None) -> Files:
        """Check the shared folder after `event`: as a completed build of `complete` if given,
        else as one a kill interrupted."""
        nonlocal pending
        files, folders = snapshot(shared)
        problems = check_complete(files, folders, complete) if complete else check_after_kill(files, refs)
        for problem in problems:
            flag(event, problem)
        temporaries = {path for path in files if is_temporary(path)}
        result.swept += len(pending - temporaries)
        pending = temporaries
        return files

    def ended(ref: Reference, event: str, status: int, stderr: str) -> None:
        """Check a build that ended on its own."""
        result.completed += 1
        if status != 0:
            flag(event, f"build exited {status}: {stderr.strip()}")
        inspect(event, ref)

    def more() -> bool:
        """Whether to kill another build. How many kills land among the writes depends on how
        fast builds run then, which the machine's load changes from moment to moment."""
        return result.kills < kills or (result.mid_write < mid_writes and result.kills < 10 * kills)

    iteration = 0
    while more():
        ref = refs[iteration % 2]
        before, _ = snapshot(shared)
        # Most of a build is reading and rendering; its writes come last, so aim the kills there
        # half of the time, and anywhere in it (or after it ends) the other half.
        late = rng.random() < 0.5
        delay = rng.uniform(0.7 if late else 0, 1.1 if late else 1.3) * result.build_seconds
        event = f"iteration {iteration} ({ref.name}, {delay:.3f} s)"
        process = subprocess.Popen(
            build_command(ref, shared), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        result.started += 1
        time.sleep(delay)  # not process.wait(delay), which polls only every 50 ms
        process.send_signal(signal.SIGKILL)  # does nothing if the build has ended
        _, stderr = process.communicate()
        if process.returncode == -signal.SIGKILL:
            result.kills += 1
            after = inspect(f"{event}, killed", None)
            done = visible(after) == ref.files and not any(map(is_temporary, after))
            result.mid_write += after != before and not done
        else:
            ended(ref, f"{event}, completed", process.returncode, stderr)
        iteration += 1
        if iteration % CHECK_EVERY == 0 or not more():
            check = refs[(iteration // CHECK_EVERY) % 2]
            result.started += 1
            finished = build(check, shared)
            event = f"unkilled build of {check.name} after iteration {iteration - 1}"
            ended(check, event, finished.returncode, finished.stderr)
    result.elapsed = time.perf_counter() - started
    return result


def summary(result: SoakResult, seed: int) -> str:
    """The result as a two-column table."""
    rows = [
        ("builds started", str(result.started)),
        ("kills", str(result.kills)),
        ("  of them mid-write", str(result.mid_write)),
        ("completed builds", str(result.completed)),
        ("inconsistencies found", str(result.inconsistencies)),
        ("temporary files swept", str(result.swept)),
        ("elapsed seconds", f"{result.elapsed:.1f}"),
    ]
    head = (
        f"soak: A = {result.articles[0]} articles, B = {result.articles[1]} (seed {seed}); "
        f"{result.only_in_a} files only in A, {result.only_in_b} only in B; "
        f"full build {result.build_seconds:.2f} s"
    )
    width = max(len(name) for name, _ in rows)
    return "\n".join([head, *(f"{name:<{width}}  {value:>8}" for name, value in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description="SIGKILL real builds and check the output each time.")
    parser.add_argument("--kills", type=int, default=200, help="builds to kill (default: %(default)s)")
    parser.add_argument("--articles", type=int, default=3000, help="articles in A (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="feedpub-soak-") as workdir:
        result = run_soak(args.kills, args.articles, args.seed, Path(workdir))
    print(summary(result, args.seed))
    return 1 if result.inconsistencies else 0


if __name__ == "__main__":
    sys.exit(main())
