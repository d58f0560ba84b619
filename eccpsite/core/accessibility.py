"""What an editor's text does to readers of assistive technology, said where it is written (pure).

The theme is checked by axe; this checks what editors write, as EN 301 549
(WCAG 2.1) asks of a public-sector site: alt texts that say nothing (a file
name, an address, the word "image"), a link whose only content is an image
without alt text, an HTML table without header cells, a heading that skips a
level, one link text used for different addresses, whole lines in capitals,
and documents linked without their format and size. Each finding is a
warning on its line with the fix; ``check --strict`` makes them errors.
Code (fenced or inline) and HTML comments are not read (:func:`outside_code`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from eccpsite.core.documents import DOCUMENT_EXTENSIONS, says_format_and_size
from eccpsite.core.markup.rawhtml import outside_code

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]*)")
_ONLY_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\balt\s*=\s*(\"[^\"]*\"|'[^']*')[^>]*>", re.I)
_LINK = re.compile(r"(?<![!\]])\[((?:[^\[\]\n]|!\[[^\]\n]*\]\([^)\n]*\))+)\]\(\s*<?([^)\s>]+)")
_HTML_LINK = re.compile(r"<a\b[^>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*')[^>]*>(.*?)</a\s*>", re.I | re.S)
_HTML_TABLE = re.compile(r"<table\b.*?(?:</table\s*>|\Z)", re.I | re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", re.M)
_SETEXT = re.compile(r"^ {0,3}(\S[^\n]*)\n {0,3}(=+|-+)[ \t]*$", re.M)
_FILE_NAME = re.compile(r"^[\w\-. ]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)$", re.I)
_ADDRESS = re.compile(r"^(?:https?://|www\.|/)", re.I)
_DOCUMENT = re.compile(r"\.(" + "|".join(DOCUMENT_EXTENSIONS) + r")(?:[?#][^)\s]*)?$", re.I)
_TAGS = re.compile(r"<[^>]*>")
_MARKUP = re.compile(r"[*_`~]+|!?\[|\]\([^)]*\)")
# Alt texts that only say that there is a picture.
_EMPTY_WORDS = {"image", "img", "photo", "picture", "pic", "graphic", "foto", "screenshot", "icon", "banner", "logo image"}
_TABLE_WITHOUT_HEADER = "this table has no header cells (<th>); write it as a Markdown table, whose first row is the header, or mark the header cells with <th>"
_CAPITALS = (
    "this line is written in capitals, which is hard to read and may be spelled out letter by letter; write it in sentence case and use **bold** for emphasis"
)
CAPITALS_MIN_LETTERS = 40  # a line with at least this many letters, all capitals, is "text in capitals"


@dataclass(frozen=True)
class Finding:
    """One problem, at ``offset`` in the text it was found in."""

    offset: int
    message: str


def accessibility_findings(text: str, visible: str | None = None) -> list[Finding]:
    """Every accessibility problem of a Markdown text, in the order they are written; ``visible`` is
    ``outside_code(text)`` when the caller has it already."""
    if visible is None:
        visible = outside_code(text)
    links = _link_matches(visible)
    findings = [*_alt_texts(visible), *_image_links(links), *_tables(visible), *_headings(visible)]
    findings += [*_repeated_link_texts(links), *_capitals(visible), *_documents(links)]
    return sorted(findings, key=lambda finding: finding.offset)


def _alt_problem(alt: str, src: str) -> str | None:
    """Why an alt text tells a screen-reader user nothing, or None."""
    words = alt.strip().lower()
    fix = "say what the image shows, e.g. ![The winners on stage]" + f"({src})"
    if _FILE_NAME.match(words):
        return f"the alt text {alt!r} is a file name; {fix}"
    if _ADDRESS.match(words):
        return f"the alt text {alt!r} is an address; {fix}"
    if words.strip(" .") in _EMPTY_WORDS:
        return f"the alt text {alt!r} only says that there is a picture; {fix}"
    return None


def _alt_texts(text: str) -> Iterator[Finding]:
    for match in _IMAGE.finditer(text):
        if match.group(1).strip() and (problem := _alt_problem(match.group(1), match.group(2))):
            yield Finding(match.start(), problem)
    for match in _HTML_IMAGE.finditer(text):
        alt = match.group(1)[1:-1]
        if alt.strip() and (problem := _alt_problem(alt, "…")):
            yield Finding(match.start(), problem)


def _image_links(links: _Links) -> Iterator[Finding]:
    """Links whose whole content is an image without alt text: a screen reader reads out the address."""
    for match in links.markdown:
        inner = match.group(1).strip()
        if (image := _ONLY_IMAGE.fullmatch(inner)) and not image.group(1).strip():
            where = match.group(2)
            fix = f"give the image an alt text that says where the link leads, e.g. [![Programme of the conference](…)]({where})"
            yield Finding(match.start(), f"the link to {where} holds only an image without alt text; {fix}")


def _tables(text: str) -> Iterator[Finding]:
    for match in _HTML_TABLE.finditer(text):
        if not re.search(r"<th\b", match.group(), re.I):
            yield Finding(match.start(), _TABLE_WITHOUT_HEADER)


def _headings(text: str) -> Iterator[Finding]:
    """Headings that skip a level (### after #): readers who move by headings lose their place."""
    found = [(m.start(), len(m.group(1)), m.group(2)) for m in _ATX.finditer(text)]
    found += [(m.start(), 1 if m.group(2)[0] == "=" else 2, m.group(1).strip()) for m in _SETEXT.finditer(text) if not _ATX.match(m.group(1))]
    previous = 0
    for offset, level, title in sorted(found):
        if previous and level > previous + 1:
            yield Finding(offset, f"the heading {title!r} skips a level ({'#' * level} after {'#' * previous}); write it as {'#' * (previous + 1)} {title}")
        previous = level


@dataclass(frozen=True)
class _Links:
    """The links of a text, found once for the checks that read them: its Markdown links' matches, and every link
    as (where it starts, its visible text with markup removed, its address)."""

    markdown: list[re.Match[str]]
    every: list[tuple[int, str, str]]


def _link_matches(text: str) -> _Links:
    markdown = list(_LINK.finditer(text)) if "](" in text else []
    every = [(m.start(), _MARKUP.sub("", m.group(1)).strip(), m.group(2)) for m in markdown]
    if "<" in text:
        every += [(m.start(), _TAGS.sub("", m.group(2)).strip(), m.group(1)[1:-1]) for m in _HTML_LINK.finditer(text)]
    return _Links(markdown, every)


def _repeated_link_texts(links: _Links) -> Iterator[Finding]:
    """One link text used for different addresses: in a list of links they cannot be told apart."""
    first: dict[str, str] = {}
    for offset, words, where in sorted(links.every):
        key = " ".join(words.lower().split())
        if not key:
            continue
        if key in first and first[key] != where:
            yield Finding(offset, f"the link text {words!r} also leads to {first[key]} on this page; give each link a text that says where it leads")
        first.setdefault(key, where)


_ASCII_LOWER = re.compile("[a-z]")  # a letter that is not a capital: a line holding one is not "in capitals"


# The lines that may be in capitals: long enough to hold CAPITALS_MIN_LETTERS letters, and without a lower-case ASCII
# letter, or with one only where it may sit in a link's address (which _MARKUP removes before the letters are read).
_CAPITALS_CANDIDATE = re.compile(r"^(?=[^\n]{" + str(CAPITALS_MIN_LETTERS) + r"})(?:[^a-z\n]*$|[^\n]*\]\()", re.M)


def _capitals(text: str) -> Iterator[Finding]:
    for candidate in _CAPITALS_CANDIDATE.finditer(text):  # the usual line of prose is passed over inside the regex
        offset = candidate.start()
        end = text.find("\n", offset)
        visible = _MARKUP.sub("", text[offset : end if end >= 0 else len(text)])
        if not _ASCII_LOWER.search(visible):
            letters = [c for c in visible if c.isalpha()]
            if len(letters) >= CAPITALS_MIN_LETTERS and all(c.isupper() for c in letters):
                yield Finding(offset, _CAPITALS)


def _documents(links: _Links) -> Iterator[Finding]:
    """Links to documents whose text does not say the format and the size, so readers know what they download."""
    for offset, words, where in links.every:
        document = _DOCUMENT.search(where)
        if document is None:
            continue
        kind = document.group(1).upper()
        if not says_format_and_size(words, kind):
            fix = f"say its format and size in the link text, e.g. [{words or 'Programme'} ({kind}, 140 KB)]({where})"
            yield Finding(offset, f"the link to {where} opens a {kind} document; {fix}")
