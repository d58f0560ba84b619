"""Digests of values: what the engine's records compare between builds (eccpsite.incremental.engine).

Digests are of values, not of objects: two builds that parse the same
sources give the same digests, whatever their objects (items are digested
field by field). Nothing is ever digested on a guess: a value of a type not
listed here raises :class:`Undigestible`, and what holds it is made again and
never kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Sequence
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

DIGEST_SIZE = 16
BULK = 16  # from this many parts, a tuple's or dict's composite parts are fed in one piece (the same bytes)
SWEEP = 20  # builds between two sweeps of the values no build digests any more (next_build)
_CONTAINERS = frozenset({tuple, dict, list, frozenset, set})
_second = itemgetter(1)


class Undigestible(Exception):
    """A value of a type this module does not know how to digest: what holds it is made again, never reused."""


class Digester:
    """Digests of the values pages are made of, each shared object (an item, a pager, an edition) digested once.

    A value is fed to the hash as a prefix-free sequence: each plain value
    (text, number, date…) with a tag and its length, each composite one (a
    tuple, list, dict, set or dataclass) as a tag and its own digest. Tuples
    and frozen dataclass instances are remembered by id, and kept alive
    meanwhile, so that an id is never reused by another object: for the length
    of a build, and for the builds after it (the dev server's builds share their
    unchanged items), until a sweep lets go of those no build used since
    (:meth:`next_build`).
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._last: dict[int, tuple[Any, bytes]] = {}  # what the builds before a sweep digested (next_build)
        self._seeds: dict[int, tuple[Any, bytes]] = {}  # the values seeded (seed): kept through sweeps, until unseeded
        self._builds = 0
        self._fields: dict[type, tuple[str, ...] | None] = {}  # a dataclass's field names; None for any other type

    def digest_once(self, value: Any) -> bytes:
        """A digest of ``value`` without remembering it (a page's context: made for one page)."""
        h = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self._contents(h, value)
        return h.digest()

    def next_build(self) -> None:
        """Start another build. Every :data:`SWEEP` builds, the values digested so far keep their digests only if this
        build uses them, and the others are let go (the dev server's memory stays that of one build, give or take
        the values of a few saves); between sweeps, a value digested once is looked up in one dictionary."""
        self._builds += 1
        if self._builds % SWEEP == 0:
            self._last, self._memo = self._memo, dict(self._seeds)
        else:
            self._last = {}

    def seed(self, value: Any, made_from: bytes) -> None:
        """Take ``made_from`` for the value of ``value``, a frozen dataclass instance that is a pure function of those
        bytes (an item of the file it was parsed from: its fields need not be walked). Its digest is then of its type
        and those bytes: another than its value's, so a page that held it when digested by value is made again once.
        It keeps that digest through sweeps (digested by value after one, it would make its pages again) until
        :meth:`unseed`."""
        kind = type(value)
        h = hashlib.blake2b(f"seed {kind.__module__}.{kind.__qualname__}:".encode(), digest_size=DIGEST_SIZE)
        h.update(made_from)
        self._memo[id(value)] = self._seeds[id(value)] = (value, h.digest())

    def unseed(self, value: Any) -> None:
        """Let go of a seeded value (an item whose file changed or went)."""
        for known in (self._seeds, self._memo, self._last):
            known.pop(id(value), None)

    def digest(self, value: Any) -> bytes:
        """A digest of ``value``; raises :class:`Undigestible` for a type it does not know."""
        known = self._memo.get(id(value))
        if known is not None:
            return known[1]
        known = self._last.get(id(value))
        if known is not None:
            self._memo[id(value)] = known
            return known[1]
        h = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self._contents(h, value)
        found = h.digest()
        kind = type(value)
        if kind is tuple or (self._names(kind) is not None and kind.__dataclass_params__.frozen):
            self._memo[id(value)] = (value, found)
        return found

    def _names(self, kind: type) -> tuple[str, ...] | None:
        try:
            return self._fields[kind]
        except KeyError:
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None
            return names

    def _contents(self, h: Any, value: Any) -> None:
        """Feed ``value`` itself: the parts of a composite value, or a plain value."""
        kind = type(value)
        if kind is tuple or kind is list:
            h.update(b"t%d:" % len(value) if kind is tuple else b"l%d:" % len(value))
            digests = self._digests(value) if len(value) >= BULK else None
            if digests is not None:
                h.update(b"#" + b"#".join(digests))
                return
            for part in value:
                self._part(h, part)
        elif kind is dict:
            h.update(b"d%d:" % len(value))
            digests = self._digests(list(value.values())) if len(value) >= BULK and set(map(type, value)) == {str} else None
            if digests is not None:
                h.update(b"".join(_keyed(value, digests)))  # in order, as below
                return
            for key, part in value.items():  # in order: templates loop over dicts in their order
                self._part(h, key)
                self._part(h, part)
        elif kind is frozenset or kind is set:
            h.update(b"e%d:" % len(value))
            for part in sorted(self.digest(part) for part in value):
                h.update(part)
        else:
            names = self._names(kind)
            if names is None:
                self._part(h, value)
                return
            h.update(f"c{kind.__module__}.{kind.__qualname__}:".encode())
            for name in names:
                self._part(h, getattr(value, name))

    def _composite(self, parts: Any) -> bool:
        """Whether every part is fed as its own digest (:meth:`_part`): containers and dataclass instances."""
        return all(kind in _CONTAINERS or self._names(kind) is not None for kind in set(map(type, parts)))

    def _digests(self, parts: Sequence[Any]) -> list[bytes] | None:
        """:meth:`digest` of each part, or None when a part is fed inline (not :meth:`_composite`).

        The lookups of the parts already digested (most, in the dev server) are
        made in C; a part found there is a tuple or a frozen dataclass, so only
        the others' types are checked.
        """
        memo, last = self._memo, self._last
        ids = list(map(id, parts))
        found: list[Any] = list(map(memo.get, ids, map(last.get, ids))) if last else list(map(memo.get, ids))
        transient = []  # parts digested now that are not remembered (lists, dicts, mutable dataclasses)
        if None in found:
            missing = [i for i, known in enumerate(found) if known is None]
            if not self._composite([parts[i] for i in missing]):
                return None
            for index in missing:
                digest = self.digest(parts[index])
                remembered = memo.get(ids[index])
                found[index] = remembered if remembered is not None else (parts[index], digest)
                if remembered is None:
                    transient.append(ids[index])
        if last or transient:  # what the builds before the sweep digested is this one's too, as digest() does
            memo.update(zip(ids, found, strict=True))
            for key in transient:
                memo.pop(key, None)
        return list(map(_second, found))

    def _part(self, h: Any, value: Any) -> None:
        """Feed one part of a value: a plain value inline, a composite one as its digest."""
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
        elif kind is tuple or kind is dict or kind is list or kind is frozenset or kind is set or self._names(kind) is not None:
            h.update(b"#" + self.digest(value))
        elif kind is Markup:
            data = str(value).encode("utf-8", "surrogatepass")
            h.update(b"m%d:" % len(data))
            h.update(data)
        elif kind is bool or value is None:
            h.update(b"b" + repr(value).encode() + b";")
        elif kind is int:
            h.update(b"i%d;" % value)
        elif kind is float:
            h.update(b"f" + value.hex().encode() + b";")
        elif kind is dt.datetime or kind is dt.date or kind is dt.time:
            h.update(b"D" + value.isoformat().encode() + b"|" + str(getattr(value, "tzinfo", None)).encode() + b";")
        elif kind is bytes:
            h.update(b"y%d:" % len(value))
            h.update(value)
        elif isinstance(value, enum.Enum):
            h.update(f"E{kind.__qualname__}.{value.name};".encode())
        elif isinstance(value, PurePath):
            data = str(value).encode("utf-8", "surrogatepass")
            h.update(b"p%d:" % len(data))
            h.update(data)
        elif isinstance(value, dt.tzinfo):
            h.update(b"z" + str(value).encode() + b";")
        else:
            raise Undigestible(f"cannot digest a {kind.__qualname__}")


def _keyed(value: dict[str, Any], digests: list[bytes]) -> Any:
    """What :meth:`Digester._contents` feeds for a dict of text keys and composite values, part by part."""
    for key, digest in zip(value, digests, strict=True):
        data = key.encode("utf-8", "surrogatepass")
        yield b"s%d:" % len(data) + data + b"#" + digest
