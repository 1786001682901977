"""A problem found in the catalogue: a value with a place and a stable code, printed the way
editors read it."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


ERROR, WARNING = Severity.ERROR, Severity.WARNING


class Code(StrEnum):
    """What kind of problem a catalogue has, named as scripts and the documentation name it.

    A code is a promise: it never changes its meaning or its name, and is never reused (a
    test holds the list); new codes are added. Each is an error (the catalogue is not
    published) or a warning (it is, as the warning says)."""

    severity: Severity
    meaning: str

    def __new__(cls, name: str, severity: Severity, meaning: str) -> Code:
        member = str.__new__(cls, name)
        member._value_ = name
        member.severity = severity
        member.meaning = meaning
        return member

    # reading the file
    UNREADABLE = "unreadable", ERROR, "the catalogue file cannot be read (missing, no permission)"
    TOO_LARGE = "too-large", ERROR, "the catalogue is larger than feedpub reads"
    NOT_UTF_8 = "not-utf-8", ERROR, "the file is not UTF-8 text"
    INVALID_YAML = "invalid-yaml", ERROR, "the YAML parser cannot read the file"
    TOO_DEEP = "too-deep", ERROR, "mappings, lists or merge keys are nested too deeply to read"
    EMPTY_CATALOGUE = "empty-catalogue", ERROR, "the file holds no document"
    RECURSIVE_ALIAS = "recursive-alias", ERROR, "an alias refers to a node that contains it"
    YAML_TAG = "yaml-tag", ERROR, "an explicit YAML tag other than the plain data types"
    ALIAS_BOMB = "alias-bomb", ERROR, "aliases expand the document far beyond its size"
    # fields and values
    WRONG_TYPE = "wrong-type", ERROR, "a value, or a key, is not the kind of YAML its place takes"
    UNKNOWN_FIELD = "unknown-field", ERROR, "a key no field of its mapping has"
    DUPLICATE_KEY = "duplicate-key", ERROR, "a mapping gives a key (or a tag, or a feed's name) twice"
    MISSING_FIELD = "missing-field", ERROR, "a required field is absent"
    EMPTY_VALUE = "empty-value", ERROR, "a text or a list that must hold something is empty"
    TOO_LONG = "too-long", ERROR, "a text has more characters than its field allows"
    TOO_MANY = "too-many", ERROR, "a list has more items than its field allows"
    UNFIT_CHARACTER = "unfit-character", ERROR, "a character XML cannot carry or feed readers misread"
    MOJIBAKE = "mojibake", ERROR, "a text looks like UTF-8 that was read as Latin-1"
    MARKUP_IN_TEXT = "markup-in-text", ERROR, "a plain-text field holds an HTML end tag"
    INVALID_URL = "invalid-url", ERROR, "a URL is not an absolute http(s) URL a feed can carry"
    URL_NOT_A_FOLDER = "url-not-a-folder", ERROR, "a folder's URL has a query or a fragment"
    INVALID_VALUE = "invalid-value", ERROR, "a value is not one its field takes (its form, words or range)"
    INVALID_DATE = "invalid-date", ERROR, "a date that cannot be read, or that feeds cannot carry"
    DATE_OUT_OF_RANGE = "date-out-of-range", ERROR, "a date before 1990 or after 9998"
    SKIPPED_TIME = "skipped-time", ERROR, "a local time the clocks skip in the site's time zone"
    REPEATED_TIME = "repeated-time", WARNING, "a local time that happens twice in the site's time zone"
    EMAIL_IN_NAME = "email-in-name", ERROR, "an author's name holds an e-mail address"
    UNNAMEABLE = "unnameable", ERROR, "a tag, author or named feed whose name cannot name its folder"
    INVISIBLE_CHARACTER = "invisible-character", ERROR, "a tag holds an invisible character"
    INVALID_LANGUAGE = "invalid-language", ERROR, "'language' is no language tag feeds can carry"
    DEPRECATED_LANGUAGE = "deprecated-language", WARNING, "'language' is deprecated in the IANA registry"
    # across articles
    AUTHOR_AND_AUTHORS = "author-and-authors", ERROR, "both 'author' and 'authors' are given"
    UPDATED_BEFORE_PUBLISHED = "updated-before-published", ERROR, "'updated' is before 'published'"
    MISSING_AUTHOR = "missing-author", ERROR, "an article with no author, in a site without one"
    DUPLICATE_VALUE = "duplicate-value", ERROR, "two articles give one id, guid or Atom id"
    FOLDER_CLASH = "folder-clash", ERROR, "two tags or two authors would be written to one folder"
    LOOKALIKE_TAGS = "lookalike-tags", WARNING, "two tags look like one misspelt (see site.distinct_tags)"
    UNUSED_TAG = "unused-tag", WARNING, "site.tags describes a tag no article has"
    AUTHOR_URIS_DIFFER = "author-uris-differ", WARNING, "one author is given two different uris"
    UNKNOWN_REFERENCE = "unknown-reference", ERROR, "a named feed names a tag or author no article has"
    # podcasts, as directories take them
    PODCAST_CATEGORY = "podcast-category", ERROR, "a category that is not one of Apple's"
    PODCAST_ARTWORK = "podcast-artwork", ERROR, "a show's artwork that Apple Podcasts refuses"
    PODCAST_OWNER = "podcast-owner", WARNING, "a podcast without an owner to confirm it"
    EPISODE_ENCLOSURE = "episode-enclosure", WARNING, "an episode without an enclosure, or with more than one"
    EPISODE_TYPE = "episode-type", ERROR, "an episode's enclosure is of a type directories do not play"
    EPISODE_EXTENSION = "episode-extension", WARNING, "an enclosure's URL lacks its type's extension"
    EPISODE_LENGTH = "episode-length", WARNING, "an episode's enclosure has a length of 0"
    EPISODE_DURATION = "episode-duration", WARNING, "an episode without a duration"
    EPISODE_NUMBER = "episode-number", ERROR, "a full episode of a serial podcast without a number"
    EPISODE_ART = "episode-art", WARNING, "an episode's image is not a .jpg or .png"
    EPISODE_NUMBER_CLASH = "episode-number-clash", WARNING, "two episodes of a show and season share a number"
    EPISODE_ENCLOSURE_CLASH = "episode-enclosure-clash", ERROR, "two episodes of one show share an enclosure"
    # the size budget (site.max_bytes), found by the build
    BUDGET_TOO_SMALL = "budget-too-small", WARNING, "a feed's own elements take more than site.max_bytes"
    OVER_BUDGET = "over-budget", WARNING, "an article does not fit in site.max_bytes even without its content"


class Problem(NamedTuple):
    """One finding at `path:line:col` (both 1-based); `field` is the dotted path it concerns,
    `code` what kind of problem it is (None for the problems `verify` finds in feeds)."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str
    field: str = ""
    code: Code | None = None

    @classmethod
    def coded(cls, code: Code, path: str, line: int, col: int, message: str, field: str = "") -> Problem:
        """A problem of kind `code`, an error or a warning as the code is."""
        return cls(path, line, col, code.severity, message, field, code)

    def __str__(self) -> str:
        """One line, whatever the catalogue's text holds: control characters are shown escaped."""
        return f"{escaped(self.path)}:{self.line}:{self.col}: {self.severity.value}: {escaped(self.message)}"

    def as_json(self) -> dict[str, str | int | None]:
        """For editors and scripts: every part under its own name."""
        return {
            "file": self.path,
            "line": self.line,
            "column": self.col,
            "severity": self.severity.value,
            "message": self.message,
            "field": self.field,
            "code": self.code and self.code.value,
        }

    def as_github(self) -> str:
        """A GitHub Actions workflow command, which shows as an annotation on the line."""
        where = ",".join(
            f"{k}={_escape(str(v), property=True)}"
            for k, v in (
                ("file", self.path),
                ("line", self.line),
                ("col", self.col),
                ("title", self._title()),
            )
        )
        return f"::{self.severity.value} {where}::{_escape(self.message)}"

    def _title(self) -> str:
        """What an annotation is titled: the field, and the code that says what kind of problem."""
        title = self.field or "feedpub"
        return f"{title} ({self.code})" if self.code else title

    @property
    def place(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.col)


# Characters that would start another line (forging a problem of their own) or reach a
# terminal as a command: C0 and C1 controls, DEL, and Unicode's line and paragraph separators.
_CONTROLS = {
    code: {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(
        chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


def escaped(text: str) -> str:
    """`text` with control characters written as Python escapes (`\\n`, `\\x1b`), on one line."""
    return text if text.isprintable() else text.translate(_CONTROLS)


def _escape(text: str, *, property: bool = False) -> str:
    """GitHub's escaping for workflow command values."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def ordered(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by place, errors before warnings at the same place, duplicates dropped."""
    seen = set(problems)
    return sorted(seen, key=lambda p: (*p.place, p.severity != Severity.ERROR, p.message))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
