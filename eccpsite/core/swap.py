"""Find and replace items anywhere inside a value: the walk under the dev server's in-place edit.

:func:`swap_items` puts new items in their old ones' places through tuples,
lists, dicts and dataclasses, keeping every part that holds none of them the
very same object; :func:`refs_in` names the items a value holds. They know
nothing of the site's fields (``model.swap_site_items`` says which hold
items), so they are apart from :mod:`model`, below it.

A site's collections hold tens of thousands of items, and reading an item's
``ref`` means reading the item (a cache miss on a large heap: about 0.6 µs
each, against 0.04 µs to compare a pointer). When the caller knows the very
objects being replaced and that no other object with their refs is inside
(a site: each item it holds is its ``by_ref`` entry), the scans compare
identities and read no item (:func:`swap_items`'s ``old``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields, is_dataclass, replace
from itertools import compress, repeat
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


Hits = Callable[[Iterable[Item]], list[bool]]  # which of the items held side by side are to be replaced


def swap_items(value: T, new: dict[str, Item], old: Collection[Item] | None = None) -> T:
    """``value`` with every item whose ref is a key of ``new`` replaced by ``new[ref]``.

    Walks tuples, lists, dicts and dataclasses (never into an item); a part
    that holds none of those items is returned as it is, the very same object,
    so that unchanged parts of a site still compare by identity. The scans of
    long tuples of items run in C. ``old``: the items being replaced, when
    ``value`` holds no other item with one of their refs; the scans then
    compare identities (see the module's docstring).
    """
    swapped: T = _swap(value, new, _hits_by_ref(new) if old is None else _hits_of(old))
    return swapped


def _hits_by_ref(new: dict[str, Item]) -> Hits:
    return lambda items: list(map(new.__contains__, map(_ref, items)))


def _hits_of(old: Collection[Item]) -> Hits:
    if len(old) == 1:
        (only,) = old
        return lambda items: list(map(_is, items, repeat(only)))
    ids = {id(item) for item in old}
    return lambda items: list(map(ids.__contains__, map(id, items)))


def _swap(value: Any, new: dict[str, Item], hits: Hits) -> Any:
    if isinstance(value, Item):
        return new.get(value.ref, value)
    if isinstance(value, (*_PLAIN, SiteConfig, ContentError)):
        return value
    if type(value) in (tuple, list):
        if _only_items(value):
            return _swap_in_sequence(value, new, hits(value))
        parts = [_swap(v, new, hits) for v in value]
        return value if all(map(_is, parts, value)) else type(value)(parts)
    if type(value) is dict:
        if _only_items(value.values()):
            found = hits(value.values())
            if not any(found):
                return value
            replaced = dict(value)
            for key in compress(value, found):
                replaced[key] = new[value[key].ref]
            return replaced
        walked = {k: _swap(v, new, hits) for k, v in value.items()}
        return value if all(map(_is, walked.values(), value.values())) else walked
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            part = getattr(value, f.name)
            swapped_part = _swap(part, new, hits)
            if swapped_part is not part:
                changes[f.name] = swapped_part
        return replace(value, **changes) if changes else value
    return value


def _swap_in_sequence(items: tuple[Item, ...] | list[Item], new: dict[str, Item], hits: list[bool]) -> tuple[Item, ...] | list[Item]:
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
