"""What feedpub keeps under the prefix beside the feeds: the manifest of the objects it
deployed, and the lock that keeps two deploys to one destination from running at once."""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedpub.deploy.destination import Destination, Got, Listed, Precondition, Store, Unreachable, key_problem

MANIFEST = ".feedpub-deploy.json"
LOCK = ".feedpub-deploy.lock"
LEASE = 120.0
"""Seconds a lock holds without being renewed; a running deploy renews it, before a write, once
a sixth of that has passed."""

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


MANIFEST_BYTES = 1 << 28
"""The most a deploy reads of the manifest: 256 MiB, a million files' worth."""
LOCK_BYTES = 1 << 16
MOST_LEASE = 3600.0
"""The longest lease another deploy's lock is taken to claim: a lock that claims more (edited,
or not feedpub's) holds for LEASE."""


def read_manifest(store: Store, destination: Destination) -> tuple[dict[str, Entry], bytes | None, list[str]]:
    """The manifest's entries by path (none if it is missing or unreadable: then nothing is
    known to be feedpub's, and nothing is deleted), its bytes as read, and the paths it names
    that break the key rule, which are left alone."""
    got = store.get(destination.key(MANIFEST), most=MANIFEST_BYTES)
    if got is None:
        return {}, None, []
    try:
        files = json.loads(got.data)["files"]
        broken = {path for path in files if key_problem(path)}
        entries = {path: _entry(record) for path, record in files.items() if path not in broken}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}, got.data, []
    return entries, got.data, sorted(broken)


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


