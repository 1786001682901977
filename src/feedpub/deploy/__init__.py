"""`feedpub deploy`: make an S3 prefix hold exactly what a build wrote to its folder.

Only the files the build's manifest lists, and of those only the ones whose bytes or headers
differ, are uploaded; archive pages and tag feeds go up before the feeds and pages that link
to them; objects feedpub deployed earlier that the build no longer has are deleted last, once
every upload has succeeded, and nothing else in the bucket is touched. A deploy that is
killed or fails, run again, finishes the work. Every write is made under the lock, and a
deploy reports success only once it has seen its uploads and its lock as it left them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from feedpub.deploy import folder as local_folder
from feedpub.deploy import plan as planning
from feedpub.deploy.destination import (
    DEADLINE,
    KEY_BYTES,
    REQUEST_SECONDS,
    Destination,
    Head,
    Listed,
    Store,
    Unreachable,
    Usage,
    parse,
)
from feedpub.deploy.folder import Unproven
from feedpub.deploy.remote import LEASE, LOCK, MANIFEST, Entry, Lock, Locked, manifest_bytes, read_manifest

__all__ = [
    "DEADLINE",
    "REQUEST_SECONDS",
    "Locked",
    "Options",
    "Result",
    "Unproven",
    "Unreachable",
    "Usage",
    "deploy",
]

INVALIDATE_TIMEOUT = 300
"""Seconds an --invalidate command may take before it is a warning."""


@dataclass(frozen=True)
class Options:
    endpoint_url: str | None = None
    """Any S3-compatible service; None for Amazon S3 (region from the AWS configuration)."""
    profile: str | None = None
    """A profile of the AWS configuration files; None for the default credential chain."""
    dry_run: bool = False
    """Read the bucket and plan, but write nothing."""
    invalidate: str | None = None
    """A shell command told, on its standard input, the paths a CDN may hold old copies of."""
    workers: int = 16
    """Requests under way at once."""
    lease: float = LEASE
    deadline: float = DEADLINE
    """Seconds the whole deploy may take; a request gets at most `request_seconds` of them."""
    request_seconds: float = REQUEST_SECONDS
    """At most a quarter of `lease`, so that a write never outlasts the lock."""
    progress: Callable[[int, int], None] | None = None
    """Hears how many uploads and deletions are done of how many."""


@dataclass
class Result:
    destination: str
    files: int
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    """The paths the --invalidate command was told of."""
    requests: dict[str, int] = field(default_factory=dict)
    """HTTP requests sent, retries included, by S3 operation."""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False


def deploy(folder: Path, destination: str, options: Options | None = None) -> Result:
    """Make `destination` (`s3://bucket/prefix`) hold the files a build wrote to `folder`, as
    its manifest proves them, and only those among the objects feedpub deployed there. Raises
    Usage (nothing tried; `folder` no build's output), Unproven (the folder is not as its build
    left it; nothing tried), Unreachable (the service failed, refused or took too long; nothing
    was deleted unless every upload had succeeded) or Locked (another deploy to the
    destination is running, or took over the lock of this one)."""
    options = options or Options()
    started = time.perf_counter()
    where = parse(destination)
    if options.request_seconds > options.lease / 4:
        raise Usage(f"a request may take at most a quarter of the lease ({options.lease / 4:g} s)")
    if not folder.is_dir():
        raise Usage(f"'{folder}' is not a folder: run feedpub build first")
    try:
        digests = local_folder.built(folder)
    except local_folder.Busy as e:
        raise Locked(str(e)) from None
    except OSError as e:
        raise Unreachable(f"cannot read {e.filename}: {e.strerror}") from None
    too_long = sorted(path for path in digests if len(where.key(path).encode()) > KEY_BYTES)
    if too_long:
        raise Usage(f"the key of {too_long[0]} under {where} is over {KEY_BYTES:,} bytes, the most S3 takes")
    local = planning.files(digests)
    store = Store(
        where,
        endpoint_url=options.endpoint_url,
        profile=options.profile,
        workers=options.workers,
        deadline=options.deadline,
        request_seconds=options.request_seconds,
    )
    result = Result(str(where), len(local), dry_run=options.dry_run)
    run = _Run(store, where, folder, local, options, result)
    try:
        run.go()
    except local_folder.Busy as e:
        raise Locked(f"{e}; nothing was deleted") from None
    except OSError as e:
        raise Unreachable(f"cannot read {e.filename}: {e.strerror}; nothing was deleted") from None
    finally:
        # a request given up on may still land: the lock is left to expire rather than let
        # another deploy in while it might
        if run.lock and not store.abandoned:
            with contextlib.suppress(Unreachable):  # left to expire, or to be taken over
                run.lock.release()
        result.requests = dict(store.requests)
        result.seconds = time.perf_counter() - started
    if result.invalidated and options.invalidate:
        result.warnings += _invalidate(options.invalidate, result.invalidated, where)
    return result


class _Run:
    """One deploy: read the bucket, plan, upload step by step, delete, record."""

    def __init__(
        self,
        store: Store,
        where: Destination,
        folder: Path,
        local: dict[str, planning.Local],
        options: Options,
        result: Result,
    ) -> None:
        self.store, self.where, self.folder, self.local = store, where, folder, local
        self.options, self.result = options, result
        self.lock = None if options.dry_run else Lock(store, where, options.lease)
        self.etags: dict[str, str] = {}
        """The ETag of each upload, by path."""
        self.done = 0
        """Uploads and deletions done."""

    def go(self) -> None:
        try:
            if self.lock:
                self.lock.acquire()
                self.store.guard = self.lock.check
            manifest, manifest_read, broken = read_manifest(self.store, self.where)
            self.result.warnings += [
                f"the deploy manifest names {path!r}, which breaks the key rule: that object is left alone"
                for path in broken
            ]
            listed = self._listing()
            plan = self._plan(manifest, listed)
            if self.lock is None:
                return
            self._upload(plan, manifest, self.lock)
        except (Unreachable, Locked) as e:
            raise type(e)(f"{e}; nothing was deleted") from None
        for step in plan.deletions:
            if step:
                self.lock.renew()
                self.store.delete_many([self.where.key(path) for path in step])
                self._advance(len(step), plan)
        after = self._listing() if self.etags else listed
        entries = dict(plan.known)
        replaced = []
        for path, etag in self.etags.items():
            seen = after.get(path)
            if seen is None or seen.etag != etag:
                replaced.append(path)
                seen = None
            entries[path] = Entry(self.local[path].state, seen)
        written = manifest_bytes(entries)
        if written != manifest_read:
            self.lock.renew()
            self.store.put(self.where.key(MANIFEST), written, content_type="application/json")
        if self.etags or plan.deleted or written != manifest_read:
            self.lock.confirm()
        if replaced:
            raise Locked(
                f"{len(replaced)} objects this deploy uploaded were replaced or deleted by someone else "
                f"before it finished (first {sorted(replaced)[0]}): deploy again"
            )
        self.result.invalidated = sorted(plan.replaced + plan.deleted)

    def _plan(self, manifest: dict[str, Entry], listed: dict[str, Listed]) -> planning.Plan:
        unvouched = planning.unvouched(self.local, listed, manifest)
        with ThreadPoolExecutor(self.options.workers) as pool:
            answers = pool.map(self.store.head, map(self.where.key, unvouched))
            heads: dict[str, Head | None] = dict(zip(unvouched, answers, strict=True))
        plan = planning.make(self.local, listed, manifest, heads)
        self.result.uploaded, self.result.unchanged = plan.uploaded, plan.unchanged
        self.result.deleted = plan.deleted
        return plan

    def _upload(self, plan: planning.Plan, manifest: dict[str, Entry], lock: Lock) -> None:
        pending = {file.path: Entry(file.state) for step in plan.uploads for file in step}
        pending = {path: entry for path, entry in pending.items() if path not in manifest}
        if pending:
            # named before it exists: a deploy killed after uploading it still knows it is its own
            lock.renew()
            self.store.put(
                self.where.key(MANIFEST), manifest_bytes(manifest | pending), content_type="application/json"
            )
        with ThreadPoolExecutor(self.options.workers) as pool:
            try:
                for step in plan.uploads:
                    running = {pool.submit(self._put, file, lock) for file in step}
                    while running:
                        finished, running = wait(running, return_when=FIRST_COMPLETED)
                        for future in finished:
                            path, etag = future.result()
                            self.etags[path] = etag
                        self._advance(len(finished), plan)
            except BaseException:
                try:
                    pool.shutdown(cancel_futures=True)  # not one more upload once one has failed
                except BaseException:  # stopped while the uploads under way are awaited: they may land yet
                    self.store.abandoned = True
                    raise
                raise

    def _put(self, file: planning.Local, lock: Lock) -> tuple[str, str]:
        data = local_folder.read(self.folder, file.path, file.sha256)
        lock.renew()
        etag = self.store.put(
            self.where.key(file.path),
            data,
            content_type=file.content_type,
            cache_control=file.cache_control,
            metadata={"sha256": file.sha256},
        )
        return file.path, etag

    def _advance(self, count: int, plan: planning.Plan) -> None:
        self.done += count
        if self.options.progress:
            self.options.progress(self.done, len(plan.uploaded) + len(plan.deleted))

    def _listing(self) -> dict[str, Listed]:
        """The objects under the prefix by path, without feedpub's own manifest and lock."""
        objects = {}
        for key, listed in self.store.listing(self.where.prefix).items():
            path = key.removeprefix(self.where.prefix)
            if path not in (MANIFEST, LOCK):
                objects[path] = listed
        return objects


def _invalidate(command: str, paths: list[str], where: Destination) -> list[str]:
    """Run the --invalidate command with `paths` on its standard input, one a line; what went
    wrong, as warnings (the deploy itself has succeeded)."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            input="".join(f"{path}\n" for path in paths),
            text=True,
            timeout=INVALIDATE_TIMEOUT,
            env=os.environ | {"FEEDPUB_DESTINATION": str(where)},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [f"--invalidate command did not finish within {INVALIDATE_TIMEOUT} s"]
    except OSError as e:
        return [f"--invalidate command could not run: {e.strerror}"]
    if done.returncode != 0:
        return [
            f"--invalidate command exited {done.returncode}; caches may serve old copies until they expire"
        ]
    return []
