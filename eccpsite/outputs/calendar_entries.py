"""The entries of the calendars: the VEVENT of an event (with its recurrence), of a call's cut-off, of a registration deadline.

What calendar clients need of an entry, and how it is met here:

- a UID derived from the item (``<slug>@<host of base_url>``; a call's
  cut-offs are ``deadline-<n>.<slug>@<host>``), the same in every file, so a
  subscriber's client updates an entry instead of adding a second one;
- ``SEQUENCE`` counts the commits that changed the file after it was added,
  and ``LAST-MODIFIED``/``DTSTAMP`` are its latest commit; without history
  they are 0 and the item's date. Nothing comes from the clock;
- all-day events are ``VALUE=DATE`` with the exclusive end the RFC asks for
  (25–26 April ends on 27 April); timed events carry the event's ``TZID``;
  a series has its ``RRULE`` and ``EXDATE``;
- ``STATUS`` is CANCELLED, TENTATIVE (also for postponed events) or CONFIRMED.

An entry is one item's; which entries make which calendar, and the
calendar's own text, are :mod:`calendar`'s.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import in_words, moment, range_in_words
from eccpsite.core.kinds import Call, Event, Item, item_date
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.listings import event_place
from eccpsite.core.markup.markdown import plain_text, render_markdown
from eccpsite.core.model import Site
from eccpsite.core.recurrence import FREQ
from eccpsite.edges.history import History

STATUS = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}
SUMMARY_PREFIX = {"cancelled": "Cancelled: ", "postponed": "Postponed: "}


def host(config: SiteConfig) -> str:
    return urlsplit(config.base_url).hostname or "localhost"


def event_uid(config: SiteConfig, event: Event) -> str:
    return f"{event.slug}@{host(config)}"


def deadline_uid(config: SiteConfig, call: Call, number: int) -> str:
    """A cut-off's UID; slugs have no dots, so it can never equal an event's."""
    return f"deadline-{number}.{call.slug}@{host(config)}"


def utc(value: dt.datetime) -> dt.datetime:
    """The moment in UTC, as DTSTAMP, LAST-MODIFIED, UNTIL and the links to calendar services write it."""
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
    component.add("dtstamp", utc(changed))
    component.add("last-modified", utc(changed))
    component.add("sequence", sequence)


def ical_span(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, tz: ZoneInfo) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
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


def add_repeat(component: icalendar.Event, event: Event, tz: ZoneInfo) -> None:
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
        parts["until"] = utc(moment(rule.until, tz, end_of_day=True) - dt.timedelta(seconds=1)) if timed else rule.until
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


def _dated_component(site: Site, event: Event, history: History, uid: str, first: dt.date | dt.datetime, last: dt.date | dt.datetime | None) -> icalendar.Event:
    """A VEVENT of ``event`` with its uid, its stamps and the span from ``first`` to ``last`` in the event's zone."""
    start, end = ical_span(first, last, event_tz(event, site.config))
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
    add_repeat(component, event, tz)
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
        start, end = ical_span(deadline.date, None, config.tz)
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
