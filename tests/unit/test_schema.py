"""schema.py: typed items from front matter, and every validation error with its line."""

from __future__ import annotations

import datetime as dt

import pytest

from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Call, Deadline, Edition, Event, Interview, Item, Location, News, Page, parse_edition
from eccpsite.core.located import Located
from eccpsite.core.schema import parse_item, slug_for
from eccpsite.core.source import Document, load_yaml, split_front_matter


def _parse(kind: str, path: str, front: str, body: str = "Body.\n") -> Item | list[ContentError]:
    doc = split_front_matter(path, f"---\n{front}---\n{body}")
    assert isinstance(doc, Document), doc
    return parse_item(kind, doc)


def _item(kind: str, path: str, front: str) -> Item:
    item = _parse(kind, path, front)
    assert isinstance(item, Item), item
    return item


def _errors(kind: str, path: str, front: str) -> list[str]:
    result = _parse(kind, path, front)
    assert isinstance(result, list), result
    return [str(e) for e in result]


def test_parse_item_reads_a_news_item() -> None:
    item = _item(
        "news",
        "content/news/2019-05-14-hello.md",
        "title: Hello\ndate: 2019-05-14\ntags: [eccp, canada]\nlinks:\n  - {title: The call, url: 'https://ec.europa.eu'}\n",
    )
    assert isinstance(item, News)
    assert (item.slug, item.ref, item.date, item.tags) == ("hello", "news/hello", dt.date(2019, 5, 14), ("eccp", "canada"))
    assert item.links[0].url == "https://ec.europa.eu"
    assert item.body == "Body.\n"
    assert item.body_line == 8


def test_parse_item_reads_an_event_with_its_location() -> None:
    item = _item("events", "content/events/toronto.md", "title: Toronto\nstart: 2019-06-05\nend: 2019-06-07\nlocation: {city: Toronto, country: CA}\n")
    assert isinstance(item, Event)
    assert (item.start, item.end, item.location) == (dt.date(2019, 6, 5), dt.date(2019, 6, 7), Location(city="Toronto", country="CA"))
    assert item.status == "scheduled"


def test_parse_item_reads_a_call_with_deadlines() -> None:
    item = _item(
        "calls", "content/calls/cgi.md", "title: CGI\nopens: 2019-07-01\ndeadlines:\n  - {date: 2019-10-30, label: 1st stage}\n  - {date: 2019-12-01}\n"
    )
    assert isinstance(item, Call)
    assert item.deadlines == (Deadline(dt.date(2019, 10, 30), "1st stage"), Deadline(dt.date(2019, 12, 1)))


def test_parse_item_reads_an_interview_and_a_page() -> None:
    interview = _item("interviews", "content/interviews/x.md", "title: X\ndate: 2019-01-01\nperson: {name: Ana, country: RO}\n")
    assert isinstance(interview, Interview) and interview.person.name == "Ana"
    page = _item("pages", "content/pages/about.md", "title: About\nmenu: 2\n")
    assert isinstance(page, Page) and (page.slug, page.menu) == ("about", 2)


def test_parse_item_takes_the_slug_field_over_the_file_name() -> None:
    assert _item("news", "content/news/2019-01-01-long-name.md", "title: X\ndate: 2019-01-01\nslug: short\n").slug == "short"


def test_parse_item_keeps_extra_fields() -> None:
    item = _item("news", "content/news/x.md", "title: X\ndate: 2019-01-01\nextra: {anything: 1}\n")
    assert item.extra == {"anything": 1}


def test_parse_item_reports_a_missing_required_field() -> None:
    assert _errors("news", "content/news/x.md", "title: X\n") == ["content/news/x.md:2: date: is required in a news item"]


def test_parse_item_reports_an_unknown_key_with_a_hint() -> None:
    [error] = _errors("news", "content/news/x.md", "title: X\ndate: 2019-01-01\nsumary: typo\n")
    assert error.startswith("content/news/x.md:4: sumary: unknown field (did you mean 'summary'?); expected one of: title, ")


def test_parse_item_reports_an_event_ending_before_it_starts() -> None:
    assert _errors("events", "content/events/x.md", "title: X\nstart: 2019-05-14\nend: 2019-05-13\n") == [
        "content/events/x.md:4: end: 'end' (2019-05-13) is before 'start' (2019-05-14); expected the same day or later"
    ]


