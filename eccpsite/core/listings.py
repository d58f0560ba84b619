"""How the site's lists are cut: pages of a list, events by month, and the event filters (country, topic, attendance).

The site model makes the event filters once (:func:`build_event_filters`);
the pages cut their lists into pages and months with :func:`paginate` and
:func:`group_by_month`. They are apart from :mod:`model` because they shape
collections already sorted, whatever made them, and know nothing of time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

from eccpsite.core import urls
from eccpsite.core.dates import day_of
from eccpsite.core.kinds import Event

T = TypeVar("T")


@dataclass(frozen=True)
class Paginated(Generic[T]):
    """One page of a list."""

    number: int
    total: int
    items: tuple[T, ...]
    url: str
    base: str

    @property
    def prev_url(self) -> str | None:
        return urls.list_url(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return urls.list_url(self.base, self.number + 1) if self.number < self.total else None


@dataclass(frozen=True)
class EventFilter:
    """A pre-rendered selection of events: one country, one topic, or one way of attending."""

    kind: str  # country | tag | attendance
    value: str  # "RO", "matchmaking", "online" or "in-person"
    url: str
    upcoming: tuple[Event, ...]  # soonest first
    past: tuple[Event, ...]  # latest first

    @property
    def events(self) -> tuple[Event, ...]:
        return self.upcoming + self.past

    @cached_property
    def upcoming_slugs(self) -> frozenset[str]:
        """Slugs of the upcoming events, for a quick membership test in templates."""
        return frozenset(e.slug for e in self.upcoming)


def event_place(event: Event) -> str:
    """Where an event takes place, in one line: venue, city, country code, and "Online"."""
    place = event.location
    parts = [p for p in (place.venue, place.city, place.country) if p] if place is not None else []
    if event.online:
        parts.append("Online")
    return ", ".join(parts)


def attendance_of(event: Event) -> tuple[str, ...]:
    """How one takes part: ``in-person`` when it has a place, ``online`` when it is online (a hybrid event has both)."""
    ways = []
    if event.location is not None and (event.location.city or event.location.country or event.location.venue):
        ways.append("in-person")
    if event.online:
        ways.append("online")
    return tuple(ways)


def build_event_filters(upcoming: Sequence[Event], past: Sequence[Event]) -> tuple[EventFilter, ...]:
    """A filter per country, per topic and per way of attending that has at least one event."""
    found: dict[tuple[str, str], tuple[list[Event], list[Event]]] = {}
    for when, events in ((0, upcoming), (1, past)):
        for event in events:  # one pass over the events (not one per filter): in order, without duplicates
            keys = [("tag", urls.slugify(tag)) for tag in event.tags] + [("attendance", way) for way in attendance_of(event)]
            if event.location is not None and event.location.country:
                keys.append(("country", event.location.country))
            for key in keys:
                found.setdefault(key, ([], []))[when].append(event)

    def url(kind: str, value: str) -> str:
        return {"country": urls.event_country_url, "tag": urls.event_tag_url, "attendance": urls.event_attendance_url}[kind](value)

    order = {"attendance": 0, "country": 1, "tag": 2}
    return tuple(
        EventFilter(kind, value, url(kind, value), tuple(found[kind, value][0]), tuple(found[kind, value][1]))
        for kind, value in sorted(found, key=lambda k: (order[k[0]], k[1]))
    )


def group_by_month(events: Sequence[Event], start_of: Callable[[Event], dt.date | dt.datetime] | None = None) -> list[tuple[dt.date, list[Event]]]:
    """Consecutive events of the same month (of their start, or of ``start_of(event)``) together: ``[(2019-09-01, [...]), ...]``."""
    groups: list[tuple[dt.date, list[Event]]] = []
    for event in events:
        first = day_of(start_of(event) if start_of is not None else event.start).replace(day=1)
        if groups and groups[-1][0] == first:
            groups[-1][1].append(event)
        else:
            groups.append((first, [event]))
    return groups


def paginate(items: Sequence[T], base: str, per_page: int) -> list[Paginated[T]]:
    """Split a list into pages at ``base``, ``base/page/2/`` … (always at least one page)."""
    total = max(1, -(-len(items) // per_page))
    return [Paginated(n, total, tuple(items[(n - 1) * per_page : n * per_page]), urls.list_url(base, n), base) for n in range(1, total + 1)]
