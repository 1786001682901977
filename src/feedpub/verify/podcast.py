"""A podcast's RSS: the W3C validator's iTunes checks (src/feedvalidator/itunes.py), named by
its message classes, and the Podcast Namespace 1.0's rules, which the validator does not
check (it names the namespace and leaves it): those are named by the element."""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]

from feedpub.catalogue.directories import (
    ARTWORK_URL,
    CATEGORIES,
    DURATION,
    EPISODE_TYPES,
    EXTENSIONS,
    GUID,
    ITUNES,
    OBSOLETE,
    PLAYABLE,
    PODCAST,
    SEPARATOR,
    SHOW_TYPES,
)
from feedpub.verify.common import Report, check_plain_text, check_uri, text_of

_I, _P = f"{{{ITUNES}}}", f"{{{PODCAST}}}"
CHANNEL = {
    f"{_I}{name}"
    for name in (
        "author",
        "block",
        "category",
        "complete",
        "explicit",
        "image",
        "new-feed-url",
        "owner",
        "subtitle",
        "summary",
        "title",
        "type",
    )
} | {f"{_P}{name}" for name in ("guid", "locked", "funding")}
ITEM = {
    f"{_I}{name}"
    for name in (
        "author",
        "block",
        "duration",
        "episode",
        "episodeType",
        "explicit",
        "image",
        "season",
        "subtitle",
        "summary",
        "title",
    )
} | {f"{_P}{name}" for name in ("transcript", "chapters", "season", "episode")}
REPEATABLE = {f"{_I}category", f"{_P}funding", f"{_P}transcript"}
_EMAIL = re.compile(r"[A-Za-z0-9_\-+.']+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]*")
_MOST = {"author": 255, "subtitle": 255, "summary": 4000, "name": 255}
"""The longest iTunes texts, in characters."""


def check_channel(channel: etree._Element, report: Report) -> bool:
    """The channel's iTunes and Podcast Namespace elements, if it or its items have any iTunes
    element (as the validator, which then asks for what directories need); whether they have."""
    if not any(e.tag.startswith(_I) for e in channel.iter() if isinstance(e.tag, str)):
        return False
    for name, element in (
        ("language", channel.find("language")),
        ("itunes:category", channel.find(f"{_I}category")),
        ("itunes:explicit", channel.find(f"{_I}explicit")),
    ):
        if element is None:
            report.at(channel, "MissingItunesElement", f"missing recommended <{name}>", warning=True)
    if channel.find(f"{_I}owner") is None:
        report.at(channel, "MissingItunesEmail", "missing <itunes:owner> with <itunes:email>", warning=True)
    _check_common(channel, report)
    for owner in channel.findall(f"{_I}owner"):
        emails = owner.findall(f"{_I}email")
        if not emails:
            report.at(owner, "MissingElement", "missing <itunes:email>")
        for email in emails:
            if not _EMAIL.fullmatch(text_of(email)):
                report.at(email, "InvalidContact", f"{text_of(email)!r} is not an e-mail address")
        _check_lengths(owner, report)
    for category in channel.findall(f"{_I}category"):
        _check_category(category, report)
    for element in channel.findall(f"{_I}type"):
        if text_of(element) not in SHOW_TYPES:
            report.at(element, "InvalidItunesChannelType", f"must be one of: {', '.join(SHOW_TYPES)}")
    for element in channel.findall(f"{_I}new-feed-url"):
        check_uri(element, text_of(element), report)
    for element in channel.findall(f"{_P}guid"):
        if not GUID.fullmatch(text_of(element)):
            report.at(element, "podcast:guid", "must be a UUID (Podcast Namespace)")
    for element in channel.findall(f"{_P}locked"):
        if text_of(element) not in ("yes", "no"):
            report.at(element, "podcast:locked", "must be yes or no (Podcast Namespace)")
        if element.get("owner") is not None and not _EMAIL.fullmatch(element.get("owner")):
            report.at(element, "podcast:locked", "owner must be an e-mail address (Podcast Namespace)")
    for element in channel.findall(f"{_P}funding"):
        _check_link(element, report)
        if len(text_of(element)) > 128:
            report.at(
                element, "podcast:funding", "more than 128 characters (Podcast Namespace)", warning=True
            )
    return True


Seen = dict[tuple[str, ...], int]
"""The enclosures and the (season, episode) numbers of a feed's items so far, with the line of
the first item that has each."""


