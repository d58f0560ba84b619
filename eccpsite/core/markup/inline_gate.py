"""Python-Markdown's inline passes, told to skip text that none of their patterns can change.

Python-Markdown walks every piece of text in a document twice: once for the
inline syntax (links, emphasis, code, entities …) and once more for smarty's
typography (curly quotes, dashes, ellipses). In each walk it tries every
pattern on every piece of text, each through a Python call: about 30 patterns
on each paragraph, list item and table cell. In ordinary prose most pieces hold
none of the characters any pattern starts from, and that work changes nothing:
it was 60 % of Python-Markdown's time on the benchmark's news items.

``gate`` puts one regular expression in front of each walk: text with none of
the walk's characters goes through untouched, as it would have anyway, and any
other text gets every pattern as before. Which characters a pattern needs is
read off its regular expression, by hand, in ``NEEDS`` below. That reading
holds only for the expressions it was made from, so each walk's patterns
(names and expressions, in order) are compared with a digest of those; a walk
whose patterns differ (another Python-Markdown, another extension) is left as
Python-Markdown made it: slower, never different. The check sits in front of
``InlineProcessor.__handleInline``, a private method: without it, nothing is
gated either. The tests compare gated and plain output on generated Markdown
and check that both walks are gated with the Python-Markdown installed.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import markdown
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString, Registry

# What text each pattern cannot match without: every match of the pattern's
# expression contains one of these strings.
NEEDS: dict[str, tuple[str, ...]] = {
    # the inline walk ("inline"), Python-Markdown's own patterns and the footnote extension's
    "backtick": ("`",),  # a code span, or backslashes before one
    "escape": ("\\",),
    "footnote": ("[",),  # [^note]
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),  # ![
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    # smarty's typography walk ("smarty"): each quote pattern needs its own quote, or its pair of quotes
    "smarty-ellipses": ("...",),
    **{f"smarty-quotes-{index}": ("'",) for index in (0, 6, 7, 8, 9, 10)},
    **{f"smarty-quotes-{index}": ('"',) for index in (1, 11, 12, 13, 14)},
    "smarty-quotes-2": ("\"'",),
    "smarty-quotes-3": ("'\"",),
    "smarty-quotes-4": ("'\"",),
    "smarty-quotes-5": ("\"'",),
    "smarty-em-dashes": ("---",),
    "smarty-en-dashes": ("--",),
}

# Digests of the patterns NEEDS was read from (Python-Markdown 3.11 with the
# footnotes, tables, sane_lists and smarty extensions), by walk.
CHECKED = {
    "inline": "fe6f07bc98082665e18fbaf83d74bac4",
    "smarty": "06c694feac56d0fec07a2fe3c10a2545",
}


def _by_priority(registry: Registry[Any]) -> list[tuple[str, float]]:
    """The registry's names and priorities in the order Python-Markdown uses them: highest first, ties as registered."""
    entries = sorted(getattr(registry, "_priority"), key=lambda entry: entry.priority, reverse=True)  # noqa: B009
    return [(entry.name, entry.priority) for entry in entries]


def patterns_digest(patterns: Registry[Any]) -> str:
    """A digest of a walk's patterns: their names and regular expressions, in the order they are tried."""
    digest = hashlib.blake2b(digest_size=16)
    for name, _ in _by_priority(patterns):
        pattern = patterns[name]
        expression = getattr(pattern, "compiled_re", None) or pattern.getCompiledRegExp()
        digest.update(f"{name}\x00{expression.pattern}\x01".encode())
    return digest.hexdigest()


class GatedInlineProcessor(InlineProcessor):
    """An inline walk that hands a piece of text to its patterns only if it holds a character one of them needs, and
    then only to the patterns whose own characters it holds.

    The second gate is what makes the walks cheap on prose with markup in most
    paragraphs (issue 22): a paragraph with one link and an apostrophe is tried
    against the four patterns that start from ``[`` and the six of smarty's
    that need a ``'``, not against all 34. Skipping a pattern that cannot match
    is what Python-Markdown's own loop does after trying it: the next pattern
    is tried from the start of the text.
    """

    def __init__(self, md: markdown.Markdown, patterns: Registry[Any], needed: re.Pattern[str], needs: list[tuple[str, ...]]) -> None:
        super().__init__(md)
        self.inlinePatterns = patterns
        self.needed = needed
        self.needs = needs  # what each pattern needs, in the order of ``patterns`` (Python-Markdown's pattern index)

    # Python-Markdown calls this (its private ``__handleInline``) for each piece of
    # text, and again for the text inside each element a pattern made, from the
    # pattern after the one that made it.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString) or self.needed.search(data) is None:
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, needs, start = self.inlinePatterns, self.needs, 0
        while patternIndex < len(needs):
            if any(needed in data for needed in needs[patternIndex]):
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if matched:
                    continue
            patternIndex, start = patternIndex + 1, 0
        return data


def gate(md: markdown.Markdown) -> list[str]:
    """Gate the inline walks of ``md`` whose patterns are the checked ones; the names of the walks gated."""
    if not all(hasattr(InlineProcessor, f"_InlineProcessor__{name}") for name in ("handleInline", "applyPattern")):
        return []
    gated = []
    for name, digest in CHECKED.items():
        if name not in md.treeprocessors:
            continue
        walk = md.treeprocessors[name]
        patterns = getattr(walk, "inlinePatterns", None)
        if type(walk) is not InlineProcessor or patterns is None or patterns_digest(patterns) != digest:
            continue
        order = [pattern for pattern, _ in _by_priority(patterns)]
        if [patterns[index] for index in range(len(patterns))] != [patterns[pattern] for pattern in order]:
            continue  # Python-Markdown numbers its patterns otherwise than read here: the needs would go to the wrong ones
        needs = sorted({needed for pattern in order for needed in NEEDS[pattern]})
        needed = re.compile("|".join(re.escape(text) for text in needs))
        priority = dict(_by_priority(md.treeprocessors))[name]
        md.treeprocessors.register(GatedInlineProcessor(md, patterns, needed, [NEEDS[pattern] for pattern in order]), name, priority)
        gated.append(name)
    return gated
