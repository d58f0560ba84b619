"""Calendars: RFC 5545 files that the icalendar library and Mozilla's ical.js read alike.

Each fixture event stands for a case calendar clients get wrong: a timed event
on the day the clocks change, a cancelled one, a tentative one, a multi-day
all-day one, an online one, and a call with three cut-offs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from conftest import NOW, REPO, write_files, write_site
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.model import Site
from eccpsite.edges.history import Revision, read_history
from eccpsite.outputs import calendar, calendar_format

UTC = dt.UTC
HOST = "test.example.org"

EVENTS: dict[str, str] = {
    "content/events/dst-workshop.md": """---
title: Workshop on the day the clocks change
start: 2019-03-31T09:30
end: 2019-03-31T12:00
location: {venue: Square Meeting Centre, city: Brussels, country: BE}
organiser: Test Cluster Platform
summary: A morning workshop in Brussels.
tags: [matchmaking]
---
A morning workshop, on the **Sunday** the clocks go forward. See the [forum](/events/two-day-forum/).
""",
    "content/events/cancelled-meeting.md": """---
title: Cluster managers' meeting
start: 2019-10-10
status: cancelled
location: {city: Vienna, country: AT}
tags: [matchmaking]
---
The meeting will not take place.
""",
    "content/events/tentative-mission.md": """---
title: Matchmaking mission to Nanjing
start: 2019-11-15
tentative: true
date_note: mid-November 2019
location: {city: Nanjing, country: CN}
---
The exact dates are not yet known.
""",
    "content/events/two-day-forum.md": """---
title: Two-day cluster forum
start: 2019-04-25
end: 2019-04-26
location: {city: Zagreb, country: HR}
tags: [matchmaking, forum]
---
Two full days of talks.
""",
    "content/events/online-webinar.md": """---
title: Expert talk webinar
start: 2019-06-20T14:00
end: 2019-06-20T15:30
online: true
url: https://webinar.example.org/join
summary: A webinar on digitalisation.
---
Join from anywhere.
""",
    "content/calls/three-stage-call.md": """---
title: Cluster internationalisation call
opens: 2019-01-15
deadlines:
  - {date: 2019-03-01, label: 1st cut-off}
  - {date: 2019-06-04T17:00, label: 2nd cut-off}
  - {date: 2019-10-01, label: 3rd cut-off}
programme: COSME
summary: Grants for cluster partnerships, in three cut-offs.
tags: [cosme]
---
Apply before any of the three cut-offs.
""",
    "content/news/2019-09-01-forum-report.md": """---
