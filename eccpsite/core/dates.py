"""Dates and times in words, and the moments that decide statuses.

"14 May 2019", "14–16 May 2019", "30 May – 2 June 2019",
"28 December 2019 – 3 January 2020", "14 May 2019, 09:30".
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from eccpsite.core.errors import UsageError

DEFAULT_TIMEZONE = "Europe/Brussels"  # site.yaml's 'timezone' when it gives none
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def day_of(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def in_words(value: dt.date | dt.datetime) -> str:
    """``14 May 2019``; a datetime adds its time: ``14 May 2019, 09:30``."""
    day = day_of(value)
    words = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if isinstance(value, dt.datetime):
        words += f", {value:%H:%M}"
    return words


def month_shift(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (before, when negative) the month of ``first``."""
    year, month = divmod(first.month - 1 + months, 12)
    return dt.date(first.year + year, month + 1, 1)


def month_in_words(value: dt.date) -> str:
    return f"{MONTHS[value.month - 1]} {value.year}"


def range_in_words(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None) -> str:
    """A date range as people write it, sharing the month and year where they agree."""
    first, last = day_of(start), day_of(end) if end is not None else None
    if last is None or last == first:
        if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
            return f"{in_words(start)}–{end:%H:%M}"
        return in_words(start)
    if isinstance(start, dt.datetime):
        return f"{in_words(start)} – {in_words(last if end is None else end)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} – {last.day} {MONTHS[last.month - 1]} {last.year}"
    return f"{in_words(first)} – {in_words(last)}"


def moment(value: dt.date | dt.datetime, tz: ZoneInfo, end_of_day: bool = False) -> dt.datetime:
    """An aware datetime: a date is the start of that day (or its end) in ``tz``."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    day = value + dt.timedelta(days=1) if end_of_day else value
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)


def day_and_time(value: dt.date | dt.datetime, tz: ZoneInfo) -> tuple[dt.date, dt.datetime | None]:
    """What a date field holding a date or a datetime means: the day, in ``tz``, and the moment (None for a date).

    Editors coming from Hugo, Jekyll or WordPress write ``date:
    2018-01-01T13:31:00+09:00`` or ``date: 2019-05-14 10:00``. The item's
    day is the day that moment falls on in the site's time zone (``tz``):
    13:31 in Tokyo is 05:31 in Brussels, the same 1 January; a datetime
    without an offset is already in ``tz``. The moment orders items within a
    day and dates their feed entries.
    """
    if not isinstance(value, dt.datetime):
        return value, None
    when = moment(value, tz).astimezone(tz)
    return when.date(), when


def parse_now(raw: str, tz: ZoneInfo) -> dt.datetime:
    """``--now``: a date (its start in ``tz``) or an ISO datetime, as the moment in ``tz`` (one written with another
    offset is the same instant there: the dates a build writes are in the site's zone whichever way it was given)."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            return moment(dt.date.fromisoformat(raw), tz)
        return moment(dt.datetime.fromisoformat(raw), tz).astimezone(tz)
    except ValueError:
        raise UsageError(f"--now expects a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, not {raw!r}") from None
