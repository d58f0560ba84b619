"""The iCalendar text itself: content lines folded at 75 octets, and VTIMEZONEs made from the zoneinfo database.

CRLF line ends, lines folded at 75 octets: icalendar makes the content lines
and :func:`fold` folds them (icalendar's own folding, a Python loop over
every character, was a third of the calendars' time at 10,000 items).
:func:`vtimezone` writes each change of offset as its own block, which every
client reads alike. This is RFC 5545's syntax and knows nothing of the site,
so it is apart from the entries (:mod:`calendar_entries`) and the calendars
(:mod:`calendar`) that use it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar


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


@lru_cache(maxsize=64)
def vtimezone_bytes(name: str, first_year: int, last_year: int) -> bytes:
    """:func:`vtimezone` as folded text, made once per zone and span of years."""
    return to_ical(vtimezone(name, first_year, last_year))
