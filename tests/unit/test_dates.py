"""dates.py: dates and ranges in words, and the moments that decide statuses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from eccpsite.core.dates import in_words, moment, month_in_words, parse_now, range_in_words
from eccpsite.core.errors import UsageError

TZ = ZoneInfo("Europe/Brussels")
D = dt.date
T = dt.datetime


def test_in_words_writes_day_month_year() -> None:
    assert in_words(D(2019, 5, 4)) == "4 May 2019"
    assert in_words(T(2019, 5, 14, 9, 30)) == "14 May 2019, 09:30"
    assert month_in_words(D(2019, 9, 16)) == "September 2019"


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (D(2019, 5, 14), None, "14 May 2019"),
        (D(2019, 5, 14), D(2019, 5, 14), "14 May 2019"),
        (D(2019, 5, 14), D(2019, 5, 16), "14–16 May 2019"),
        (D(2019, 5, 30), D(2019, 6, 2), "30 May – 2 June 2019"),
        (D(2019, 12, 28), D(2020, 1, 3), "28 December 2019 – 3 January 2020"),
        (T(2019, 5, 14, 9, 30), T(2019, 5, 14, 17, 0), "14 May 2019, 09:30–17:00"),
        (T(2019, 5, 14, 9, 30), None, "14 May 2019, 09:30"),
        (T(2019, 5, 14, 9, 30), T(2019, 5, 15, 13, 0), "14 May 2019, 09:30 – 15 May 2019, 13:00"),
    ],
)
def test_range_in_words(start: dt.date, end: dt.date | None, words: str) -> None:
    assert range_in_words(start, end) == words


def test_moment_of_a_date_is_the_start_or_the_end_of_that_day_in_the_zone() -> None:
    assert moment(D(2019, 5, 14), TZ) == T(2019, 5, 14, 0, 0, tzinfo=TZ)
    assert moment(D(2019, 5, 14), TZ, end_of_day=True) == T(2019, 5, 15, 0, 0, tzinfo=TZ)


def test_moment_of_a_datetime_keeps_its_offset_or_takes_the_zone() -> None:
    assert moment(T(2019, 5, 14, 9, 30), TZ).utcoffset() == dt.timedelta(hours=2)
    assert moment(T(2019, 5, 14, 9, 30, tzinfo=dt.UTC), TZ).utcoffset() == dt.timedelta(0)


def test_parse_now_reads_a_date_or_a_datetime_in_the_zone() -> None:
    assert parse_now("2019-09-16", TZ) == T(2019, 9, 16, 0, 0, tzinfo=TZ)
    assert parse_now("2019-09-16T12:30", TZ) == T(2019, 9, 16, 12, 30, tzinfo=TZ)
    assert parse_now("2019-09-16T12:30+00:00", TZ) == T(2019, 9, 16, 14, 30, tzinfo=TZ)
    assert parse_now("2019-09-16T12:30+00:00", TZ).isoformat() == "2019-09-16T14:30:00+02:00"  # in the zone, not the offset
    assert parse_now("2019-09-16T12:30+00:00", TZ).tzinfo is TZ


@pytest.mark.parametrize("raw", ["yesterday", "2019-02-30", "16/09/2019", ""])
def test_parse_now_refuses_what_is_not_a_date(raw: str) -> None:
    with pytest.raises(UsageError, match="--now expects a date YYYY-MM-DD"):
        parse_now(raw, TZ)
