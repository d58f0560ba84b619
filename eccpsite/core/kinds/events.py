"""Events: ``content/events/<slug>.md``, one day, several, or a series (``repeat:``); upcoming ones at ``/events/``,
the others at ``/events/past/`` (the calendar's filters and month views are made by the renderer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from eccpsite.core import dates, urls
from eccpsite.core import fields as f
from eccpsite.core.config import SiteConfig
from eccpsite.core.countries import country_name
from eccpsite.core.errors import FieldError
from eccpsite.core.kinds.base import CLUSTER_REFS, Facts, Item, Kind, KindFeed, ListPage, Location, keywords
from eccpsite.core.located import Located
from eccpsite.core.recurrence import EVERY, MAX_OCCURRENCES, Occurrence, Repeat, expand, starts

STATUSES = ("scheduled", "cancelled", "postponed")


@dataclass(frozen=True, kw_only=True)
class Event(Item):
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    location: Location | None = None
    online: bool = False
    organiser: str | None = None
    url: str | None = None
    registration_deadline: dt.date | dt.datetime | None = None
    status: str = "scheduled"
    tentative: bool = False
    date_note: str | None = None
    date: dt.date | None = None  # when it was announced; defaults to the start
    timezone: str | None = None  # the IANA zone of start and end when they carry no offset; None: the site's
    repeat: Repeat | None = None

    @cached_property
    def occurrences(self) -> tuple[Occurrence, ...]:
        """Each occurrence, in order: the event's own dates, or one per day its ``repeat`` rule makes but its exceptions."""
        return expand(self.start, self.end, self.repeat)


def event_tz(event: Event, config: SiteConfig) -> ZoneInfo:
    """The zone of an event's times: its own ``timezone``, else the site's."""
    return ZoneInfo(event.timezone) if event.timezone else config.tz


_LOCATION = f.mapping_of(
    {"venue": f.Field(f.text), "city": f.Field(f.text), "country": f.Field(f.country)},
    "a location ({venue, city, country})",
    Location,
)
_REPEAT_FIELDS = {
    "every": f.Field(f.one_of(*EVERY), True),
    "interval": f.Field(f.integer),
    "until": f.Field(f.date),
    "count": f.Field(f.integer),
    "except": f.Field(f.list_of(f.date, "days (YYYY-MM-DD)")),
}
_REPEAT_WHAT = "a repeat rule ({every, interval, until or count, except})"


def _repeat(value: Any) -> Repeat:
    """``repeat: {every: week, interval: 2, until: 2020-06-30 | count: 8, except: [2020-05-26]}``."""
    parsed, problems = f.read_mapping(value, _REPEAT_FIELDS, _REPEAT_WHAT)
    if problems:
        raise FieldError(problems[0].message, problems[0].line, problems[0].field)
    line = value.line_of
    if "until" in parsed and "count" in parsed:
        raise FieldError("give either 'until' (the last day) or 'count' (how many times), not both", line("count"), "count")
    if "until" not in parsed and "count" not in parsed:
        raise FieldError("a series needs an end: add 'until: YYYY-MM-DD' (its last day) or 'count:' (how many times)", value.line, "")
    for key in ("interval", "count"):
        if parsed.get(key) == 0:
            raise FieldError("expected a number of 1 or more", line(key), key)
    return Repeat(parsed["every"], parsed.get("interval", 1), parsed.get("until"), parsed.get("count"), parsed.get("except", ()))


def _check(parsed: Mapping[str, Any], meta: Located) -> Iterator[FieldError]:
    """An end before the start or of another type, a date note on fixed dates, a series that does not fit its dates."""
    start, end = parsed.get("start"), parsed.get("end")
    if start is not None and end is not None:
        if type(start) is not type(end) and (isinstance(start, dt.datetime) or isinstance(end, dt.datetime)):
            yield FieldError("'start' and 'end' must both be dates or both be dates with a time", field="end")
        elif end < start:
            yield FieldError(f"'end' ({end.isoformat()}) is before 'start' ({start.isoformat()}); expected the same day or later", field="end")
    if parsed.get("date_note") and not parsed.get("tentative"):
        yield FieldError("'date_note' explains dates that are not fixed yet; add 'tentative: true' or remove it", field="date_note")
    if "repeat" in parsed and start is not None:
        for line, key, message in _check_series(start, end, parsed, meta):
            yield FieldError(message, line, "repeat." + key if key else "repeat")


def _check_series(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, parsed: Mapping[str, Any], meta: Located) -> list[tuple[int, str, str]]:
    """What is wrong with a series as a whole: ``(line, key under repeat, message)`` for each problem."""
    rule: Repeat = parsed["repeat"]
    raw = meta.get("repeat")
    line = raw.line_of if isinstance(raw, Located) else (lambda key: meta.line_of("repeat"))
    first = dates.day_of(start)
    problems: list[tuple[int, str, str]] = []
    if parsed.get("tentative"):
        problems.append((meta.line_of("repeat"), "", "a series needs fixed dates; remove 'tentative' or 'repeat'"))
    if rule.until is not None and rule.until < first:
        problems.append((line("until"), "until", f"'until' ({rule.until.isoformat()}) is before 'start' ({first.isoformat()}); expected its last day"))
        return problems
    days = [dates.day_of(s) for s in starts(start, rule)]
    if len(days) > MAX_OCCURRENCES:
        key = "count" if rule.count is not None else "until"
        problems.append((line(key), key, f"the series makes more than {MAX_OCCURRENCES} occurrences; end it sooner"))
        return problems
    if end is not None and len(days) > 1 and dates.day_of(end) >= days[1]:
        message = f"each occurrence would last until the next one starts ({days[1].isoformat()}); shorten 'end' or space the series out"
        problems.append((meta.line_of("end"), "", message))
    for day in rule.except_:
        if day not in days:
            closest = min(days, key=lambda d: (abs((d - day).days), d))
            hint = f" (did you mean {closest.isoformat()}?)"
            problems.append((line("except"), "except", f"{day.isoformat()} is not a day of the series{hint}; list days on which it would take place"))
    if len(set(rule.except_)) >= len(days):
        problems.append((line("except"), "except", "every occurrence is excepted; remove 'repeat' or some exceptions"))
    return problems


