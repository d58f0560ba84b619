"""Events in their own time zone, repeating events, the month view, registration deadlines and subscriptions.

Each calendar is read by two independent parsers, the icalendar library (a
series expanded by dateutil's rrule, which icalendar builds on) and Mozilla's
ical.js (its own expansion, tests/js/parse_ics.mjs); both must find the same
instants, resolved through the file's own VTIMEZONEs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from conftest import write_site
from test_calendar import HOST, ical_js, needs_node, outputs_of, vevents

UTC = dt.UTC
SERIES: dict[str, str] = {
    "content/events/eu-korea-cluster-forum.md": """---
title: EU-Korea cluster forum
start: 2020-05-14T09:30
end: 2020-05-14T17:00
timezone: Asia/Seoul
location: {venue: COEX, city: Seoul, country: KR}
registration_deadline: 2020-04-30
---
A day of cluster matchmaking in Seoul.
""",
    "content/events/autumn-webinars.md": """---
title: Autumn webinars on cluster internationalisation
start: 2020-10-08T10:00
end: 2020-10-08T11:00
timezone: Europe/Brussels
online: true
repeat: {every: week, count: 6}
---
Six Thursday webinars, across the end of summer time (25 October 2020).
""",
    "content/events/tuesday-talks.md": """---
title: Tuesday talks
start: 2020-04-07T14:00
end: 2020-04-07T15:30
online: true
repeat:
  every: week
  count: 8
  except: [2020-05-05]
