"""The catalogue the import writes to: read and checked before, appended to, validated with
feedpub's own reader, and replaced atomically.

What the user wrote is never rewritten: new articles are appended as text after the last
one, which is safe only if `articles` is the last top-level key and a block-style list (or
empty). The result is read back as `feedpub check` reads it; what it refuses in a new
article is dropped (an optional field) or skips the article, and the articles that were
there must read back exactly as before, or nothing is written.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from feedpub import load, reading, source
from feedpub.catalogue.fields import ARTICLE
from feedpub.importer import yaml_text
from feedpub.importer.mapping import Draft, Skipped
from feedpub.importer.old import Refused, Why
from feedpub.model import Catalogue
from feedpub.problems import Code, Problem, Severity

_ARTICLE_FIELD = re.compile(r"articles\[(\d+)\]\.?([A-Za-z_]*)(?:\[(\d+)\])?\.?([A-Za-z_]*)")
_REQUIRED = frozenset(field.name for field in ARTICLE.required)
_MAX_ROUNDS = 8


@dataclass
class Existing:
    """The catalogue as it was before the import (None fields: there was none)."""

    path: Path
    data: bytes = b""
    catalogue: Catalogue | None = None
    dash: str = "  "
    """The indentation of its articles' dashes, which new ones follow."""
    newline: str = "\n"
    stat: os.stat_result | None = None


def read(path: Path) -> Existing:
    """The catalogue at `path`, checked to be valid and safe to append to; an empty Existing
    if there is no file."""
    try:
        stat = path.stat()
        data = source.read(path)
    except FileNotFoundError:
        return Existing(path)
    except source.TooLarge as e:
        raise Refused(Why.INVALID, f"'{path}': {e}; nothing was written") from None
    except OSError as e:
        raise Refused(Why.IO, f"cannot read catalogue '{path}': {e.strerror}") from None
    catalogue, problems = reading.read(data, str(path), jobs=1)
    if catalogue is None:
        raise Refused(
            Why.INVALID,
            f"'{path}' has problems of its own; fix them ('feedpub check') before importing into it: "
            + "; ".join(str(p) for p in problems if p.severity is Severity.ERROR),
        )
    root, _ = load.parse(data, str(path))
    assert root is not None
    dash = _dash(root, data, path)
    newline = "\r\n" if b"\r\n" in data else "\r" if b"\r" in data and b"\n" not in data else "\n"
    return Existing(path, data, catalogue, dash, newline, stat)


def _dash(root: yaml.MappingNode, data: bytes, path: Path) -> str:
    """The indentation of the articles' dashes, if the catalogue can be appended to."""
    why = None
    last_key, articles = root.value[-1]
    if root.flow_style:
        why = "the catalogue is written as one {…} mapping"
    elif last_key.value != "articles":
        why = f"'articles' is not the last top-level key ('{last_key.value}' follows it)"
    elif isinstance(articles, yaml.SequenceNode) and articles.flow_style:
        why = "'articles' is written as a [...] list"
    elif not isinstance(articles, yaml.SequenceNode) and not (
        isinstance(articles, yaml.ScalarNode) and articles.tag.endswith(":null") and not articles.value
    ):
        why = "'articles' is not a list"
    else:
        # at the start of a line, '...' and '---' end the document (in a block scalar they
        # would be indented): after the articles, what is appended would be another document
        tail = data.decode("utf-8", "replace").splitlines()[last_key.start_mark.line + 1 :]
        if any(line.startswith(("...", "---")) for line in tail):
            why = "the document ends ('...' or '---') after the articles"
    if why:
        raise Refused(
            Why.INVALID,
            f"cannot append to '{path}' safely: {why}. feedpub import adds articles at the end of "
            "the file, after the last one; move 'articles:' to the end, as a list of '- ' items, "
            "and import again",
        )
    if isinstance(articles, yaml.SequenceNode) and articles.value:
        return " " * articles.start_mark.column
    return "  "


def starter(path: str | Path) -> str:
    """The least catalogue `feedpub check` takes, to write where the import cannot make one."""
    return (
        f"{path} as the two lines `site: {{title: …, link: https://…/, feed_url: https://…/feeds/, "
        "description: …, author: {name: …}}` and `articles:`"
    )


@dataclass
class NewSite:
    """The site block of a catalogue the import creates."""

    fields: dict[str, Any]
    notes: dict[str, list[str]]
    sources: list[str]

    def text(self) -> str:
        return yaml_text.site(self.fields, self.notes, self.sources)


@dataclass
class Settled:
    data: bytes
    catalogue: Catalogue
    written: list[Draft]
    skipped: list[Skipped] = field(default_factory=list)
    already: int = 0


