"""Find and replace items anywhere inside a value: the walk under the dev server's in-place edit.

:func:`swap_items` puts new items in their old ones' places through tuples,
lists, dicts and dataclasses, keeping every part that holds none of them the
very same object; :func:`refs_in` names the items a value holds. They know
nothing of the site's fields (``model.swap_site_items`` says which hold
items), so they are apart from :mod:`model`, below it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import fields, is_dataclass, replace
from itertools import compress
from operator import attrgetter
from operator import is_ as _is
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item

T = TypeVar("T")

_PLAIN = (str, int, float, bool, type(None), dt.date, ZoneInfo)  # values that hold no items (datetime is a date)


_ref = attrgetter("ref")


def _only_items(values: Iterable[object]) -> bool:
    return all(issubclass(kind, Item) for kind in set(map(type, values)))


def swap_items(value: T, new: dict[str, Item]) -> T:
    """``value`` with every item whose ref is a key of ``new`` replaced by ``new[ref]``.

    Walks tuples, lists, dicts and dataclasses (never into an item); a part
    that holds none of those items is returned as it is, the very same object,
    so that unchanged parts of a site still compare by identity. The scans of
    long tuples of items run in C.
    """
    swapped: T = _swap(value, new)
    return swapped


def _swap(value: Any, new: dict[str, Item]) -> Any:
    if isinstance(value, Item):
        return new.get(value.ref, value)
    if isinstance(value, (*_PLAIN, SiteConfig, ContentError)):
        return value
    if type(value) in (tuple, list):
        if _only_items(value):
            return _swap_in_sequence(value, new)
        parts = [_swap(v, new) for v in value]
        return value if all(map(_is, parts, value)) else type(value)(parts)
    if type(value) is dict:
        if _only_items(value.values()):
            if not any(map(new.__contains__, map(_ref, value.values()))):
                return value
            return {k: new.get(v.ref, v) for k, v in value.items()}
        swapped = {k: _swap(v, new) for k, v in value.items()}
        return value if all(map(_is, swapped.values(), value.values())) else swapped
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            part = getattr(value, f.name)
            swapped_part = _swap(part, new)
            if swapped_part is not part:
                changes[f.name] = swapped_part
        return replace(value, **changes) if changes else value
    return value


def _swap_in_sequence(items: tuple[Item, ...] | list[Item], new: dict[str, Item]) -> tuple[Item, ...] | list[Item]:
    hits = list(map(new.__contains__, map(_ref, items)))
    if not any(hits):
        return items
    swapped = list(items)
    for index in compress(range(len(swapped)), hits):
        swapped[index] = new[swapped[index].ref]
    return type(items)(swapped)


def refs_in(value: object) -> set[str]:
    """The refs of every item held anywhere in ``value`` (through tuples, lists, dicts and dataclasses)."""
    found: set[str] = set()
    _collect_refs(value, found)
    return found


def _collect_refs(value: Any, found: set[str]) -> None:
    if isinstance(value, Item):
        found.add(value.ref)
    elif isinstance(value, (*_PLAIN, SiteConfig, ContentError)):
        return
    elif type(value) in (tuple, list, dict):
        values = value.values() if type(value) is dict else value
        if _only_items(values):
            found.update(map(_ref, values))
        else:
            for part in values:
                _collect_refs(part, found)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _collect_refs(getattr(value, f.name), found)
