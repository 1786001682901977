"""Dates as old feeds write them → moments, or why a date is not one.

RFC 822 (RSS) and ISO 8601 (Atom, JSON Feed, WordPress exports) are read by their own rules,
so that a zone feedpub cannot read is said, never taken for "no offset": RFC 822's names and
numeric offsets (with or without a colon) are offsets; -0000 and military letters are UTC
with the local zone unknown (RFC 5322 §3.3 and §4.3); any other name is not an offset, and the
time is read in site.timezone, said on stderr and in a comment. Anything else is what
dateutil makes of it (noted).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?)?", re.I
)
_RFC822 = re.compile(
    r"(?:[A-Za-z]+,?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
    r"\s*(?P<zone>[^\s(]*)\s*(?:\([^()]*\))?"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_OFFSET = re.compile(r"([+-])(\d\d)(?::?(\d\d))?")
_NAMED = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5}
_NAMED |= {"MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
_MILITARY = re.compile(r"[A-IK-Ya-ik-y]")
_NO_OFFSET = "the feed gave no offset: the time is read in site.timezone"
EXPECTED = (
    "expected RFC 822, such as Mon, 04 Dec 2023 10:00:00 +0000, or ISO 8601, such as 2023-12-04T10:00:00Z"
)


@dataclass(frozen=True)
class Reading:
    """A date as read: its moment, or (None) why it is not one; what the comment says about
    how it was read, and what is worth saying on stderr too."""

    moment: datetime | None
    why: str = ""
    notes: tuple[str, ...] = ()
    warning: str = ""


def read(raw: str) -> Reading:
    text = " ".join(raw.split())
    iso = _ISO.fullmatch(text)
    if iso:
        year, month, day, hour, minute, second, fraction, zone = iso.groups()
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return _moment(text, (int(year), int(month), int(day)), (hour, minute, second, micro), zone or "")
    rfc = _RFC822.fullmatch(text)
    if rfc and rfc.group(2).lower() in _MONTHS:
        day, month_name, year_text, hour, minute, second, zone = rfc.groups()
        year = int(year_text)
        if len(year_text) == 2:  # RFC 5322 §4.3: 00-49 are 2000-2049, 50-99 are 1950-1999
            year += 2000 if year < 50 else 1900
        elif len(year_text) == 3:
            year += 1900
        date = (year, _MONTHS.index(month_name.lower()) + 1, int(day))
        return _moment(text, date, (hour, minute, second, 0), zone)
    return _loosely(text)


def _moment(
    text: str, date: tuple[int, int, int], time: tuple[str | None, str | None, str | None, int], zone: str
) -> Reading:
    offset, notes, warning = _zone(zone)
    if isinstance(offset, str):
        return Reading(None, f"'{text}' {offset}")
    hour, minute, second, micro = time
    try:
        moment = datetime(*date, int(hour or 0), int(minute or 0), int(second or 0), micro, offset)
    except ValueError as e:  # day is out of range for month, hour must be in 0..23…
        return Reading(None, f"'{text}' is not a date: {e}")
    if hour is None and not zone:
        notes = ("the feed gave a day without a time: midnight in site.timezone",)
    return Reading(moment, notes=notes, warning=warning)


def _zone(zone: str) -> tuple[tzinfo | str | None, tuple[str, ...], str]:
    """The offset `zone` names (or why it is none), the notes and the warning it calls for."""
    if not zone:
        return None, (_NO_OFFSET,), ""
    numeric = _OFFSET.fullmatch(zone)
    if numeric:
        sign, hours, minutes = numeric.group(1), int(numeric.group(2)), int(numeric.group(3) or 0)
        if hours > 23 or minutes > 59:
            return f"has the UTC offset {zone}, which is not one (offsets run from -23:59 to +23:59)", (), ""
        if sign == "-" and not hours and not minutes:
            return UTC, ("the feed wrote -0000: the time is UTC, the local zone unknown (RFC 5322)",), ""
        span = timedelta(hours=hours, minutes=minutes)
        return timezone(-span if sign == "-" else span), (), ""
    if zone.upper() in _NAMED:
        return timezone(timedelta(hours=_NAMED[zone.upper()])), (), ""
    if _MILITARY.fullmatch(zone):
        said = (
            f"the feed's zone '{zone}' is a military letter, which RFC 5322 says to read as -0000, "
            "since RFC 822 gave them the wrong signs: the time is read as UTC"
        )
        return UTC, (said,), said
    said = (
        f"the feed's zone '{zone}' is not an offset feedpub can read (RFC 822 names such as GMT or "
        "EST, or +hhmm): the time is read in site.timezone, so check it"
    )
    return None, (said,), said


def _loosely(text: str) -> Reading:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            moment = dateutil_parser.parse(text)
            moment.utcoffset()  # an offset of a day or more is refused here
        except (ValueError, OverflowError):
            return Reading(None, f"'{text}' is not a date feedpub can read ({EXPECTED})")
    notes = [f"date read loosely from '{text}'"]
    warning = ""
    if moment.tzinfo is None and caught:  # dateutil warns of a zone name it does not know
        warning = (
            f"the feed's date '{text}' names a zone that is not an offset feedpub can read: "
            "the time is read in site.timezone, so check it"
        )
        notes.append(warning)
    elif moment.tzinfo is None:
        notes.append(_NO_OFFSET)
    return Reading(moment, notes=tuple(notes), warning=warning)
