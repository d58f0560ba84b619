"""Items as JSON and back, for the parses a build keeps (eccpsite.edges.parse_cache).

A value is written as JSON with a tag where JSON has no type of its own: a
tuple as a list, a list as ``{"l": [...]}``, a dict as ``{"d": [[key,
value], ...]}``, a date as ``{"D": "2019-09-16"}``, a date and time as ``{"T":
ISO text, "z": zone name or null, "f": fold}`` and an instance of one of the item
classes (or of a class their fields name: a location, a deadline …) as ``{"c":
class name, "v": [its fields in order]}``. Any other type, or a subclass (the
YAML loader's located mappings), is not written: the item is parsed again
next time.

Reading it back is checked against the classes' own field types
(:func:`typing.get_type_hints`): only those classes are made, and each field
only from a value of its declared type, so a value this module did not write
is refused (:class:`NotAnItem`), never trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

Check = Callable[[Any], bool]  # whether a value read back has a field's declared type


_PLAIN = frozenset({str, int, bool, float, type(None)})  # JSON's own values, which stand for themselves


class NotAnItem(Exception):
    """A value this module cannot write, or did not write."""


def encode(value: Any) -> Any:
    """``value`` as JSON data (see the module's docstring); raises NotAnItem for a type it does not write."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is tuple:
        return [encode(part) for part in value]
    if kind is list:
        return {"l": [encode(part) for part in value]}
    if kind is dict:
        return {"d": [[encode(key), encode(part)] for key, part in value.items()]}
    if kind is dt.datetime:
        zone = value.tzinfo
        if isinstance(zone, ZoneInfo):  # the wall time in that zone, and which of two it is when clocks go back
            return {"T": value.replace(tzinfo=None).isoformat(), "z": zone.key, "f": value.fold}
        if zone is not None and type(zone) is not dt.timezone:
            raise NotAnItem(f"a time zone of type {type(zone).__qualname__}")
        return {"T": value.isoformat(), "z": None, "f": value.fold}
    if kind is dt.date:
        return {"D": value.isoformat()}
    if dataclasses.is_dataclass(kind):
        return {"c": kind.__qualname__, "v": [encode(getattr(value, f.name)) for f in dataclasses.fields(kind)]}
    raise NotAnItem(f"a value of type {kind.__qualname__}")


class Classes:
    """The classes values are read back into: the item classes given and those their fields name, each with a check
    of every field's declared type."""

    def __init__(self, roots: Iterable[type]) -> None:
        self._fields: dict[str, tuple[type, tuple[tuple[str, Check], ...]]] = {}
        for root in roots:
            self._add(root)

    def _add(self, cls: type) -> None:
        if cls.__qualname__ in self._fields:
            return
        self._fields[cls.__qualname__] = (cls, ())  # before its fields: a class may name itself
        hints = typing.get_type_hints(cls)
        self._fields[cls.__qualname__] = (cls, tuple((f.name, self._check(hints[f.name])) for f in dataclasses.fields(cls)))

    def _check(self, hint: Any) -> Check:
        """The check of a value of type ``hint`` (the types item fields use), adding the dataclasses it names."""
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return lambda value: True  # what the editors wrote under 'extra:': plain values, as decode makes them
        if origin is typing.Union or origin is types.UnionType:
            checks = [self._check(arg) for arg in args]  # each also adds the dataclasses it names (Location | None)
            if all(isinstance(arg, type) for arg in args):  # str | None, date | datetime: one look-up
                types_of = frozenset(args)
                return lambda value: type(value) in types_of
            return lambda value: any(check(value) for check in checks)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            part = self._check(args[0])
            return lambda value: type(value) is tuple and all(map(part, value))
        if origin is dict:
            key, part = self._check(args[0]), self._check(args[1])
            return lambda value: type(value) is dict and all(key(k) and part(v) for k, v in value.items())
        if hint is type(None):
            return lambda value: value is None
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            self._add(hint)
        if isinstance(hint, type):
            return lambda value: type(value) is hint
        raise TypeError(f"an item field of type {hint} cannot be read back")

    def decode(self, data: Any) -> Any:
        """The value ``data`` stands for; raises NotAnItem for data :func:`encode` does not make."""
        kind = type(data)
        if kind is list:
            return tuple(map(self.decode, data))
        if kind is not dict:
            if kind is str or kind is int or kind is bool or kind is float or data is None:
                return data
            raise NotAnItem(f"{kind.__qualname__} data")
        try:
            if "c" in data:
                return self._instance(data["c"], data["v"])
            if "l" in data:
                return list(map(self.decode, data["l"]))
            if "d" in data:
                return {self.decode(key): self.decode(part) for key, part in data["d"]}
            if "D" in data:
                return dt.date.fromisoformat(data["D"])
            when, zone, fold = dt.datetime.fromisoformat(data["T"]), data["z"], data["f"]
            if fold not in (0, 1) or (zone is not None and when.tzinfo is not None):
                raise NotAnItem(f"the time {data['T']} in {zone}, fold {fold}")
            return when.replace(tzinfo=ZoneInfo(zone) if zone is not None else when.tzinfo, fold=fold)
        except (KeyError, TypeError, ValueError) as exc:
            raise NotAnItem(str(exc)) from exc

    def _instance(self, name: str, values: list[Any]) -> Any:
        cls, fields = self._fields[name]
        if type(values) is not list or len(values) != len(fields):
            raise NotAnItem(f"{name} without its {len(fields)} fields")
        kept = {}
        for (field, check), data in zip(fields, values, strict=True):
            value = data if type(data) in _PLAIN else self.decode(data)  # most fields: text, numbers, None
            if not check(value):
                raise NotAnItem(f"{name}.{field} of type {type(value).__qualname__}")
            kept[field] = value
        return cls(**kept)