def _moment(value: dt.date | dt.datetime, tz: ZoneInfo) -> str:
    return dates.moment(value, tz).isoformat() if isinstance(value, dt.datetime) else value.isoformat()


def _schedule(event: Event, site_zone: str) -> dict[str, Any]:
    """schema.org Schedule of a series: how often, from when to when, at what local time, and the days left out."""
    rule = event.repeat
    assert rule is not None
    unit = {"day": "D", "week": "W", "month": "M", "year": "Y"}[rule.every]
    schedule: dict[str, Any] = {"@type": "Schedule", "repeatFrequency": f"P{rule.interval}{unit}", "startDate": dates.day_of(event.start).isoformat()}
    if rule.until is not None:
        schedule["endDate"] = rule.until.isoformat()
    if rule.count is not None:
        schedule["repeatCount"] = rule.count
    if isinstance(event.start, dt.datetime):
        schedule["startTime"] = f"{event.start:%H:%M}"
        if isinstance(event.end, dt.datetime):
            schedule["endTime"] = f"{event.end:%H:%M}"
        schedule["scheduleTimezone"] = event.timezone or site_zone
    if rule.except_:
        schedule["exceptDate"] = [day.isoformat() for day in rule.except_]
    return schedule


def _places(event: Event, url: str) -> list[dict[str, Any]]:
    """schema.org places of an event: its venue (a Place with its address) and, online, a VirtualLocation."""
    places: list[dict[str, Any]] = []
    if event.location is not None:
        address = {"@type": "PostalAddress"}
        if event.location.city:
            address["addressLocality"] = event.location.city
        if event.location.country:
            address["addressCountry"] = event.location.country
        name = event.location.venue or event.location.city or country_name(event.location.country or "")
        places.append({"@type": "Place", "name": name, "address": address})
    if event.online:
        places.append({"@type": "VirtualLocation", "url": event.url or url})
    return places


def json_ld(event: Event, facts: Facts) -> dict[str, Any]:
    """schema.org Event data: dates in the event's zone, status, places, attendance mode, organiser, series."""
    config = facts.config
    tz = event_tz(event, config)
    status = {"cancelled": "EventCancelled", "postponed": "EventPostponed"}.get(event.status, "EventScheduled")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": _moment(event.start, tz),
        "eventStatus": f"https://schema.org/{status}",
        "url": facts.url,
    }
    if event.end is not None:
        data["endDate"] = _moment(event.end, tz)
    if event.repeat is not None:
        data["eventSchedule"] = _schedule(event, config.timezone)
    if event.summary:
        data["description"] = event.summary
    places = _places(event, facts.url)
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    mode = "Mixed" if event.online and event.location else ("Online" if event.online else "Offline")
    data["eventAttendanceMode"] = f"https://schema.org/{mode}EventAttendanceMode"
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser}
    data.update(keywords(facts))
    return data


def _announced(event: Event) -> dt.date:
    """When an event was announced: its 'date', else the day it starts."""
    return event.date or dates.day_of(event.start)


KIND = Kind(
    folder="events",
    item=Event,
    label="Event",
    singular="event",
    plural="Events",
    command="event",
    scaffold=(
        "start: {today}   # YYYY-MM-DD, or YYYY-MM-DDTHH:MM for a time (in the site's time zone)\n"
        "end: {today}     # the last day, inclusive\n"
        "location:\n"
        "  venue:\n"
        "  city:\n"
        "  country:          # two-letter code: BE, RO, CA, ...\n"
        "online: false\n"
        "organiser:\n"
        "url:                # the event's own website, https://...\n"
        "summary:\n"
        "tags: []\n"
    ),
    fields={
        "start": f.Field(f.date_or_datetime, True),
        "end": f.Field(f.date_or_datetime),
        "date": f.Field(f.date_or_datetime),
        "location": f.Field(_LOCATION),
        "online": f.Field(f.boolean),
        "organiser": f.Field(f.text),
        "url": f.Field(f.url),
        "registration_deadline": f.Field(f.date_or_datetime),
        "status": f.Field(f.one_of(*STATUSES)),
        "tentative": f.Field(f.boolean),
        "date_note": f.Field(f.text),
        "timezone": f.Field(f.timezone),
        "repeat": f.Field(f.shaped(_repeat, fields=_REPEAT_FIELDS, what=_REPEAT_WHAT)),
        "clusters": CLUSTER_REFS,
    },
    template="event.html",
    lists=(
        ListPage("/events/", "events.html", "Upcoming events", lambda site: site.upcoming_events, {"past": False}),
        ListPage(urls.PAST_EVENTS, "events.html", "Past events", lambda site: site.past_events, {"past": True}),
    ),
    feed=KindFeed("Events", lambda site: (*site.upcoming_events, *site.past_events)),
    date=_announced,
    check=_check,
    json_ld=json_ld,
    reserved=urls.EVENT_RESERVED,
    reserved_by="the event calendar",
)
