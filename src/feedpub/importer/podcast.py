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
    image = channel.find(f"{_I}image")
    href = image.get("href") if image is not None else text(channel.find("image/url"))
    categories = _categories(channel, notes)
    if not href or not categories:
        return None
    found: dict[str, Any] = {"image": href.strip(), "categories": categories}
    explicit = _FLAGS.get((text(channel.find(f"{_I}explicit")) or "").lower())
    if explicit is not None:
        found["explicit"] = explicit
    owner = channel.find(f"{_I}owner")
    email = text(owner.find(f"{_I}email")) if owner is not None else None
    if owner is not None and email:
        name = (
            text(owner.find(f"{_I}name")) or text(channel.find(f"{_I}author")) or text(channel.find("title"))
        )
        found["owner"] = {"name": name or email.partition("@")[0], "email": email}
    kind = text(channel.find(f"{_I}type"))
    if kind in SHOW_TYPES:
        found["type"] = kind
    locked = _FLAGS.get((text(channel.find(f"{_P}locked")) or "").lower())
    if locked is not None:
        found["locked"] = locked
    funding = [
        {"url": e.get("url").strip(), "title": text(e)}
        for e in channel.findall(f"{_P}funding")
        if e.get("url") and text(e)
    ]
    if funding:
        found["funding"] = funding
    guid = text(channel.find(f"{_P}guid"))
    if guid:
        found["guid"] = guid
    return found


def _categories(channel: etree._Element, notes: list[str]) -> list[str]:
    found: list[str] = []
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
            if name not in found:
                found.append(name)
    return found


def episode(item: etree._Element) -> dict[str, Any]:
    """The item's episode fields, those it gives in a form the catalogue takes."""
    found: dict[str, Any] = {}
    duration = _seconds(text(item.find(f"{_I}duration")))
    if duration:
        found["duration"] = duration
    for name in ("episode", "season"):
        number = text(item.find(f"{_I}{name}")) or text(item.find(f"{_P}{name}"))
        if number and number.isascii() and number.isdigit() and int(number) > 0:
            found[name] = int(number)
    kind = text(item.find(f"{_I}episodeType"))
    if kind in EPISODE_TYPES:
        found["episode_type"] = kind
    explicit = _FLAGS.get((text(item.find(f"{_I}explicit")) or "").lower())
    if explicit is not None:
        found["explicit"] = explicit
    transcripts = [
        t for t in item.findall(f"{_P}transcript") if t.get("url") and t.get("type") in TRANSCRIPT_TYPES
    ]
    if transcripts:
        found["transcript"] = {"url": transcripts[0].get("url").strip(), "type": transcripts[0].get("type")}
    chapters = item.find(f"{_P}chapters")
    if chapters is not None and chapters.get("url"):
        found["chapters"] = chapters.get("url").strip()
    return found


def artwork(item: etree._Element) -> str | None:
    """The episode's own artwork (itunes:image), which the catalogue takes as its image."""
    image = item.find(f"{_I}image")
    href = image.get("href") if image is not None else None
    return href.strip() if href and href.strip() else None


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
