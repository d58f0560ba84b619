"""Calendars (iCalendar, RFC 5545): every event, each event, events per tag, country and attendance, and deadlines.

``render_calendars`` is pure: the site model and the git history of the
sources (read at the edge by :mod:`eccpsite.edges.history`) in, ``(url, bytes)``
out. Each event's entry is serialized once and spliced into every calendar
that lists it; a calendar carries the VTIMEZONE its timed entries need, over
whole years. The entries themselves are made by :mod:`calendar_entries`, the
folded text and the VTIMEZONEs by :mod:`calendar_format`. The links to
calendar services (subscribe, add to Google Calendar) are here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import icalendar

from eccpsite.core import urls
from eccpsite.core.countries import country_name
from eccpsite.core.dates import moment
from eccpsite.core.kinds import Event, Item
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.listings import EventFilter, event_place
from eccpsite.core.model import Site
from eccpsite.core.status import event_start
from eccpsite.edges.history import History
from eccpsite.outputs.calendar_entries import add_repeat, deadline_components, event_component, ical_span, registration_component, utc
from eccpsite.outputs.calendar_format import to_ical, vtimezone_bytes

REFRESH = dt.timedelta(hours=12)  # how often subscribers' clients should fetch the calendar again


def webcal_url(absolute: str) -> str:
    """The ``webcal://`` address that makes a browser hand a calendar to the calendar app."""
    return "webcal://" + absolute.split("://", 1)[1]


def _timed_years(components: Iterable[icalendar.Event]) -> list[int]:
    years = []
    for component in components:
        for key in ("dtstart", "dtend"):
            value = component.get(key)
            if value is not None and isinstance(value.dt, dt.datetime):
                years.append(value.dt.year)
    return years


@dataclass(frozen=True)
class Serialized:
    """An event serialized once, to be put into every calendar that lists it."""

    data: bytes  # BEGIN:VEVENT ... END:VEVENT, folded, CRLF
    years: tuple[int, ...]  # years of its timed DTSTART/DTEND
    tzids: frozenset[str]  # the TZIDs it uses


def serialize(component: icalendar.Event, event: Event | None = None) -> Serialized:
    """A VEVENT as bytes, with the years its VTIMEZONE must cover (up to a series' last occurrence)."""
    holder = icalendar.Calendar()
    holder.add_component(component)
    years = _timed_years([component])
    if event is not None and years and event.repeat is not None:
        years.append(_day(event.occurrences[-1].start).year + (1 if event.end is not None else 0))
    return Serialized(to_ical(component), tuple(years), frozenset(holder.get_used_tzids()))


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


_END = b"END:VCALENDAR\r\n"


