"""From sources to typed values: the parse-and-validate stage (pure).

It runs in one process: at 10,000 news a forked worker took 0.17 s off its
0.8 s but added about 40 MB to an edit build's peak memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from eccpsite.core.accessibility import accessibility_findings
from eccpsite.core.config import SiteConfig, parse_config
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import SITE_ZONE, Edition, Item, parse_edition
from eccpsite.core.markup.markdown_limits import body_problems
from eccpsite.core.markup.rawhtml import outside_code, removals
from eccpsite.core.schema import parse_item, slug_for
from eccpsite.core.shortcodes import written_in_markdown
from eccpsite.core.source import Source, Sources, load_yaml, split_front_matter
from eccpsite.core.sourcelinks import site_links


@dataclass(frozen=True)
class Content:
    config: SiteConfig | None
    items: tuple[Item, ...]
    editions: tuple[Edition, ...]
    errors: tuple[ContentError, ...]
    unparsed: frozenset[str] = frozenset()  # refs (news/x) of item files that failed to parse


# What one item file gives: its item, or its errors and the reference (news/x) it would have had.
Parsed = Item | tuple[list[ContentError], str]
Warnings = tuple[tuple[int, str], ...]  # (offset in the item's body, message) of each warning a body gives


@dataclass(frozen=True)
class BodyFacts:
    """What the checks of an item's body find: a pure function of the file's path and its body as written, so a
    build may find it on every core ahead of the parse (eccpsite.edges.parse_cache). Offsets are in ``body``."""

    body: str  # the body with its file-relative links written as site addresses (eccpsite.core.sourcelinks)
    problems: tuple[tuple[int, str], ...]  # what would stall or crash the rendering: the item is not rendered
    warnings: Warnings  # raw HTML the sanitizer removes, accessibility problems, in order


# How a parse finds a body's facts: body_facts itself, or a store that checked them ahead on every core.
FactsOf = Callable[[str, str], BodyFacts]


class KeptParses(Protocol):
    """What the last build's parse gave for each file that parsed, by its path and text and the time zone
    (eccpsite.edges.parse_cache): a file's item is a function of those alone."""

    def get(self, kind: str, source: Source, tz: ZoneInfo) -> tuple[Item, Warnings] | None: ...

    def put(self, kind: str, source: Source, tz: ZoneInfo, item: Item, warnings: Warnings) -> None: ...


def body_facts(path: str, written: str) -> BodyFacts:
    """The facts of the body ``written`` of the file at ``path``."""
    markdown, notes = written_in_markdown(path, written)
    body = site_links(path, markdown)
    problems = tuple((p.offset, p.message) for p in body_problems(body))
    if problems:  # not rendered, so not read for warnings either (the checks below are not made for such texts)
        return BodyFacts(body, problems, ())
    visible = outside_code(body)
    found = [(f.offset, f.message) for f in (*(removals(visible) if "<" in body else ()), *accessibility_findings(body, visible))]
    if notes:  # both keep the lines: a note's line starts at the same place in the body's lines
        starts = [0, *(i + 1 for i, c in enumerate(body) if c == "\n")]
        found = sorted([*found, *((starts[line], message) for line, message in notes)], key=lambda f: f[0])
    return BodyFacts(body, problems, tuple(found))


def parse_file(kind: str, source: Source, tz: ZoneInfo = SITE_ZONE, facts_of: FactsOf = body_facts) -> Parsed:
    """Parse and validate one item file of folder ``kind``; ``tz`` is the site's time zone."""
    return _parse_file(kind, source, tz, facts_of)[0]


def _parse_kept(kind: str, source: Source, tz: ZoneInfo, facts_of: FactsOf, kept: KeptParses | None) -> tuple[Parsed, Warnings]:
    """:func:`_parse_file`, or what the last build's parse of the same file gave (``kept``), which keeps this one's."""
    if kept is None:
        return _parse_file(kind, source, tz, facts_of)
    found = kept.get(kind, source, tz)
    if found is not None:
        return found
    parsed, warnings = _parse_file(kind, source, tz, facts_of)
    if isinstance(parsed, Item):
        kept.put(kind, source, tz, parsed, warnings)
    return parsed, warnings


def _parse_file(kind: str, source: Source, tz: ZoneInfo, facts_of: FactsOf) -> tuple[Parsed, Warnings]:
    """The file's item or errors, and the warnings of its body (offsets in the item's body)."""
    doc = split_front_matter(source.path, source.text)
    if isinstance(doc, ContentError):
        return ([doc], f"{kind}/{slug_for(source.path)}"), ()
    facts = facts_of(doc.path, doc.body)
    item = parse_item(kind, doc if facts.body == doc.body else dataclasses.replace(doc, body=facts.body), tz)
    if isinstance(item, list):
        return (item, f"{kind}/{doc.meta.get('slug') or slug_for(source.path)}"), ()
    if facts.problems:  # it would stall or crash the rendering: it is not rendered
        return ([_located(item, offset, message) for offset, message in facts.problems], f"{kind}/{item.slug}"), ()
    return item, facts.warnings


def _located(item: Item, offset: int, message: str, warning: bool = False) -> ContentError:
    return ContentError(item.path, item.body_line + item.body.count("\n", 0, offset), "", message, warning=warning)


def parse_content(sources: Sources, tz: ZoneInfo | None = None, facts_of: FactsOf = body_facts, kept: KeptParses | None = None) -> Content:
    """Parse and validate every source; collect every error instead of stopping at the first.

    Dates with a time are read in the time zone of ``sources.config``, else
    ``tz`` (the dev server parses one file at a time), else the default one.
    ``facts_of`` gives each body's facts (a build passes those it checked
    ahead on every core) and ``kept`` what the last build's parse gave for
    each file that did not change.
    """
    errors: list[ContentError] = list(sources.errors)
    config: SiteConfig | None = None
    if sources.config is not None:
        meta = load_yaml(sources.config.path, sources.config.text)
        if isinstance(meta, ContentError):
            errors.append(meta)
        else:
            parsed = parse_config(sources.config.path, meta)
            if isinstance(parsed, list):
                errors.extend(parsed)
            else:
                config = parsed
    zone = config.tz if config is not None else tz or SITE_ZONE
    items: list[Item] = []
    unparsed: set[str] = set()
    for result, warnings in (_parse_kept(kind, source, zone, facts_of, kept) for kind, kind_sources in sources.items.items() for source in kind_sources):
        if isinstance(result, Item):
            items.append(result)
            errors.extend(_located(result, offset, message, warning=True) for offset, message in warnings)
        else:
            errors.extend(result[0])
            unparsed.add(result[1])
    editions: list[Edition] = []
    for source in sources.editions:
        meta = load_yaml(source.path, source.text)
        if isinstance(meta, ContentError):
            errors.append(meta)
            continue
        edition = parse_edition(source.path, meta, zone)
        if isinstance(edition, list):
            errors.extend(edition)
        else:
            editions.append(edition)
    return Content(config, tuple(items), tuple(editions), tuple(errors), frozenset(unparsed))
