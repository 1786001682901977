"""Time feedpub against the script a user would write instead: `python bench/run.py`.

For each catalogue size it runs, as separate processes on the same generated catalogue:
the naive baseline with PyYAML's pure-Python and C loaders, `feedpub build` into an empty
folder, `feedpub build` again with nothing changed, `feedpub build` after one article's title
is edited, one article added and one deleted (incremental builds: see `change.py`),
`feedpub build --jobs 1` (one process, as on a machine with one core), `feedpub check` with
and without --jobs 1, and the floor (a process that only reads and hashes the catalogue). It
prints, for each command, the median wall and CPU time of --repeat rounds and the peak RSS,
as a Markdown table, then the ratios the performance targets are stated in. `--tags` and
`--writers` give the catalogue another shape (see bench/generate.py): `--tags 100 --writers 0`
is a small newsroom's, 100 tags and a single author.
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
NOW = "2030-01-01T00:00:00Z"
CHANGES = ("edit", "add", "delete")
"""The changes timed as incremental builds (see `change.py`)."""
FLOOR = "import hashlib, sys; hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest()"


def run(command: list[str], before: list[str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user and system, with any process it forked) and peak RSS
    (MiB) of one run of `command`, `before` run (untimed) ahead. The peak is that of the
    process or of a process it forked, whichever is larger. On a machine shared with other
    work, the CPU time says what the run costs better than the wall time."""
    if before:
        subprocess.run(before, check=True)
    times = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}")
    after = os.times()
    cpu = (after.children_user - times.children_user) + (after.children_system - times.children_system)
    return elapsed, cpu, usage.ru_maxrss / 1024


def catalogue(n: int, shape: list[str]) -> Path:
    path = DATA / f"catalogue-{n}{''.join(shape)}.yaml"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(path), *shape], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="article counts (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default: %(default)s)")
    parser.add_argument("--tags", type=int, help="tags (default: one per 100 articles)")
    parser.add_argument("--writers", type=int, help="writers besides the desk (default: one per 500)")
    args = parser.parse_args()
    shape = [f"--tags={args.tags}"] if args.tags is not None else []
    shape += [f"--writers={args.writers}"] if args.writers is not None else []
    python = sys.executable
    # the command as cron and systemd run it (README): the script pip installs beside Python,
    # which starts without runpy's imports
    feedpub = str(Path(python).with_name("feedpub"))
    # as an installed package is: otherwise, with PYTHONDONTWRITEBYTECODE set, every run
    # would compile feedpub's modules again
    compileall.compile_dir(HERE.parent / "src" / "feedpub", quiet=1)
    # what builds keep for the next goes beside the catalogues, not into the user's cache
    os.environ["XDG_CACHE_HOME"] = str(DATA / "cache")
    results: dict[int, list[dict[str, tuple[float, float, float]]]] = {}
    for n in (int(s) for s in args.sizes.split(",")):
        path = catalogue(n, shape)
        out = DATA / f"out-{n}"
        # The previous round's output is removed and the removal written back, untimed: a
        # build's fsyncs would otherwise wait for the journal to write those deletions first.
        remove = f"import os, shutil; shutil.rmtree({str(out)!r}, ignore_errors=True); os.sync()"
        clean = [python, "-c", remove]
        baseline = [python, str(HERE / "baseline.py"), str(path), str(out)]
        build = [feedpub, "build", "-q", "--catalogue", str(path), "--out", str(out), "--now", NOW]
        # incremental builds publish a copy that each round changes, into their own folder
        live = path.with_name(path.name.replace("catalogue-", "live-"))
        live_out = DATA / f"live-{n}"
        live_build = [*build[:3], "--catalogue", str(live), "--out", str(live_out), "--now", NOW]
        live_build.append("--allow-shrink")  # after the deletion, the untimed build restores it
        ready = [python, str(HERE / "change.py")]
        changed = {kind: [*ready, kind, str(path), str(live), "--", *live_build] for kind in CHANGES}

        runs = {
            "baseline (safe_load)": (baseline, clean),
            "baseline (CSafeLoader)": ([*baseline, "--c-loader"], clean),
            "feedpub build": (build, clean),
            "feedpub build, unchanged": (build, None),
            "build, one title edited": (live_build, changed["edit"]),
            "build, one article added": (live_build, changed["add"]),
            "build, one article deleted": (live_build, changed["delete"]),
            "feedpub build --jobs 1": ([*build, "--jobs", "1"], clean),
            "feedpub check": ([feedpub, "check", "--catalogue", str(path)], None),
            "feedpub check --jobs 1": ([feedpub, "check", "--jobs", "1", "--catalogue", str(path)], None),
            "floor (read + hash)": ([python, "-c", FLOOR, str(path)], None),
        }
        size = path.stat().st_size / 2**20
        print(f"\n{n:,} articles ({size:.0f} MiB of YAML) {' '.join(shape)}".rstrip(), flush=True)
        print(f"  load average {os.getloadavg()[0]:.1f}", flush=True)
        # Round after round of every command, so that a machine slowing down or speeding up
        # between rounds weighs on all of them alike.
        rounds = [{name: run(*runs[name]) for name in runs} for _ in range(args.repeat)]
        results[n] = rounds
        print(f"  load average {os.getloadavg()[0]:.1f}\n")
        print("| command | wall | CPU | peak memory |\n| --- | ---: | ---: | ---: |")
        for name in runs:
            times, cpus, peaks = zip(*(done[name] for done in rounds), strict=True)
            print(
                f"| {name} | {statistics.median(times):.2f} s | {statistics.median(cpus):.2f} s "
                f"| {max(peaks):,.0f} MiB |",
                flush=True,
            )
        for folder in (out, live_out):
            shutil.rmtree(folder, ignore_errors=True)
    report(results)