def settle(
    existing: Existing, site: NewSite | None, drafts: list[Draft], warn: Callable[[str], None]
) -> Settled:
    """The catalogue's new bytes with as many `drafts` as `feedpub check` accepts: the
    existing text (or `site`, for a new catalogue) then the drafts, each problem in a draft
    dropping the optional field it is in, or the draft (reported)."""
    path = str(existing.path)
    before = len(existing.catalogue.articles) if existing.catalogue else 0
    skipped: list[Skipped] = []
    already = 0
    for _ in range(_MAX_ROUNDS):
        head = site.text().encode() if site is not None else existing.data
        if head and not head.endswith(b"\n"):
            head += existing.newline.encode()
        tail = "".join(yaml_text.article(d, existing.dash) for d in drafts)
        data = head + tail.replace("\n", existing.newline).encode()
        catalogue, problems = reading.read(data, path, jobs=2)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if catalogue is not None and not errors:
            duplicates = _already_there(existing.catalogue, catalogue, before)
            if not duplicates:
                _same_as_before(existing, catalogue, before)
                return Settled(data, catalogue, drafts, skipped, already)
            already += len(duplicates)
            drafts = [d for i, d in enumerate(drafts) if i not in duplicates]
            continue
        fixes: dict[int, list[Problem]] = {}
        for problem in errors:
            place = _ARTICLE_FIELD.match(problem.field)
            if site is not None and place is None and _fix_site(site, problem, warn):
                continue
            if site is not None and place is None:
                # the file does not exist, so its lines would point nowhere: say what of the feed
                raise Refused(
                    Why.INVALID,
                    "the site block made from the sources would not pass 'feedpub check' ("
                    + "; ".join(
                        f"{p.field}: {p.message}" for p in errors if not _ARTICLE_FIELD.match(p.field)
                    )
                    + f"), and nothing was written: write {starter(path)} with the site's own values, "
                    "and import into it",
                )
            if place is None or int(place.group(1)) < before:
                raise Refused(
                    Why.INVALID,
                    "the imported catalogue would not pass 'feedpub check', and nothing was written: "
                    + "; ".join(str(p) for p in errors),
                )
            fixes.setdefault(int(place.group(1)) - before, []).append(problem)
        kept = []
        for index, draft in enumerate(drafts):
            refused = _fix(draft, fixes.get(index, []), warn, _site_names(existing, site))
            if refused is None:
                kept.append(draft)
            elif refused.code is Code.DUPLICATE_VALUE:  # a guid or an Atom id the catalogue has
                already += 1
            else:
                skipped.append(Skipped(draft.where, draft.label, refused.message))
        drafts = kept
    raise Refused(
        Why.INVALID, "the imported entries could not be made to pass 'feedpub check'; nothing was written"
    )


def _fix_site(site: NewSite, problem: Problem, warn: Callable[[str], None]) -> bool:
    """Mend in a new site block the field `problem` is about: an optional one is dropped, a
    title, description or author's name that `check` refuses gives way to the host, the title
    and the title; False if it is none of these."""
    name, _, part = problem.field.removeprefix("site.").partition(".")
    fields = site.fields
    host = urlsplit(str(fields["link"])).netloc
    stand_ins = {"title": (host, "its host"), "description": (fields["title"], "its title")}
    if name in stand_ins and fields.get(name) != stand_ins[name][0]:
        fields[name], instead = stand_ins[name]
    elif name in ("author", "authors") and part == "name":
        for author in [fields["author"]] if name == "author" else fields["authors"]:
            author["name"] = fields["title"]
        instead = "its title"
    elif name == "language" or (name in ("author", "authors") and part in ("email", "uri")):
        value = fields.get(name)
        if name == "language":
            fields.pop(name, None)
        elif isinstance(value, dict):
            value.pop(part, None)
        instead = ""
    elif name == "podcast" and fields.get("podcast"):
        show = fields["podcast"]
        # an optional field goes, else the show: the feeds are then no podcast's until it is set
        field = part.partition(".")[0]
        dropped = field if field in show and field not in ("image", "categories") else "podcast"
        if dropped == "podcast":
            fields.pop("podcast")
        else:
            show.pop(field)
        what = "podcast" if dropped == "podcast" else f"podcast's {dropped}"
        warn(f"the site's {what} is left out: {problem.message}")
        site.notes.setdefault(name, []).append(f"left out the feed's {dropped}: {problem.message}")
        return True
    else:
        return False
    what = f"{name}{'.' + part if part else ''}"
    warn(f"the site's {what} is {f'replaced by {instead}' if instead else 'left out'}: {problem.message}")
    site.notes.setdefault(name, []).append(
        f"{'replaced' if instead else 'left out'} the feed's {part or name}: {problem.message}"
    )
    return True