---
Eight Tuesdays, but not the 5th of May.
""",
}
SEOUL = f"eu-korea-cluster-forum@{HOST}"
WEBINARS = f"autumn-webinars@{HOST}"
TALKS = f"tuesday-talks@{HOST}"
TALK_DAYS = ["2020-04-07", "2020-04-14", "2020-04-21", "2020-04-28", "2020-05-12", "2020-05-19", "2020-05-26"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("series") / "site", SERIES)


@pytest.fixture(scope="module")
def built(project: Path) -> dict[str, bytes]:
    return outputs_of(project, "2020-04-20")


def _page(built: dict[str, bytes], url: str) -> str:
    return built[url].decode("utf-8")


def _text(html: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- time zones --------------------------------------------------------------------------


def test_event_in_seoul_is_0030_to_0800_utc_in_icalendar(built: dict[str, bytes]) -> None:
    data = built["/events/eu-korea-cluster-forum/event.ics"]
    assert b"DTSTART;TZID=Asia/Seoul:20200514T093000" in data
    assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Seoul\r\n" in data
    event = vevents(data)[SEOUL]
    assert event.decoded("dtstart").astimezone(UTC) == dt.datetime(2020, 5, 14, 0, 30, tzinfo=UTC)
    assert event.decoded("dtend").astimezone(UTC) == dt.datetime(2020, 5, 14, 8, 0, tzinfo=UTC)


@needs_node
def test_event_in_seoul_is_0030_to_0800_utc_in_ical_js(built: dict[str, bytes], tmp_path: Path) -> None:
    for url in ("/events/eu-korea-cluster-forum/event.ics", "/events/calendar.ics", "/events/country/kr/calendar.ics"):
        (event,) = [e for e in ical_js(built[url], tmp_path)["events"] if e["uid"] == SEOUL]
        assert event["start"] == {"date": False, "local": "2020-05-14T09:30:00", "tzid": "Asia/Seoul", "utc": "2020-05-14T00:30:00Z"}, url
        assert event["end"]["utc"] == "2020-05-14T08:00:00Z", url


def test_event_page_names_its_zone_and_the_sites(built: dict[str, bytes]) -> None:
    text = _text(_page(built, "/events/eu-korea-cluster-forum/"))
    assert "14 May 2020, 09:30–17:00 KST (02:30–10:00 Brussels time)" in text
    listed = _text(_page(built, "/events/"))
    assert "09:30–17:00 KST (02:30–10:00 Brussels time)" in listed


def test_event_json_ld_carries_the_zones_offset(built: dict[str, bytes]) -> None:
    page = _page(built, "/events/eu-korea-cluster-forum/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["startDate"] == "2020-05-14T09:30:00+09:00"
    assert data["endDate"] == "2020-05-14T17:00:00+09:00"


def test_event_in_another_zone_is_upcoming_until_its_real_end(project: Path) -> None:
    # 17:00 in Seoul is 10:00 in Brussels: at 11:00 Brussels time the forum is over, at 09:00 it is not.
    before = outputs_of(project, "2020-05-14T09:00")
    after = outputs_of(project, "2020-05-14T11:00")
    assert "EU-Korea cluster forum" in _page(before, "/events/")
    assert "EU-Korea cluster forum" not in _page(after, "/events/")
    assert "EU-Korea cluster forum" in _page(after, "/events/past/")


def _brussels_local(occurrences: list[dict[str, Any]]) -> list[str]:
    return [o["start"]["local"] for o in occurrences]


WEBINAR_UTC = ["2020-10-08T08:00:00Z", "2020-10-15T08:00:00Z", "2020-10-22T08:00:00Z", "2020-10-29T09:00:00Z", "2020-11-05T09:00:00Z", "2020-11-12T09:00:00Z"]


@needs_node
def test_weekly_webinar_across_the_end_of_dst_stays_at_1000_in_both_parsers(built: dict[str, bytes], tmp_path: Path) -> None:
    from test_calendar import _icalendar_view

    data = built["/events/autumn-webinars/event.ics"]
    assert b"RRULE:FREQ=WEEKLY;COUNT=6" in data
    (mine,) = _icalendar_view(data)
    (theirs,) = ical_js(data, tmp_path)["events"]
    for occurrences in (mine["occurrences"], theirs["occurrences"]):
        assert len(occurrences) == 6
        assert all(local.endswith("T10:00:00") for local in _brussels_local(occurrences))
        assert [o["start"]["utc"] for o in occurrences] == WEBINAR_UTC
        assert all(o["start"]["tzid"] == "Europe/Brussels" for o in occurrences)
    assert theirs["occurrences"] == mine["occurrences"]


# --- series --------------------------------------------------------------------------------


@needs_node
def test_series_of_eight_with_one_exception_expands_to_seven_in_both_parsers(built: dict[str, bytes], tmp_path: Path) -> None:
    from test_calendar import _icalendar_view

    data = built["/events/calendar.ics"]
    mine = next(e for e in _icalendar_view(data) if e["uid"] == TALKS)
    theirs = next(e for e in ical_js(data, tmp_path)["events"] if e["uid"] == TALKS)
    for occurrences in (mine["occurrences"], theirs["occurrences"]):
        assert [o["start"]["local"][:10] for o in occurrences] == TALK_DAYS
        assert all(o["start"]["local"].endswith("T14:00:00") and o["end"]["local"].endswith("T15:30:00") for o in occurrences)
    assert theirs["occurrences"] == mine["occurrences"]
    event = vevents(data)[TALKS]
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=8"
    assert b"EXDATE;TZID=Europe/Brussels:20200505T140000" in data


def _month_links(html: str, slug: str) -> tuple[list[str], list[str]]:
    """The days of the table and of the narrow-screen list that link to the event ``slug``."""
    table = html.split('<table class="month-grid">', 1)[1].split("</table>", 1)[0]
    listing = html.split('<ol class="month-list">', 1)[1].split("</ol>\n</div>", 1)[0]
    link = f'href="/events/{slug}/"'

    def days(part: str, cell: str) -> list[str]:
        return [day for day, inside in re.findall(cell, part, re.S) if link in inside]

    return days(table, r'<td data-date="([\d-]+)"[^>]*>(.*?)</td>'), days(listing, r'<li data-date="([\d-]+)">(.*?)</ul>')


def test_series_shows_seven_occurrences_in_the_month_views(built: dict[str, bytes]) -> None:
    in_table, in_list = [], []
    for month in ("2020-04", "2020-05"):
        table, listing = _month_links(_page(built, f"/events/calendar/{month}/"), "tuesday-talks")
        in_table += table
        in_list += listing
    assert in_table == TALK_DAYS
    assert in_list == TALK_DAYS


def test_series_page_says_the_rule_and_the_next_occurrence(built: dict[str, bytes]) -> None:
    text = _text(_page(built, "/events/tuesday-talks/"))
    assert "Every Tuesday, 8 times — next: 21 April 2020, 14:00–15:30" in text  # built on 20 April
    assert "Not on 5 May 2020." in text
    assert "Every Thursday, 6 times — next: 8 October 2020, 10:00–11:00" in _text(_page(built, "/events/autumn-webinars/"))


def test_series_is_upcoming_until_its_last_occurrence_ends(project: Path) -> None:
    during = outputs_of(project, "2020-05-20")
    listed = _text(_page(during, "/events/"))
    assert "Tuesday talks" in listed and "next: 26 May 2020" in listed
    last_ends = outputs_of(project, "2020-05-26T15:30")
    assert "Tuesday talks" not in _page(last_ends, "/events/")
    assert "Tuesday talks" in _page(last_ends, "/events/past/")


def test_next_change_is_the_end_of_the_next_occurrence(project: Path) -> None:
    # On 20 April the next moment the site changes by itself is the end of the talk of 21 April (15:30 Brussels time).
    moments = outputs_of(project, "2020-04-21T12:00")["/next-change.txt"].decode().strip()
    assert dt.datetime.fromisoformat(moments) == dt.datetime(2020, 4, 21, 13, 30, tzinfo=UTC)


def test_series_json_ld_has_its_schedule(built: dict[str, bytes]) -> None:
    page = _page(built, "/events/tuesday-talks/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "startDate": "2020-04-07",
        "repeatCount": 8,
        "startTime": "14:00",
        "endTime": "15:30",
        "scheduleTimezone": "Europe/Brussels",
        "exceptDate": ["2020-05-05"],
    }


# --- the month view ------------------------------------------------------------------------


def test_month_view_covers_every_month_from_the_first_event_to_the_last(built: dict[str, bytes]) -> None:
    months = sorted(url for url in built if re.fullmatch(r"/events/calendar/\d{4}-\d{2}/", url))
    assert months[0] == "/events/calendar/2020-04/" and months[-1] == "/events/calendar/2020-11/"
    assert len(months) == 8
    current = _page(built, "/events/calendar/")
    assert "<h1>Events in April 2020</h1>" in current  # the build's own month (built on 20 April 2020)
    april = _page(built, "/events/calendar/2020-04/")
    assert 'href="/events/calendar/2020-05/" rel="next"' in april and 'rel="prev"' not in april
    assert [f'<th scope="col"><abbr title="{d}">{d[:3]}</abbr></th>' in april for d in ("Monday", "Sunday")] == [True, True]


def test_month_view_of_the_real_content_lists_every_september_2019_event_on_its_days() -> None:
    from conftest import REPO

    from eccpsite.build import BuildOptions, build_outputs

    result = build_outputs(REPO, BuildOptions(now="2019-09-16", pdf=False))
    html = next(o.data.decode() for o in result.outputs if o.url == "/events/calendar/2019-09/")
    expected: dict[str, list[str]] = {}
    for path in sorted((REPO / "content/events").glob("*.md")):
        head = path.read_text(encoding="utf-8").split("---", 2)[1]
        start = re.search(r"^start: (\S+)", head, re.M).group(1)[:10]  # type: ignore[union-attr]
        end_found = re.search(r"^end: (\S+)", head, re.M)
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end_found.group(1)[:10]) if end_found else dt.date.fromisoformat(start)
        day = first
        while day <= last:
            if (day.year, day.month) == (2019, 9):
                expected.setdefault(path.stem, []).append(day.isoformat())
            day += dt.timedelta(days=1)
    assert expected, "the real content has events in September 2019"
    for slug, days in expected.items():
        table, listing = _month_links(html, slug)
        assert table == days, slug
        assert listing == days, slug


# --- registration deadlines ----------------------------------------------------------------


def test_registration_deadline_shows_a_status_that_flips(project: Path, built: dict[str, bytes]) -> None:
    page = _page(built, "/events/eu-korea-cluster-forum/")
    badge = re.search(r'<span class="badge badge-open" data-timeline="([^"]+)">Register by 30 April 2020</span>', page)
    assert badge is not None
    timeline = json.loads(badge.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert timeline == [["2020-05-01T00:00:00+09:00", "closed", "Registration closed"]]  # the end of 30 April in Seoul
    later = _page(outputs_of(project, "2020-05-02"), "/events/eu-korea-cluster-forum/")
    assert '<span class="badge badge-closed">Registration closed</span>' in later


def test_registration_deadline_is_in_the_deadlines_calendar(built: dict[str, bytes]) -> None:
    deadline = vevents(built["/calls/deadlines.ics"])[f"registration.eu-korea-cluster-forum@{HOST}"]
    assert str(deadline["summary"]) == "Registration deadline: EU-Korea cluster forum"
    assert deadline.decoded("dtstart") == dt.date(2020, 4, 30)
    assert "/events/eu-korea-cluster-forum/" in str(deadline["description"])


# --- subscriptions -------------------------------------------------------------------------


def test_subscriptions_per_country_and_attendance(built: dict[str, bytes]) -> None:
    assert set(vevents(built["/events/country/kr/calendar.ics"])) == {SEOUL}
    assert set(vevents(built["/events/online/calendar.ics"])) == {WEBINARS, TALKS}
    assert set(vevents(built["/events/in-person/calendar.ics"])) == {SEOUL}
    for event in vevents(built["/events/calendar.ics"]).values():
        assert f"https://{HOST}/events/" in str(event["description"])  # each description carries the page's address


def test_filter_pages_link_webcal_google_and_outlook(built: dict[str, bytes]) -> None:
    page = _page(built, "/events/country/kr/")
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page))
    webcal = f"webcal://{HOST}/events/country/kr/calendar.ics"
    assert webcal in links
    google = next(href for href in links if href.startswith("https://calendar.google.com/"))
    assert parse_qs(urlsplit(google.replace("&amp;", "&")).query)["cid"] == [webcal]
    outlook = next(href for href in links if href.startswith("https://outlook.live.com/"))
    assert parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)["url"] == [f"https://{HOST}/events/country/kr/calendar.ics"]
    assert 'href="/events/country/kr/calendar.ics"' in page


def test_calendar_files_parse_back(built: dict[str, bytes]) -> None:
    for url, data in built.items():
        if url.endswith(".ics"):
            icalendar.Calendar.from_ical(data)


def test_month_view_without_events_links_the_nearest_months_that_have_some() -> None:
    # built years after the real content's last event: the calendar's own month is empty, and says where events are
    from conftest import REPO

    from eccpsite.build import BuildOptions, build_outputs

    result = build_outputs(REPO, BuildOptions(now="2026-12-03", pdf=False))
    pages = {o.url: o.data.decode() for o in result.outputs if o.url.startswith("/events/calendar/") and o.url.endswith("/")}
    heads = [path.read_text(encoding="utf-8").split("---", 2)[1] for path in (REPO / "content/events").glob("*.md")]
    busy = sorted({found for head in heads for found in re.findall(r"^(?:start|end): (\d{4}-\d{2})", head, re.M)})
    current = _text(pages["/events/calendar/"])
    assert f"No events in December 2026. The nearest month with events: ← {_month_words(busy[-1])}" in current
    assert f'href="/events/calendar/{busy[-1]}/"' in pages["/events/calendar/"]
    assert f"/events/calendar/{busy[-1]}/" in pages and "month-empty" not in pages[f"/events/calendar/{busy[-1]}/"]
    gaps = [url for url, page in pages.items() if re.fullmatch(r"/events/calendar/\d{4}-\d{2}/", url) and "month-empty" in page]
    before_last = [url for url in gaps if url[-8:-1] < busy[-1]]
    for url in before_last:  # between two busy months: both are named
        assert "The nearest months with events: ←" in _text(pages[url]) and "→" in _text(pages[url]), url


def _month_words(month: str) -> str:
    import calendar

    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"
