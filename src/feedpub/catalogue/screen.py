"""Characters a feed cannot carry or a reader would misread, looked for field by field, or
in a whole document's bytes at once so that the fields need not be looked at one by one."""

from __future__ import annotations

import re

from feedpub.problems import Code

# Characters XML refuses or discourages below U+10000, or any character above it (whose few
# non-characters are told apart in unfit_character): one pass over the text finds either.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd-\uffff\U00010000-\U0010ffff]"
)

# What `fault` looks for, as bytes to find in a whole document at once: the characters
# unfit_character flags (but surrogates, which valid UTF-8 cannot hold), pairs of characters
# that are UTF-8 read as Latin-1, and the escapes of double-quoted scalars that could make
# either (an escaped line break joins two characters).
_UNFIT_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_OTHER_BYTES = bytes(sorted(set(range(256)) - set(_UNFIT_BYTES)))
_UNFIT_SEQUENCES = tuple(
    re.compile(sequence)
    for sequence in (
        rb"\xc2[\x80-\x9f]",  # C1 controls
        rb"\xef\xb7[\x90-\xaf]",  # non-characters U+FDD0 to U+FDEF
        rb"\xbf[\xbd-\xbf]",  # U+FFFD and U+xFFFE, U+xFFFF of every plane (with a few others)
        rb"\xc3[\x82-\xb4]\xc2[\x80-\xbf]",  # UTF-8 read as Latin-1
        rb"\\[0abefvxuUN_\r\n]",  # escapes of any character, of controls, U+00A0, line breaks
    )
)


def screened(data: bytes) -> bool:
    """Whether no text in the YAML document `data` (valid UTF-8) can hold a character
    `unfit_character` flags or UTF-8 read as Latin-1: none is in it, nor an escape that could
    make one. A few passes over the bytes then spare checking every field."""
    return not data.translate(None, _OTHER_BYTES) and not any(s.search(data) for s in _UNFIT_SEQUENCES)


def fault(value: str, name: str) -> tuple[Code, str] | None:
    """What is wrong with the characters of field `name`'s `value`, if anything: its code and message."""
    bad = unfit_character(value)
    if bad:
        return (
            Code.UNFIT_CHARACTER,
            f"'{name}' contains U+{ord(bad):04X}, a character XML cannot carry or that "
            "feed readers misread (C0 and C1 controls, non-characters and U+FFFD are refused)",
        )
    meant = _latin1_as_utf8(value)
    if meant:  # readers (and feedparser) silently "repair" such text, so say so here
        return (
            Code.MOJIBAKE,
            f"'{name}' looks like UTF-8 text that was read as Latin-1 (it should probably be '{meant}')",
        )
    return None


def unfit_character(text: str) -> str | None:
    """The first character of `text` that XML 1.0 does not allow or discourages, if any: C0
    and C1 controls (readers take C1 ones for Windows-1252 punctuation, a sign of mis-decoded
    text), surrogates and non-characters; and U+FFFD, the mark a decoder leaves where it lost
    a character."""
    for suspect in _SUSPECT.finditer(text):  # astral characters other than these are rare
        code = ord(suspect.group())
        if code <= 0xFFFF or code & 0xFFFE == 0xFFFE:
            return suspect.group()
    return None


def _latin1_as_utf8(text: str) -> str | None:
    """What non-ASCII `text` says if its characters are really UTF-8 bytes ("Ã©" → "é")."""
    if text.isascii():
        return None
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
