"""Work shared with one forked process, on machines with a second core.

The child starts with a copy of everything the parent holds (no arguments to send), does
its part and sends back one pickled value in an unnamed temporary file; it never touches
the output folder, so a child that dies or is killed leaves nothing behind.
"""

from __future__ import annotations

import mmap
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")
V = TypeVar("V")


def pickled_by_value(cls: type[T]) -> type[T]:
    """`cls` (a frozen dataclass) pickled as a call with its fields: several times faster
    to pickle and unpickle than the state dataclasses keep for slotted classes, which
    counts for the many values a forked process sends back."""
    values: Callable[[Any], tuple[Any, ...]] = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]
    cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign]
    return cls


def available(jobs: int | None) -> bool:
    """Whether work may be shared with a second process: `jobs` is 2 or more, or None (as
    many as the machine has cores for); and no other thread is running (a fork copies only
    the calling thread, and a lock another thread holds would stay locked in the child)."""
    wanted = _cores() if jobs is None else jobs
    return wanted >= 2 and hasattr(os, "fork") and threading.active_count() == 1


def _cores() -> int:
    """The cores this process may run on (all of the machine's where that is not known)."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def both(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U | None]:
    """`here()`, computed in this process, and `there()`, computed at the same time in a
    forked one; None in its place if that process failed to send it back, or could not be
    started (no temporary file, no memory for a fork)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or both processes would write what is buffered
    # A file rather than a pipe: the child writes without waiting for the parent to read,
    # and the parent reads it at once, however large, when it is done with its own part.
    try:
        channel = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the with below
    except OSError:
        return here(), None
    with channel:
        try:
            pid = os.fork()
        except OSError:
            return here(), None
        if pid == 0:  # the child: send the value, or nothing, and leave without clean-up
            status = 1
            try:
                pickle.dump(there(), channel, protocol=pickle.HIGHEST_PROTOCOL)
                channel.flush()
                status = 0
            finally:
                os._exit(status)
        try:
            mine = here()
        finally:
            _, status = os.waitpid(pid, 0)
        size = os.fstat(channel.fileno()).st_size
        if status != 0 or not size:
            return mine, None
        with mmap.mmap(channel.fileno(), size, access=mmap.ACCESS_READ) as sent:
            theirs: U = pickle.loads(sent)
    return mine, theirs


def divided(
    items: list[T], jobs: int | None, work: Callable[[list[T], bool], dict[K, V]], *, here: float
) -> dict[K, V]:
    """What `work` makes of independent `items`: all of them here, or, if `jobs` allows, the
    share `here` of them here and the rest in a second process. `work`'s flag says whether
    it runs here, in the process that may report progress."""
    if not available(jobs):
        return work(items, True)
    cut = int(len(items) * here)

    def there() -> dict[K, V]:
        return work(items[cut:], False)

    mine, theirs = both(lambda: work(items[:cut], True), there)
    mine.update(there() if theirs is None else theirs)
    return mine
