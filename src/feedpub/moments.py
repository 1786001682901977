"""Local times in a time zone: those the clocks skip, those they show twice, and the fixed
UTC offset a local time is kept with (a zone's ambiguous hour would make equal instants
compare unequal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Feed validators call earlier dates implausible."""
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Later dates leave no room to compute with (a day's offset, a second's tie-break)."""


def skipped(moment: datetime, zone: tzinfo) -> bool:
    """Whether the local time `moment` (without an offset) does not exist in `zone`."""
    return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment


def repeated(moment: datetime, zone: tzinfo) -> bool:
    """Whether the local time `moment` (without an offset) happens twice in `zone`."""
    return moment.replace(tzinfo=zone).utcoffset() != moment.replace(tzinfo=zone, fold=1).utcoffset()


def fixed(moment: datetime, zone: tzinfo) -> datetime:
    """The local time `moment` in `zone` (the first, if it happens twice), with a fixed offset."""
    return moment.replace(tzinfo=timezone(moment.replace(tzinfo=zone).utcoffset() or timedelta(0)))