def _site_names(existing: Existing, site: NewSite | None) -> str:
    if site is not None:
        return ", ".join(a["name"] for a in site.fields.get("authors") or [site.fields["author"]])
    assert existing.catalogue is not None
    return ", ".join(a.name for a in existing.catalogue.site.authors)


def _fix(
    draft: Draft, problems: list[Problem], warn: Callable[[str], None], site_names: str
) -> Problem | None:
    """Drop from `draft` what `problems` are about; the problem that makes the draft go whole,
    if one does: one about the article itself, a required field, its want of an author, or a
    value another article has. An article left without an author is the site's
    (`site_names`), which is said."""
    for problem in problems:
        place = _ARTICLE_FIELD.match(problem.field)
        assert place is not None
        name, index, part = place.group(2), place.group(3), place.group(4)
        message = problem.message
        if not name or name in _REQUIRED or name not in draft.fields:
            return problem
        if problem.code in (Code.MISSING_AUTHOR, Code.DUPLICATE_VALUE):
            return problem
        fields = draft.fields
        # an author's address or URI can go, the author staying; anything else goes whole
        personal = name in ("author", "authors") and part in ("email", "uri")
        if index is not None and isinstance(fields[name], list) and int(index) < len(fields[name]):
            if personal:
                fields[name][int(index)].pop(part, None)
                what = f"{name}[{index}].{part}"
            else:
                fields[name][int(index)] = None
                what = f"{name}[{index}]"
        elif personal and isinstance(fields[name], dict):
            fields[name].pop(part, None)
            what = f"{name}.{part}"
        else:
            fields[name] = None
            what = name
        credited = ""
        if name in ("author", "authors") and not any(fields.get(n) for n in ("author", "authors")):
            credited = f"; with no author of its own, the article is credited to the site's ({site_names})"
        draft.note(name if fields.get(name) else "", f"left out the entry's {what}: {message}{credited}")
        warn(f'{draft.where}: "{draft.label}": left out its {what}: {message}{credited}')
    for name in list(draft.fields):
        value = draft.fields[name]
        if isinstance(value, list):
            value = draft.fields[name] = [v for v in value if v is not None]
        if value is None or value == []:
            del draft.fields[name]
    return None


def _already_there(before: Catalogue | None, after: Catalogue, count: int) -> set[int]:
    """Which new articles have a guid an article before them has, or a link one without a guid
    of its own has (links compared as feedpub writes them, which the raw text cannot show):
    two articles with different guids are two entries, whatever their links."""
    seen_guids = {a.guid for a in after.articles[:count] if a.guid}
    unkeyed_links = {a.link for a in after.articles[:count] if not a.guid}
    links = {a.link for a in after.articles[:count]}
    duplicates = set()
    for index, article in enumerate(after.articles[count:]):
        if article.guid in seen_guids or article.link in (links if not article.guid else unkeyed_links):
            duplicates.add(index)
            continue
        if article.guid:
            seen_guids.add(article.guid)
        else:
            unkeyed_links.add(article.link)
        links.add(article.link)
    return duplicates


def _same_as_before(existing: Existing, after: Catalogue, count: int) -> None:
    if existing.catalogue is None:
        return
    if after.site != existing.catalogue.site or after.articles[:count] != existing.catalogue.articles:
        raise Refused(
            Why.INVALID,
            f"appending to '{existing.path}' would change how its own articles read, so nothing was "
            "written (is the last article's text a block that runs to the end of the file?)",
        )


def write(existing: Existing, data: bytes) -> None:
    """Replace the catalogue with `data` atomically: a temporary file beside it, flushed to
    disk, renamed over it; refused if the catalogue changed since it was read."""
    target = existing.path.resolve() if existing.path.is_symlink() else existing.path
    folder = target.parent
    if not _unchanged(existing):
        raise Refused(Why.IO, f"'{existing.path}' changed while importing; nothing was written: import again")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".import", dir=folder)
        try:
            with os.fdopen(handle, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            mode = existing.stat.st_mode & 0o7777 if existing.stat is not None else 0o666 & ~_umask()
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as e:
        raise Refused(Why.IO, f"cannot write '{existing.path}': {e.strerror}") from None


def _unchanged(existing: Existing) -> bool:
    try:
        now = existing.path.stat()
    except FileNotFoundError:
        return existing.stat is None
    except OSError:
        return True  # the write will say what is wrong
    before = existing.stat
    return before is not None and (now.st_mtime_ns, now.st_size) == (before.st_mtime_ns, before.st_size)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
