"""What a deploy uploads and deletes, and in which order. Pure: it takes the local files, the
bucket's listing, the manifest and the headers read of objects the listing could not vouch
for, and returns the plan.

An object is unchanged when its SHA-256 (kept in its metadata), Content-Type and
Cache-Control are what the local file would get. The manifest records them with the ETag,
size and modification time the listing showed after the upload: while the listing still
shows those, the object is as feedpub left it and needs no request of its own; an object
changed by hand shows otherwise, and its headers are read (HEAD) before it is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from feedpub.deploy.destination import Head, Listed
from feedpub.deploy.remote import Entry, State
from feedpub.layout import FEED_FILES, OPML, PAGE, archive_page
from feedpub.render import hosting

TIERS = 4
"""Uploads go in this many steps, each finished before the next starts, so that whatever a
reader can reach links only to what is there already: first everything that no live document
is the way in to (new archive pages, the stylesheet, files of your own), then the feeds of
tags, authors, languages and selections and the archive pages that replace deployed ones
(whose next-archive may name a new page), then the site's feeds and every other feed's page,
then the index page and the OPML file, which link to all of them."""


@dataclass(frozen=True)
class Local:
    """A file of the folder as it is to be deployed."""

    path: str
    sha256: str
    content_type: str
    cache_control: str

    @property
    def state(self) -> State:
        return (self.sha256, self.content_type, self.cache_control)


def files(digests: dict[str, str]) -> dict[str, Local]:
    """Each file, by the digest of its bytes, with the headers it is served with (see
    `render.hosting`)."""
    newest = hosting.newest_pages(digests)
    return {
        path: Local(path, sha256, hosting.media_type(path), hosting.cache_control(path, newest))
        for path, sha256 in digests.items()
    }


def tier(path: str, replacing: bool = False) -> int:
    """The step of the upload in which `path` goes (see TIERS), `replacing` an object or not."""
    folder, _, name = path.rpartition("/")
    feed = name in FEED_FILES
    if path in (PAGE, OPML):
        return 3
    if (feed and not folder) or name == PAGE:  # a feed's page goes after the feeds it names
        return 2
    if feed and (replacing or archive_page(path) is None):
        return 1
    return 0


@dataclass
class Plan:
    uploads: list[list[Local]] = field(default_factory=lambda: [[] for _ in range(TIERS)])
    """Files to upload, step by step (see TIERS)."""
    deletions: list[list[str]] = field(default_factory=lambda: [[] for _ in range(TIERS)])
    """Objects feedpub deployed that the folder no longer has, referrers first."""
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    """Uploads over an object that was there: what a CDN may hold an old copy of."""
    known: dict[str, Entry] = field(default_factory=dict)
    """What the manifest is to say of each unchanged file."""

    @property
    def uploaded(self) -> list[str]:
        return [file.path for step in self.uploads for file in step]

    @property
    def deleted(self) -> list[str]:
        return [path for step in self.deletions for path in step]


def unvouched(local: dict[str, Local], listed: dict[str, Listed], manifest: dict[str, Entry]) -> list[str]:
    """The objects whose headers must be read before they can be judged: those the folder has
    or the manifest names that the listing shows otherwise than the manifest recorded."""
    paths = sorted((set(local) | set(manifest)) & set(listed))
    return [path for path in paths if path not in manifest or manifest[path].listed != listed[path]]


def make(
    local: dict[str, Local],
    listed: dict[str, Listed],
    manifest: dict[str, Entry],
    heads: dict[str, Head | None],
) -> Plan:
    """The plan, given the headers (`heads`) of every object `unvouched` named."""
    plan = Plan()

    def remote(path: str) -> tuple[State | None, Listed | None]:
        """What is known of the object at `path`: its state and its listing, if it is there."""
        if path not in listed:
            return None, None
        entry = manifest.get(path)
        if entry is not None and entry.listed == listed[path]:
            return entry.state, entry.listed
        head = heads.get(path)
        if head is None:
            return None, None
        return (head.sha256, head.content_type, head.cache_control), listed[path]

    for path, file in sorted(local.items()):
        state, seen = remote(path)
        if state == file.state:
            plan.unchanged.append(path)
            plan.known[path] = Entry(file.state, seen)
        else:
            plan.uploads[tier(path, path in listed)].append(file)
            if path in listed:
                plan.replaced.append(path)
    for path in sorted(set(manifest) - set(local)):
        state, _ = remote(path)
        # feedpub's, unless someone has since put an object of their own at that key
        if state is not None and state[0] is not None:
            plan.deletions[TIERS - 1 - tier(path)].append(path)
    return plan
