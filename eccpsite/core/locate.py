"""The line of a problem found on a rendered page, in the file it came from (pure).

The link check reads pages, not sources: it knows that a page of
``content/news/x.md`` links to ``/events/gone/``, not on which line. The
address (``ContentError.near``) is in the item's text as written (relative
links were already made site addresses in place, on their own line:
``sourcelinks.site_links``), so its first occurrence gives the line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item


def line_in(item: Item, written: str) -> int:
    """The line of the item's file where ``written`` first appears in its text; else the text's first line."""
    body = item.body
    for needle in (f"({written}", f'"{written}"', f"<{written}>", written):
        found = body.find(needle)
        if found >= 0:
            return item.body_line + body.count("\n", 0, found)
    return item.body_line


def locate(problems: Iterable[ContentError], items: Sequence[Item]) -> list[ContentError]:
    """``problems`` with the line of what each is about, where it was found on an item's page without one."""
    by_path: dict[str, Item] | None = None  # made for the first problem that needs it (most have a line, or none)
    located = []
    for problem in problems:
        item = None
        if not problem.line and problem.near:
            by_path = by_path if by_path is not None else {i.path: i for i in items}
            item = by_path.get(problem.path)
        located.append(dataclasses.replace(problem, line=line_in(item, problem.near)) if item is not None else problem)
    return located
