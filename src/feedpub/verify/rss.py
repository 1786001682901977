"""RSS 2.0: the structure the RSS 2.0 specification and the RSS Advisory Board's profile
require, and the W3C validator's RSS checks. RSS has no official schema."""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]

from feedpub.catalogue import LANGUAGE_TAG, MIME_TYPE
from feedpub.catalogue.directories import ITUNES, PODCAST
from feedpub.verify import podcast
from feedpub.verify.common import (
    ATOM,
    HISTORY,
    MEDIA,
    Report,
    check_history,
    check_html,
    check_media,
    check_plain_text,
    check_rfc822,
    check_self_links,
    check_uri,
    text_of,
)

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
NAMESPACES = {
    "atom": ATOM,
    "content": CONTENT,
    "dc": DC,
    "fh": HISTORY,
    "media": MEDIA,
    "itunes": ITUNES,
    "podcast": PODCAST,
}
CHANNEL = {
    "title",
    "link",
    "description",
    "language",
    "copyright",
    "managingEditor",
    "webMaster",
    "pubDate",
    "lastBuildDate",
    "category",
    "generator",
    "docs",
    "cloud",
    "ttl",
    "image",
    "rating",
    "textInput",
    "skipHours",
    "skipDays",
    "item",
    f"{{{ATOM}}}link",
    f"{{{HISTORY}}}archive",
    f"{{{HISTORY}}}complete",
    *podcast.CHANNEL,
}
ITEM = {
    "title",
    "link",
    "description",
    "author",
    "category",
    "comments",
    "enclosure",
    "guid",
    "pubDate",
    "source",
    f"{{{CONTENT}}}encoded",
    f"{{{DC}}}creator",
    f"{{{DC}}}language",
    f"{{{MEDIA}}}content",
    f"{{{MEDIA}}}thumbnail",
    f"{{{MEDIA}}}group",
    *podcast.ITEM,
}
IMAGE = {"url", "title", "link", "width", "height", "description"}
_IMAGE_FORMAT = re.compile(r"\w+")
_IMAGE_FORMATS = ("jpg", "jpeg", "gif", "png")
_IMAGE_MOST = {"width": 144, "height": 400}
REPEATABLE = {
    "category",
    "item",
    "enclosure",
    f"{{{ATOM}}}link",
    f"{{{DC}}}creator",
    f"{{{MEDIA}}}content",
    f"{{{MEDIA}}}thumbnail",
    f"{{{MEDIA}}}group",
    *podcast.REPEATABLE,
}
"""What a channel or item may hold more than once (a second enclosure has its own warning)."""
_CONTACT = re.compile(r"[A-Za-z0-9_\-+.']+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]* \([^()<>\",;]+\)")
_ENCLOSURE_URL = re.compile(r"https?://([A-Za-z0-9-]+\.)+[A-Za-z0-9][-A-Za-z0-9]*(:\d+)?(/|$)")


def check(root: etree._Element, relative: str, report: Report) -> None:
    if root.get("version") != "2.0":
        report.at(root, "InvalidRSSVersion", "version must be 2.0")
    for prefix, uri in root.nsmap.items():
        if NAMESPACES.get(prefix) != uri:
            report.at(root, "UnknownNamespace", f"declares xmlns:{prefix}={uri!r}", warning=True)
    for element in root.iterdescendants():
        if isinstance(element.tag, str) and element.nsmap != root.nsmap:
            report.at(element, "namespaces", "declares a namespace below the root")
    channels = root.findall("channel")
    if len(channels) != 1 or len(root) != 1:
        report.at(root, "MissingElement", "must hold exactly one <channel> and nothing else")
        return
    channel = channels[0]
    _check_children(channel, CHANNEL, report)
    for name in ("title", "link", "description"):
        if channel.find(name) is None:
            report.at(channel, "MissingElement", f"missing <{name}>")
    items = channel.findall("item")
    first_item = channel.index(items[0]) if items else len(channel)
    for child in channel[first_item:]:
        if child.tag != "item":
            report.at(child, "MisplacedItem", "channel metadata must come before the items", warning=True)
    for name in ("title", "description"):
        for element in channel.findall(name):
            check_plain_text(element, report, rss=True)
    # Plain text to the RSS specification and the W3C validator, HTML to readers: any markup in
    # it shows, and unsafe markup runs.
    for element in channel.findall("description"):
        check_html(element, report, relative_ok=False, plain=True)
    for element in channel.findall("link") + channel.findall("docs"):
        check_uri(element, text_of(element), report)
    _check_languages(channel.findall("language"), report)
    for element in channel.findall("lastBuildDate") + channel.findall("pubDate"):
        check_rfc822(element, report)
    check_self_links(channel, channel.findall(f"{{{ATOM}}}link"), relative, report, "MissingAtomSelfLink")
    check_history(channel, report)
    for image in channel.findall("image"):
        _check_image(image, channel, report)
    itunes = podcast.check_channel(channel, report)
    guids: dict[str, int] = {}
    seen: podcast.Seen = {}
    for item in items:
        _check_item(item, guids, report)
        podcast.check_item(item, itunes, seen, report)


def _check_languages(elements: list[etree._Element], report: Report) -> None:
    for element in elements:
        if not LANGUAGE_TAG.fullmatch(text_of(element)):
            report.at(element, "InvalidLanguage", f"{text_of(element)!r} is not an ISO 639 language code")


