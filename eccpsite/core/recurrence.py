"""Repeating events: a series' rule, its occurrences, and the rule in words.

A rule is what an editor writes under ``repeat:`` — ``every`` (day, week,
month or year), ``interval``, an end (``until`` a day, or a ``count`` of
occurrences) and ``except`` (days left out). :func:`expand` turns it into
the occurrences themselves, as RFC 5545 expands an ``RRULE`` with its
``EXDATE``s: a monthly series on the 31st skips the months without one, and
``count`` counts the occurrences before the exceptions are taken out (a count
of 8 with one exception makes 7). Values are local to the event's time zone
(the wall-clock times the editor wrote), so a weekly 10:00 webinar stays at
10:00 across a change of daylight-saving time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from eccpsite.core.dates import MONTHS, in_words

EVERY = ("day", "week", "month", "year")
FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
MAX_OCCURRENCES = 1000  # a longer series is an error: it would fill month pages for decades
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Moment = dt.date | dt.datetime  # a day, or a wall-clock date and time (naive, or with the offset the editor wrote)


@dataclass(frozen=True)
class Repeat:
    """The rule of a series, as written under ``repeat:``."""

    every: str  # day | week | month | year
    interval: int = 1
    until: dt.date | None = None  # the last day an occurrence may start on (inclusive)
    count: int | None = None  # how many occurrences the rule makes, exceptions included
    except_: tuple[dt.date, ...] = ()  # days whose occurrence is left out


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event: its start and (inclusive) end, as the event writes them."""

    start: Moment
    end: Moment | None


def _day(value: Moment) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _shift(value: Moment, every: str, steps: int) -> Moment | None:
    """``value`` moved by ``steps`` periods; None when that day does not exist (31 April, 29 February)."""
    if every == "day":
        return value + dt.timedelta(days=steps)
    if every == "week":
        return value + dt.timedelta(weeks=steps)
    months = steps * (12 if every == "year" else 1)
    year, month = divmod(value.month - 1 + months, 12)
    year += value.year
    if value.day > calendar.monthrange(year, month + 1)[1]:
        return None
    return value.replace(year=year, month=month + 1)


def starts(start: Moment, rule: Repeat) -> Iterator[Moment]:
    """Every start the rule makes, exceptions included, in order (RRULE without EXDATE)."""
    made = 0
    step = 0
    while made < MAX_OCCURRENCES + 1:
        value = _shift(start, rule.every, step * rule.interval)
        step += 1
        if value is None:
            continue
        if rule.until is not None and _day(value) > rule.until:
            return
        if rule.count is not None and made >= rule.count:
            return
        made += 1
        yield value


def expand(start: Moment, end: Moment | None, rule: Repeat | None) -> tuple[Occurrence, ...]:
    """The occurrences of an event: its own dates alone without a rule, else one per start the rule makes but its exceptions."""
    if rule is None:
        return (Occurrence(start, end),)
    length = end - start if end is not None else None
    skipped = set(rule.except_)
    return tuple(Occurrence(s, s + length if length is not None else None) for s in starts(start, rule) if _day(s) not in skipped)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def rule_in_words(start: Moment, rule: Repeat) -> str:
    """``every Tuesday until 30 June 2020``, ``every 2 weeks on Tuesday, 8 times``, ``every month on the 14th``."""
    day = _day(start)
    unit = f"{rule.interval} {rule.every}s" if rule.interval > 1 else rule.every
    if rule.every == "week":
        words = f"every {WEEKDAYS[day.weekday()]}" if rule.interval == 1 else f"every {unit} on {WEEKDAYS[day.weekday()]}"
    elif rule.every == "month":
        words = f"every {unit} on the {_ordinal(day.day)}"
    elif rule.every == "year":
        words = f"every {unit} on {day.day} {MONTHS[day.month - 1]}"
    else:
        words = f"every {unit}"
    if rule.until is not None:
        return f"{words} until {in_words(rule.until)}"
    return f"{words}, {rule.count} times" if rule.count is not None else words