title: Report from the forum
date: 2019-09-01
tags: [forum, fairs]
---
The forum was a success.
""",
}

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (ical.js)")


def outputs_of(project: Path, now: str = NOW) -> dict[str, bytes]:
    """Build ``project`` in memory: site path → bytes (without PDF editions, which calendars do not need)."""
    return {o.url: o.data for o in build_outputs(project, BuildOptions(now=now, pdf=False)).outputs}


def calendars(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {url: data for url, data in outputs.items() if url.endswith(".ics")}


def vevents(data: bytes) -> dict[str, icalendar.cal.component.Component]:
    return {str(e["uid"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def ical_js(data: bytes, tmp_path: Path) -> Any:
    """What ical.js reads in ``data`` (see tests/js/parse_ics.mjs)."""
    path = tmp_path / "calendar.ics"
    path.write_bytes(data)
    assert NODE is not None
    done = subprocess.run([NODE, str(REPO / "tests/js/parse_ics.mjs"), str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("calendar") / "site", EVENTS)


@pytest.fixture(scope="module")
def built(fixture_project: Path) -> dict[str, bytes]:
    return outputs_of(fixture_project)


@pytest.fixture(scope="module")
def real_calendars() -> dict[str, bytes]:
    return calendars(outputs_of(REPO))


# --- which files ---------------------------------------------------------------------------------


def test_calendar_files_for_events_tags_and_deadlines(built: dict[str, bytes]) -> None:
    found = set(calendars(built))
    slugs = ["dst-workshop", "cancelled-meeting", "tentative-mission", "two-day-forum", "online-webinar"]
    assert found == {
        "/events/calendar.ics",
        "/calls/deadlines.ics",
        "/tags/matchmaking/calendar.ics",
        "/tags/forum/calendar.ics",
        *(f"/events/country/{cc}/calendar.ics" for cc in ("at", "be", "cn", "hr")),
        "/events/online/calendar.ics",
        "/events/in-person/calendar.ics",
        *(f"/events/{slug}/event.ics" for slug in slugs),
    }
    # a tag without events (fairs, cosme) has no calendar
    assert "/tags/fairs/calendar.ics" not in found
    assert set(vevents(built["/events/calendar.ics"])) == {f"{slug}@{HOST}" for slug in slugs}
    assert set(vevents(built["/tags/matchmaking/calendar.ics"])) == {f"{s}@{HOST}" for s in ("dst-workshop", "cancelled-meeting", "two-day-forum")}


def test_calendar_event_file_holds_the_same_vevent_as_the_calendar(built: dict[str, bytes]) -> None:
    whole = vevents(built["/events/calendar.ics"])
    single = vevents(built["/events/two-day-forum/event.ics"])
    assert list(single) == [f"two-day-forum@{HOST}"]
    assert single[f"two-day-forum@{HOST}"].to_ical() == whole[f"two-day-forum@{HOST}"].to_ical()


# --- RFC 5545 form -------------------------------------------------------------------------------


def test_calendar_lines_end_in_crlf_and_fold_at_75_octets(built: dict[str, bytes], real_calendars: dict[str, bytes]) -> None:
    for url, data in {**calendars(built), **real_calendars}.items():
        assert data.endswith(b"\r\n"), url
        assert b"\n" not in data.replace(b"\r\n", b""), f"{url} has a bare line feed"
        lines = data.split(b"\r\n")[:-1]
        assert all(len(line) <= 75 for line in lines), f"{url} has a line longer than 75 octets"
    folded = [line for data in real_calendars.values() for line in data.split(b"\r\n") if line.startswith(b" ")]
    assert folded, "the real calendars have long descriptions; some lines must be folded"


def test_calendar_folding_keeps_multibyte_characters_whole(tmp_path: Path) -> None:
    title = "Ξ" * 60 + " matchmaking – “Ελλάδα” " + "é" * 40
    project = write_site(tmp_path / "site", {"content/events/long-title.md": f'---\ntitle: "{title}"\nstart: 2019-05-02\n---\nText.\n'})
    data = outputs_of(project)["/events/long-title/event.ics"]
    data.decode("utf-8")  # a character cut in two would not decode
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert str(vevents(data)[f"long-title@{HOST}"]["summary"]) == title


def test_calendar_has_name_refresh_interval_and_source(built: dict[str, bytes]) -> None:
    cal = icalendar.Calendar.from_ical(built["/events/calendar.ics"])
    assert str(cal["x-wr-calname"]) == "TCP events"
    assert str(cal["name"]) == "TCP events"
    assert cal.decoded("refresh-interval") == dt.timedelta(hours=12)
    assert str(cal["x-published-ttl"]) == "PT12H"
    assert str(cal["source"]) == "https://test.example.org/events/calendar.ics"
    assert str(cal["version"]) == "2.0" and str(cal["method"]) == "PUBLISH"


def test_calendar_uid_is_slug_at_host_and_deadlines_never_clash(built: dict[str, bytes]) -> None:
    assert f"dst-workshop@{HOST}" in vevents(built["/events/dst-workshop/event.ics"])
    deadlines = list(vevents(built["/calls/deadlines.ics"]))
    assert deadlines == [f"deadline-{n}.three-stage-call@{HOST}" for n in (1, 2, 3)]


# --- the cases ------------------------------------------------------------------------------------


def test_calendar_timed_event_across_dst_change_has_tzid_and_vtimezone(built: dict[str, bytes]) -> None:
    data = built["/events/dst-workshop/event.ics"]
    text = data.decode()
    assert "DTSTART;TZID=Europe/Brussels:20190331T093000\r\n" in text
    assert "DTEND;TZID=Europe/Brussels:20190331T120000\r\n" in text
    cal = icalendar.Calendar.from_ical(data)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert cal.get_missing_tzids() == set()
    event = vevents(data)[f"dst-workshop@{HOST}"]
    assert event.decoded("dtstart").astimezone(UTC) == dt.datetime(2019, 3, 31, 7, 30, tzinfo=UTC)
    assert event.decoded("dtend").astimezone(UTC) == dt.datetime(2019, 3, 31, 10, 0, tzinfo=UTC)


@needs_node
def test_calendar_dst_event_is_0730_utc_in_ical_js(built: dict[str, bytes], tmp_path: Path) -> None:
    parsed = ical_js(built["/events/dst-workshop/event.ics"], tmp_path)
    assert parsed["timezones"] == ["Europe/Brussels"]
    (event,) = parsed["events"]
    assert event["start"] == {"date": False, "local": "2019-03-31T09:30:00", "tzid": "Europe/Brussels", "utc": "2019-03-31T07:30:00Z"}
    assert event["end"]["utc"] == "2019-03-31T10:00:00Z"
    # the webinar, in summer time, and the 2nd cut-off at 17:00 are both two hours ahead of UTC
    (webinar,) = ical_js(built["/events/online-webinar/event.ics"], tmp_path)["events"]
    assert webinar["start"]["utc"] == "2019-06-20T12:00:00Z"
    cut_offs = ical_js(built["/calls/deadlines.ics"], tmp_path)["events"]
    assert cut_offs[1]["start"]["utc"] == "2019-06-04T15:00:00Z"


def test_calendar_all_day_multi_day_event_ends_the_day_after(built: dict[str, bytes]) -> None:
    text = built["/events/two-day-forum/event.ics"].decode()
    assert "DTSTART;VALUE=DATE:20190425\r\n" in text
    assert "DTEND;VALUE=DATE:20190427\r\n" in text
    assert "BEGIN:VTIMEZONE" not in text  # nothing in it needs one
    one_day = built["/events/cancelled-meeting/event.ics"].decode()
    assert "DTSTART;VALUE=DATE:20191010\r\n" in one_day and "DTEND;VALUE=DATE:20191011\r\n" in one_day


def test_calendar_cancelled_and_tentative_status(built: dict[str, bytes]) -> None:
    events = vevents(built["/events/calendar.ics"])
    cancelled = events[f"cancelled-meeting@{HOST}"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["summary"]).startswith("Cancelled: ")
    tentative = events[f"tentative-mission@{HOST}"]
    assert str(tentative["status"]) == "TENTATIVE"
    assert "mid-November 2019" in str(tentative["description"])
    assert str(events[f"two-day-forum@{HOST}"]["status"]) == "CONFIRMED"


def test_calendar_online_event_has_location_url_and_plain_description(built: dict[str, bytes]) -> None:
    event = vevents(built["/events/online-webinar/event.ics"])[f"online-webinar@{HOST}"]
    assert str(event["location"]) == "Online"
    assert str(event["url"]) == "https://test.example.org/events/online-webinar/"
    description = str(event["description"])
    assert "https://webinar.example.org/join" in description
    assert "A webinar on digitalisation." in description
    place = vevents(built["/events/dst-workshop/event.ics"])[f"dst-workshop@{HOST}"]
    assert str(place["location"]) == "Square Meeting Centre, Brussels, BE"
    assert "**" not in str(place["description"]) and "<" not in str(place["description"])  # plain text, not Markdown or HTML
    assert "Sunday" in str(place["description"])


def test_calendar_call_with_three_cut_offs(built: dict[str, bytes]) -> None:
    cut_offs = list(vevents(built["/calls/deadlines.ics"]).values())
    assert [str(c["summary"]) for c in cut_offs] == [f"Deadline: Cluster internationalisation call ({n} cut-off)" for n in ("1st", "2nd", "3rd")]
    assert cut_offs[0].decoded("dtstart") == dt.date(2019, 3, 1)
    assert cut_offs[0].decoded("dtend") == dt.date(2019, 3, 2)
    assert cut_offs[1].decoded("dtstart") == dt.datetime(2019, 6, 4, 17, 0, tzinfo=cut_offs[1].decoded("dtstart").tzinfo)
    assert "dtend" not in cut_offs[1]  # a moment, not a span
    assert cut_offs[2].decoded("dtstart") == dt.date(2019, 10, 1)
    assert all(str(c["url"]) == "https://test.example.org/calls/three-stage-call/" for c in cut_offs)


def test_calendar_every_tzid_has_its_vtimezone(built: dict[str, bytes], real_calendars: dict[str, bytes]) -> None:
    for url, data in {**calendars(built), **real_calendars}.items():
        cal = icalendar.Calendar.from_ical(data)
        assert cal.get_missing_tzids() == set(), url
        used = cal.get_used_tzids()
        assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} == used, url


# --- two parsers agree ----------------------------------------------------------------------------


def expand_series(event: icalendar.cal.component.Component) -> list[tuple[dt.date | dt.datetime, dt.date | dt.datetime]]:
    """A series' occurrences as icalendar reads it: its RRULE expanded by dateutil's rrule (which icalendar builds on), less its EXDATEs."""
    start = event.decoded("dtstart")
    length = event.decoded("dtend") - start if "dtend" in event else dt.timedelta(0)
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time()))
    exdates = event.get("exdate", [])
    skipped = {d.dt for group in (exdates if isinstance(exdates, list) else [exdates]) for d in group.dts}
    found = []
    for value in rule:
        first = value if isinstance(start, dt.datetime) else value.date()
        if first not in skipped:
            found.append((first, first + length))
    return found


def _categories(event: icalendar.cal.component.Component) -> list[str]:
    value = event.get("categories")
    return [str(c) for c in value.cats] if value is not None else []


def _icalendar_view(data: bytes) -> list[dict[str, Any]]:
    """What icalendar reads, in the terms tests/js/parse_ics.mjs prints."""

    def when(value: dt.date | dt.datetime | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            return {"date": True, "local": value.isoformat(), "tzid": None, "utc": None}
        return {
            "date": False,
            "local": value.replace(tzinfo=None).isoformat(),
            "tzid": str(value.tzinfo),
            "utc": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    events = []
    for e in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        events.append(
            {
                "occurrences": [{"start": when(start), "end": when(end)} for start, end in expand_series(e)] if "rrule" in e else None,
                "uid": str(e["uid"]),
                "summary": str(e["summary"]),
                "status": str(e["status"]),
                "location": str(e["location"]) if "location" in e else None,
                "url": str(e["url"]),
                "description": str(e["description"]),
                "sequence": e.decoded("sequence"),
                "categories": _categories(e),
                "start": when(e.decoded("dtstart")),
                "end": when(e.decoded("dtend")) if "dtend" in e else None,
                "dtstamp": when(e.decoded("dtstamp")),
                "lastModified": when(e.decoded("last-modified")),
            }
        )
    return events


@needs_node
def test_calendar_icalendar_and_ical_js_agree(built: dict[str, bytes], real_calendars: dict[str, bytes], tmp_path: Path) -> None:
    checked = 0
    for url, data in {**calendars(built), **real_calendars}.items():
        if url.startswith("/tags/"):
            continue  # the same VEVENTs as calendar.ics; keeps the test quick
        mine = _icalendar_view(data)
        theirs = ical_js(data, tmp_path)["events"]
        assert theirs == mine, url
        checked += len(mine)
    assert checked > 30


def test_calendar_real_content_has_every_event(real_calendars: dict[str, bytes]) -> None:
    slugs = sorted(p.stem for p in (REPO / "content/events").glob("*.md"))
    events = vevents(real_calendars["/events/calendar.ics"])
    assert sorted(uid.split("@")[0] for uid in events) == slugs
    assert all(uid.endswith("@www.clustercollaboration.eu") for uid in events)
    assert all(f"/events/{slug}/event.ics" in real_calendars for slug in slugs)
    deadlines = vevents(real_calendars["/calls/deadlines.ics"])
    assert len(deadlines) >= len(list((REPO / "content/calls").glob("*.md")))


# --- not the clock, and git ------------------------------------------------------------------------


def test_calendar_two_builds_are_identical(fixture_project: Path, built: dict[str, bytes]) -> None:
    again = outputs_of(fixture_project)
    assert calendars(again) == calendars(built)


def test_calendar_dtstamp_comes_from_the_item_not_the_clock(built: dict[str, bytes], fixture_project: Path) -> None:
    event = vevents(built["/events/two-day-forum/event.ics"])[f"two-day-forum@{HOST}"]
    # no git history here: the item's date (its start), SEQUENCE 0
    assert event.decoded("dtstamp") == dt.datetime(2019, 4, 24, 22, 0, tzinfo=UTC)
    assert event.decoded("last-modified") == dt.datetime(2019, 4, 24, 22, 0, tzinfo=UTC)
    assert event.decoded("sequence") == 0
    later = calendars(outputs_of(fixture_project, now="2024-01-01"))
    assert later["/events/two-day-forum/event.ics"] == built["/events/two-day-forum/event.ics"]


def _git(project: Path, *args: str, when: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c", "commit.gpgsign=false", *args]
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@needs_git
def test_history_counts_commits_and_follows_renames(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    write_files(project, {"content/events/a.md": "one\n", "content/events/b.md": "other\n"})
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "add", when="2019-01-10T12:00:00+01:00")
    (project / "content/events/a.md").write_text("two\n")
    _git(project, "commit", "-q", "-am", "edit", when="2019-02-01T09:00:00+01:00")
    _git(project, "mv", "content/events/a.md", "content/events/c.md")
    _git(project, "commit", "-q", "-m", "rename", when="2019-03-01T09:00:00+01:00")
    (project / "content/events/b.md").write_text("uncommitted\n")
    history = read_history(project, ["content/events/c.md", "content/events/b.md", "content/events/missing.md"])
    assert history == {
        "content/events/c.md": Revision(2, dt.datetime(2019, 1, 10, 11, tzinfo=UTC), dt.datetime(2019, 3, 1, 8, tzinfo=UTC), ("content/events/a.md",)),
        "content/events/b.md": Revision(0, dt.datetime(2019, 1, 10, 11, tzinfo=UTC), dt.datetime(2019, 1, 10, 11, tzinfo=UTC)),
    }
    assert read_history(tmp_path / "not-a-repo", ["content/events/c.md"]) == {}


@needs_git
def test_calendar_editing_one_event_changes_only_its_entries_and_bumps_its_sequence(tmp_path: Path) -> None:
    project = write_site(tmp_path / "site", EVENTS)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "Add the events", when="2019-01-10T12:00:00+01:00")
    before = calendars(outputs_of(project))
    path = project / "content/events/two-day-forum.md"
    path.write_text(path.read_text().replace("end: 2019-04-26", "end: 2019-04-27"))
    _git(project, "commit", "-q", "-am", "The forum lasts three days", when="2019-02-01T09:00:00+01:00")
    after = calendars(outputs_of(project))

    assert set(before) == set(after)
    uid = f"two-day-forum@{HOST}"
    changed = {url for url in before if before[url] != after[url]}
    assert changed == {
        "/events/calendar.ics",
        "/events/two-day-forum/event.ics",
        "/tags/matchmaking/calendar.ics",
        "/tags/forum/calendar.ics",
        "/events/country/hr/calendar.ics",
        "/events/in-person/calendar.ics",
    }
    for url in changed:
        old, new = vevents(before[url]), vevents(after[url])
        assert {u: e.to_ical() for u, e in old.items() if u != uid} == {u: e.to_ical() for u, e in new.items() if u != uid}, url
        assert old[uid].decoded("sequence") == 0 and new[uid].decoded("sequence") == 1
        assert new[uid].decoded("dtend") == dt.date(2019, 4, 28)
        assert new[uid].decoded("last-modified") == dt.datetime(2019, 2, 1, 8, tzinfo=UTC)
        assert new[uid].decoded("dtstamp") == dt.datetime(2019, 2, 1, 8, tzinfo=UTC)
        # the calendar around the events (name, VTIMEZONE, ...) is unchanged
        strip = re.compile(rb"BEGIN:VEVENT.*?END:VEVENT\r\n", re.S)
        assert strip.sub(b"", before[url]) == strip.sub(b"", after[url])


# --- links to calendars ----------------------------------------------------------------------------


def _site(project: Path) -> Site:
    return build_outputs(project, BuildOptions(now=NOW, pdf=False)).site


def test_calendar_google_link_has_utc_times_and_exclusive_all_day_end(fixture_project: Path) -> None:
    site = _site(fixture_project)
    events = {e.slug: e for e in (*site.upcoming_events, *site.past_events)}
    query = parse_qs(urlsplit(calendar.google_calendar_url(site, events["dst-workshop"])).query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20190331T073000Z/20190331T100000Z"]
    assert query["text"] == ["Workshop on the day the clocks change"]
    assert query["location"] == ["Square Meeting Centre, Brussels, BE"]
    assert "https://test.example.org/events/dst-workshop/" in query["details"][0]
    forum = parse_qs(urlsplit(calendar.google_calendar_url(site, events["two-day-forum"])).query)
    assert forum["dates"] == ["20190425/20190427"]


def test_calendar_webcal_url_keeps_host_and_path() -> None:
    assert calendar.webcal_url("https://www.example.org/events/calendar.ics") == "webcal://www.example.org/events/calendar.ics"


# Folding long content lines (calendar_format.fold)


def _odd_backslashes_at_end(part: bytes) -> bool:
    return (len(part) - len(part.rstrip(b"\\"))) % 2 == 1


@given(st.text(alphabet=st.sampled_from("ab \\,;né€😀"), max_size=400))
def test_fold_keeps_lines_short_and_characters_and_escapes_whole(text: str) -> None:
    line = "DESCRIPTION:" + text
    parts = calendar_format.fold(line).split(b"\r\n ")
    assert all(len(part) <= calendar_format.FOLD_AT - (0 if i == 0 else 1) for i, part in enumerate(parts))
    assert "".join(part.decode("utf-8") for part in parts) == line  # each part decodes alone: no character is cut
    assert not any(_odd_backslashes_at_end(part) for part in parts[:-1])


def test_fold_output_reads_back_with_icalendar() -> None:
    event = icalendar.Event()
    event.add("summary", "Ünïcödé " * 30)
    event.add("description", "Line one,\nline two; a backslash \\ " * 20)
    parsed = icalendar.Event.from_ical(calendar_format.to_ical(event))
    assert str(parsed["summary"]) == "Ünïcödé " * 30
    assert str(parsed["description"]) == "Line one,\nline two; a backslash \\ " * 20
    assert calendar_format.to_ical(event).replace(b"\r\n ", b"") == event.to_ical().replace(b"\r\n ", b"")