def check_item(item: etree._Element, itunes: bool, seen: Seen, report: Report) -> None:
    """An item's iTunes and Podcast Namespace elements, and, in a feed that uses the iTunes
    namespace, its enclosure (of a type and extension directories play, and no other item's)
    and its number (no other item's in its season)."""
    _check_common(item, report)
    for element in item.findall(f"{_I}duration"):
        if not DURATION.fullmatch(text_of(element)):
            report.at(element, "InvalidDuration", "must be seconds, MM:SS or HH:MM:SS")
    for name in ("episode", "season"):
        for element in item.findall(f"{_I}{name}") + item.findall(f"{_P}{name}"):
            value = text_of(element)
            if not (value.isascii() and value.isdigit() and int(value) > 0):
                report.at(element, "InvalidPositiveInteger", "must be a positive whole number")
    for element in item.findall(f"{_I}episodeType"):
        if text_of(element) not in EPISODE_TYPES:
            report.at(element, "InvalidItunesEpisodeType", f"must be one of: {', '.join(EPISODE_TYPES)}")
    for name in ("transcript", "chapters"):
        for element in item.findall(f"{_P}{name}"):
            _check_link(element, report)
            if not element.get("type"):
                report.at(element, "MissingAttribute", "missing attribute 'type' (Podcast Namespace)")
    if not itunes:
        return
    for enclosure in item.findall("enclosure"):
        url = enclosure.get("url", "")
        extension = url.rsplit(".", 1)[-1]
        if extension not in EXTENSIONS or enclosure.get("type") not in PLAYABLE:
            report.at(
                enclosure,
                "UnsupportedItunesFormat",
                f"podcast directories may not play a .{extension} file of type {enclosure.get('type')}",
                warning=True,
            )
        _once(enclosure, ("enclosure", url), seen, "the same enclosure as the item", report)
    number = item.find(f"{_I}episode")
    if number is not None:
        season = item.find(f"{_I}season")
        key = ("episode", text_of(number), "" if season is None else text_of(season))
        _once(number, key, seen, "the same season and episode number as the item", report)


def _once(element: etree._Element, key: tuple[str, ...], seen: Seen, what: str, report: Report) -> None:
    if key in seen:
        report.at(element, "DuplicateEpisode", f"{what} on line {seen[key]}", warning=True)
    else:
        seen[key] = element.sourceline


def _check_common(parent: etree._Element, report: Report) -> None:
    """What channels and items share: explicit, image, and texts of limited length."""
    for element in parent.findall(f"{_I}explicit"):
        if text_of(element).lower() not in ("true", "false"):
            report.at(element, "InvalidTrueFalse", "must be true or false")
    for element in parent.findall(f"{_I}image"):
        href = element.get("href")
        if href is None:
            report.at(element, "MissingAttribute", "missing attribute 'href'")
            continue
        check_uri(element, href, report, "InvalidURLAttribute")
        if not ARTWORK_URL.fullmatch(href):
            report.at(element, "ImageUrlFormat", "Apple takes artwork ending in .jpg or .png", warning=True)
    _check_lengths(parent, report)


def _check_lengths(parent: etree._Element, report: Report) -> None:
    for name, most in _MOST.items():
        for element in parent.findall(f"{_I}{name}"):
            check_plain_text(element, report, rss=True)
            if len(text_of(element)) > most:
                report.at(element, "TooLong", f"more than {most} characters")


def _check_category(category: etree._Element, report: Report, parent: str | None = None) -> None:
    text = category.get("text")
    if text is None:
        report.at(category, "MissingAttribute", "missing attribute 'text'")
        return
    current = CATEGORIES if parent is None else CATEGORIES.get(parent, ())
    written = text if parent is None else f"{parent}{SEPARATOR}{text}"
    if written in OBSOLETE:
        report.at(
            category,
            "ObsoleteItunesCategory",
            f"{written!r} is no longer an iTunes category (now: {OBSOLETE[written]!r})",
            warning=True,
        )
    elif text not in current:
        report.at(category, "InvalidItunesCategory", f"{written!r} is not an iTunes category")
    if parent is None:
        for sub in category.findall(f"{_I}category"):
            _check_category(sub, report, text)


def _check_link(element: etree._Element, report: Report) -> None:
    url = element.get("url")
    if url is None:
        report.at(element, "MissingAttribute", "missing attribute 'url' (Podcast Namespace)")
    else:
        check_uri(element, url, report, "InvalidURLAttribute")
