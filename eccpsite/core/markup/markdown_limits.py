"""Markdown that would stall or crash a build, found before it is rendered (pure).

Python-Markdown looks for the end of a link, an image, a footnote reference
or an inline tag from each place one starts: a paragraph of 10,000 ``[``
with no ``]`` took 43 s (its time grows with the square of their number), of
``<a href=`` about as long, and 50,000 ``*a**a*`` took 109 s. Its lists and
quotes are parsed by recursion: ``- `` written 5,000 times on one line ended
in a RecursionError. One such file would hold every build back, so each is
an error on its line that says what to change. The limits are far above what
prose holds: a paragraph may open 200 more brackets, parentheses or angle
brackets than it closes and carry 5,000 emphasis marks; a line may nest 100
lists or quotes. Fenced code blocks are not counted (their text is not
parsed as Markdown).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_UNCLOSED = 200  # openers without their closer, in one paragraph
MAX_EMPHASIS = 5000  # '*' and '_' in one paragraph
MAX_DEPTH = 100  # lists and quotes nested on one line

_PAIRS = (("[", "]", "'[' (links, images, footnotes)", r"\["), ("(", ")", "'('", r"\("), ("<", ">", "'<' (inline HTML)", "&lt;"))
_FENCE = re.compile(r"^[ ]{0,3}(```|~~~)")
_MARKERS = re.compile(r"(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]?)")


@dataclass(frozen=True)
class Problem:
    """Where in the body (a character offset) and what is wrong."""

    offset: int
    message: str


def body_problems(body: str) -> list[Problem]:
    """What in ``body`` Markdown could not render in reasonable time or at all, each at the start of its paragraph or line."""
    problems: list[Problem] = []
    for offset, block in _paragraphs(body):
        for opener, closer, name, escaped in _PAIRS:
            unclosed = block.count(opener) - block.count(closer)
            if unclosed > MAX_UNCLOSED:
                problems.append(
                    Problem(
                        offset,
                        f"this paragraph opens {unclosed} more {name} than it closes (at most {MAX_UNCLOSED}): Markdown's time grows "
                        f"with the square of that; close them, write them as {escaped}, or split the paragraph",
                    )
                )
        marks = block.count("*") + block.count("_")
        if marks > MAX_EMPHASIS:
            problems.append(Problem(offset, f"this paragraph holds {marks} '*' and '_' (at most {MAX_EMPHASIS}): split it, or write them as \\* and \\_"))
    problems.extend(_deep_lines(body))
    return problems


def _paragraphs(body: str) -> Iterator[tuple[int, str]]:
    """The paragraphs of ``body`` outside fenced code blocks: (offset of their first line, text)."""
    lines: list[str] = []
    start, fenced, offset = 0, False, 0
    for line in body.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.strip():
            if not lines:
                start = offset
            lines.append(line)
        elif lines:
            yield start, "".join(lines)
            lines = []
        offset += len(line)
    if lines:
        yield start, "".join(lines)


def _deep_lines(body: str) -> Iterator[Problem]:
    """Lines that nest more than MAX_DEPTH lists or quotes (markers in a row, or four spaces of indentation each)."""
    offset = 0
    for line in body.splitlines(keepends=True):
        if len(line) > MAX_DEPTH:  # a shorter line cannot nest that deep
            stripped = line.expandtabs(4)
            indent = len(stripped) - len(stripped.lstrip(" "))
            depth, at = indent // 4, indent
            while (found := _MARKERS.match(stripped, at)) is not None and found.end() > at:
                depth, at = depth + 1, found.end()
            if depth > MAX_DEPTH:
                yield Problem(offset, f"this line nests {depth} lists or quotes (at most {MAX_DEPTH}): Markdown cannot render that deep; flatten it")
        offset += len(line)