RATIOS = {
    "build / C baseline (≤ 0.6)": ("feedpub build", "baseline (CSafeLoader)"),
    "check / C baseline (≤ 0.3)": ("feedpub check", "baseline (CSafeLoader)"),
    "unchanged / floor (≤ 2)": ("feedpub build, unchanged", "floor (read + hash)"),
    "edited / build (≤ 0.1)": ("build, one title edited", "feedpub build"),
    "added / build (≤ 0.1)": ("build, one article added", "feedpub build"),
    "deleted / build (≤ 0.1)": ("build, one article deleted", "feedpub build"),
    "build --jobs 1 / C baseline": ("feedpub build --jobs 1", "baseline (CSafeLoader)"),
    "check --jobs 1 / C baseline": ("feedpub check --jobs 1", "baseline (CSafeLoader)"),
}
"""Each ratio is taken within a round, of two runs minutes apart at most, then the median of
the rounds': a machine that speeds up or slows down between rounds moves it less than a
ratio of medians."""


def report(results: dict[int, list[dict[str, tuple[float, float, float]]]]) -> None:
    """The ratios of wall time, median and (in brackets) spread over the rounds, then the
    median ratio of CPU time (user and system, both processes), which other work on a shared
    machine moves less; and the ratio of peak memory."""
    print(f"\n| articles | {' | '.join(RATIOS)} | build peak / C baseline peak (≤ 1) |")
    print("|---:" * (len(RATIOS) + 2) + "|")
    for n, rounds in results.items():
        cells = []
        for mine, theirs in RATIOS.values():
            wall = [done[mine][0] / done[theirs][0] for done in rounds]
            cpu = statistics.median(done[mine][1] / done[theirs][1] for done in rounds)
            cells.append(f"{statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f}), CPU {cpu:.2f}")
        peak = max(done["feedpub build"][2] for done in rounds) / max(
            done["baseline (CSafeLoader)"][2] for done in rounds
        )
        print(f"| {n:,} | {' | '.join(cells)} | {peak:.2f} |")
    sizes = sorted(results)
    for small, large in itertools.pairwise(sizes):
        ratio = statistics.median(d["feedpub build"][0] for d in results[large]) / statistics.median(
            d["feedpub build"][0] for d in results[small]
        )
        print(
            f"\nbuild time grows {ratio:.1f}x from {small:,} to {large:,} articles "
            f"({large // small}x the articles)"
        )


if __name__ == "__main__":
    main()
