"""Characters a published text may not hold: controls no page, feed or calendar can carry, and invisible format characters.

:func:`unprintable` says why a one-line field or a summary cannot be
published, :func:`find_unprintable` finds a control character in a long
body quickly. Apart from :mod:`fields` because the schema checks bodies
(which no field parser reads) with the same rules.
"""

from __future__ import annotations

import re
import unicodedata

# Characters no page, feed (XML) or calendar can carry: C0 controls but tab and newlines, U+FFFE/U+FFFF, lone surrogates.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_PRINTABLE_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\r"  # in UTF-8, every byte of a character UNPRINTABLE lets pass


def find_unprintable(value: str) -> re.Match[str] | None:
    """``UNPRINTABLE.search(value)``, a few times faster on long text that has none (Markdown bodies).

    In UTF-8 a control character is its own byte and U+FFFE/U+FFFF are
    ``EF BF BE``/``EF BF BF``; a lone surrogate cannot be encoded at all.
    The regular expression runs only when one of them may be there.
    """
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        return UNPRINTABLE.search(value)
    if data.translate(None, _PRINTABLE_BYTES) or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        return UNPRINTABLE.search(value)
    return None


# Invisible characters that change how a title or summary shows without being seen: bidi embeddings, overrides and
# isolates (U+202E shows the text after it backwards: 'exe.txt' as 'txt.exe'), zero-width spaces and joiners of
# words, the byte-order mark, and the line and paragraph separators (a line break that is no newline). Zero-width
# (non-)joiners are left: emoji and Persian need them.
INVISIBLE = re.compile("[\u200b\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def unprintable(value: str) -> str | None:
    """Why ``value`` (a one-line text field or a summary) cannot be published: it holds an invisible control or format
    character; or None."""
    found = UNPRINTABLE.search(value) or INVISIBLE.search(value)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "a control character").lower()
    return f"contains the invisible character U+{ord(char):04X} ({name}, often pasted from another program); delete it"
