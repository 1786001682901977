"""What feedpub keeps under the prefix beside the feeds: the manifest of the objects it
deployed, and the lock that keeps two deploys to one destination from running at once."""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from feedpub.deploy.destination import Destination, Listed, Precondition, Store, Unreachable

MANIFEST = ".feedpub-deploy.json"
LOCK = ".feedpub-deploy.lock"
LEASE = 120.0
"""Seconds a lock holds without being renewed; a running deploy renews it every third of that."""

State = tuple[str | None, str | None, str | None]
"""What a deploy sets on an object: its SHA-256, Content-Type and Cache-Control."""


class Locked(Exception):
    """Another deploy holds the destination, or took it over from this one."""


@dataclass(frozen=True)
class Entry:
    """An object feedpub deployed: what it set on it, and how the listing showed it after, so
    that a later deploy can trust the listing instead of asking for the object's headers."""

    state: State
    listed: Listed | None = None
    """None while the upload is under way (or was, when a deploy was killed)."""


def read_manifest(store: Store, destination: Destination) -> tuple[dict[str, Entry], bytes | None]:
    """The manifest's entries by path (none if it is missing or unreadable: then nothing is
    known to be feedpub's, and nothing is deleted), and its bytes as read."""
    got = store.get(destination.key(MANIFEST))
    if got is None:
        return {}, None
    try:
        files = json.loads(got.data)["files"]
        entries = {path: _entry(record) for path, record in files.items() if is_relative(path)}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}, got.data
    return entries, got.data


def manifest_bytes(entries: dict[str, Entry]) -> bytes:
    files: dict[str, Any] = {}
    for path, entry in sorted(entries.items()):
        sha256, content_type, cache_control = entry.state
        record: dict[str, Any] = {"sha256": sha256, "type": content_type, "cache": cache_control}
        if entry.listed:
            record |= {
                "etag": entry.listed.etag,
                "size": entry.listed.size,
                "modified": entry.listed.modified,
            }
        files[path] = record
    manifest = {
        "comment": "objects feedpub deployed under this prefix; it deletes only these",
        "files": files,
    }
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


def _entry(record: dict[str, Any]) -> Entry:
    state = (record["sha256"], record["type"], record["cache"])
    if not all(value is None or isinstance(value, str) for value in state):
        raise TypeError("not a state")
    listed = None
    if "etag" in record:
        listed = Listed(str(record["etag"]), int(record["size"]), str(record["modified"]))
    return Entry(state, listed)


def is_relative(path: str) -> bool:
    """A path made of plain names: nothing that could reach outside the prefix."""
    return isinstance(path, str) and all(
        part not in ("", ".", "..") and "\\" not in part and "\0" not in part for part in path.split("/")
    )


class Lock:
    """An object under the prefix, written only if none is there (If-None-Match: *), naming its
    holder; renewed while the deploy runs (If-Match: the ETag it wrote). A lock older than its
    lease by the server's clock, or held by a process of this machine that has died, is
    taken over, again by a conditional write, so that only one of two deploys gets it.

    On a service that ignores conditional writes, a lock already there is still respected
    (it is read first), but two deploys that start within the same instant may both proceed.
    """

    def __init__(self, store: Store, destination: Destination, lease: float = LEASE) -> None:
        self.store, self.destination, self.lease = store, destination, lease
        self.key = destination.key(LOCK)
        self.etag: str | None = None
        self.renewed = 0.0
        self.body = json.dumps(
            {
                "holder": secrets.token_hex(8),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "lease": lease,
                "comment": "a feedpub deploy to this prefix is running (or was killed)",
            }
        ).encode()

    def acquire(self) -> None:
        held = self.store.get(self.key)
        if held is not None:
            self._take_over(held)
            return
        try:
            self._write(if_none_match=True)
        except Precondition:
            held = self.store.get(self.key)
            if held is None:  # released between the two requests: try once more
                self._write(if_none_match=True)
            else:
                self._take_over(held)

    def _take_over(self, held: Any) -> None:
        holder = _holder(held.data)
        lease = float(holder.get("lease", self.lease))
        dead = holder.get("host") == socket.gethostname() and not _alive(holder.get("pid"))
        if not dead and held.age < lease:
            raise Locked(
                f"another deploy to {self.destination} is running (pid {holder.get('pid')} on "
                f"{holder.get('host')}); its lock expires {max(0, round(lease - held.age))} s after its "
                "last renewal if it has died"
            )
        try:
            self._write(if_match=held.listed.etag)
        except Precondition:
            raise Locked(f"another deploy to {self.destination} took over its expired lock") from None

    def _write(self, *, if_none_match: bool = False, if_match: str | None = None) -> None:
        self.etag = self.store.put(
            self.key,
            self.body,
            content_type="application/json",
            cache_control="no-store",
            if_none_match=if_none_match,
            if_match=if_match,
        )
        self.renewed = time.monotonic()

    def renew(self) -> None:
        """Write the lock again if a third of its lease has passed: raises Locked if another
        deploy has taken it over meanwhile."""
        if time.monotonic() - self.renewed < self.lease / 3:
            return
        try:
            self._write(if_match=self.etag)
        except Precondition:
            raise Locked(f"another deploy to {self.destination} took over the lock of this one") from None

    def release(self) -> None:
        if self.etag is None:
            return
        try:
            self.store.delete(self.key, if_match=self.etag)
        except Precondition:
            pass  # taken over after this deploy's lease ran out: it is the other's now
        except Unreachable:
            # a service without conditional deletes: the lock is still this deploy's, as the
            # last renewal showed, so delete it outright
            self.store.delete(self.key)
        self.etag = None


def _holder(data: bytes) -> dict[str, Any]:
    try:
        holder = json.loads(data)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def _alive(pid: object) -> bool:
    """Whether a process with this id runs here (an id reused since counts as alive)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
