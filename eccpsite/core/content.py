"""From sources to typed values: the parse-and-validate stage (pure).

It runs in one process: at 10,000 news a forked worker took 0.17 s off its
0.8 s but added about 40 MB to an edit build's peak memory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from eccpsite.core.accessibility import Finding, accessibility_findings
from eccpsite.core.config import SiteConfig, parse_config
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import SITE_ZONE, Edition, Item, parse_edition
from eccpsite.core.markup.markdown_limits import body_problems
from eccpsite.core.markup.rawhtml import Removal, removed_html
from eccpsite.core.schema import parse_item, slug_for
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


def parse_file(kind: str, source: Source, tz: ZoneInfo = SITE_ZONE) -> Parsed:
    """Parse and validate one item file of folder ``kind``; ``tz`` is the site's time zone."""
    doc = split_front_matter(source.path, source.text)
    if isinstance(doc, ContentError):
        return [doc], f"{kind}/{slug_for(source.path)}"
    body = site_links(doc.path, doc.body)
    item = parse_item(kind, doc if body is doc.body else dataclasses.replace(doc, body=body), tz)
    if isinstance(item, list):
        return item, f"{kind}/{doc.meta.get('slug') or slug_for(source.path)}"
    if too_much := body_problems(item.body):  # it would stall or crash the rendering: it is not rendered
        return [ContentError(item.path, item.body_line + item.body.count("\n", 0, p.offset), "", p.message) for p in too_much], f"{kind}/{item.slug}"
    return item


def html_warnings(item: Item) -> list[ContentError]:
    """A located warning for each piece of the item's raw HTML that the sanitizer removes (eccpsite.core.markup.rawhtml),
    and for each accessibility problem of its text (eccpsite.core.accessibility)."""
    body = item.body
    findings: list[Removal | Finding] = [*removed_html(body), *accessibility_findings(body)]
    return [ContentError(item.path, item.body_line + body.count("\n", 0, f.offset), "", f.message, warning=True) for f in findings]


def parse_content(sources: Sources, tz: ZoneInfo | None = None) -> Content:
    """Parse and validate every source; collect every error instead of stopping at the first.

    Dates with a time are read in the time zone of ``sources.config``, else
    ``tz`` (the dev server parses one file at a time), else the default one.
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
    for result in (parse_file(kind, source, zone) for kind, kind_sources in sources.items.items() for source in kind_sources):
        if isinstance(result, Item):
            items.append(result)
            errors.extend(html_warnings(result))
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
