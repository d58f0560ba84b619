"""What the sanitizer will take out of a text's raw HTML, said where it is written (pure).

``markup.sanitize`` keeps only the tags and attributes of its allow-list, so
an ``<iframe>``, a ``style="…"`` or a ``javascript:`` link never reaches a
page. That is right for content from outside the team, but an editor who
pasted an embed code should hear that it was removed, on which line, and what
to write instead: :func:`removed_html` finds the raw HTML of a Markdown text
(outside code, where ``<`` is shown as written) and words one warning per
removal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from eccpsite.core.markup.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*/?>")
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")

KEPT_TAGS = ALLOWED_TAGS | {"h1"}  # an <h1> of a text is shifted under the page title (markup.shift_headings), not removed
# What to write instead of an element the site does not allow.
_INSTEAD = {
    "iframe": "link to it instead, e.g. [Watch the video](https://…)",
    "video": "link to it instead, e.g. [Watch the video](https://…)",
    "audio": "link to it instead, e.g. [Listen to the recording](https://…)",
    "embed": "link to it instead",
    "object": "link to it instead",
    "script": "scripts cannot run on the site; link to the page that has it",
    "style": "the site's theme sets the styles; use Markdown (**bold**, *italics*, lists, tables)",
    "form": "link to the form's own page instead",
    "input": "link to the form's own page instead",
    "button": "write a link instead: [Register](https://…)",
    "font": "use Markdown for emphasis (**bold**, *italics*)",
    "center": "the theme lays out the text; remove it",
    "link": "remove it; the theme loads what pages need",
    "meta": "remove it; the build writes the page's metadata",
}
_ATTRIBUTE_INSTEAD = {
    "style": "the site's theme sets the styles; use Markdown for emphasis",
    "class": "the theme styles the text itself",
    "target": "links open in the same tab",
}


@dataclass(frozen=True)
class Removal:
    """One piece of raw HTML the sanitizer removes: where it starts in the text, and what the editor should know."""

    offset: int
    message: str


def _blank(match: re.Match[str]) -> str:
    """The matched text with everything but line breaks as spaces: offsets and lines stay where they were."""
    return re.sub(r"[^\n]", " ", match.group())


def outside_code(text: str) -> str:
    """``text`` with fenced code, code spans and HTML comments blanked out (their ``<`` is shown, or meant to be hidden)."""
    return _CODE_SPAN.sub(_blank, _FENCE.sub(_blank, _COMMENT.sub(_blank, text)))


def removed_html(text: str) -> list[Removal]:
    """Every element, attribute and address of ``text``'s raw HTML that the sanitizer removes, in order."""
    if "<" not in text:
        return []
    return list(removals(outside_code(text)))


def removals(text: str) -> Iterator[Removal]:
    """What :func:`removed_html` finds, in a text whose code is blanked out already (``outside_code``)."""
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        if tag not in KEPT_TAGS:
            what = "is removed with what it holds" if tag in ("script", "style") else "is removed"
            yield Removal(match.start(), f"the HTML element <{tag}> is not allowed on the site and {what}; {_INSTEAD.get(tag, 'write it in Markdown instead')}")
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, raw in _ATTRIBUTE.findall(match.group(2)):
            name = name.lower()
            value = raw[1:-1] if raw[:1] in ('"', "'") else raw
            if name not in allowed:
                why = "event handlers cannot run on the site" if name.startswith("on") else _ATTRIBUTE_INSTEAD.get(name, "remove it")
                yield Removal(match.start(), f"the attribute {name!r} of <{tag}> is removed; {why}")
            elif name in ("href", "src") and (scheme := _SCHEME.match(value)) and scheme.group(1).lower() not in URL_SCHEMES:
                kept = "only https, http and mailto addresses are kept"
                yield Removal(match.start(), f"the address {value!r} of <{tag}> is removed ({kept}); link to a web page")
