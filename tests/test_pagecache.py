"""The page cache's digests: equal values give equal digests whatever the objects, and any difference a template
could show gives another digest; a value of an unknown type is refused, so its page is rendered, never reused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW
from markupsafe import Markup

from eccpsite.core.kinds import Item, Location
from eccpsite.core.options import BuildOptions
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


def test_pagecache_a_seeded_value_is_digested_from_what_it_was_made_of() -> None:
    """An item parsed from a file is digested from the file's kind, path and text (Engine.parsed): the same bytes give
    the same digest in another build, other bytes another one, and a tuple holding it uses that digest."""
    card, same = Card("x", ("t",), {}), Card("x", ("t",), {})
    one, two, three = Digester(), Digester(), Digester()
    one.seed(card, b"news\0content/news/x.md\0text")
    two.seed(same, b"news\0content/news/x.md\0text")
    three.seed(same, b"news\0content/news/x.md\0text, edited")
    assert one.digest(card) == two.digest(same) != three.digest(same)
    assert one.digest(card) != Digester().digest(card)  # not its value's: a page kept with it is made again, once
    assert one.digest((card,)) == two.digest((same,)) != three.digest((same,))


def test_pagecache_a_parsed_item_is_what_its_file_says_until_the_build_ends(repo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes a seed sound (Engine.parsed): no stage changes an item after the parse. Each item of the real content
    has the same value digest right after the parse and after every page, feed and calendar was made from it."""
    import eccpsite.build as build_module
    from eccpsite.outputs.links import InMemory

    parsed: list[tuple[Item, bytes]] = []
    parse = build_module.parse_content

    def parse_and_note(*args: Any, **kwargs: Any) -> Any:  # the very objects the build goes on with
        content = parse(*args, **kwargs)
        parsed.extend((item, Digester().digest(item)) for item in content.items)
        return content

    monkeypatch.setattr(build_module, "parse_content", parse_and_note)
    made = build_module.make_site(repo_project, BuildOptions(now=NOW, pdf=False), InMemory())
    assert len(parsed) >= 20 and {id(item) for item, _ in parsed} >= {id(item) for item in made.site.items}
    assert [item.path for item, before in parsed if Digester().digest(item) != before] == []
