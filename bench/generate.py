"""Write a deterministic, realistic catalogue of N articles: `python bench/generate.py N OUT`.

N/100 tags (or --tags) with a skewed (Zipf-like) popularity, 1 to 6 tags an article, HTML
content of 1 to 5 KB on half of them, unicode titles, some drafts and some updates; N/500
writers (or --writers), also skewed, each article by one of them or (one in five) by the
site's desk, so that the build writes a feed for each author. With `--writers 0` every article
is the desk's, a single author, as in a small newsroom (and as this script wrote before it had
writers). The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = " ".join(
    [
        "gaza palestine workers strike solidarity imperialism occupation revolution crisis movement",
        "struggle history analysis report protest economy war peace freedom youth international",
        "class capital labour union ceasefire siege hospital refugees",
    ]
).split()
UNICODE = ["Gázà", "العمال", "רבולוציה", "Революция", "革命", "✊", "Ñandú", "Œuvre", "ça"]
SITE = """\
site:
  title: Benchmark Gazette
  link: https://example.org/
  feed_url: https://example.org/feeds/
  description: A generated catalogue for measuring feedpub.
  timezone: Europe/London
  author: {name: Desk, email: desk@example.org}
articles:
"""


def catalogue(
    n: int, seed: int = 5005, *, tag_count: int | None = None, writer_count: int | None = None
) -> str:
    rng = random.Random(seed)
    tag_count = max(1, n // 100) if tag_count is None else tag_count
    writer_count = max(1, n // 500) if writer_count is None else writer_count
    tags = [f"{rng.choice(WORDS).title()} {i}" for i in range(tag_count)]
    weights = [1 / (rank + 1) for rank in range(len(tags))]
    bylines = random.Random(seed + 1)  # its own draws: the rest stays as it was before writers
    writers = [f"{bylines.choice(UNICODE)} {bylines.choice(WORDS).title()} {i}" for i in range(writer_count)]
    writer_weights = [1 / (rank + 1) for rank in range(len(writers))]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - a JSON string is a YAML string
    out = [SITE]
    for i in range(n):
        words = [*rng.sample(WORDS, 6), rng.choice(UNICODE)]
        published = start + timedelta(minutes=i * 47 + rng.randrange(40))
        lines = [
            f"  - id: article-{i}",
            f"    title: {q(' '.join(words).capitalize() + f' #{i}')}",
            f"    link: https://example.org/articles/{i}/",
            f"    published: {published.isoformat()}",
            f"    summary: {q(' '.join(rng.choices(WORDS, k=30)))}",
            f"    tags: {q(sorted(set(rng.choices(tags, weights, k=rng.randint(1, 6)))))}",
        ]
        if writers and bylines.random() < 0.8:
            lines.append(f"    author: {{name: {q(bylines.choices(writers, writer_weights)[0])}}}")
        if rng.random() < 0.1:
            lines.append(f"    updated: {(published + timedelta(days=rng.randint(1, 30))).isoformat()}")
        if rng.random() < 0.02:
            lines.append("    draft: true")
        if rng.random() < 0.5:
            size = rng.randint(1000, 5000)
            paragraphs = []
            while sum(map(len, paragraphs)) < size:
                text = " ".join(rng.choices(WORDS + UNICODE, k=25))
                paragraphs.append(f'<p>{text} <a href="/articles/{rng.randrange(n)}/">more</a></p>')
            lines.append(f"    content: {q(''.join(paragraphs))}")
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="articles")
    parser.add_argument("out", type=Path, help="the catalogue to write")
    parser.add_argument("--tags", type=int, help="tags (default: N/100)")
    parser.add_argument("--writers", type=int, help="writers besides the site's desk (default: N/500)")
    args = parser.parse_args()
    args.out.write_text(catalogue(args.n, tag_count=args.tags, writer_count=args.writers), encoding="utf-8")


if __name__ == "__main__":
    main()
