"""Hypothesis strategies for valid catalogues that stress what feeds must carry.

Unicode from every plane XML allows, right-to-left text, emoji, markup characters, tag
spellings that fold together, dates around daylight-saving changes and year ends, drafts,
future articles and empty feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import yaml
from hypothesis import strategies as st

from conftest import NOW
from feedpub.catalogue import unfit_character

# What the catalogue accepts: no character XML cannot carry or readers misread, no end tags
# in plain text, no UTF-8 read as Latin-1, no e-mail address in a name.
xml_char = st.characters(exclude_categories=("Cs",)).filter(lambda c: not unfit_character(c))
special = st.sampled_from(
    ["&", "<", ">", "]]>", '"', "'", "&amp;", "<b>", "שלום", "مرحبا", "👩🏽‍🚀", "\u200f", "𝔘", "\U0010fffd"]  # noqa: RUF001
)
text = (
    st.lists(xml_char | special, min_size=1, max_size=12)
    .map("".join)
    .filter(lambda t: t.split() and not re.search(r"</[A-Za-z]|\S+@\S+\.\w", t) and not mojibake(t))
)

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
]
# Instants near daylight-saving changes, year ends, a leap day, and NOW itself.
ANCHORS = [
    datetime(2023, 3, 12, 7, tzinfo=UTC),
    datetime(2023, 11, 5, 6, tzinfo=UTC),
    datetime(2023, 3, 26, 1, tzinfo=UTC),
    datetime(2023, 10, 29, 1, tzinfo=UTC),
    datetime(2023, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2024, 2, 29, 12, tzinfo=UTC),
    datetime(2021, 1, 1, tzinfo=UTC),
    NOW,
]
# Spellings of one tag that must fold together, per base; bases have distinct slugs.
TAGS = {
    "Gaza": ["Gaza", "gaza", "GAZA", "Gáza", " gaza "],
    "Café Culture": ["Café Culture", "cafe culture", "CAFÉ  CULTURE"],
    "США": ["США", "сша"],
    "العربية": ["العربية"],
    "Straße": ["Straße", "STRASSE", "strasse"],
}

AUTHORS = ["Jane Doe", "jane  doe", "JANE DOE", "Zoë Ng", "Zoe Ng"]
"""Spellings of two authors' names, which fold to one author each."""


@dataclass
class Generated:
    text: str
    data: dict[str, object]
    timezone: str


def _local(moment: datetime, zone: str) -> str | None:
    """`moment` written without an offset in `zone`, if that wall time exists there once."""
    tz = ZoneInfo(zone)
    wall = moment.astimezone(tz).replace(tzinfo=None, fold=0)  # the later of a repeated hour has fold 1
    aware = wall.replace(tzinfo=tz)
    if aware.utcoffset() != aware.replace(fold=1).utcoffset():
        return None
    return wall.isoformat()


@st.composite
def moments(draw: st.DrawFn, zone: str, after: datetime | None = None) -> tuple[object, datetime]:
    """A YAML value for a date field, and the instant feedpub must read from it."""
    base = after or draw(st.sampled_from(ANCHORS))
    moment = (base + timedelta(minutes=draw(st.integers(0 if after else -180, 180)))).replace(microsecond=0)
    form = draw(st.sampled_from(["offset", "utc", "local", "date"]))
    if form == "offset":
        offset = timezone(timedelta(minutes=draw(st.sampled_from([-720, -300, -210, 0, 345, 765]))))
        return moment.astimezone(offset).isoformat(), moment
    if form == "local":
        wall = _local(moment, zone)
        if wall is not None:
            return wall, moment
    if form == "date" and not after:
        day = moment.astimezone(ZoneInfo(zone)).date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
        if _local(midnight, zone) == datetime(day.year, day.month, day.day).isoformat():
            return date(day.year, day.month, day.day), midnight
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), moment


@st.composite
def catalogues(draw: st.DrawFn) -> Generated:
    zone = draw(st.sampled_from(ZONES))
    site: dict[str, object] = {
        "title": draw(text),
        "link": "https://example.org/",
        "feed_url": "https://example.org/feeds/",
        "description": draw(text),
        "timezone": zone,
        # an id names the author's feed folder, which a name without letters could not
        "author": {"name": draw(text), "email": "desk@example.org", "id": "desk"},
    }
    if draw(st.booleans()):
        site["max_items"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        site["websub_hub"] = "https://hub.example.org/"
    if draw(st.booleans()):
        site["archive"] = True
    for name in ("icon", "logo"):
        if draw(st.booleans()):
            site[name] = f"https://example.org/{name}.{draw(st.sampled_from(['png', 'svg']))}"
    if draw(st.booleans()):
        site["content"] = draw(st.sampled_from(["full", "summary"]))
    articles = []
    for i in range(draw(st.integers(0, 6))):
        published_value, published = draw(moments(zone))
        item: dict[str, object] = {
            "id": f"a{i}",
            "title": draw(text),
            "link": f"https://example.org/{i}/ü?q=1",
            "published": published_value,
        }
        if draw(st.booleans()):
            item["updated"], _ = draw(moments(zone, after=published))
        if draw(st.booleans()):
            item["summary"] = draw(text)
        if draw(st.booleans()):
            item["content"] = draw(
                st.lists(
                    st.sampled_from(
                        [
                            "<p>para</p>",
                            '<a href="../rel/x">rel</a>',
                            "<script>alert(1)</script>",
                            '<img src="i.png" onerror="x()">',
                            "]]&gt;",
                            "<em>ém</em>",
                            '<a href="javascript:x()">j</a>',
                        ]
                    ),
                    min_size=1,
                    max_size=4,
                ).map("".join)
            )
        tags = draw(st.lists(st.sampled_from(sorted(TAGS)), max_size=3))  # the same tag twice, too
        if tags:
            item["tags"] = [draw(st.sampled_from(TAGS[t])) for t in tags]
        if draw(st.integers(0, 9)) == 0:
            item["draft"] = True
        if draw(st.integers(0, 3)) == 0:
            url = f"https://img.example.org/{i}.png"
            item["image"] = draw(
                st.sampled_from(
                    [
                        url,
                        {"url": url},
                        {"url": url, "alt": draw(text)},
                        {"url": url, "width": 640, "height": 360},
                    ]
                )
            )
        if draw(st.integers(0, 3)) == 0:
            item["full_text"] = draw(st.booleans())
        if draw(st.integers(0, 3)) == 0:
            item["enclosures"] = [
                {
                    "url": f"https://cdn.example.org/{i}/{n}.mp3",
                    "length": draw(st.integers(0, 2**40)),
                    "type": "audio/mpeg",
                }
                for n in range(draw(st.integers(1, 3)))
            ]
        if draw(st.booleans()):
            named = {"name": draw(st.sampled_from(AUTHORS))}
            item["author"] = draw(st.sampled_from([named, {"name": draw(text), "id": f"p{i % 2}"}])) | (
                {"email": "a@example.org"} if draw(st.booleans()) else {}
            )
        if draw(st.integers(0, 2)) == 0:
            item["language"] = draw(st.sampled_from(["fr", "EN", "ar", "zh-hant-tw"]))
        articles.append(item)
    data = {"site": site, "articles": articles}
    return Generated(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), data, zone)


def mojibake(text: str) -> bool:
    try:
        return not text.isascii() and bool(text.encode("latin-1").decode("utf-8"))
    except UnicodeError:
        return False