class Lock:
    """An object under the prefix, written only if none is there (If-None-Match: *), naming its
    holder by a token of its own; renewed while the deploy runs (If-Match: the ETag it wrote).
    A lock older than its lease by the server's clock, or held by a process of this machine
    (same host name, boot and PID namespace) that has died, is taken over, again by a
    conditional write, so that only one of two deploys gets it. A conditional write refused
    (412) after a try that was answered with an error finds the deploy's own token there, and
    holds.

    The lease is kept from the moment the last write of the lock that succeeded was sent, so it
    never runs out later by this machine's clock than by the server's. `check` lets a write
    start only while the lease has a request's time and a margin to run: every write a deploy
    makes ends before its lease could end, and so before another deploy can take the lock.

    On a service that ignores conditional writes, a lock already there is still respected
    (it is read first), but two deploys that start within the same instant may both proceed.
    """

    def __init__(self, store: Store, destination: Destination, lease: float = LEASE) -> None:
        self.store, self.destination, self.lease = store, destination, lease
        self.key = destination.key(LOCK)
        self.etag: str | None = None
        self.sent = 0.0
        """When (time.monotonic) the last write of the lock that succeeded was sent."""
        self.lost: str | None = None
        """Why the lock is no longer this deploy's, once a renewal has found so."""
        self.token = secrets.token_hex(16)
        self.body = json.dumps(
            {
                "holder": self.token,
                "host": socket.gethostname(),
                "processes": _PROCESSES,
                "pid": os.getpid(),
                "lease": lease,
                "comment": "a feedpub deploy to this prefix is running (or was killed)",
            }
        ).encode()
        self._renewing = threading.Lock()
        self._sending = 0.0

    def acquire(self) -> None:
        held = self.store.get(self.key, most=LOCK_BYTES)
        if held is not None:
            self._take_over(held)
            return
        try:
            self._write(if_none_match=True)
        except Precondition:
            held = self.store.get(self.key, most=LOCK_BYTES)
            if held is None:  # released between the two requests: try once more
                self._write(if_none_match=True)
            elif not self._ours(held):
                self._take_over(held)

    def _take_over(self, held: Got) -> None:
        holder = _holder(held.data)
        lease = holder.get("lease")
        if not (isinstance(lease, int | float) and 0 <= lease <= MOST_LEASE):
            lease = self.lease  # not as a deploy writes it
        here = holder.get("host") == socket.gethostname() and holder.get("processes") == _PROCESSES
        dead = here and not _alive(holder.get("pid"))
        age = held.age()
        if not dead and age < lease:
            left = max(0, round(lease - age))
            if "pid" not in holder or "host" not in holder:
                raise Locked(
                    f"s3://{self.store.bucket}/{self.key} is not a lock in the form feedpub writes; it is "
                    f"taken over {left} s from now, if nothing writes it meanwhile, or remove it"
                )
            raise Locked(
                f"another deploy to {self.destination} is running (pid {holder.get('pid')} on "
                f"{holder.get('host')}); its lock expires {left} s after its last renewal if it has died"
            )
        try:
            self._write(if_match=held.listed.etag)
        except Precondition:
            if not self._ours(self.store.get(self.key, most=LOCK_BYTES)):
                raise Locked(f"another deploy to {self.destination} took over its expired lock") from None

    def _ours(self, held: Got | None) -> bool:
        """Whether `held` is this deploy's lock (a write answered with an error may have landed:
        then `etag` and `sent` are made to say so)."""
        if held is None or _holder(held.data).get("holder") != self.token:
            return False
        self.etag = held.listed.etag
        self.sent = self._sending
        return True

    def _write(self, *, if_none_match: bool = False, if_match: str | None = None) -> None:
        self._sending = time.monotonic()
        self.etag = self.store.put(
            self.key,
            self.body,
            content_type="application/json",
            cache_control="no-store",
            if_none_match=if_none_match,
            if_match=if_match,
            guarded=False,
        )
        self.sent = self._sending

    def renew(self) -> None:
        """Write the lock again if a sixth of its lease has passed since, then `check`: raises
        Locked if another deploy has taken it over meanwhile. Safe to call from any thread."""
        with self._renewing:
            if self.lost is None and time.monotonic() - self.sent >= self.lease / 6:
                try:
                    self._write(if_match=self.etag)
                except Precondition:
                    if not self._ours(self.store.get(self.key, most=LOCK_BYTES)):
                        self.lost = (
                            f"another deploy to {self.destination} took over the lock of this one, "
                            "which stopped before its next write"
                        )
        self.check()

    def check(self) -> None:
        """Raise Locked unless the lock is this deploy's with time enough left for one more
        request and a margin (a twelfth of the lease)."""
        if self.lost is not None:
            raise Locked(self.lost)
        held_for = time.monotonic() - self.sent
        if held_for + self.store.request_seconds > self.lease * 11 / 12:
            raise Locked(
                f"the lock of this deploy to {self.destination} was last renewed {held_for:.0f} s ago, "
                f"too near its {self.lease:g} s lease: it stopped before its next write, which another "
                "deploy taking the lock over could have met"
            )

    def confirm(self) -> None:
        """Raise Locked unless the lock object is still this deploy's, as it last wrote it."""
        held = self.store.get(self.key, most=LOCK_BYTES)
        if held is None or _holder(held.data).get("holder") != self.token or held.listed.etag != self.etag:
            raise Locked(
                f"another deploy to {self.destination} took over the lock of this one before it "
                "finished: what it uploaded may have been replaced; deploy again"
            )

    def release(self) -> None:
        if self.etag is None:
            return
        try:
            self.store.delete(self.key, if_match=self.etag, guarded=False)
        except Precondition:
            pass  # taken over after this deploy's lease ran out: it is the other's now
        except Unreachable:
            # a service without conditional deletes: the lock is still this deploy's, as the
            # last renewal showed, so delete it outright
            self.store.delete(self.key, guarded=False)
        self.etag = None


def _processes() -> str | None:
    """What tells this machine's processes from those of another that has the same host name (a
    cloned machine, a container): the kernel's boot and the PID namespace; None where /proc has
    neither, and then the host name alone tells."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        return f"{boot} {os.readlink('/proc/self/ns/pid')}"
    except (OSError, ValueError):
        return None


_PROCESSES = _processes()


def _holder(data: bytes) -> dict[str, Any]:
    """What the lock says of its holder; nothing if it is not a JSON object (nested past
    Python's recursion limit, say)."""
    try:
        holder = json.loads(data)
    except (ValueError, RecursionError):
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
