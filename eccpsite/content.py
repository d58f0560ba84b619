"""From sources to typed values: the parse-and-validate stage (pure).

On a large site, when this process runs no other thread, a worker forked
from it parses part of the item files on the second core and sends the parsed
items back; what comes out is the same as from one process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from eccpsite.config import SiteConfig, parse_config
from eccpsite.errors import ContentError
from eccpsite.schema import Edition, Item, parse_edition, parse_item, slug_for
from eccpsite.source import Source, Sources, load_yaml, split_front_matter


@dataclass(frozen=True)
class Content:
    config: SiteConfig | None
    items: tuple[Item, ...]
    editions: tuple[Edition, ...]
    errors: tuple[ContentError, ...]
    unparsed: frozenset[str] = frozenset()  # refs (news/x) of item files that failed to parse


# What one item file gives: its item, or its errors and the reference (news/x) it would have had.
Parsed = Item | tuple[list[ContentError], str]

PARALLEL_FILES = 3000  # from this many item files, a forked worker parses a share of them
WORKER_SHARE = (5, 12)  # the worker's share: 5 files in 12 (it also pickles what it parsed, and starts later)


def parse_file(kind: str, source: Source) -> Parsed:
    """Parse and validate one item file of folder ``kind``."""
    doc = split_front_matter(source.path, source.text)
    if isinstance(doc, ContentError):
        return [doc], f"{kind}/{slug_for(source.path)}"
    item = parse_item(kind, doc)
    if isinstance(item, list):
        return item, f"{kind}/{doc.meta.get('slug') or slug_for(source.path)}"
    return item


_forked: Sequence[tuple[str, Source]] = ()  # the files a forked worker parses from (set just before the fork)


def _parse_share() -> tuple[list[Parsed], list[int]]:
    """In the forked worker: parse its share of ``_forked`` (see :func:`_in_worker`).

    Items go back without their bodies, with the bodies' lengths instead: a
    body is the end of its source's text, which the build already holds, and
    it is most of what the worker would otherwise pickle and send.
    """
    parsed = [parse_file(kind, source) for index, (kind, source) in enumerate(_forked) if _in_worker(index)]
    lengths = [len(p.body) if isinstance(p, Item) else 0 for p in parsed]
    return [replace(p, body="") if isinstance(p, Item) else p for p in parsed], lengths


def _with_body(parsed: Parsed, length: int, source: Source) -> Parsed:
    """What :func:`parse_file` gave in the worker: the item's body cut again from the end of ``source``."""
    return replace(parsed, body=source.text[len(source.text) - length :]) if isinstance(parsed, Item) else parsed


def _in_worker(index: int) -> bool:
    """Whether the file at ``index`` is parsed by the worker (files are dealt in turn, so that each side gets every kind)."""
    return index % WORKER_SHARE[1] < WORKER_SHARE[0]


def may_fork(count: int) -> bool:
    """Whether ``count`` item files are parsed on two cores: many files, several cores, no other thread to fork with."""
    return count >= PARALLEL_FILES and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def parse_files(files: Sequence[tuple[str, Source]]) -> list[Parsed]:
    """Parse ``(kind, source)`` pairs in order; on a large site a forked worker parses a share of them."""
    if not may_fork(len(files)):
        return [parse_file(kind, source) for kind, source in files]
    global _forked
    _forked = files
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            shared = pool.submit(_parse_share)
            mine = [parse_file(kind, source) for index, (kind, source) in enumerate(files) if not _in_worker(index)]
            parsed, lengths = shared.result()
    finally:
        _forked = ()
    own, theirs = iter(mine), zip(parsed, lengths, strict=True)
    results: list[Parsed] = []
    for index, (_, source) in enumerate(files):
        results.append(_with_body(*next(theirs), source) if _in_worker(index) else next(own))
    return results


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
    for result in parse_files([(kind, source) for kind, kind_sources in sources.items.items() for source in kind_sources]):
        if isinstance(result, Item):
            items.append(result)
        else:
            errors.extend(result[0])
            unparsed.add(result[1])
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
