"""Published feeds → problems: RFC 4287's schema for Atom, the RSS 2.0 rules, and the W3C
Feed Validation Service's errors and warnings, checked offline on files on disk.

`feedpub verify` runs it on any folder of feeds; the test suite runs it on every feed
feedpub produces. Each message names the W3C validator's message class it stands for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from feedpub.problems import Problem, ordered
from feedpub.verify import atom, rss
from feedpub.verify.common import ATOM, Report


def verify_folder(folder: Path, now: datetime | None = None) -> tuple[int, list[Problem]]:
    """How many feeds the XML files under `folder` hold, and every problem found in them."""
    moment = now or datetime.now(UTC)
    count, problems = 0, []
    for path in sorted(folder.rglob("*.xml")):
        relative = path.relative_to(folder).as_posix()
        found = verify_document(path.read_bytes(), str(path), relative, moment)
        if found is not None:
            count += 1
            problems += found
    return count, ordered(problems)


def verify_document(data: bytes, path: str, relative: str, now: datetime) -> list[Problem] | None:
    """The problems of one feed file (None if it is XML but not a feed); `relative` is its
    path under the feeds folder, which its self link must end with."""
    report = Report(path, data, now)
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        line, col = e.position
        report.error(line, col, "SAXError", f"not well-formed XML: {e.msg}")
        return report.problems
    if root.tag == "rss":
        rss.check(root, relative, report)
    elif root.tag == f"{{{ATOM}}}feed":
        atom.check(root, relative, report)
    else:
        return None
    return report.problems
