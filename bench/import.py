"""Time `feedpub import` of a large old feed: `python bench/import.py` (10,000 entries).

Writes a deterministic WordPress-shaped RSS 2.0 feed of N entries (`--entries`; 1 to 5 KB of
HTML in each, CDATA, entities, relative links, 1 to 4 categories, dc:creator, an enclosure
on every tenth), then times, round after round as separate processes, `feedpub import` of it
into a new catalogue, `feedpub check` of what it wrote, and, for reference, `feedpub check`
of bench/run.py's catalogue of as many articles (README's performance table has its time on
an idle machine: a machine busy with other work shows here how much slower it runs). It
prints the median wall and CPU time and the peak RSS of each, and exits 1 if the import
takes `--limit` seconds (10) or more.
"""

from __future__ import annotations

import argparse
import compileall
import random
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from run import run  # bench/ is on the path when a script in it runs

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
WORDS = " ".join(
    [
        "gaza palestine workers strike solidarity imperialism occupation revolution crisis movement",
        "struggle history analysis report protest economy war peace freedom youth international",
    ]
).split()
UNICODE = ["Gázà", "العمال", "Революция", "革命", "✊", "Œuvre", "ça"]


def feed(n: int, seed: int = 5005) -> str:
    """An RSS 2.0 feed of `n` entries in the shape WordPress writes, newest first."""
    rng = random.Random(seed)
    categories = [f"{rng.choice(WORDS).title()} {i}" for i in range(max(1, n // 100))]
    start = datetime(2015, 1, 1, 12, tzinfo=UTC)
    items = []
    for number in range(n, 0, -1):
        moment = start + timedelta(hours=6 * number)
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 9))]
        title = " ".join(words).capitalize() + (f" {rng.choice(UNICODE)}" if number % 7 == 0 else "")
        slug = "-".join(words[:5]) + f"-{number}"
        link = f"https://blog.example.org/{moment:%Y/%m/%d}/{slug}/"
        paragraphs = [
            f"<p>{' '.join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))} &amp; "
            f'<a href="/tag/{rng.choice(WORDS)}/">more</a> <img src="uploads/{number}.jpg" alt="x"></p>'
            for _ in range(rng.randint(2, 8))
        ]
        tags = "".join(
            f"<category><![CDATA[{name}]]></category>"
            for name in rng.sample(categories, min(len(categories), rng.randint(1, 4)))
        )
        enclosure = (
            f'<enclosure url="https://media.example.org/{number}.mp3" '
            f'length="{rng.randint(10**5, 10**8)}" type="audio/mpeg" />'
            if number % 10 == 0
            else ""
        )
        items.append(
            f"""
	<item>
		<title>{title.replace("&", "&#038;")}</title>
		<link>{link}</link>
		<comments>{link}#respond</comments>
		<dc:creator><![CDATA[Author {number % 17}]]></dc:creator>
		<pubDate>{moment:%a, %d %b %Y %H:%M:%S} +0000</pubDate>
		{tags}
		<guid isPermaLink="false">https://blog.example.org/?p={number}</guid>
		<description><![CDATA[{" ".join(words)} [&#8230;]]]></description>
		<content:encoded><![CDATA[{"".join(paragraphs)}]]></content:encoded>
		{enclosure}
	</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	>
<channel>
	<title>Benchmark Blog</title>
	<atom:link href="https://blog.example.org/feed/" rel="self" type="application/rss+xml" />
	<link>https://blog.example.org</link>
	<description>A generated feed for measuring feedpub import.</description>
	<language>en-US</language>
	<generator>https://wordpress.org/?v=6.4.2</generator>
{"".join(items)}
</channel>
</rss>
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--entries", type=int, default=10_000, help="entries in the feed (default: %(default)s)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default: %(default)s)")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds the import must stay under")
    args = parser.parse_args()
    compileall.compile_dir(HERE.parent / "src" / "feedpub", quiet=1)
    DATA.mkdir(exist_ok=True)
    source = DATA / f"feed-{args.entries}.xml"
    if not source.exists():
        source.write_text(feed(args.entries), encoding="utf-8")
    catalogue = DATA / f"imported-{args.entries}.yaml"
    python = sys.executable
    reference = DATA / f"catalogue-{args.entries}.yaml"  # bench/run.py's
    if not reference.exists():
        subprocess.run([python, str(HERE / "generate.py"), str(args.entries), str(reference)], check=True)
    commands = {
        "feedpub import": [python, "-m", "feedpub", "import", "--catalogue", str(catalogue), str(source)],
        "feedpub check (of the result)": [python, "-m", "feedpub", "check", "--catalogue", str(catalogue)],
        "reference: check of run.py's": [python, "-m", "feedpub", "check", "--catalogue", str(reference)],
    }
    print(
        f"{args.entries:,} entries ({source.stat().st_size / 2**20:.1f} MiB of RSS), median of {args.repeat}",
        flush=True,
    )
    rounds = []
    for _ in range(args.repeat):
        catalogue.unlink(missing_ok=True)
        rounds.append({name: run(command) for name, command in commands.items()})
    print(f"  the catalogue written: {catalogue.stat().st_size / 2**20:.1f} MiB")
    print(f"  {'':30} {'wall':>8} {'CPU':>8} {'peak RSS':>9}")
    for name in commands:
        times, cpus, peaks = zip(*(done[name] for done in rounds), strict=True)
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"  {name:30} {statistics.median(times):6.2f} s {statistics.median(cpus):6.2f} s "
            f"{max(peaks):5.0f} MiB  (wall times: {runs})"
        )
    median = statistics.median(done["feedpub import"][0] for done in rounds)
    if median >= args.limit:
        sys.exit(f"feedpub import took {median:.2f} s, not under {args.limit:g} s")


if __name__ == "__main__":
    main()
