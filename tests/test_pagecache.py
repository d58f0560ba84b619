"""The page cache's digests: equal values give equal digests whatever the objects, and any difference a template
could show gives another digest; a value of an unknown type is refused, so its page is rendered, never reused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup

from eccpsite.core.kinds import Location
from eccpsite.incremental.digests import Digester, Undigestible


@dataclass(frozen=True)
class Card:
    title: str
    tags: tuple[str, ...]
    extra: dict[str, object]


def _digest(value: object) -> bytes:
    return Digester().digest(value)


def test_pagecache_equal_values_have_equal_digests_whatever_the_objects() -> None:
    a = Card("Matchmaking in Hanover", ("matchmaking", "canada"), {"n": 3, "when": dt.date(2019, 4, 1)})
    b = Card("Matchmaking in " + "Hanover", tuple(["matchmaking", "canada"]), {"n": 3, "when": dt.date(2019, 4, 1)})
    assert a is not b
    assert _digest(a) == _digest(b)
    digester = Digester()
    assert digester.digest(a) == digester.digest(b) == digester.digest(a)  # remembered by id, same value


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Open", Markup("Open")),  # escaped text and markup render differently
        (("a", "b"), ("b", "a")),  # order shows
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # a template loops over a dict in its order
        (1, True),
        (1, 1.0),
        (None, "None"),
        (("ab", "c"), ("a", "bc")),
        (dt.datetime(2019, 3, 31, 9, 30, tzinfo=ZoneInfo("Europe/Brussels")), dt.datetime(2019, 3, 31, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))),
        (dt.date(2019, 9, 16), dt.datetime(2019, 9, 16)),
        (Location(city="Bucharest", country="RO"), Location(city="Sofia", country="BG")),
        (Card("x", (), {}), Location(city="x")),
    ],
)
def test_pagecache_values_that_differ_have_different_digests(one: object, other: object) -> None:
    assert _digest(one) != _digest(other)


def test_pagecache_a_value_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(Undigestible):
        _digest(("fine", object()))
    with pytest.raises(Undigestible):
        _digest({"callback": lambda: None})


def test_pagecache_long_tuples_and_dicts_digest_as_part_by_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts of a long tuple or dict are digested in bulk (the dev server's collections of items): the same
    digests as one part at a time, in the same build and in the next (where they are remembered from)."""
    from eccpsite.incremental import digests

    cards = tuple(Card(f"card {n}", ("t",), {"n": n}) for n in range(40))
    values = [cards, list(cards), {c.title: c for c in cards}, (*cards, [1, 2], {"x": cards[:3]}), {c.title: [c] for c in cards}]
    bulk = Digester()
    first = [bulk.digest(v) for v in values]
    bulk.next_build()
    again = [bulk.digest(v) for v in values]
    monkeypatch.setattr(digests, "BULK", 10**9)
    assert first == again == [Digester().digest(v) for v in values]