def make_calendar(site: Site, name: str, description: str, url: str, components: list[Serialized]) -> bytes:
    """A VCALENDAR of ``components`` published at site path ``url``, with the VTIMEZONE its timed events need.

    The VTIMEZONE covers whole years (from the first timed event's to the year
    after the last one's), so moving an event inside a year leaves it unchanged.
    Events are serialized once and spliced in: icalendar's line folding is
    the slowest part of a build of thousands of events.
    """
    config = site.config
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{config.title}//eccpsite//{config.language.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # As TEXT explicitly: icalendar leaves NAME and the X-WR- properties unescaped, and a line break would end the line.
    calendar.add("name", icalendar.vText(name))
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("description", icalendar.vText(description))
    calendar.add("x-wr-caldesc", icalendar.vText(description))
    calendar.add("x-wr-timezone", config.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    calendar.add("source", config.absolute(url), parameters={"VALUE": "URI"})
    head = to_ical(calendar)
    assert head.endswith(_END)
    parts = [head[: -len(_END)]]
    for tzid in sorted({tzid for c in components for tzid in c.tzids}):  # a time in UTC is written with Z and needs none
        years = [year for c in components if tzid in c.tzids for year in c.years]
        parts.append(vtimezone_bytes(tzid, min(years), max(years) + 1))
    parts.extend(c.data for c in components)
    parts.append(_END)
    return b"".join(parts)


def _by_start(site: Site, events: Iterable[Item]) -> list[Event]:
    return sorted((e for e in events if isinstance(e, Event)), key=lambda e: (event_start(e, site.config), e.slug))


def filter_calendar_url(selection: EventFilter) -> str:
    """The calendar of an event filter's page: ``/events/country/ro/calendar.ics``, ``/events/online/calendar.ics``."""
    return selection.url + "calendar.ics"


def country_calendar(site: Site, country: str, url: str, components: dict[str, Serialized]) -> bytes | None:
    """The calendar of every event in ``country`` (an ISO code), published at ``url``; None when it has none.

    ``components`` holds each event's serialized VEVENT by slug (from :func:`serialize_events`), so a
    page that publishes the calendar elsewhere (a country's own page) splices the same entries.
    """
    selection = next((f for f in site.filters_of("country") if f.value == country), None)
    if selection is None:
        return None
    title = site.config.short_title or site.config.title
    name = country_name(country)
    description = f"Events in {name} listed by the {site.config.title}."
    return make_calendar(site, f"{title} events in {name}", description, url, [components[e.slug] for e in _by_start(site, selection.events)])


def serialize_events(site: Site, history: History) -> dict[str, Serialized]:
    """Every listed event's VEVENT, serialized once, by slug, soonest first."""
    events = _by_start(site, (*site.upcoming_events, *site.past_events))
    return {e.slug: serialize(event_component(site, e, history), e) for e in events}


def _attendance_calendar(site: Site, selection: EventFilter, components: dict[str, Serialized]) -> bytes:
    title = site.config.short_title or site.config.title
    how = "Online events" if selection.value == "online" else "In-person events"
    description = f"{how} listed by the {site.config.title}."
    url = filter_calendar_url(selection)
    return make_calendar(site, f"{title}: {how.lower()}", description, url, [components[e.slug] for e in _by_start(site, selection.events)])


def render_calendars(site: Site, history: History) -> Iterator[tuple[str, bytes]]:
    """Every calendar of the site as ``(url, bytes)``."""
    config = site.config
    components = serialize_events(site, history)
    events = _by_start(site, (*site.upcoming_events, *site.past_events))
    title = config.short_title or config.title
    yield urls.EVENTS_CALENDAR, make_calendar(site, f"{title} events", f"Events of the {config.title}.", urls.EVENTS_CALENDAR, list(components.values()))
    for event in events:
        url = urls.event_calendar_url(event.slug)
        yield url, make_calendar(site, event.title, event.summary or event.title, url, [components[event.slug]])
    for topic in site.filters_of("tag"):  # the events of each tag (not site.tags, which news edits change too)
        tag, tagged = site.tag_name(topic.value), _by_start(site, topic.events)
        if tagged:
            url = urls.tag_calendar_url(topic.value)
            yield url, make_calendar(site, f"{title} events: {tag}", f"Events about “{tag}” of the {config.title}.", url, [components[e.slug] for e in tagged])
    for selection in site.filters_of("country"):
        url = filter_calendar_url(selection)
        data = country_calendar(site, selection.value, url, components)
        if data is not None:
            yield url, data
    for selection in site.filters_of("attendance"):
        yield filter_calendar_url(selection), _attendance_calendar(site, selection, components)
    calls = sorted((*site.open_calls, *site.closed_calls), key=lambda c: c.slug)
    deadlines = [c for call in calls for c in deadline_components(site, call, history)]
    deadlines += [c for c in map(lambda e: registration_component(site, e, history), events) if c is not None]
    deadlines.sort(key=lambda c: (moment(c.decoded("dtstart"), config.tz), str(c["uid"])))
    description = f"Deadlines of calls for funding listed by the {config.title}."
    yield urls.CALL_DEADLINES, make_calendar(site, f"{title} call deadlines", description, urls.CALL_DEADLINES, [serialize(c) for c in deadlines])


def google_calendar_url(site: Site, event: Event) -> str:
    """A link that opens Google Calendar's "new event" form filled in with the event."""
    config = site.config
    start, end = ical_span(event.start, event.end, event_tz(event, config))

    def stamp(value: dt.date | dt.datetime) -> str:
        return utc(value).strftime("%Y%m%dT%H%M%SZ") if isinstance(value, dt.datetime) else value.strftime("%Y%m%d")

    details = (event.summary + "\n\n" if event.summary else "") + config.absolute(site.url(event))
    query = {"action": "TEMPLATE", "text": event.title, "dates": f"{stamp(start)}/{stamp(end if end is not None else start)}", "details": details}
    if event_place(event):
        query["location"] = event_place(event)
    query["ctz"] = event.timezone or config.timezone
    if event.repeat is not None:
        component = icalendar.Event()
        add_repeat(component, event, event_tz(event, config))
        query["recur"] = "\n".join(line for line in component.content_lines() if line.startswith(("RRULE", "EXDATE")))
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


# Where the links the theme makes to calendar services lead: forms made from the site's own data, not
# editors' links, that answer a program without a signed-in browser as they like (the external link check skips them).
SERVICE_LINKS = ("https://calendar.google.com/calendar/render?", "https://outlook.live.com/calendar/0/addfromweb?")


def subscribe_links(site: Site, url: str, name: str) -> dict[str, str]:
    """Where to subscribe to the calendar at site path ``url``: ``webcal``, Google Calendar and Outlook.com addresses."""
    webcal = webcal_url(site.config.absolute(url))
    return {
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + urlencode({"url": site.config.absolute(url), "name": name}),
    }
