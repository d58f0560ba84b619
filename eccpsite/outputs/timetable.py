"""Events as readers read them: times in the event's own zone and the site's, a series in words, and the month view.

Pure functions of the site model. An event's times are wall-clock times in
its zone (``timezone:``, else the site's); a page shows them with the zone's
abbreviation and, when the zone is not the site's, the same span in the
site's time beside it ("09:30–17:00 KST (02:30–10:00 Brussels time)"). The
month view places each occurrence on every local day it covers.
"""

from __future__ import annotations

import bisect
import calendar as monthcal
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from eccpsite.core import urls
from eccpsite.core.dates import day_of, in_words, month_shift, range_in_words
from eccpsite.core.kinds import Event
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.model import Site
from eccpsite.core.recurrence import Occurrence, rule_in_words
from eccpsite.core.status import occurrence_span

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone_abbreviation(value: dt.datetime) -> str:
    """``KST``, ``CEST``; a zone without a letter abbreviation gets its offset: ``UTC+04``."""
    name = value.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")


def zone_city(zone: str) -> str:
    """``Europe/Brussels`` → ``Brussels``: how the site names its own time."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _foreign(event: Event, site: Site) -> ZoneInfo | None:
    """The event's zone when it has one of its own that is not the site's, else None."""
    if event.timezone is None or event.timezone == site.config.timezone:
        return None
    return event_tz(event, site.config)


def _span_words(start: dt.datetime, end: dt.datetime | None) -> str:
    return range_in_words(start.replace(tzinfo=None), end.replace(tzinfo=None) if end is not None else None)


def site_time_words(site: Site, event: Event, occurrence: Occurrence) -> str | None:
    """The occurrence in the site's time, ``02:30–10:00 Brussels time`` (with the day when it differs); None when not needed."""
    if not isinstance(occurrence.start, dt.datetime) or _foreign(event, site) is None:
        return None
    tz = site.config.tz
    start, _ = occurrence_span(event, occurrence, site.config)
    first = start.astimezone(tz)
    last = occurrence_span(event, occurrence, site.config)[1].astimezone(tz) if isinstance(occurrence.end, dt.datetime) else None
    city = zone_city(site.config.timezone)
    if first.date() == day_of(occurrence.start) and (last is None or last.date() == first.date()):
        times = f"{first:%H:%M}" + (f"–{last:%H:%M}" if last is not None else "")
        return f"{times} {city} time"
    return f"{_span_words(first, last)} {city} time"


def occurrence_words(site: Site, event: Event, occurrence: Occurrence) -> str:
    """One occurrence in words: ``14 May 2020, 09:30–17:00 KST (02:30–10:00 Brussels time)``."""
    words = range_in_words(occurrence.start, occurrence.end)
    zone = _foreign(event, site)
    if zone is not None and isinstance(occurrence.start, dt.datetime):
        words += " " + zone_abbreviation(occurrence_span(event, occurrence, site.config)[0].astimezone(zone))
        beside = site_time_words(site, event, occurrence)
        if beside:
            words += f" ({beside})"
    return words


def when_words(site: Site, event: Event) -> str:
    """When an event takes place: its dates, or a series' rule with its next occurrence (``every Tuesday until 30 June 2020 — next: …``)."""
    if event.tentative and event.date_note:
        return f"{event.date_note} (to be confirmed)"
    if event.repeat is None:
        return occurrence_words(site, event, event.occurrences[0])
    rule = rule_in_words(event.start, event.repeat)
    ahead = site.next_occurrence(event)
    shown = ahead or event.occurrences[-1]
    label = "next" if ahead is not None else "last"
    return f"{rule[0].upper()}{rule[1:]} — {label}: {occurrence_words(site, event, shown)}"


# --- the month view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An occurrence on one day of the month view."""

    event: Event
    occurrence: Occurrence
    first_day: bool  # the occurrence starts this day (a multi-day one continues on the next days)
    time: str  # "09:30" (local to the event) or "" for an all-day event or a following day