def test_parse_item_accepts_an_event_of_one_day() -> None:
    assert isinstance(_item("events", "content/events/x.md", "title: X\nstart: 2019-05-14\nend: 2019-05-14\n"), Event)


def test_parse_item_refuses_a_date_and_a_datetime_mixed() -> None:
    [error] = _errors("events", "content/events/x.md", "title: X\nstart: 2019-05-14T09:00\nend: 2019-05-15\n")
    assert "must both be dates or both be dates with a time" in error


def test_parse_item_reports_a_bad_country_in_a_nested_mapping() -> None:
    assert _errors("events", "content/events/x.md", "title: X\nstart: 2019-05-14\nlocation:\n  city: London\n  country: UK\n") == [
        "content/events/x.md:6: location.country: 'UK' is not a country code; expected a two-letter ISO 3166-1 code (for this country use GB)"
    ]


def test_parse_item_refuses_a_slug_that_climbs_out() -> None:
    [error] = _errors("news", "content/news/x.md", 'title: X\ndate: 2019-01-01\nslug: "../../etc"\n')
    assert error.startswith("content/news/x.md:4: slug: '../../etc' is not a valid slug")


def test_parse_item_refuses_a_file_name_that_is_not_a_slug() -> None:
    [error] = _errors("news", "content/news/Big News.md", "title: X\ndate: 2019-01-01\n")
    assert "the file name gives 'Big News' is not a valid slug" in error
    assert error.endswith("rename the file to big-news.md or add 'slug: big-news'")


def test_parse_item_country_written_by_its_name_gets_its_code() -> None:
    [error] = _errors("events", "content/events/x.md", "title: X\nstart: 2019-05-14\nlocation: {city: Berlin, country: Germany}\n")
    assert error.endswith("'Germany' is not a country code; expected a two-letter ISO 3166-1 code (did you mean DE?)")


def test_parse_item_requires_alt_text_for_images() -> None:
    [error] = _errors("news", "content/news/x.md", "title: X\ndate: 2019-01-01\nimage: media/x.jpg\n")
    assert error == "content/news/x.md:4: image: an image needs 'image_alt': a short text saying what the image shows"


@pytest.mark.parametrize("path", ["../../secret.jpg", "/etc/passwd", "media/../../x.jpg", "C:/x.jpg"])
def test_parse_item_refuses_image_paths_outside_the_project(path: str) -> None:
    [error] = _errors("news", "content/news/x.md", f"title: X\ndate: 2019-01-01\nimage: '{path}'\nimage_alt: A picture\n")
    assert "must be a path inside the project" in error


def test_parse_item_reads_an_image_path_from_the_files_folder() -> None:
    meta = "title: X\ndate: 2019-01-01\nimage: ../media/x.jpg\nimage_alt: A picture\n"
    item = _parse("news", "content/news/x.md", meta)
    assert not isinstance(item, list) and item.image == "media/x.jpg"  # as written before: from content/


def test_parse_item_refuses_a_date_note_without_tentative() -> None:
    [error] = _errors("events", "content/events/x.md", "title: X\nstart: 2020-07-01\ndate_note: 2nd semester 2020\n")
    assert "add 'tentative: true'" in error


def test_parse_item_refuses_deadlines_out_of_order_and_opening_after_them() -> None:
    errors = _errors("calls", "content/calls/x.md", "title: X\nopens: 2019-12-01\ndeadlines:\n  - {date: 2019-11-01}\n  - {date: 2019-10-01}\n")
    assert any("list the deadlines in the order they fall" in e for e in errors)
    assert any("the call opens (2019-12-01) after its first deadline (2019-11-01)" in e for e in errors)


def test_parse_item_refuses_a_call_without_deadlines() -> None:
    [error] = _errors("calls", "content/calls/x.md", "title: X\ndeadlines: []\n")
    assert "deadlines: expected at least 1" in error


