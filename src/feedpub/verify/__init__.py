"""Published feeds → problems: RFC 4287's schema for Atom, the RSS 2.0 rules, and the W3C
Feed Validation Service's errors and warnings, checked offline on files on disk.

`feedpub verify` runs it on any folder of feeds, and `verify.http` on each feed a site serves;
the test suite runs it on every feed feedpub produces. Each message names the W3C validator's
message class it stands for.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from feedpub.problems import Problem, Severity, ordered
from feedpub.publish.folder import NotAFile, open_file
from feedpub.verify import atom, rss
from feedpub.verify.common import ATOM, Report

MAX_FEED_BYTES = 64 * 2**20
"""Larger files are not read: a feed of 1,000 entries with 60 KB of HTML each would fit."""


def verify_folder(folder: Path, now: datetime | None = None) -> tuple[int, list[Problem]]:
    """How many feeds the XML files under `folder` hold, and every problem found in them.
    Only regular files in the folder are read, up to MAX_FEED_BYTES: a symbolic link to a
    file is followed only within the folder (links to folders are not followed), and what is
    not read is a problem that says why."""
    moment = now or datetime.now(UTC)
    count, problems = 0, []
    for path, data, refusal in _feed_files(folder):
        if refusal:
            problems.append(Problem(str(path), 1, 1, Severity.ERROR, refusal))
            continue
        feed_problems = verify_document(data, str(path), path.relative_to(folder).as_posix(), moment)
        if feed_problems is not None:
            count += 1
            problems += feed_problems
    return count, ordered(problems)


def _feed_files(folder: Path) -> list[tuple[Path, bytes, str]]:
    """Each *.xml file under `folder`, in order of path, with its bytes, or why it was not
    read; and each symbolic link that leads out of the folder, with why it was not followed."""
    inside = os.path.realpath(folder)
    files: list[tuple[Path, bytes, str]] = []
    walked: list[OSError] = []
    for where, folders, names in os.walk(folder, onerror=walked.append):
        here = Path(where)
        for name in folders:  # os.walk does not descend into links to folders
            target = os.path.realpath(here / name)
            if os.path.islink(here / name) and not _within(target, inside):
                files.append(
                    (here / name, b"", f"is a symbolic link to {target}, outside {folder}; not followed")
                )
        for name in names:
            if name.endswith(".xml"):
                data, refusal = _read(here / name, inside, folder)
                files.append((here / name, data, refusal))
    files += [(Path(e.filename), b"", f"cannot be read: {e.strerror}") for e in walked]
    return sorted(files, key=lambda item: item[0])


def _read(path: Path, inside: str, folder: Path) -> tuple[bytes, str]:
    """The bytes of the regular file at `path`, or b'' and why it was not read."""
    target = os.path.realpath(path)
    if not _within(target, inside):
        return b"", f"is a symbolic link to {target}, outside {folder}; not read"
    try:
        # O_NONBLOCK: opening a FIFO that something replaced the file with must not wait for a writer
        file = open_file(target)
    except NotAFile as e:
        return b"", f"is {e.kind}, not a file; not read"
    except OSError as e:
        return b"", f"cannot be read: {e.strerror}"
    too_large = f"is larger than {MAX_FEED_BYTES // 2**20} MiB; not read"
    with file:
        opened = os.fstat(file.fileno())
        if opened.st_size > MAX_FEED_BYTES:
            return b"", too_large
        data = file.read(MAX_FEED_BYTES + 1)  # it may have grown since
    return (b"", too_large) if len(data) > MAX_FEED_BYTES else (data, "")


def _within(target: str, inside: str) -> bool:
    return target == inside or target.startswith(inside.rstrip(os.sep) + os.sep)


def verify_document(
    data: bytes, path: str, relative: str, now: datetime, root: etree._Element | None = None
) -> list[Problem] | None:
    """The problems of one feed file (None if it is XML but not a feed); `relative` is its
    path under the feeds folder, which its self link must end with, or the URL it was
    fetched from, which its self link must be; `root` is `data` parsed, where it was already."""
    report = Report(path, data, now)
    if root is None:
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
