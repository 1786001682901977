"""Work shared with one forked process, on machines with a second core.

The child starts with a copy of everything the parent holds (no arguments to send), does
its part and sends back one pickled value through a pipe; it never touches the output
folder, so a child that dies or is killed leaves nothing behind.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")


def available(jobs: int) -> bool:
    """Whether work may be shared: `jobs` allows two processes, the machine has two cores
    for them, and no other thread is running (a fork copies only the calling thread, and
    a lock another thread holds would stay locked in the child)."""
    return (
        jobs >= 2
        and hasattr(os, "fork")
        and len(os.sched_getaffinity(0)) >= 2
        and threading.active_count() == 1
    )


def both(here: Callable[[], T], there: Callable[[], U]) -> tuple[T, U | None]:
    """`here()`, computed in this process, and `there()`, computed at the same time in a
    forked one; None in its place if that process failed to send it back."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or both processes would write what is buffered
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the value, or nothing, and leave without clean-up
        os.close(readable)
        status = 1
        try:
            # pickled whole first: the pipe blocks until the parent reads, which may be later
            value = pickle.dumps(there(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(value)
            status = 0
        finally:
            os._exit(status)
    os.close(writable)
    try:
        mine = here()
    finally:
        try:
            with os.fdopen(readable, "rb") as pipe:
                data = pipe.read()
        finally:
            _, status = os.waitpid(pid, 0)
    theirs: U | None = pickle.loads(data) if status == 0 and data else None
    return mine, theirs
