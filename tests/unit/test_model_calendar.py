"""model.py and render.py for the reader's calendar: event filters, months, date badges, call timelines."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from eccpsite.core.config import SiteConfig
from eccpsite.core.kinds import Call, Deadline, Event, Item, Location
from eccpsite.core.listings import attendance_of, group_by_month
from eccpsite.core.model import Site, build_model, next_status_change
from eccpsite.core.status import call_status, status_timeline
from eccpsite.outputs.theme import date_badge

TZ = ZoneInfo("Europe/Brussels")
CONFIG = SiteConfig(title="Test", base_url="https://test.example.org", closing_soon_days=14)
NOW = dt.datetime(2019, 9, 16, 12, 0, tzinfo=TZ)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def event(slug: str, start: dt.date, end: dt.date | None = None, **fields: Any) -> Event:
    return Event(kind="events", slug=slug, path=f"content/events/{slug}.md", title=slug, start=start, end=end, **fields)


def call(slug: str, *deadlines: dt.date | dt.datetime, opens: dt.date | None = None) -> Call:
    return Call(kind="calls", slug=slug, path=f"content/calls/{slug}.md", title=slug, deadlines=tuple(Deadline(d) for d in deadlines), opens=opens)


def site(items: list[Item]) -> Site:
    result = build_model(CONFIG, items, [], NOW)
    assert isinstance(result, Site), result
    return result


def test_model_attendance_of_hybrid_event_is_both() -> None:
    assert attendance_of(event("a", dt.date(2019, 10, 1), location=Location(city="Graz", country="AT"), online=True)) == ("in-person", "online")
    assert attendance_of(event("b", dt.date(2019, 10, 1), online=True)) == ("online",)
    assert attendance_of(event("c", dt.date(2019, 10, 1))) == ()


def test_model_event_filters_split_upcoming_and_past() -> None:
    items: list[Item] = [
        event("ro-next", dt.date(2019, 10, 1), location=Location(country="RO"), tags=("matchmaking",)),
        event("ro-before", dt.date(2019, 5, 14), location=Location(country="RO")),
        event("webinar", dt.date(2019, 11, 5), online=True, tags=("matchmaking",)),
    ]
    filters = {(f.kind, f.value): f for f in site(items).event_filters}
    assert set(filters) == {("country", "RO"), ("tag", "matchmaking"), ("attendance", "in-person"), ("attendance", "online")}
    romania = filters[("country", "RO")]
    assert romania.url == "/events/country/ro/"
    assert [e.slug for e in romania.upcoming] == ["ro-next"] and [e.slug for e in romania.past] == ["ro-before"]
    assert [e.slug for e in filters[("tag", "matchmaking")].events] == ["ro-next", "webinar"]
    assert filters[("attendance", "online")].url == "/events/online/"
    assert [f.kind for f in site(items).event_filters] == ["attendance", "attendance", "country", "tag"]


def test_model_event_slug_used_by_a_filter_page_is_an_error() -> None:
    result = build_model(CONFIG, [event("online", dt.date(2019, 10, 1))], [], NOW)
    assert isinstance(result, list)
    assert "is used by the event calendar itself (/events/online/)" in str(result[0])


def test_model_group_by_month_keeps_order() -> None:
    events = [event("a", dt.date(2019, 9, 20)), event("b", dt.date(2019, 9, 25)), event("c", dt.date(2020, 2, 3))]
    groups = group_by_month(events)
    assert [(month, [e.slug for e in members]) for month, members in groups] == [(dt.date(2019, 9, 1), ["a", "b"]), (dt.date(2020, 2, 1), ["c"])]


def test_render_date_badge_for_a_day_a_range_and_a_month_change() -> None:
    assert date_badge(event("a", dt.date(2019, 9, 20))) == ("20", "Sep")
    assert date_badge(event("b", dt.date(2019, 9, 25), dt.date(2019, 9, 26))) == ("25–26", "Sep")
    assert date_badge(event("c", dt.date(2019, 5, 30), dt.date(2019, 6, 2))) == ("30", "May–Jun")
    assert date_badge(event("d", dt.date(2019, 6, 1), tentative=True, date_note="2nd semester 2019")) == ("TBC", "")


def test_model_status_timeline_lists_every_change_once() -> None:
    c = call("c", dt.date(2019, 10, 30), opens=dt.date(2019, 9, 1))
    assert status_timeline(c, CONFIG) == (
        (at(2019, 9, 1), "open"),
        (at(2019, 10, 17), "closing-soon"),
        (at(2019, 10, 31), "closed"),
    )


def test_model_status_timeline_agrees_with_call_status_at_each_change() -> None:
    """Just before and at each change, call_status gives the old and the new status."""
    c = call("c", dt.date(2019, 10, 22), dt.datetime(2020, 3, 11, 17, 0), opens=dt.date(2019, 9, 1))
    timeline = status_timeline(c, CONFIG)
    assert [key for _, key in timeline] == ["open", "closing-soon", "closed"]
    for when, key in timeline:
        assert call_status(c, when, CONFIG).key == key
        assert call_status(c, when - dt.timedelta(seconds=1), CONFIG).key != key
    assert timeline[-1][0] == at(2020, 3, 11, 17, 0)


def test_model_site_keeps_a_timeline_per_call_and_the_next_change() -> None:
    built = site([call("c", dt.date(2019, 10, 30)), event("e", dt.date(2019, 9, 20))])
    assert [key for _, key in built.call_timelines["c"]] == ["closing-soon", "closed"]
    assert next_status_change(built) == at(2019, 9, 21)