@dataclass(frozen=True)
class Day:
    date: dt.date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Month:
    """A month of the calendar: its weeks (Monday first; None outside the month) and the months around it."""

    first: dt.date
    weeks: tuple[tuple[Day | None, ...], ...]
    url: str
    prev_url: str | None
    next_url: str | None
    prev_first: dt.date | None
    next_first: dt.date | None
    # for a month without events: the nearest months before and after it that have some (the calendar of a site
    # whose events ended years ago is otherwise a run of empty months back to them)
    earlier: dt.date | None = None
    later: dt.date | None = None

    @property
    def earlier_url(self) -> str | None:
        return urls.event_month_url(self.earlier.year, self.earlier.month) if self.earlier else None

    @property
    def later_url(self) -> str | None:
        return urls.event_month_url(self.later.year, self.later.month) if self.later else None

    @property
    def days(self) -> tuple[Day, ...]:
        """The month's days that have events, in order (the narrow-screen list)."""
        return tuple(day for week in self.weeks for day in week if day is not None and day.entries)


Index = dict[dt.date, list[Entry]]


def day_index(events: Iterable[Event]) -> Index:
    """Every occurrence on each local day it covers, in the order of its start."""
    index: Index = defaultdict(list)
    for event in events:
        for occurrence in event.occurrences:
            first = day_of(occurrence.start)
            last = day_of(occurrence.end) if occurrence.end is not None else first
            time = f"{occurrence.start:%H:%M}" if isinstance(occurrence.start, dt.datetime) else ""
            day = first
            while day <= last:
                index[day].append(Entry(event, occurrence, day == first, time if day == first else ""))
                day += dt.timedelta(days=1)
    for entries in index.values():
        entries.sort(key=lambda e: (not e.first_day, e.time, e.event.title.casefold(), e.event.slug))
    return index


def calendar_months(site: Site, index: Index) -> list[dt.date]:
    """The first day of every month from the first event's to the last's, and the build's own month."""
    current = site.now.astimezone(site.config.tz).date().replace(day=1)
    days = [*index, current]
    first, last = min(days).replace(day=1), max(days).replace(day=1)
    months = [first]
    while months[-1] < last:
        months.append(month_shift(months[-1], 1))
    return months


def busy_months(index: Index) -> list[dt.date]:
    """The first day of every month that has an event, in order."""
    return sorted({day.replace(day=1) for day, entries in index.items() if entries})


def month_view(first: dt.date, index: Index, months: list[dt.date], busy: Sequence[dt.date] = ()) -> Month:
    """The month starting on ``first``, with links to the months around it that the calendar has and, when it has
    no events, to the nearest ``busy`` months (:func:`busy_months`) that do."""
    weeks = []
    for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(tuple(Day(day, tuple(index.get(day, ()))) if day.month == first.month else None for day in week))
    before, after = month_shift(first, -1), month_shift(first, 1)
    prev_first = before if months and before >= months[0] else None
    next_first = after if months and after <= months[-1] else None
    return Month(
        first,
        tuple(weeks),
        urls.event_month_url(first.year, first.month),
        urls.event_month_url(before.year, before.month) if prev_first else None,
        urls.event_month_url(after.year, after.month) if next_first else None,
        prev_first,
        next_first,
        *_nearest(first, busy, weeks),
    )


def _nearest(first: dt.date, busy: Sequence[dt.date], weeks: list[tuple[Day | None, ...]]) -> tuple[dt.date | None, dt.date | None]:
    """The nearest busy months before and after the month ``first`` of ``weeks``, when it has no events itself."""
    if any(day is not None and day.entries for week in weeks for day in week):
        return None, None
    place = bisect.bisect_left(busy, first)
    return (busy[place - 1] if place > 0 else None), (busy[place] if place < len(busy) else None)


def day_in_words(day: dt.date) -> str:
    """``Monday 16 September 2019``."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {in_words(day)}"
