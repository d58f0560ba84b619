"""model.py: visibility, call statuses, upcoming and past events, pagination, tags and editions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Call, Deadline, Edition, Event, Item, News, Page, SectionRef
from eccpsite.core.listings import paginate
from eccpsite.core.model import Site, build_model
from eccpsite.core.status import call_status, event_is_upcoming

TZ = ZoneInfo("Europe/Brussels")
CONFIG = SiteConfig(title="Test", base_url="https://test.example.org", closing_soon_days=14, per_page=2)
NOW = dt.datetime(2019, 9, 16, 12, 0, tzinfo=TZ)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A moment in Brussels."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def news(slug: str, day: dt.date = dt.date(2019, 5, 14), **fields: Any) -> News:
    return News(kind="news", slug=slug, path=f"content/news/{slug}.md", title=slug.title(), date=day, **fields)


def event(slug: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime | None = None, **fields: Any) -> Event:
    return Event(kind="events", slug=slug, path=f"content/events/{slug}.md", title=slug.title(), start=start, end=end, **fields)


def call(slug: str, *deadlines: dt.date | dt.datetime, opens: dt.date | dt.datetime | None = None) -> Call:
    return Call(kind="calls", slug=slug, path=f"content/calls/{slug}.md", title=slug.title(), deadlines=tuple(Deadline(d) for d in deadlines), opens=opens)


def edition(edition_id: str, *refs: str, day: dt.date = dt.date(2019, 9, 16), **fields: Any) -> Edition:
    section = SectionRef("News", tuple(refs), 5, tuple(range(7, 7 + len(refs))))
    return Edition(id=edition_id, path=f"content/newsletter/{edition_id}.yaml", number=1, date=day, title=edition_id, sections=(section,), **fields)


def site(items: list[Item], editions: list[Edition] | None = None, now: dt.datetime = NOW, drafts: bool = False) -> Site:
    result = build_model(CONFIG, items, editions or [], now, drafts=drafts)
    assert isinstance(result, Site), result
    return result


def errors(items: list[Item], editions: list[Edition] | None = None) -> list[str]:
    result = build_model(CONFIG, items, editions or [], NOW)
    assert isinstance(result, list), result
    assert all(isinstance(e, ContentError) for e in result)
    return [str(e) for e in result]


# Call statuses: a deadline date lasts until the end of that day in the site's time zone.


def status(c: Call, now: dt.datetime) -> str:
    return call_status(c, now, CONFIG).key


def test_call_status_is_forthcoming_until_it_opens() -> None:
    c = call("c", dt.date(2019, 12, 31), opens=dt.date(2019, 10, 1))
    assert status(c, at(2019, 9, 30, 23, 59, 59)) == "forthcoming"
    assert status(c, at(2019, 10, 1, 0, 0)) == "open"


def test_call_status_is_open_until_closing_soon_days_before_the_end_of_the_last_deadline() -> None:
    c = call("c", dt.date(2019, 10, 30))  # its deadline passes at 31 October 00:00
    assert status(c, at(2019, 10, 16, 23, 59, 59)) == "open"
    assert status(c, at(2019, 10, 17, 0, 0)) == "closing-soon"


def test_call_status_is_closing_soon_through_the_deadline_day() -> None:
    c = call("c", dt.date(2019, 10, 30))
    assert status(c, at(2019, 10, 30, 23, 59, 59)) == "closing-soon"
    assert status(c, at(2019, 10, 31, 0, 0)) == "closed"


def test_call_status_with_a_deadline_time_closes_at_that_time() -> None:
    c = call("c", dt.datetime(2019, 10, 30, 17, 0))
    assert status(c, at(2019, 10, 30, 16, 59)) == "closing-soon"
    assert status(c, at(2019, 10, 30, 17, 0)) == "closed"


def test_call_status_honours_an_offset_in_the_deadline() -> None:
    c = call("c", dt.datetime(2019, 9, 30, 17, 0, tzinfo=dt.UTC))  # 19:00 in Brussels (summer time)
    assert status(c, at(2019, 9, 30, 18, 59)) == "closing-soon"
    assert status(c, at(2019, 9, 30, 19, 0)) == "closed"


def test_call_status_names_the_next_deadline_still_ahead() -> None:
    c = call("c", dt.date(2019, 9, 1), dt.date(2019, 11, 20), dt.date(2020, 3, 1))
    result = call_status(c, NOW, CONFIG)
    assert result.key == "open"
    assert result.next_deadline == Deadline(dt.date(2019, 11, 20))
    assert result.next_moment == at(2019, 11, 21, 0, 0)
    assert result.words == "Open"


def test_call_status_of_a_closed_call_has_no_next_deadline() -> None:
    result = call_status(call("c", dt.date(2019, 9, 1)), NOW, CONFIG)
    assert (result.key, result.words, result.next_deadline) == ("closed", "Closed", None)


def test_call_status_words() -> None:
    assert call_status(call("c", dt.date(2019, 9, 20)), NOW, CONFIG).words == "Closing soon"
    assert call_status(call("c", dt.date(2019, 12, 1), opens=dt.date(2019, 10, 1)), NOW, CONFIG).words == "Forthcoming"


def test_build_model_lists_calls_still_open_by_next_deadline_and_closed_ones_newest_first() -> None:
    calls: list[Item] = [
        call("late", dt.date(2019, 12, 1)),
        call("soon", dt.date(2019, 9, 20)),
        call("ahead", dt.date(2019, 12, 1), opens=dt.date(2019, 10, 1)),
        call("old", dt.date(2019, 1, 1)),
        call("older", dt.date(2018, 1, 1)),
    ]
    s = site(calls)
    assert [c.slug for c in s.open_calls] == ["soon", "ahead", "late"]
    assert [c.slug for c in s.closed_calls] == ["old", "older"]
    assert s.call_status["ahead"].key == "forthcoming"


# Events are upcoming until the end of their last day.


def test_event_is_upcoming_through_its_last_day() -> None:
    e = event("e", dt.date(2019, 9, 14), dt.date(2019, 9, 16))
    assert event_is_upcoming(e, at(2019, 9, 16, 23, 59, 59), CONFIG)
    assert not event_is_upcoming(e, at(2019, 9, 17, 0, 0), CONFIG)


def test_event_of_one_day_is_upcoming_on_that_day() -> None:
    e = event("e", dt.date(2019, 9, 16))
    assert event_is_upcoming(e, at(2019, 9, 16, 23, 0), CONFIG)
    assert not event_is_upcoming(e, at(2019, 9, 17, 0, 0), CONFIG)


def test_event_with_an_end_time_is_past_after_that_time() -> None:
    e = event("e", dt.datetime(2019, 9, 16, 9, 0), dt.datetime(2019, 9, 16, 17, 0))
    assert event_is_upcoming(e, at(2019, 9, 16, 16, 59), CONFIG)
    assert not event_is_upcoming(e, at(2019, 9, 16, 17, 0), CONFIG)


def test_build_model_sorts_upcoming_soonest_first_and_past_latest_first() -> None:
    events: list[Item] = [
        event("later", dt.date(2019, 12, 1)),
        event("running", dt.date(2019, 9, 10), dt.date(2019, 9, 20)),
        event("sooner", dt.date(2019, 10, 1)),
        event("last-year", dt.date(2018, 10, 1)),
        event("last-week", dt.date(2019, 9, 9)),
    ]
    s = site(events)
    assert [e.slug for e in s.upcoming_events] == ["running", "sooner", "later"]
    assert [e.slug for e in s.past_events] == ["last-week", "last-year"]


# Drafts and publish_at.


def test_build_model_leaves_drafts_out_unless_asked() -> None:
    items: list[Item] = [news("kept"), news("draft", draft=True)]
    assert [i.slug for i in site(items).news] == ["kept"]
    assert sorted(i.slug for i in site(items, drafts=True).news) == ["draft", "kept"]


def test_build_model_holds_an_item_back_until_publish_at() -> None:
    items: list[Item] = [news("embargoed", publish_at=dt.datetime(2019, 9, 16, 12, 0))]
    assert site(items, now=at(2019, 9, 16, 11, 59)).news == ()
    assert [i.slug for i in site(items, now=at(2019, 9, 16, 12, 0)).news] == ["embargoed"]


def test_build_model_reads_a_publish_at_date_as_the_start_of_that_day() -> None:
    items: list[Item] = [news("embargoed", publish_at=dt.date(2019, 9, 17))]
    assert site(items, now=at(2019, 9, 16, 23, 59)).items == ()
    assert len(site(items, now=at(2019, 9, 17, 0, 0)).items) == 1


def test_build_model_does_not_hide_items_dated_in_the_future() -> None:
    assert [i.slug for i in site([news("future", dt.date(2030, 1, 1))]).news] == ["future"]


def test_build_model_leaves_hidden_items_out_of_tags() -> None:
    s = site([news("draft", tags=("eccp",), draft=True), news("kept", tags=("eccp", "canada"))])
    assert {tag: [i.slug for i in members] for tag, members in s.tags.items()} == {"canada": ["kept"], "eccp": ["kept"]}


# Collections and tags.


def test_build_model_sorts_news_newest_first() -> None:
    s = site([news("a", dt.date(2019, 1, 1)), news("c", dt.date(2019, 6, 1)), news("b", dt.date(2019, 3, 1))])
    assert [n.slug for n in s.news] == ["c", "b", "a"]


def test_build_model_groups_items_by_tag_in_sorted_order_newest_first() -> None:
    s = site(
        [
            news("old", dt.date(2018, 1, 1), tags=("policy",)),
            news("new", dt.date(2019, 1, 1), tags=("policy", "canada")),
            event("e", dt.date(2019, 10, 1), tags=("canada",)),
        ]
    )
    assert list(s.tags) == ["canada", "policy"]
    assert [i.slug for i in s.tags["policy"]] == ["new", "old"]
    assert [i.slug for i in s.tags["canada"]] == ["e", "new"]


def test_build_model_sorts_pages_by_menu_position() -> None:
    pages: list[Item] = [
        Page(kind="pages", slug="contact", path="content/pages/contact.md", title="Contact", menu=2),
        Page(kind="pages", slug="about", path="content/pages/about.md", title="About", menu=1),
        Page(kind="pages", slug="legal", path="content/pages/legal.md", title="Legal"),
    ]
    assert [p.slug for p in site(pages).pages] == ["about", "contact", "legal"]


# Cross-file errors.


def test_build_model_reports_a_duplicate_slug_naming_both_files() -> None:
    first = news("dup")
    second = News(kind="news", slug="dup", path="content/news/2019-01-01-dup.md", title="Dup", date=dt.date(2019, 1, 1), line=2)
    assert errors([first, second]) == [
        "content/news/dup.md:1: slug: the slug 'dup' is already used by content/news/2019-01-01-dup.md; give one of them another file name or 'slug:'"
    ]


def test_build_model_allows_the_same_slug_in_different_sections() -> None:
    assert len(site([news("toronto"), event("toronto", dt.date(2019, 6, 5))]).items) == 2


def test_build_model_refuses_a_page_slug_the_site_uses() -> None:
    page = Page(kind="pages", slug="news", path="content/pages/news.md", title="News")
    assert errors([page]) == ["content/pages/news.md:1: slug: 'news' is used by the site itself; choose another page name"]


def test_build_model_reports_a_dangling_edition_reference_at_its_line() -> None:
    result = errors([news("a"), news("eu-canada")], [edition("2019-09", "news/a", "news/missing", "event/a", "news/2019-06-07-eu-canada")])
    assert [line.split(": ", 2)[:2] for line in result] == [
        ["content/newsletter/2019-09.yaml:8", "sections.items"],
        ["content/newsletter/2019-09.yaml:9", "sections.items"],
        ["content/newsletter/2019-09.yaml:10", "sections.items"],
    ]
    assert "'news/missing' does not match any item; expected <folder>/<slug>" in result[0]
    assert "'event/a' does not match any item (a reference starts with news/, events/, calls/, interviews/, pages/ or clusters/)" in result[1]
    assert "'news/2019-06-07-eu-canada' does not match any item (did you mean 'news/eu-canada'?)" in result[2]


def test_build_model_resolves_editions_newest_first() -> None:
    s = site([news("a"), news("b")], [edition("old", "news/a", day=dt.date(2019, 3, 1)), edition("new", "news/b", "news/a")])
    assert [e.edition.id for e in s.editions] == ["new", "old"]
    assert [i.slug for i in s.editions[0].items] == ["b", "a"]


def test_build_model_leaves_a_draft_out_of_an_edition_with_a_warning() -> None:
    s = site([news("a"), news("b", draft=True)], [edition("2019-09", "news/a", "news/b")])
    assert [i.slug for i in s.editions[0].items] == ["a"]
    assert [str(w) for w in s.warnings] == [
        "content/newsletter/2019-09.yaml:8: warning: sections.items: 'news/b' is a draft or not yet published and is left out of this edition"
    ]


def test_build_model_leaves_out_a_draft_edition() -> None:
    assert site([news("a")], [edition("2019-09", "news/a", draft=True)]).editions == ()


# Pagination.


def test_paginate_splits_into_pages_with_their_urls() -> None:
    pages = paginate(list(range(5)), "/news/", 2)
    assert [(p.number, p.total, p.items, p.url) for p in pages] == [
        (1, 3, (0, 1), "/news/"),
        (2, 3, (2, 3), "/news/page/2/"),
        (3, 3, (4,), "/news/page/3/"),
    ]
    assert (pages[0].prev_url, pages[0].next_url) == (None, "/news/page/2/")
    assert (pages[1].prev_url, pages[1].next_url) == ("/news/", "/news/page/3/")
    assert (pages[2].prev_url, pages[2].next_url) == ("/news/page/2/", None)


@pytest.mark.parametrize(("count", "total"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 2)])
def test_paginate_makes_at_least_one_page(count: int, total: int) -> None:
    pages = paginate(list(range(count)), "/events/past/", 2)
    assert len(pages) == total
    assert sum(len(p.items) for p in pages) == count


def test_build_model_orders_news_of_one_day_by_their_time() -> None:
    tz = ZoneInfo("Europe/Brussels")
    morning = news("morning", date_time=dt.datetime(2019, 5, 14, 9, 0, tzinfo=tz))
    evening = news("evening", date_time=dt.datetime(2019, 5, 14, 18, 0, tzinfo=tz))
    plain = news("a-plain-date")
    assert [n.slug for n in site([morning, plain, evening]).news] == ["evening", "morning", "a-plain-date"]
