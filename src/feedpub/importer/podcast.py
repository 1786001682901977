"""A podcast feed's iTunes and Podcast Namespace elements → the catalogue's podcast fields,
so that a show moved from a host keeps its artwork, categories, guid and episodes' details."""

from __future__ import annotations

import math
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from feedpub.catalogue.directories import (
    CATEGORY_NAMES,
    DURATION,
    EPISODE_TYPES,
    ITUNES,
    OBSOLETE,
    PODCAST,
    SEPARATOR,
    SHOW_TYPES,
    TRANSCRIPT_TYPES,
    seconds,
)
from feedpub.importer.elements import text

_I, _P = f"{{{ITUNES}}}", f"{{{PODCAST}}}"
_FLAGS = {"yes": True, "true": True, "explicit": True, "no": False, "false": False, "clean": False}


def show(channel: etree._Element, notes: list[str]) -> dict[str, Any] | None:
    """The channel's podcast block, if it has artwork and a category; `notes` hears what was
    changed (a category of Apple's old list, one that is none of Apple's)."""
    href = _attribute(channel.find(f"{_I}image"), "href") or text(channel.find("image/url"))
    categories = _categories(channel, notes)
    if not href or not categories:
        return None
    owner = channel.find(f"{_I}owner")
    email = text(owner.find(f"{_I}email")) if owner is not None else None
    name = owner is not None and (
        text(owner.find(f"{_I}name")) or text(channel.find(f"{_I}author")) or text(channel.find("title"))
    )
    locked = _flag(channel.find(f"{_P}locked"))
    if locked:
        notes.append(
            "the feed is locked (podcast:locked): the Podcast Namespace asks that a show be moved "
            "only by its owner, and the new feed stays locked"
        )
    funding = [
        {"url": e.get("url").strip(), "title": text(e)}
        for e in channel.findall(f"{_P}funding")
        if e.get("url") and text(e)
    ]
    return _given(
        image=href,
        categories=categories,
        explicit=_flag(channel.find(f"{_I}explicit")),
        owner={"name": name or email.partition("@")[0], "email": email} if email else None,
        type=_one_of(channel.find(f"{_I}type"), SHOW_TYPES),
        locked=locked,
        funding=funding or None,
        guid=text(channel.find(f"{_P}guid")),
    )


def _categories(channel: etree._Element, notes: list[str]) -> list[str]:
    names: list[str] = []
    for parent in channel.findall(f"{_I}category"):
        subs = [s.get("text", "").strip() for s in parent.findall(f"{_I}category")]
        top = parent.get("text", "").strip()
        for name in [f"{top}{SEPARATOR}{s}" for s in subs if s] or [top]:
            if name in OBSOLETE:
                notes.append(
                    f"the feed's category '{name}' is of Apple's old list: "
                    f"its nearest now, '{OBSOLETE[name]}', is kept"
                )
                name = OBSOLETE[name]
            elif name not in CATEGORY_NAMES:
                notes.append(f"left out the feed's category '{name}', which is none of Apple's")
                continue
            if name not in names:
                names.append(name)
    return names


def episode(item: etree._Element) -> dict[str, Any]:
    """The item's episode fields, those it gives in a form the catalogue takes."""
    numbers = {
        name: int(number)
        for name in ("episode", "season")
        if (number := text(item.find(f"{_I}{name}")) or text(item.find(f"{_P}{name}")))
        and number.isascii()
        and number.isdigit()
        and int(number) > 0
    }
    transcript = next(
        (t for t in item.findall(f"{_P}transcript") if t.get("url") and t.get("type") in TRANSCRIPT_TYPES),
        None,
    )
    return _given(
        duration=_seconds(text(item.find(f"{_I}duration"))),
        episode=numbers.get("episode"),
        season=numbers.get("season"),
        episode_type=_one_of(item.find(f"{_I}episodeType"), EPISODE_TYPES),
        explicit=_flag(item.find(f"{_I}explicit")),
        transcript={"url": transcript.get("url").strip(), "type": transcript.get("type")}
        if transcript is not None
        else None,
        chapters=_attribute(item.find(f"{_P}chapters"), "url"),
    )


CARRIED = {
    "itunes:duration": "duration",
    "itunes:episode": "episode",
    "podcast:episode": "episode",
    "itunes:season": "season",
    "podcast:season": "season",
    "itunes:episodeType": "episode_type",
    "itunes:explicit": "explicit",
    "podcast:transcript": "transcript",
    "podcast:chapters": "chapters",
    "itunes:image": "image",
    "itunes:category": "categories",
    "itunes:owner": "owner",
    "itunes:type": "type",
    "podcast:locked": "locked",
    "podcast:funding": "funding",
    "podcast:guid": "guid",
}
"""The field of a show (the channel's element) or an episode (an item's) each element comes
over into, when it is in a form the catalogue takes."""


def _given(**values: Any) -> dict[str, Any]:
    """The fields given, in the catalogue's order."""
    return {name: value for name, value in values.items() if value is not None}


def _attribute(element: etree._Element | None, name: str) -> str | None:
    value = (element.get(name) or "").strip() if element is not None else ""
    return value or None


def _one_of(element: etree._Element | None, words: tuple[str, ...]) -> str | None:
    word = text(element)
    return word if word in words else None


def _flag(element: etree._Element | None) -> bool | None:
    """yes or no, as iTunes and the Podcast Namespace write it (or true, false, clean, explicit)."""
    return _FLAGS.get((text(element) or "").lower())


def artwork(item: etree._Element) -> str | None:
    """The episode's own artwork (itunes:image), which the catalogue takes as its image."""
    return _attribute(item.find(f"{_I}image"), "href")


def _seconds(value: str | None) -> int | None:
    """A duration as whole seconds: H:MM:SS, M:SS or seconds, which hosts also write with a
    fraction (rounded up, so that no episode is said to be shorter than it is)."""
    if not value:
        return None
    if DURATION.fullmatch(value):
        return seconds(value) or None
    try:
        number = float(value)
    except ValueError:
        return None
    return math.ceil(number) if math.isfinite(number) and number > 0 else None
