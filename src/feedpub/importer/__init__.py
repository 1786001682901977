"""`feedpub import`: old feeds → articles appended to the catalogue.

Each source (a feed's file or URL, or a WordPress export) is read with its older pages
(`history`, `fetch`, `documents` and a reader per format), the entries of all sources are
combined and made into drafts of articles (`mapping`), which are written as YAML
(`yaml_text`) after the catalogue's own text, validated by feedpub's reader and written at
once, or not at all (`catalogue_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedpub import parallel
from feedpub.importer import catalogue_file, history, mapping
from feedpub.importer.fetch import Budget, Limits, is_url
from feedpub.importer.old import Page, Refused, Why
from feedpub.model import Article
from feedpub.render import plan

__all__ = ["Limits", "Outcome", "Refused", "Why", "run"]

PARALLEL_ENTRIES = 500
"""From this many entries on, a second process makes half of the drafts (as builds share
rendering): sanitising their HTML takes the longest of all the import does."""


@dataclass(frozen=True)
class Outcome:
    catalogue: str
    sources: int
    imported: int
    skipped: int
    already: int

    def summary(self) -> str:
        already = f", {self.already} already there" if self.already else ""
        return (
            f"imported {_count(self.imported, 'entry', 'entries')} from {_count(self.sources, 'source')} "
            f"into {self.catalogue} ({self.skipped} skipped{already})"
        )


def run(sources: list[str], path: Path, warn: Callable[[str], None], limits: Limits | None = None) -> Outcome:
    """Import `sources` into the catalogue at `path` (created if missing); what cannot be
    carried is told to `warn`. Refused, with nothing written, if a source cannot be read or
    the catalogue cannot safely take the entries."""
    limits = limits or Limits()
    existing = catalogue_file.read(path)
    budget = Budget(limits.total_bytes)
    read = [list(history.pages(source, limits, budget, warn)) for source in sources]
    skipped = 0
    for page in (page for pages in read for page in pages):
        for message in page.skipped:
            warn(message)
        skipped += page.left_out
    combined = mapping.combine([entry for page in pages for entry in page.entries] for pages in read)
    fresh = _not_there(combined, existing, warn)
    already = len(combined) - len(fresh)
    site = (
        None if existing.catalogue else _new_site([page for pages in read for page in pages], sources, warn)
    )
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
            skipped += 1
        else:
            for line in result.said:
                warn(line)
            drafts.append(result)
    drafts.sort(key=lambda d: _instant(str(d.fields["published"])), reverse=True)
    mapping.name(drafts, {a.id for a in existing.catalogue.articles} if existing.catalogue else set())
    outcome = Outcome(str(path), len(sources), 0, skipped, already)
    if not drafts:
        return _nothing(outcome)
    settled = catalogue_file.settle(existing, site, drafts, warn)
    for skip in settled.skipped:
        warn(str(skip))
    outcome = Outcome(
        str(path),
        len(sources),
        len(settled.written),
        skipped + len(settled.skipped),
        already + settled.already,
    )
    if not settled.written:
        return _nothing(outcome)
    catalogue_file.write(existing, settled.data)
    return outcome


def _nothing(outcome: Outcome) -> Outcome:
    """Nothing new: fine if the entries are there already, else nothing was importable."""
    if outcome.already:
        return outcome
    raise Refused(
        Why.INVALID,
        f"nothing to import: the sources hold no entry feedpub can carry ({outcome.skipped} skipped); "
        "nothing was written",
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


def _new_site(pages: list[Page], sources: list[str], warn: Callable[[str], None]) -> catalogue_file.NewSite:
    """The site block of a new catalogue, from the first page that says each part."""

    def first(attribute: str) -> object:
        return next((getattr(p.site, attribute) for p in pages if getattr(p.site, attribute)), None)

    notes: dict[str, list[str]] = {}
    link = first("link")
    if not isinstance(link, str) or not link.lower().startswith(("http://", "https://")):
        origin = next((urlsplit(s) for s in sources if is_url(s)), None)
        if origin is None:
            raise Refused(
                Why.INVALID,
                "the sources do not name the site's address (the feed's <link>), which a new "
                "catalogue needs: import the feed's URL, or create the catalogue first "
                "('feedpub init') and import into it",
            )
        link = f"{origin.scheme}://{origin.netloc}/"
        notes["link"] = ["guessed from the feed's address: the feed did not name its site's"]

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
    if "title" not in notes and not first("title"):
        notes["title"] = ["the feed had no title: its host stands in"]
    description = plain("description")
    if not description:
        description = title
        notes["description"] = ["the feed had no description: its title stands in"]
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
    language = first("language")
    if language:
        fields["language"] = str(language).strip()
    show = next((p.site for p in pages if p.site.podcast), None)
    if show is not None:
        fields["podcast"], notes["podcast"] = show.podcast, show.podcast_notes
        for note in show.podcast_notes:
            warn(f"the site's podcast: {note}")
    authors = [a for a in _site_people(pages) if a.get("name")]
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
    return catalogue_file.NewSite(fields, notes, sources)


def _site_people(pages: list[Page]) -> list[dict[str, str]]:
    people = next((p.site.authors for p in pages if p.site.authors), [])
    found = []
    for person in people:
        name = person.name or (person.email.partition("@")[0] if person.email else "")
        author = {"name": " ".join(name.split())}
        if person.email:
            author["email"] = person.email
        if person.uri and person.uri.lower().startswith(("http://", "https://")):
            author["uri"] = person.uri
        found.append(author)
    return found


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
