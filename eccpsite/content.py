"""From sources to typed values: the parse-and-validate stage (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from eccpsite.config import SiteConfig, parse_config
from eccpsite.errors import ContentError
from eccpsite.schema import Edition, Item, parse_edition, parse_item, slug_for
from eccpsite.source import Sources, load_yaml, split_front_matter


@dataclass(frozen=True)
class Content:
    config: SiteConfig | None
    items: tuple[Item, ...]
    editions: tuple[Edition, ...]
    errors: tuple[ContentError, ...]
    unparsed: frozenset[str] = frozenset()  # refs (news/x) of item files that failed to parse


def parse_content(sources: Sources) -> Content:
    """Parse and validate every source; collect every error instead of stopping at the first."""
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
    items: list[Item] = []
    unparsed: set[str] = set()
    for kind, kind_sources in sources.items.items():
        for source in kind_sources:
            doc = split_front_matter(source.path, source.text)
            if isinstance(doc, ContentError):
                errors.append(doc)
                unparsed.add(f"{kind}/{slug_for(source.path)}")
                continue
            item = parse_item(kind, doc)
            if isinstance(item, list):
                errors.extend(item)
                unparsed.add(f"{kind}/{doc.meta.get('slug') or slug_for(source.path)}")
            else:
                items.append(item)
    editions: list[Edition] = []
    for source in sources.editions:
        meta = load_yaml(source.path, source.text)
        if isinstance(meta, ContentError):
            errors.append(meta)
            continue
        edition = parse_edition(source.path, meta)
        if isinstance(edition, list):
            errors.extend(edition)
        else:
            editions.append(edition)
    return Content(config, tuple(items), tuple(editions), tuple(errors), frozenset(unparsed))
