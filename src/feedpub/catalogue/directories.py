"""What podcast directories accept, once for `check`, the render and `feedpub verify`: Apple's
categories, the files they play, and the Podcast Namespace's forms.

Sources: Apple Podcasts' category list (the one of 2019, in force since) and its RSS
requirements; the W3C Feed Validation Service's iTunes checks (src/feedvalidator/itunes.py);
the Podcast Namespace 1.0 (docs/tags/*.md).
"""

from __future__ import annotations

import re
import uuid

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
"""Apple's categories, each with its subcategories: the W3C validator's list, and Religion &
Spirituality's Religion, which Apple lists and it lacks."""
SEPARATOR = " > "
"""Between a category and its subcategory, as the catalogue writes them."""
CATEGORY_NAMES = tuple(
    name
    for parent, subs in CATEGORIES.items()
    for name in (parent, *(f"{parent}{SEPARATOR}{s}" for s in subs))
)
"""Every category as the catalogue writes it: 'Arts', 'Arts > Books'."""
OBSOLETE: dict[str, str] = {
    "Arts > Literature": "Arts > Books",
    "Business > Business News": "News > Business News",
    "Business > Management & Marketing": "Business > Management",
    "Business > Shopping": "Leisure",
    "Education > Educational Technology": "Education",
    "Education > Higher Education": "Education > Courses",
    "Education > K-12": "Education",
    "Education > Language Courses": "Education > Language Learning",
    "Education > Training": "Education > How To",
    "Games & Hobbies": "Leisure",
    "Games & Hobbies > Automotive": "Leisure > Automotive",
    "Games & Hobbies > Aviation": "Leisure > Aviation",
    "Games & Hobbies > Hobbies": "Leisure > Hobbies",
    "Games & Hobbies > Other Games": "Leisure > Games",
    "Games & Hobbies > Video Games": "Leisure > Video Games",
    "Government & Organizations": "Government",
    "Government & Organizations > Local": "Government",
    "Government & Organizations > National": "Government",
    "Government & Organizations > Non-Profit": "Business > Non-Profit",
    "Government & Organizations > Regional": "Government",
    "Health": "Health & Fitness",
    "Health > Alternative Health": "Health & Fitness > Alternative Health",
    "Health > Fitness & Nutrition": "Health & Fitness > Fitness",
    "Health > Self-Help": "Education > Self-Improvement",
    "Health > Sexuality": "Health & Fitness > Sexuality",
    "News & Politics": "News",
    "Religion & Spirituality > Other": "Religion & Spirituality > Religion",
    "Science & Medicine": "Science",
    "Science & Medicine > Medicine": "Health & Fitness > Medicine",
    "Science & Medicine > Natural Sciences": "Science > Natural Sciences",
    "Science & Medicine > Social Sciences": "Science > Social Sciences",
    "Society & Culture > History": "History",
    "Sports & Recreation": "Sports",
    "Sports & Recreation > Amateur": "Sports",
    "Sports & Recreation > College & High School": "Sports",
    "Sports & Recreation > Outdoor": "Sports > Wilderness",
    "Sports & Recreation > Professional": "Sports",
    "Technology > Gadgets": "Technology",
    "Technology > Podcasting": "Technology",
    "Technology > Software How-To": "Technology",
    "Technology > Tech News": "News > Tech News",
}
"""Apple's categories before 2019, each with the nearest one of today's list."""

ARTWORK_PIXELS = (1400, 3000)
"""The sides of a show's square artwork Apple Podcasts takes, at least and at most."""
ARTWORK_URL = re.compile(r"\S+\.(?:jpg|png)")
"""Apple takes JPEG and PNG artwork whose address ends in .jpg or .png (and feedgen writes
no other)."""
PLAYABLE = {
    "audio/mpeg": "mp3",
    "audio/x-m4a": "m4a",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-m4v": "m4v",
    "application/pdf": "pdf",
}
"""The enclosure types Apple Podcasts lists episodes of, with the extension of each."""
EXTENSIONS = (*PLAYABLE.values(), "epub")
"""The extensions the W3C validator expects at the end of a podcast enclosure's address."""
EPISODE_TYPES = ("full", "trailer", "bonus")
SHOW_TYPES = ("episodic", "serial")
TRANSCRIPT_TYPES = (
    "text/plain",
    "text/html",
    "text/vtt",
    "application/json",
    "application/x-subrip",
    "application/srt",
)
"""The Podcast Namespace's (docs/tags/transcript.md), and the other name of SRT's that
parsers take (podcast-partytime reads either as application/srt)."""
CHAPTERS_TYPE = "application/json+chapters"
DURATION = re.compile(r"\d+(:[0-5][0-9](:[0-5][0-9])?)?")
"""itunes:duration as the W3C validator reads it: seconds, M:SS or H:MM:SS."""
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def podcast_guid(feed_url: str) -> str:
    """The Podcast Namespace's podcast:guid of a feed: the UUIDv5 of its address without the
    scheme and trailing slashes, in the namespace the specification gives."""
    return str(uuid.uuid5(_GUID_NAMESPACE, _SCHEME.sub("", feed_url).rstrip("/")))


def seconds(duration: str) -> int:
    """The seconds of a duration written as DURATION says."""
    total = 0
    for part in duration.split(":"):
        total = total * 60 + int(part)
    return total
