"""Markdown to safe HTML, and plain text from it.

Python-Markdown renders; nh3 (an allow-list sanitizer) then keeps only the
tags editors need, so raw HTML in content from outside the team can never put
script, event handlers, styles or ``javascript:`` links on a page, in a feed or
in the PDF.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from typing import Protocol

import markdown
import nh3

from eccpsite.core.markup.inline_gate import gate

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s", "sup", "sub", "small",
    "abbr", "cite", "q", "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd", "a", "img",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div", "span", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "sup": {"id", "class"},
    "li": {"id"},
    "div": {"class"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t]+")


def _renderer(gated: bool = True) -> markdown.Markdown:
    """Python-Markdown as eccpsite uses it; ``gated``: its inline walks skip text they cannot change (see inline_gate)."""
    md = markdown.Markdown(
        extensions=["footnotes", "tables", "fenced_code", "sane_lists", "smarty"],
        extension_configs={"footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"}},
        output_format="html",
    )
    if gated:
        gate(md)
    return md


_MD = _renderer()


def sanitize(html_text: str) -> str:
    """Keep only allowed tags, attributes and URL schemes."""
    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def _key(source: str, id_prefix: str) -> bytes:
    return hashlib.blake2b(f"{id_prefix}\x00{source}".encode(), digest_size=20).digest()


def source_key(source: str) -> bytes:
    """The key an item's body is kept under (rendered without an id prefix: :func:`render_many`)."""
    return _key(source, "")


# Rendered HTML by a digest of (id prefix, source): Markdown is rendered once per
# content version. The dev server preloads it from the build's on-disk cache
# (see remember); a build instead hands in a Store that reads that cache one body
# at a time, and saves what it rendered (see remembered). Nothing here touches the disk.
_rendered: dict[bytes, str] = {}
_used: set[bytes] = set()


class Store(Protocol):
    """Rendered HTML kept outside this process's memory (``eccpsite.edges.markdown_cache``), read one body at a time."""

    def get(self, key: bytes) -> str | None: ...

    def has(self, key: bytes) -> bool: ...


_store: Store | None = None


def use_store(store: Store | None) -> None:
    """Look rendered HTML up in ``store`` when it is not in memory (None: memory only).

    A store begins a build: what :func:`remembered` hands back from then on is
    what this build used, not what earlier builds of the process did.
    """
    global _store
    _store = store
    if store is not None:
        _used.clear()


def _render(source: str, id_prefix: str) -> str:
    _MD.reset()
    rendered = _MD.convert(source)
    if id_prefix:
        rendered = re.sub(r'(id="|href="#)(fn(?:ref)?):', rf"\1{id_prefix}-\2-", rendered)
    return sanitize(keyed_rows(shift_headings(rendered)))


TOP_HEADING = 2  # a text's top heading level on a page: under the page's <h1> title
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.I)


def shift_headings(rendered: str, top: int = TOP_HEADING) -> str:
    """Headings moved so the text's top level is ``<h{top}>``, keeping their order (``#`` → ``<h2>``, ``##`` → ``<h3>``).

    Editors start a text with ``#`` as other generators let them; the page's
    title is its ``<h1>``, so the text's headings sit under it (the sanitizer
    would otherwise strip an ``<h1>`` to bare text). Levels stop at ``<h6>``.
    """
    levels = [int(level) for _, level in _HEADING_TAG.findall(rendered)]
    if not levels or min(levels) == top:
        return rendered
    by = top - min(levels)
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + by, 6)}", rendered)


_EMPTY_HEAD = re.compile(r"<thead>\s*<tr>(?:\s*<th[^>]*>\s*</th>)+\s*</tr>\s*</thead>\s*(<tbody>)(.*?)</tbody>", re.S)
_FIRST_CELL = re.compile(r"(<tr>\s*)<td([^>]*)>(.*?)</td>", re.S)


def keyed_rows(rendered: str) -> str:
    """A table whose header row is empty (``| | |`` over ``|---|---|``) is a key/value table: no header row, and each
    row's first cell is that row's header (``<th scope="row">``), so no header cell is left empty (axe: empty-table-header)."""
    if "<thead>" not in rendered:
        return rendered

    def rows(match: re.Match[str]) -> str:
        return match.group(1) + _FIRST_CELL.sub(r'\1<th scope="row"\2>\3</th>', match.group(2)) + "</tbody>"

    return _EMPTY_HEAD.sub(rows, rendered)


def render_markdown(source: str, id_prefix: str = "") -> str:
    """Render Markdown to sanitized HTML; footnote ids get ``id_prefix`` so items can share a page."""
    key = _key(source, id_prefix)
    _used.add(key)
    rendered = _rendered.get(key)
    if rendered is None and _store is not None:
        rendered = _store.get(key)
    if rendered is None:
        rendered = _rendered[key] = _render(source, id_prefix)
    return rendered


def render_many(sources: list[str]) -> list[tuple[bytes, str]]:
    """Render several sources (without prefix); what a worker process of the build runs."""
    return [(_key(source, ""), _render(source, "")) for source in sources]


def missing(sources: Iterable[str]) -> list[str]:
    """The sources not rendered yet, each once; all of them count as used by this build (the cache keeps them)."""
    todo: dict[str, None] = {}
    for source in sources:
        key = _key(source, "")
        _used.add(key)
        if key not in _rendered and not (_store is not None and _store.has(key)):
            todo[source] = None
    return list(todo)


def remember(entries: Iterable[tuple[bytes, str]]) -> None:
    """Add rendered HTML made elsewhere (a worker process, the on-disk cache)."""
    _rendered.update(entries)


def remembered() -> dict[bytes, str]:
    """What this process rendered or reused, for the on-disk cache (entries no longer used are dropped)."""
    return {key: _rendered[key] for key in _used if key in _rendered}


def plain_text(html_text: str) -> str:
    """Readable plain text from sanitized HTML (for descriptions, feeds, e-mail)."""
    text = re.sub(r"</(p|li|h[2-6]|tr|blockquote|div)>", "\n", html_text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def summary_text(summary: str | None, body: str, limit: int) -> str:
    """An item's summary, else the start of its text on one line, cut at a word before ``limit`` characters."""
    if summary:
        return summary
    text = " ".join(plain_text(render_markdown(body)).split())
    return text[:limit].rsplit(" ", 1)[0] + "…" if len(text) > limit else text


def inline_markdown(source: str) -> str:
    """Render a one-line Markdown text (a summary) without the surrounding paragraph."""
    rendered = render_markdown(source)
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered.strip(), flags=re.S)