def _check_children(parent: etree._Element, allowed: set[str], report: Report) -> None:
    seen: set[str] = set()
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in allowed:
            report.at(child, "UndefinedElement", f"is not an element RSS 2.0 allows in <{parent.tag}>")
        if child.tag not in REPEATABLE and child.tag in seen:
            report.at(child, "DuplicateElement", f"<{parent.tag}> contains more than one")
        seen.add(child.tag)


def _check_image(image: etree._Element, channel: etree._Element, report: Report) -> None:
    """The channel's image: a JPEG, GIF or PNG address, titled and linked as the channel is,
    at most 144 by 400 pixels."""
    _check_children(image, IMAGE, report)
    for name, w3c in (("url", "MissingElement"), ("title", "MissingTitle"), ("link", "MissingLink")):
        if image.find(name) is None:
            report.at(image, w3c, f"missing <{name}>")
    for url in image.findall("url"):
        check_uri(url, text_of(url), report)
        extension = text_of(url).rsplit(".", 1)[-1].lower()
        if _IMAGE_FORMAT.fullmatch(extension) and extension not in _IMAGE_FORMATS:
            report.at(url, "ImageUrlFormat", "the image should be a JPEG, GIF or PNG file", warning=True)
    for name, w3c in (("title", "ImageTitleDoesntMatch"), ("link", "ImageLinkDoesntMatch")):
        mine, channels = image.find(name), channel.find(name)
        if mine is not None and channels is not None and text_of(mine) != text_of(channels):
            report.at(mine, w3c, f"should be the channel's <{name}>", warning=True)
    for element in image.findall("link"):
        check_uri(element, text_of(element), report)
    for name, most in _IMAGE_MOST.items():
        for element in image.findall(name):
            value = text_of(element)
            if not (value.isascii() and value.isdigit() and 0 < int(value) <= most):
                w3c = "InvalidWidth" if name == "width" else "InvalidHeight"
                report.at(element, w3c, f"must be a whole number from 1 to {most}")


def _check_enclosure(enclosure: etree._Element, report: Report) -> None:
    for name in ("url", "length", "type"):
        if enclosure.get(name) is None:
            report.at(enclosure, "MissingAttribute", f"missing attribute {name!r}")
    if not _ENCLOSURE_URL.match(enclosure.get("url", "")):
        report.at(enclosure, "InvalidURLAttribute", "url must be a full http(s) URL with a dotted host")
    if not enclosure.get("length", "").isdigit():
        report.at(enclosure, "InvalidIntegerAttribute", "length must be a whole number of bytes")
    if not MIME_TYPE.fullmatch(enclosure.get("type", "")):
        report.at(enclosure, "InvalidMIMEAttribute", "type must be a valid MIME type")


def _check_item(item: etree._Element, guids: dict[str, int], report: Report) -> None:
    _check_children(item, ITEM, report)
    if item.find("title") is None and item.find("description") is None:
        report.at(item, "ItemMustContainTitleOrDescription", "needs a title or a description")
    for element in item.findall("title") + item.findall("category") + item.findall(f"{{{DC}}}creator"):
        check_plain_text(element, report, rss=True)
    for element in item.findall("description") + item.findall(f"{{{CONTENT}}}encoded"):
        check_html(element, report, relative_ok=False)
    encoded = item.find(f"{{{CONTENT}}}encoded")
    description = item.find("description")
    if encoded is not None and (description is None or item.index(description) > item.index(encoded)):
        report.at(
            encoded, "NeedDescriptionBeforeContent", "description must precede content:encoded", warning=True
        )
    for element in item.findall("link"):
        check_uri(element, text_of(element), report)
    _check_languages(item.findall(f"{{{DC}}}language"), report)
    for element in item.findall("pubDate"):
        check_rfc822(element, report)
    for element in item.findall("author"):
        if not _CONTACT.fullmatch(text_of(element)):
            report.at(element, "InvalidContact", f"{text_of(element)!r} is not 'address (Real Name)'")
        check_plain_text(element, report, rss=True)
    if item.find("author") is not None and item.find(f"{{{DC}}}creator") is not None:
        report.at(item, "DuplicateItemSemantics", "has both <author> and <dc:creator>", warning=True)
    enclosures = item.findall("enclosure")
    if len(enclosures) > 1:
        report.at(enclosures[1], "DuplicateEnclosure", "item contains more than one enclosure", warning=True)
    for enclosure in enclosures:
        _check_enclosure(enclosure, report)
    check_media(item, report)
    guid = item.find("guid")
    if guid is None:
        report.at(item, "MissingGuid", "should contain a guid", warning=True)
        return
    value = text_of(guid)
    permalink = guid.get("isPermaLink", "true")
    if permalink not in ("true", "false"):
        report.at(guid, "InvalidBooleanAttribute", "isPermaLink must be 'true' or 'false'")
    if permalink == "true":
        check_uri(guid, value, report, "InvalidHttpGUID")
        if value.lower().startswith(("tag:", "urn:uuid:")):
            report.at(guid, "InvalidPermalink", 'a tag: or urn:uuid: guid needs isPermaLink="false"')
    elif len(value) < 9 and value.isdigit():
        report.at(guid, "NotSufficientlyUnique", "guid is not sufficiently unique", warning=True)
    if value in guids:
        report.at(guid, "DuplicateValue", f"same guid as the item on line {guids[value]}")
    guids[value] = guid.sourceline
