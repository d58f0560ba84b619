"""Calendars (iCalendar, RFC 5545): every event, each event, events per tag, and call deadlines.

``render_calendars`` is pure: the site model and the git history of the
sources (read at the edge by :mod:`eccpsite.edges.history`) in, ``(url, bytes)``
out. What calendar clients need, and how it is met here:

- a UID derived from the item (``<slug>@<host of base_url>``; a call's
  cut-offs are ``deadline-<n>.<slug>@<host>``), the same in every file, so a
  subscriber's client updates an entry instead of adding a second one;
- ``SEQUENCE`` counts the commits that changed the file after it was added,
  and ``LAST-MODIFIED``/``DTSTAMP`` are its latest commit; without history
  they are 0 and the item's date. Nothing comes from the clock;
- all-day events are ``VALUE=DATE`` with the exclusive end the RFC asks for
  (25–26 April ends on 27 April); timed events carry the site's ``TZID``
  and a matching ``VTIMEZONE`` built from the zoneinfo database;
- ``STATUS`` is CANCELLED, TENTATIVE (also for postponed events) or CONFIRMED;
- CRLF line ends, lines folded at 75 octets: icalendar makes the content
  lines and :func:`fold` folds them (icalendar's own folding, a Python loop
  over every character, was a third of the calendars' time at 10,000 items).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import icalendar

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import in_words, moment, range_in_words
from eccpsite.core.fields import country_name
from eccpsite.core.kinds import Call, Event, Item, item_date
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.listings import EventFilter, event_place
from eccpsite.core.markup.markdown import plain_text, render_markdown
from eccpsite.core.model import Site
from eccpsite.core.recurrence import FREQ
from eccpsite.core.status import event_start
from eccpsite.edges.history import History

REFRESH = dt.timedelta(hours=12)  # how often subscribers' clients should fetch the calendar again
STATUS = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}
SUMMARY_PREFIX = {"cancelled": "Cancelled: ", "postponed": "Postponed: "}


def host(config: SiteConfig) -> str:
    return urlsplit(config.base_url).hostname or "localhost"


def event_uid(config: SiteConfig, event: Event) -> str:
    return f"{event.slug}@{host(config)}"


def deadline_uid(config: SiteConfig, call: Call, number: int) -> str:
    """A cut-off's UID; slugs have no dots, so it can never equal an event's."""
    return f"deadline-{number}.{call.slug}@{host(config)}"


def webcal_url(absolute: str) -> str:
    """The ``webcal://`` address that makes a browser hand a calendar to the calendar app."""
    return "webcal://" + absolute.split("://", 1)[1]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _local(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A datetime in the site's zone (written with its TZID), whatever offset the editor wrote."""
    return moment(value, tz).astimezone(tz)


def _stamp(component: icalendar.Event, site: Site, item: Item, history: History) -> None:
    """DTSTAMP, LAST-MODIFIED and SEQUENCE from the item's git history, else its date."""
    revision = history.get(item.path)
    if revision is not None:
        changed, sequence = revision.modified, revision.sequence
    else:
        day = item_date(item)
        changed, sequence = moment(day if day is not None else site.now.date(), site.config.tz), 0
    component.add("dtstamp", _utc(changed))
    component.add("last-modified", _utc(changed))
    component.add("sequence", sequence)


def _span(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, tz: ZoneInfo) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    """DTSTART and DTEND: dates get the exclusive end day; a timed event without an end gets none."""
    if isinstance(start, dt.datetime):
        first = _local(start, tz)
        last = _local(end, tz) if isinstance(end, dt.datetime) else None
        return first, last if last is not None and last > first else None
    last_day = end if end is not None and not isinstance(end, dt.datetime) else start
    return start, last_day + dt.timedelta(days=1)


def _text(item: Item) -> str:
    return plain_text(render_markdown(item.body))


def registration_uid(config: SiteConfig, event: Event) -> str:
    """The UID of an event's registration deadline in the deadlines calendar (never equal to an event's or a cut-off's)."""
    return f"registration.{event.slug}@{host(config)}"


def _repeat(component: icalendar.Event, event: Event, tz: ZoneInfo) -> None:
    """RRULE and EXDATE of a series: UNTIL is the end of its last day, in UTC for timed events (RFC 5545 3.3.10)."""
    rule = event.repeat
    if rule is None:
        return
    parts: dict[str, object] = {"freq": FREQ[rule.every]}
    if rule.interval > 1:
        parts["interval"] = rule.interval
    if rule.count is not None:
        parts["count"] = rule.count
    timed = isinstance(event.start, dt.datetime)
    if rule.until is not None:
        parts["until"] = _utc(moment(rule.until, tz, end_of_day=True) - dt.timedelta(seconds=1)) if timed else rule.until
    component.add("rrule", parts)
    if rule.except_:
        starts = [_local(dt.datetime.combine(day, event.start.timetz()), tz) if isinstance(event.start, dt.datetime) else day for day in rule.except_]
        component.add("exdate", starts)


def event_description(site: Site, event: Event) -> str:
    lines = [event.summary] if event.summary else []
    if event.tentative:
        lines.append(f"Date to be confirmed{': ' + event.date_note if event.date_note else ''}.")
    if event.status == "postponed":
        lines.append("This event has been postponed.")
    if event.organiser:
        lines.append(f"Organiser: {event.organiser}")
    if event.url:
        lines.append(f"Website: {event.url}")
    body = _text(event)
    if body:
        lines.append(body)
    lines.append(f"More: {site.config.absolute(site.url(event))}")
    return "\n\n".join(lines)


def _dated_component(
    site: Site, event: Event, history: History, uid: str, first: dt.date | dt.datetime, last: dt.date | dt.datetime | None
) -> icalendar.Event:
    """A VEVENT of ``event`` with its uid, its stamps and the span from ``first`` to ``last`` in the event's zone."""
    start, end = _span(first, last, event_tz(event, site.config))
    component = icalendar.Event()
    component.add("uid", uid)
    _stamp(component, site, event, history)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    return component


def event_component(site: Site, event: Event, history: History) -> icalendar.Event:
    """The VEVENT of an event."""
    config = site.config
    tz = event_tz(event, config)
    component = _dated_component(site, event, history, event_uid(config, event), event.start, event.end)
    _repeat(component, event, tz)
    suffix = " (date to be confirmed)" if event.tentative else ""
    component.add("summary", SUMMARY_PREFIX.get(event.status, "") + event.title + suffix)
    component.add("status", STATUS.get(event.status, "TENTATIVE" if event.tentative else "CONFIRMED"))
    component.add("transp", "OPAQUE" if isinstance(event.start, dt.datetime) else "TRANSPARENT")
    if event_place(event):
        component.add("location", event_place(event))
    component.add("url", config.absolute(site.url(event)))
    component.add("description", event_description(site, event))
    if event.tags:
        component.add("categories", [site.tag_name(tag) for tag in event.tags])
    return component


def deadline_components(site: Site, call: Call, history: History) -> list[icalendar.Event]:
    """One VEVENT per cut-off of a call."""
    config = site.config
    page = config.absolute(site.url(call))
    components = []
    for number, deadline in enumerate(call.deadlines, start=1):
        start, end = _span(deadline.date, None, config.tz)
        component = icalendar.Event()
        component.add("uid", deadline_uid(config, call, number))
        _stamp(component, site, call, history)
        component.add("dtstart", start)
        if end is not None:
            component.add("dtend", end)
        label = f" ({deadline.label})" if deadline.label and deadline.label.lower() != "deadline" else ""
        component.add("summary", f"Deadline: {call.title}{label}")
        component.add("status", "CONFIRMED")
        component.add("transp", "TRANSPARENT")
        component.add("url", page)
        lines = [call.summary] if call.summary else []
        lines += [f"Programme: {call.programme}"] if call.programme else []
        lines += [f"Deadlines: {'; '.join(in_words(d.date) + (f' ({d.label})' if d.label else '') for d in call.deadlines)}"]
        lines += [f"Website: {call.url}"] if call.url else []
        lines.append(f"More: {page}")
        component.add("description", "\n\n".join(lines))
        if call.tags:
            component.add("categories", [site.tag_name(tag) for tag in call.tags])
        components.append(component)
    return components


def registration_component(site: Site, event: Event, history: History) -> icalendar.Event | None:
    """The VEVENT of an event's registration deadline, for the deadlines calendar (None without one)."""
    deadline = event.registration_deadline
    if deadline is None:
        return None
    component = _dated_component(site, event, history, registration_uid(site.config, event), deadline, None)
    component.add("summary", f"Registration deadline: {event.title}")
    component.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    component.add("transp", "TRANSPARENT")
    page = site.config.absolute(site.url(event))
    component.add("url", page)
    lines = [f"Register by {in_words(deadline)} for {event.title} ({event_when_plain(event)})."]
    lines += [f"Website: {event.url}"] if event.url else []
    lines.append(f"More: {page}")
    component.add("description", "\n\n".join(lines))
    return component


def event_when_plain(event: Event) -> str:
    """When an event takes place, in words, for a calendar's text."""
    return event.date_note if event.tentative and event.date_note else range_in_words(event.start, event.end)


def _zone_state(moment_utc: dt.datetime, tz: ZoneInfo) -> tuple[dt.timedelta | None, str | None, bool]:
    local = moment_utc.astimezone(tz)
    dst = local.dst()
    return local.utcoffset(), local.tzname(), dst is not None and dst > dt.timedelta(0)


def transitions(tz: ZoneInfo, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The UTC moments in [first, last) at which ``tz`` changes its offset or name, to the second."""
    found: list[dt.datetime] = []
    day, second = dt.timedelta(days=1), dt.timedelta(seconds=1)
    here = first
    while here < last:
        there = min(here + day, last)
        if _zone_state(here, tz) != _zone_state(there, tz):
            low, high = here, there  # the change lies in (low, high]
            while high - low > second:
                middle = low + dt.timedelta(seconds=(high - low) // second // 2)
                low, high = (middle, high) if _zone_state(middle, tz) == _zone_state(low, tz) else (low, middle)
            found.append(high)
        here = there
    return found


@lru_cache(maxsize=64)
def vtimezone(name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for zone ``name`` from the zoneinfo database, exact from ``first_year`` to ``last_year``.

    Each change of offset is its own STANDARD or DAYLIGHT block whose DTSTART
    is the onset in the local time before the change (RFC 5545 3.6.5), with no
    RDATE or RRULE: icalendar's own ``Timezone.from_tzinfo`` lists later
    onsets as RDATEs, which ical.js (Thunderbird's parser) reads without the
    DTSTART onset, putting a whole summer an hour off.
    """
    tz = ZoneInfo(name)
    start = dt.datetime(first_year, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    zone = icalendar.Timezone()
    zone.add("tzid", name)

    def onset(at: dt.datetime, before: dt.timedelta) -> None:
        after, tzname, daylight = _zone_state(at, tz)
        part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        part.add("dtstart", (at + before).replace(tzinfo=None))
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        if tzname:
            part.add("tzname", tzname)
        zone.add_component(part)

    offset = start.astimezone(tz).utcoffset() or dt.timedelta(0)
    onset(start, offset)
    for at in transitions(tz, start, end):
        onset(at, (at - dt.timedelta(seconds=1)).astimezone(tz).utcoffset() or dt.timedelta(0))
    return zone


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


FOLD_AT = 75  # octets a content line may have, its line break excluded (RFC 5545, 3.1)
_BACKSLASH = 0x5C


def fold(line: str) -> bytes:
    """One content line, folded: lines of at most 75 octets, each continuation starting with a space.

    A fold never cuts a UTF-8 character, nor an escape (``\\n``, ``\\,``)
    from its backslash, which some clients would misread.
    """
    data = line.encode("utf-8")
    if len(data) <= FOLD_AT:
        return data
    parts = []
    start, room = 0, FOLD_AT
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back to the first byte of the character
            cut -= 1
        run = 0
        while data[cut - 1 - run] == _BACKSLASH and cut - 1 - run > start:
            run += 1
        if run % 2:  # the last backslash starts an escape: keep it with the character it escapes
            cut -= 1
        parts.append(data[start:cut])
        start, room = cut, FOLD_AT - 1  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def to_ical(component: icalendar.Component) -> bytes:
    """A component as iCalendar text: icalendar's content lines, folded by :func:`fold`."""
    return b"".join(fold(line) + b"\r\n" for line in component.content_lines() if line)


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


@lru_cache(maxsize=64)
def _vtimezone_bytes(name: str, first_year: int, last_year: int) -> bytes:
    return to_ical(vtimezone(name, first_year, last_year))


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
        parts.append(_vtimezone_bytes(tzid, min(years), max(years) + 1))
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
    start, end = _span(event.start, event.end, event_tz(event, config))

    def stamp(value: dt.date | dt.datetime) -> str:
        return _utc(value).strftime("%Y%m%dT%H%M%SZ") if isinstance(value, dt.datetime) else value.strftime("%Y%m%d")

    details = (event.summary + "\n\n" if event.summary else "") + config.absolute(site.url(event))
    query = {"action": "TEMPLATE", "text": event.title, "dates": f"{stamp(start)}/{stamp(end if end is not None else start)}", "details": details}
    if event_place(event):
        query["location"] = event_place(event)
    query["ctz"] = event.timezone or config.timezone
    if event.repeat is not None:
        component = icalendar.Event()
        _repeat(component, event, event_tz(event, config))
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
