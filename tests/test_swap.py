"""Items edited in place: the dev server swaps them into the last site instead of building the model again.

``model.swap_site_items`` is only right while ``model.PLACE_FIELDS`` names
every item field ``build_model`` reads and ``model.ITEM_FIELDS`` every field
of ``Site`` that holds items; these tests check both on the real content, and
that a swap gives the site ``build_model`` gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO

from eccpsite.core.content import parse_content
from eccpsite.core.kinds import Item
from eccpsite.core.model import CLUSTER_PLACE_FIELDS, ITEM_FIELDS, PLACE_FIELDS, Site, build_model, same_place, swap_site_items
from eccpsite.core.swap import refs_in, swap_items
from eccpsite.edges.reader import read_sources

NOW = dt.datetime(2019, 9, 16, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def content() -> Any:
    parsed = parse_content(read_sources(REPO))
    assert parsed.config is not None and not [e for e in parsed.errors if not e.warning]
    return parsed


def _model(content: Any, items: list[Item]) -> Site:
    site = build_model(content.config, items, content.editions, NOW)
    assert isinstance(site, Site), site
    return site


def _edited(item: Item) -> Item:
    """The item with everything but its place changed: title (but a profile's, which places it by name), summary, body."""
    changes: dict[str, Any] = {"title": item.title + " (edited)", "body": item.body + "\n\nOne more paragraph.", "summary": "A new summary."}
    if item.kind == "clusters":
        del changes["title"]
    return dataclasses.replace(item, **changes)


@pytest.fixture
def read_fields(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The names of the item attributes read while the fixture is active (on every item class); those read on a
    cluster profile as ``clusters:<name>``."""
    names: set[str] = set()
    plain = Item.__getattribute__

    def recording(self: Item, name: str) -> Any:
        if not name.startswith("_"):
            names.add(f"clusters:{name}" if plain(self, "kind") == "clusters" else name)
        return plain(self, name)

    monkeypatch.setattr(Item, "__getattribute__", recording)
    yield names


def test_model_reads_only_the_place_fields_of_items(content: Any, read_fields: set[str]) -> None:
    _model(content, list(content.items))
    assert read_fields, "nothing was recorded"
    on_profiles = {name.removeprefix("clusters:") for name in read_fields if name.startswith("clusters:")}
    on_others = read_fields - {f"clusters:{name}" for name in on_profiles}
    assert on_profiles, "no profile was read"
    assert on_others - {"ref"} <= set(PLACE_FIELDS), sorted(on_others - set(PLACE_FIELDS))
    assert on_profiles - {"ref"} <= {*PLACE_FIELDS, *CLUSTER_PLACE_FIELDS}, sorted(on_profiles - {*PLACE_FIELDS, *CLUSTER_PLACE_FIELDS})


def test_model_site_fields_other_than_item_fields_hold_no_items(content: Any) -> None:
    site = _model(content, list(content.items))
    holding = {f.name for f in dataclasses.fields(Site) if refs_in(getattr(site, f.name))}
    assert holding == set(ITEM_FIELDS)


@pytest.mark.parametrize("kind", ["news", "events", "calls", "interviews", "pages", "clusters"])
def test_swap_site_items_gives_the_site_build_model_gives(content: Any, kind: str) -> None:
    items = list(content.items)
    before = _model(content, items)
    edited = [i for i in items if i.kind == kind]
    assert edited
    for old in edited[:: max(1, len(edited) // 4)]:
        new = _edited(old)
        assert same_place(old, new)
        after = _model(content, [new if i is old else i for i in items])
        swapped = swap_site_items(before, {new.ref: new})
        assert swapped == after
        for name in ITEM_FIELDS:  # the new item is where build_model puts it, the same object
            assert refs_in(getattr(swapped, name)) == refs_in(getattr(after, name))
        assert swapped.by_ref[new.ref] is new
        assert all(new in group for group in swapped.tags.values() if old in group) or not old.tags


def test_swap_items_keeps_the_parts_without_the_item(content: Any) -> None:
    site = _model(content, list(content.items))
    news = site.news[0]
    new = _edited(news)
    swapped = swap_site_items(site, {news.ref: new})
    assert swapped.upcoming_events is site.upcoming_events
    assert swapped.call_status is site.call_status
    untouched = [tag for tag, group in site.tags.items() if news not in group]
    assert untouched and all(swapped.tags[tag] is site.tags[tag] for tag in untouched)
    assert swap_items(site.news, {}) is site.news


def test_same_place_refuses_a_new_name_for_a_profile(content: Any) -> None:
    profile = next(i for i in content.items if i.kind == "clusters")
    assert not same_place(profile, dataclasses.replace(profile, title="A name that sorts elsewhere"))


@pytest.mark.parametrize(
    "change",
    [
        {"date": dt.date(2001, 1, 1)},
        {"tags": ("a-new-tag",)},
        {"draft": True},
        {"slug": "another-slug"},
    ],
)
def test_same_place_refuses_an_edit_that_moves_the_item(content: Any, change: dict[str, Any]) -> None:
    news = next(i for i in content.items if i.kind == "news")
    assert not same_place(news, dataclasses.replace(news, **change))


def _held(value: Any) -> Iterator[Item]:
    """Every item held anywhere in ``value`` (through tuples, lists, dicts and dataclasses)."""
    if isinstance(value, Item):
        yield value
    elif isinstance(value, (tuple, list)):
        for part in value:
            yield from _held(part)
    elif isinstance(value, dict):
        for part in value.values():
            yield from _held(part)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _held(getattr(value, f.name))


def test_site_holds_each_item_as_its_by_ref_entry(content: Any) -> None:
    """swap_site_items finds the items to replace by identity: every item the site holds must be its by_ref entry."""
    site = _model(content, list(content.items))
    held = [item for name in ITEM_FIELDS for item in _held(getattr(site, name))]
    assert len(held) > len(site.by_ref)
    assert all(item is site.by_ref[item.ref] for item in held)


def test_swap_items_by_identity_gives_what_by_ref_gives(content: Any) -> None:
    site = _model(content, list(content.items))
    old = site.news[1]
    new = _edited(old)
    for name in ITEM_FIELDS:
        part = getattr(site, name)
        assert swap_items(part, {new.ref: new}, [old]) == swap_items(part, {new.ref: new})
