"""Turn source text into located data: the files read, front matter split from the body, YAML loaded.

``split_front_matter`` cuts a Markdown file into its ``---``-fenced YAML and
its body; ``load_yaml`` loads YAML into :class:`~eccpsite.core.located.Located`
values, by the one pass of :mod:`yaml_plain` or, for anything unusual, the
careful path of :mod:`yaml_careful`, which makes every error. Nothing here
touches the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from eccpsite.core.errors import ContentError
from eccpsite.core.located import Located
from eccpsite.core.yaml_careful import load_careful
from eccpsite.core.yaml_plain import load_plain

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Document:
    """A source file split into located front matter and a Markdown body."""

    path: str
    meta: Located
    body: str
    body_line: int


@dataclass(frozen=True)
class Source:
    path: str  # relative to the project, with '/' (e.g. content/news/x.md)
    text: str


@dataclass(frozen=True)
class Sources:
    config: Source | None
    items: dict[str, tuple[Source, ...]]  # kind -> sources
    editions: tuple[Source, ...]
    assets: tuple[tuple[str, Path], ...]  # (site path, file) of static files and media
    errors: tuple[ContentError, ...]


def load_yaml(path: str, text: str, line_offset: int = 0) -> Located | ContentError:
    """Parse YAML text into a :class:`Located` mapping, or a located error."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return ContentError(path, 1, "", f"the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")
    loaded: Located | ContentError | None = load_plain(text, line_offset)
    if loaded is None:
        loaded = load_careful(path, text, line_offset)
    if " #" in text and isinstance(loaded, Located):
        note_cut_values(loaded, text, line_offset)
    return loaded


# ``key: plain value #rest`` on one line: a value not quoted, not a list or mapping, with " #" after it.
_CUT = re.compile(r"""^[ \t]*(?:-[ \t]+)?([^\s#'"\[{][^:#\n]*?):[ \t]+([^\s'"\[{|>&*!%@`#][^\n]*?)[ \t]+#([^\n]*)$""", re.M)


def note_cut_values(root: Located, text: str, line_offset: int) -> None:
    """Note in each mapping's ``cut`` the plain values YAML cut at `` #``, with their whole text (see :class:`Located`)."""
    found = {text.count("\n", 0, m.start()) + 1 + line_offset: m for m in _CUT.finditer(text)}
    if not found:
        return
    stack = [root]
    while stack:
        mapping = stack.pop()
        for key, value in mapping.items():
            match = found.get(mapping.line_of(key))
            if match is not None and match.group(1).strip() == key and isinstance(value, str) and value == match.group(2).strip():
                mapping.cut = {**mapping.cut, key: f"{match.group(2).strip()} #{match.group(3)}".rstrip()}
            for part in value if isinstance(value, list) else (value,):
                if isinstance(part, Located):
                    stack.append(part)


_FENCE = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)  # where a line that may close the front matter starts


def split_front_matter(path: str, text: str) -> Document | ContentError:
    """Split ``---``-fenced YAML front matter from the Markdown body and parse it.

    The body is cut off whole, never split into lines: at 10,000 items most
    of the text read is bodies.
    """
    cut = _cut(text)
    if isinstance(cut, str):
        opened = cut != _NOT_OPENED
        message = _NEVER_CLOSED if opened else "the file must start with a line '---' that opens the front matter (title, date, ...)"
        return ContentError(path, 1, "", message)
    text, start, pos, end = cut
    meta = load_yaml(path, text[start : pos - 1] if pos > start else "", line_offset=1)
    if isinstance(meta, ContentError):
        return meta
    return Document(path, meta, "" if end < 0 else text[end + 1 :], text.count("\n", start, pos) + 3)


def body_of(text: str) -> str | None:
    """The body :func:`split_front_matter` cuts from ``text``, without reading the front matter (None: it has none)."""
    cut = _cut(text)
    if isinstance(cut, str):
        return None
    text, _, _, end = cut
    return "" if end < 0 else text[end + 1 :]


_NOT_OPENED, _NOT_CLOSED = "not opened", "not closed"
_NEVER_CLOSED = "the front matter opened with '---' on line 1 is never closed; add a line '---' after the last field"


def _cut(text: str) -> tuple[str, int, int, int] | str:
    """Where the front matter of ``text`` (without its byte-order mark) starts, where its closing line starts and
    where that line ends (-1: at the end of the text); or why there is none."""
    if text.startswith("\ufeff"):
        text = text[1:]
    end = text.find("\n")
    if (text if end < 0 else text[:end]).rstrip() != "---":
        return _NOT_OPENED
    start = end + 1  # where the front matter's first line starts
    fence = _FENCE.search(text, start) if end >= 0 else None
    while fence is not None:
        pos = fence.start()
        end = text.find("\n", pos)
        if (text[pos:] if end < 0 else text[pos:end]).rstrip() in ("---", "..."):
            return text, start, pos, end
        fence = _FENCE.search(text, pos + 1)
    return _NOT_CLOSED
