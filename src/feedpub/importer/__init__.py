"""`feedpub import`: old feeds → articles appended to the catalogue.

Each source (a feed's file or URL, or a WordPress export) is read with its older pages
(`history`, `fetch`, `documents` and a reader per format), the entries of all sources are
combined and made into drafts of articles (`mapping`), which are written as YAML
(`yaml_text`) after the catalogue's own text, validated by feedpub's reader and written at
once, or not at all (`catalogue_file`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedpub import parallel
from feedpub.importer import catalogue_file, elements, history, mapping
from feedpub.importer.fetch import Budget, Limits, is_url
from feedpub.importer.old import Page, Refused, Why
from feedpub.layout import ATOM, JSON, RSS
from feedpub.model import Article
from feedpub.render import plan

__all__ = ["NEW_SITE", "Limits", "Outcome", "Refused", "Why", "run"]

NEW_SITE = "a new catalogue: its site block is made from the sources,"
PARALLEL_ENTRIES = 500
"""From this many entries on, a second process makes half of the drafts (as builds share
rendering): sanitising their HTML takes the longest of all the import does."""


@dataclass(frozen=True)
class Outcome:
    """What became of every entry the sources hold: `found` is the sum of the others."""

    catalogue: str
    sources: int
    found: int = 0
    imported: int = 0
    drafts: int = 0
    """How many of those imported are drafts."""
    reasons: Counter[str] = dataclass_field(default_factory=Counter)
    """The entries left out, by why."""
    already: int = 0
    """Entries the catalogue has already."""
    same: int = 0
    """Entries another source or page holds too, imported once."""

    @property
    def skipped(self) -> int:
        return sum(self.reasons.values())

    def summary(self) -> str:
        drafts = f" ({_count(self.drafts, 'draft')})" if self.drafts else ""
        parts = [f"{self.found} found", f"{self.skipped} skipped"]
        if self.reasons:
            parts[-1] += " (" + ", ".join(f"{n} {why}" for why, n in sorted(self.reasons.items())) + ")"
        if self.same:
            parts.append(f"{self.same} also in another source or page")
        if self.already:
            parts.append(f"{self.already} already there")
        imported = _count(self.imported, "entry", "entries")
        return (
            f"imported {imported}{drafts} from {_count(self.sources, 'source')} into {self.catalogue}: "
            + ", ".join(parts)
        )


def run(sources: list[str], path: Path, warn: Callable[[str], None], limits: Limits | None = None) -> Outcome:
    """Import `sources` into the catalogue at `path` (created if missing); what cannot be
    carried is told to `warn`, each entry left out with why. Refused, with nothing written, if
    a source cannot be read or the catalogue cannot safely take the entries."""
    limits = limits or Limits()
    existing = catalogue_file.read(path)
    budget = Budget(limits.total_bytes)
    read = [list(history.pages(source, limits, budget, warn)) for source in sources]
    pages = [page for source_pages in read for page in source_pages]
    reasons: Counter[str] = Counter()
    for page in pages:
        for message in page.skipped:
            warn(message)
        reasons.update(page.left_out)
    _not_carried(sources, read, warn)
    source_of = {
        page.url: source for source, source_pages in zip(sources, read, strict=True) for page in source_pages
    }
    found = sum(len(page.entries) + sum(page.left_out.values()) for page in pages)
    site = None if existing.catalogue else _new_site(pages, sources, path, warn)
    counted: Counter[tuple[str, str]] = Counter()
    _resolve_paths(pages, str(site.fields["link"]) if site else _site_link(existing), counted)
    combined, repeated = mapping.combine(
        [entry for page in source_pages for entry in page.entries] for source_pages in read
    )
    for skip in repeated:
        warn(str(skip))
        reasons[skip.counted] += 1
    same = sum(len(c.entries) - 1 for c in combined)
    fresh = _not_there(combined, existing, warn)
    already = len(combined) - len(fresh)
    site_authors = _authors(existing, site)
    made = parallel.divided(
        list(enumerate(fresh)),
        2 if len(fresh) >= PARALLEL_ENTRIES else 1,
        lambda share, here: {i: mapping.draft(article, site_authors) for i, article in share},
        here=0.5,
    )
    drafts: list[mapping.Draft] = []
    for i in range(len(fresh)):
        result = made[i]
        if isinstance(result, mapping.Skipped):
            warn(str(result))
            reasons[result.counted] += 1
        else:
            for line in result.said:
                warn(line)
            counted.update(result.counted)
            drafts.append(result)
    _say_counted(counted, source_of, warn)
    drafts.sort(key=lambda d: _instant(str(d.fields["published"])), reverse=True)
    mapping.name(drafts, {a.id for a in existing.catalogue.articles} if existing.catalogue else set())
    outcome = Outcome(str(path), len(sources), found, 0, 0, reasons, already, same)
    if not drafts:
        return _nothing(outcome)
    settled = catalogue_file.settle(existing, site, drafts, warn)
    for skip in settled.skipped:
        warn(str(skip))
        reasons[skip.counted] += 1
    outcome = Outcome(
        str(path),
        len(sources),
        found,
        len(settled.written),
        sum(1 for d in settled.written if d.fields.get("draft")),
        reasons,
        already + settled.already,
        same,
    )
    if not settled.written:
        return _nothing(outcome)
    catalogue_file.write(existing, settled.data)
    return outcome


def _site_link(existing: catalogue_file.Existing) -> str:
    assert existing.catalogue is not None
    return existing.catalogue.site.link


def _resolve_paths(pages: list[Page], site_link: str, counted: Counter[tuple[str, str]]) -> None:
    """Give an entry whose source named only its path (a Blogger export's blogger:filename,
    a file's relative link) its address on the site, noted and `counted`."""
    for page in pages:
        for entry in page.entries:
            if entry.link and entry.link.startswith("/") and not entry.link.startswith("//"):
                counted[("path", page.url)] += 1
                entry.link = urljoin(site_link, entry.link)
                entry.base = urljoin(entry.link, entry.base or "")
                entry.notes.append(
                    ("link", "the source gave only a path: the site's address is put before it")
                )


def _not_carried(sources: list[str], read: list[list[Page]], warn: Callable[[str], None]) -> None:
    """One line per source for the elements the catalogue has no field for."""
    for source, source_pages in zip(sources, read, strict=True):
        held = sum((page.not_carried for page in source_pages), Counter[str]())
        if held:
            listed = ", ".join(
                name if name.startswith("the channel's ") else f"{name} ({_count(n, 'entry', 'entries')})"
                for name, n in sorted(held.items(), key=lambda item: (item[0].startswith("the "), item[0]))
            )
            warn(f"{source}: not carried, the catalogue having no field for them: {listed}")


_COUNTED = {
    "title": "entries without a title, given the start of their text as one (a comment marks each): {n}",
    "atom id": (
        f"entries whose Atom ids are not IRIs, which Atom requires: {{n}}. feedpub's {ATOM} gives them "
        f"new ids, so readers of this Atom feed would show them once more; its {RSS} and {JSON} "
        "keep them as guids, which readers key entries by as they did the Atom ids: redirect this "
        f'feed\'s old address to feeds/{RSS} (README, "Which id each format carries")'
    ),
    "path": "entries whose source gave only their path, put after the site's address: {n}",
    "json id": (
        "entries whose JSON Feed id is not the guid the RSS feed gave them, which feedpub keeps: {n}; "
        "readers of this JSON Feed will show them once more (an article keeps one guid)"
    ),
}


def _say_counted(
    counted: Counter[tuple[str, str]], source_of: dict[str, str], warn: Callable[[str], None]
) -> None:
    """One line per source and kind of change (`_COUNTED`), with how many entries it touched."""
    by_source = Counter[tuple[str, str]]()
    for (what, document), n in counted.items():
        by_source[(source_of.get(document, document), what)] += n
    for (source, what), n in sorted(by_source.items()):
        warn(f"{source}: " + _COUNTED[what].format(n=n))


def _nothing(outcome: Outcome) -> Outcome:
    """Nothing new: fine if the entries are there already, else nothing was importable."""
    if outcome.already:
        return outcome
    counts = outcome.summary().partition(": ")[2]
    raise Refused(
        Why.INVALID,
        f"nothing to import: the sources hold no entry feedpub can carry ({counts}); nothing was written",
    )


def _not_there(
    combined: list[mapping.Combined], existing: catalogue_file.Existing, warn: Callable[[str], None]
) -> list[mapping.Combined]:
    """The articles whose ids and links the catalogue does not have yet. Of those it has, an
    old id that the article there does not carry is said (the article is never changed)."""
    if existing.catalogue is None:
        return combined
    catalogue = existing.catalogue
    known: dict[str, Article] = {}
    for article in catalogue.articles:
        for key in (article.link, article.guid, article.atom_id):
            if key:
                known.setdefault(key, article)
    fresh = []
    for combined_article in combined:
        there = next(
            (known[key] for e in combined_article.entries for key in (e.id, e.link) if key and key in known),
            None,
        )
        if there is None:
            fresh.append(combined_article)
            continue
        own = plan.entry_id(catalogue.site, there.id)
        carried = {"rss": there.guid or own, "json": there.guid or own, "atom": plan.atom_id(there, own)}
        field = {"rss": "guid", "json": "guid", "atom": "atom_id"}
        for entry in combined_article.entries:
            if entry.id and entry.id != carried[entry.format]:
                warn(
                    f"{entry.where}: already in the catalogue as '{there.id}', which does not carry the "
                    f"id this feed gave it: add `{field[entry.format]}: {entry.id}` to it, or that "
                    "feed's readers will show it once more"
                )
    return fresh


def _new_site(
    pages: list[Page], sources: list[str], path: Path, warn: Callable[[str], None]
) -> catalogue_file.NewSite:
    """The site block of a new catalogue, from the first page that says each part. What had to
    be guessed is noted in a comment and said in one line; what was changed, each on its own."""

    def first(attribute: str) -> object:
        return next((getattr(p.site, attribute) for p in pages if getattr(p.site, attribute)), None)

    notes: dict[str, list[str]] = {}
    guessed = {}
    link = first("link")
    if not isinstance(link, str) or not mapping.HTTP.match(link):
        link, whence = _site_address(pages, sources, path)
        notes["link"] = [f"guessed from {whence}: the feed did not name its site's address"]
        guessed["link"] = f"{link}, from {whence}"

    def plain(name: str) -> str | None:
        """The site's `name` as plain text, what was changed noted and said."""
        site = next((p.site for p in pages if getattr(p.site, name)), None)
        if site is None:
            return None
        text, changed = mapping.site_text(str(getattr(site, name)), site.is_html)
        for note in changed:
            notes.setdefault(name, []).append(note)
            warn(f"the site's {name}: {note}")
        return text or None

    title = plain("title") or urlsplit(link).netloc
    if not first("title"):
        notes["title"] = ["the feed had no title: its host stands in"]
        guessed["title"] = "its host"
    description = plain("description")
    if not description:
        description = title
        notes["description"] = ["the feed had no description: its title stands in"]
        guessed["description"] = "its title"
    fields: dict[str, Any] = {
        "title": title,
        "link": link,
        "feed_url": urljoin(link if link.endswith("/") else link + "/", "feeds/"),
        "description": description,
    }
    notes["feed_url"] = [
        "guessed: where the feeds/ folder `feedpub build` writes will be served; see README, "
        '"Moving to feedpub", for redirecting the old feed addresses'
    ]
    guessed["feed_url"] = fields["feed_url"]
    language = first("language")
    if language:
        fields["language"] = str(language).strip()
    show = next((p.site for p in pages if p.site.podcast), None)
    if show is not None:
        fields["podcast"], notes["podcast"] = show.podcast, show.podcast_notes
        for note in show.podcast_notes:
            warn(f"the site's podcast: {note}")
    authors = [a for a in _site_people(pages, notes, guessed) if a.get("name")]
    for author in authors:
        author["name"], changed = mapping.site_text(author["name"], False)
        for note in changed:
            notes.setdefault("author", []).append(note)
            warn(f"the site's author: {note}")
    if len(authors) == 1:
        fields["author"] = authors[0]
    elif authors:
        fields["authors"] = authors
    else:
        fields["author"] = {"name": fields["title"]}
        notes["author"] = ["the feed named no author: articles without one of their own are the site's"]
        guessed["author"] = "its title, the feed naming no author"
    warn(
        f"{NEW_SITE} guessing its "
        + "; ".join(f"{name} ({why})" for name, why in guessed.items())
        + ": comments mark them, for you to check"
    )
    return catalogue_file.NewSite(fields, notes, sources)


def _site_address(pages: list[Page], sources: list[str], path: Path) -> tuple[str, str]:
    """The site's address where the feed names none, and whence it was taken: the origin of
    the address the feed gives itself, or of the source's URL, or the host most entries are on."""
    for feed_link in [p.site.feed_link for p in pages] + [s for s in sources if is_url(s)]:
        if feed_link and mapping.HTTP.match(feed_link):
            parts = urlsplit(feed_link)
            return f"{parts.scheme}://{parts.netloc}/", f"the feed's own address ({feed_link})"
    hosts = Counter(
        f"{parts.scheme}://{parts.netloc}/"
        for page in pages
        for entry in page.entries
        if entry.link and mapping.HTTP.match(entry.link) and (parts := urlsplit(entry.link))
    )
    if not hosts:
        raise Refused(
            Why.INVALID,
            "the sources name no address for the site or its entries (a Blogger export gives only "
            "paths, such as /2024/02/herons.html), which a new catalogue needs; nothing was written: "
            f"write {catalogue_file.starter(path)} with the site's own values, and import into it",
        )
    return hosts.most_common(1)[0][0], "the host of its entries' links"


def _site_people(
    pages: list[Page], notes: dict[str, list[str]], guessed: dict[str, str]
) -> list[dict[str, str]]:
    """The site's authors; a name that is an address ('jane@example.org (Jane Doe)') gives the
    name it holds, else its first part (noted)."""
    people = next((p.site.authors for p in pages if p.site.authors), [])
    authors = []
    for person in map(elements.unmixed, people):
        name, email = person.name, person.email
        if not name and email:
            name = email.partition("@")[0]
            notes.setdefault("author", []).append(
                f"the feed gave only an address ({email}): its first part is the name"
            )
            guessed["author"] = f"{name}, the first part of the address {email}"
        author = {"name": " ".join((name or "").split())}
        if email:
            author["email"] = email
        if person.uri and mapping.HTTP.match(person.uri):
            author["uri"] = person.uri
        authors.append(author)
    return authors


def _authors(existing: catalogue_file.Existing, site: catalogue_file.NewSite | None) -> list[dict[str, str]]:
    """The site's authors as the catalogue writes them, which articles need not repeat."""
    if site is not None:
        return list(site.fields.get("authors") or [site.fields["author"]])
    assert existing.catalogue is not None
    return [
        {k: v for k, v in (("name", a.name), ("email", a.email), ("uri", a.uri)) if v}
        for a in existing.catalogue.site.authors
    ]


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