def test_parse_item_reports_every_error_of_a_file() -> None:
    errors = _errors("events", "content/events/x.md", "start: 2019-02-30\nonline: maybe\nstatuss: cancelled\n")
    assert [e.split(": ", 2)[:2] for e in errors] == [
        ["content/events/x.md:2", "start"],
        ["content/events/x.md:3", "online"],
        ["content/events/x.md:4", "statuss"],
        ["content/events/x.md:2", "title"],
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [("content/news/2019-05-14-eu-canada.md", "eu-canada"), ("content/events/eu-canada.md", "eu-canada"), ("2019-05-14.md", "2019-05-14")],
)
def test_slug_for_strips_the_extension_and_a_date_prefix(name: str, slug: str) -> None:
    assert slug_for(name) == slug


def _edition(path: str, text: str) -> Edition | list[ContentError]:
    meta = load_yaml(path, text)
    assert isinstance(meta, Located), meta
    return parse_edition(path, meta)


def test_parse_edition_reads_sections_with_item_lines() -> None:
    edition = _edition(
        "content/newsletter/2019-09.yaml",
        "number: 9\ndate: 2019-09-16\ntitle: September\nsections:\n  - title: News\n    items:\n      - news/a\n      - events/b\n",
    )
    assert isinstance(edition, Edition)
    assert edition.id == "2019-09"
    assert edition.sections[0].items == ("news/a", "events/b")
    assert edition.sections[0].item_lines == (7, 8)


def test_parse_edition_reports_bad_sections() -> None:
    result = _edition("content/newsletter/x.yaml", "number: 1\ndate: 2019-09-16\ntitle: X\nsections:\n  - title: News\n    items: news/a\n")
    assert isinstance(result, list)
    assert [str(e) for e in result] == ["content/newsletter/x.yaml:6: sections.items: expected a list of references such as news/eu-canada-matchmaking"]


def test_parse_edition_refuses_an_id_that_is_not_a_slug() -> None:
    result = _edition("content/newsletter/Sept 2019.yaml", "number: 1\ndate: 2019-09-16\ntitle: X\nsections:\n  - {title: News, items: [news/a]}\n")
    assert isinstance(result, list)
    assert "the edition id 'Sept 2019' (its file name) must be lowercase" in str(result[0])


def test_parse_item_reads_norway_as_a_country_not_as_false() -> None:
    item = _item("interviews", "content/interviews/x.md", "title: X\ndate: 2019-01-01\nperson: {name: Christian Rangen, country: NO}\n")
    assert isinstance(item, Interview) and item.person.country == "NO"


def test_parse_item_refuses_yes_as_a_boolean() -> None:
    [error] = _errors("news", "content/news/x.md", "title: X\ndate: 2019-01-01\ndraft: yes\n")
    assert error == "content/news/x.md:4: draft: expected true or false, found 'yes'"


@pytest.mark.parametrize(
    ("written", "day", "moment"),
    [
        ("2018-01-01T13:31:00+09:00", dt.date(2018, 1, 1), "2018-01-01T05:31:00+01:00"),  # Hugo: 13:31 in Tokyo is 05:31 in Brussels
        ("2019-05-14 23:30:00 -05:00", dt.date(2019, 5, 15), "2019-05-15T06:30:00+02:00"),  # Jekyll: the next day in Brussels
        ("2019-05-14 10:00", dt.date(2019, 5, 14), "2019-05-14T10:00:00+02:00"),  # no offset: the site's time zone
        ("2019-05-14", dt.date(2019, 5, 14), None),
    ],
)
def test_parse_item_takes_a_date_with_a_time_as_its_day_in_the_site_zone(written: str, day: dt.date, moment: str | None) -> None:
    item = _item("news", "content/news/x.md", f"title: X\ndate: {written}\n")
    assert isinstance(item, News)
    assert item.date == day
    assert (item.date_time.isoformat() if item.date_time else None) == moment


def test_parse_item_date_written_another_way_gets_the_fix() -> None:
    assert _errors("news", "content/news/x.md", "title: X\ndate: 14/05/2019\n") == [
        "content/news/x.md:3: date: expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, found '14/05/2019'; write 2019-05-14"
    ]
    assert _errors("news", "content/news/x.md", "title: X\ndate: 05/06/2019\n")[0].endswith("; write 2019-06-05 if you mean 5 June 2019")
    assert _errors("news", "content/news/x.md", "title: X\ndate: 14 May 2019\n")[0].endswith("; write 2019-05-14")
