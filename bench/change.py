"""Ready an incremental build: `python bench/change.py KIND SOURCE LIVE -- BUILD...`.

Copies the generated catalogue SOURCE to LIVE, runs the BUILD command (untimed: it publishes
LIVE as generated, so the output and its state are those of the unchanged catalogue), then
changes LIVE by KIND, as a newsroom would between two cron runs:

- `edit`: the title of the oldest article;
- `add`: a new article, the newest, with one tag;
- `delete`: the article in the middle.

The timed build that follows is the incremental one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ADDED = b"""\
  - id: added-article
    title: "A new article"
    link: https://example.org/articles/added/
    published: 2029-12-31T00:00:00+00:00
    tags: ["Strike 1"]
"""


def changed(data: bytes, kind: str) -> bytes:
    """The catalogue `data` (one that `generate.py` writes) changed by `kind`."""
    if kind == "edit":
        return data.replace(b'    title: "', b'    title: "Edited: ', 1)
    if kind == "add":
        return data + ADDED
    middle = data.count(b"\n  - id: article-") // 2
    start = data.index(f"  - id: article-{middle}\n".encode())
    end = data.index(f"  - id: article-{middle + 1}\n".encode())
    return data[:start] + data[end:]


def main() -> None:
    kind, source, live, separator, *build = sys.argv[1:]
    if kind not in ("edit", "add", "delete") or separator != "--" or not build:
        sys.exit(__doc__)
    shutil.copyfile(source, live)
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
    Path(live).write_bytes(changed(Path(source).read_bytes(), kind))


if __name__ == "__main__":
    main()
