"""The registry of content kinds: one module each (news, events, calls, interviews, pages, cluster profiles,
country factsheets), declaring everything about the kind (:class:`~eccpsite.core.kinds.base.Kind`).

Adding a kind is its module, one line in :data:`KINDS` and its templates; the
reader's folders, validation, item pages, lists, feeds, the sitemap, JSON-LD
and the editors' schema all iterate over :data:`KINDS`. Newsletter editions
(``eccpsite.core.kinds.editions``) are not items: they list items, and have their
own reader and pages.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from eccpsite.core import urls
from eccpsite.core.kinds import calls, clusters, countries, events, interviews, news, pages
from eccpsite.core.kinds.base import COMMON_FIELDS, Alias, Deadline, Item, Kind, Link, Location, Person
from eccpsite.core.kinds.calls import Call
from eccpsite.core.kinds.clusters import Cluster
from eccpsite.core.kinds.countries import Factsheet
from eccpsite.core.kinds.editions import EDITION_FIELDS, SITE_ZONE, Edition, Editorial, SectionRef, parse_edition
from eccpsite.core.kinds.events import Event
from eccpsite.core.kinds.interviews import Interview
from eccpsite.core.kinds.news import News
from eccpsite.core.kinds.pages import Page

__all__ = [
    "COMMON_FIELDS",
    "EDITION_FIELDS",
    "KINDS",
    "SITE_ZONE",
    "Alias",
    "Call",
    "Cluster",
    "Deadline",
    "Edition",
    "Editorial",
    "Event",
    "Factsheet",
    "Interview",
    "Item",
    "Kind",
    "Link",
    "Location",
    "News",
    "Page",
    "Person",
    "SectionRef",
    "folders",
    "item_date",
    "kind_named",
    "kind_of",
    "parse_edition",
    "registered", "reserved_segments",
]  # fmt: skip

KINDS: tuple[Kind, ...] = (news.KIND, events.KIND, calls.KIND, interviews.KIND, pages.KIND, clusters.KIND, countries.KIND)


def registered() -> tuple[Kind, ...]:
    """Every kind, in the registry's order (read at each call: a test may register a kind of its own)."""
    return KINDS


@cache
def _by_folder(kinds: tuple[Kind, ...]) -> dict[str, Kind]:
    return {kind.folder: kind for kind in kinds}


def folders() -> tuple[str, ...]:
    """The content folders, in the registry's order: ``news``, ``events`` …"""
    return tuple(_by_folder(KINDS))


def kind_named(folder: str) -> Kind | None:
    """The kind of ``content/<folder>/``, or None."""
    return _by_folder(KINDS).get(folder)


def kind_of(item: Item) -> Kind:
    """The kind an item belongs to."""
    return _by_folder(KINDS)[item.kind]


def reserved_segments() -> frozenset[str]:
    """First path segments a page may not take: the folders of the kinds with pages, and the build's own."""
    return urls.RESERVED | {kind.folder for kind in registered() if kind.template is not None and kind.folder != "pages"}


def item_date(item: Item) -> dt.date | None:
    """The date an item was published: what lists and feeds sort by (None for pages and profiles)."""
    return kind_of(item).date(item)
