"""fields.py: each parser turns a YAML value into a typed value or says what was expected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from eccpsite.core import fields as f
from eccpsite.core.errors import FieldError
from eccpsite.core.located import Located
from eccpsite.core.source import load_yaml


def _located(text: str) -> Located:
    meta = load_yaml("x.yaml", text)
    assert isinstance(meta, Located), meta
    return meta


def _refusal(parse: Callable[[Any], Any], value: Any) -> str:
    with pytest.raises(FieldError) as caught:
        parse(value)
    return caught.value.message


def test_date_reads_a_real_date() -> None:
    assert f.date("2019-05-14") == dt.date(2019, 5, 14)
    assert f.date("2020-02-29") == dt.date(2020, 2, 29)


@pytest.mark.parametrize("raw", ["2019-02-30", "2019-13-01", "2019-02-29", "2019-04-31"])
def test_date_refuses_an_impossible_date(raw: str) -> None:
    assert _refusal(f.date, raw) == f"{raw} is not a real date (check the day and the month)"


@pytest.mark.parametrize("raw", ["14/05/2019", "2019-5-14", "May 2019", "2019-05-14T09:00", ""])
def test_date_refuses_other_shapes(raw: str) -> None:
    assert "expected a date written YYYY-MM-DD" in _refusal(f.date, raw)


def test_date_or_datetime_reads_both() -> None:
    assert f.date_or_datetime("2019-05-14") == dt.date(2019, 5, 14)
    assert f.date_or_datetime("2019-05-14T09:30") == dt.datetime(2019, 5, 14, 9, 30)
    assert f.date_or_datetime("2019-05-14 09:30") == dt.datetime(2019, 5, 14, 9, 30)
    with_offset = f.date_or_datetime("2019-05-14T09:30:00+02:00")
    assert isinstance(with_offset, dt.datetime) and with_offset.utcoffset() == dt.timedelta(hours=2)


def test_date_or_datetime_refuses_an_impossible_time() -> None:
    assert "is not a real date and time" in _refusal(f.date_or_datetime, "2019-05-14T25:00")


def test_date_or_datetime_refuses_an_impossible_date() -> None:
    assert "2019-02-30 is not a real date" in _refusal(f.date_or_datetime, "2019-02-30")


def test_date_or_datetime_refuses_words() -> None:
    assert "expected a date YYYY-MM-DD or a date and time" in _refusal(f.date_or_datetime, "next week")


@pytest.mark.parametrize("code", ["BE", "RO", "CA", "GB", "XK"])
def test_country_accepts_iso_codes(code: str) -> None:
    assert f.country(code) == code


def test_country_asks_for_capitals() -> None:
    assert _refusal(f.country, "be") == "write country codes in capitals: BE"


@pytest.mark.parametrize(("raw", "hint"), [("UK", "GB"), ("EL", "GR")])
def test_country_suggests_the_iso_code_for_common_mistakes(raw: str, hint: str) -> None:
    assert f"(for this country use {hint})" in _refusal(f.country, raw)


@pytest.mark.parametrize("raw", ["ZZ", "Belgium", "BEL"])
def test_country_refuses_what_is_not_a_code(raw: str) -> None:
    assert f"{raw!r} is not a country code; expected a two-letter ISO 3166-1 code" in _refusal(f.country, raw)


@pytest.mark.parametrize("raw", ["eu-canada-matchmaking", "a", "2019"])
def test_slug_accepts_lowercase_words_and_hyphens(raw: str) -> None:
    assert f.slug(raw) == raw


@pytest.mark.parametrize("raw", ["../../etc", "a/b", "Big", "a--b", "-a", "a-", "a b", "a.b", "..", "été"])
def test_slug_refuses_anything_else(raw: str) -> None:
    assert "is not a valid slug" in _refusal(f.slug, raw)


def test_tag_list_keeps_order_and_drops_duplicates() -> None:
    assert f.tag_list(["b", "a", "b"]) == ("b", "a")


def test_tag_list_refuses_a_single_tag_and_bad_words() -> None:
    assert "expected a list of tags" in _refusal(f.tag_list, "matchmaking")
    assert "write tags: [matchmaking]" in _refusal(f.tag_list, "matchmaking")
    assert "has no letter or digit" in _refusal(f.tag_list, ["+++"])


def test_tag_list_keeps_tags_as_written_and_one_form_per_slug() -> None:
    assert f.tag_list(["Japan", "ESCP-S3", "blue  growth", "escp-s3"]) == ("Japan", "ESCP-S3", "blue growth")


def test_text_refuses_empty_lists_and_booleans() -> None:
    assert _refusal(f.text, "  ") == "must not be empty"
    assert _refusal(f.text, True) == "expected text"
    assert _refusal(f.text, ["a"]) == "expected text"
    assert f.text(2019) == "2019"


def test_boolean_and_integer_refuse_lookalikes() -> None:
    assert f.boolean(False) is False
    assert "expected true or false" in _refusal(f.boolean, "yes please")
    assert f.integer(3) == 3
    assert "expected a whole number" in _refusal(f.integer, True)
    assert "expected a whole number" in _refusal(f.integer, -1)
    assert "expected a whole number" in _refusal(f.integer, "3")


@pytest.mark.parametrize("raw", ["https://ec.europa.eu/x", "http://a.example", "mailto:info@example.org"])
def test_url_accepts_web_and_mail_addresses(raw: str) -> None:
    assert f.url(raw) == raw


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "www.example.org", "/news/", "mailto:nobody", "ftp://x.example"])
def test_url_refuses_other_addresses(raw: str) -> None:
    assert "expected a full web address starting with https://" in _refusal(f.url, raw)


def test_one_of_suggests_the_closest_choice() -> None:
    parse = f.one_of("scheduled", "cancelled", "postponed")
    assert parse("cancelled") == "cancelled"
    assert "(did you mean 'cancelled'?)" in _refusal(parse, "canceled")


def test_did_you_mean_is_empty_without_a_close_match() -> None:
    assert f.did_you_mean("sumary", ["summary", "title"]) == " (did you mean 'summary'?)"
    assert f.did_you_mean("zzz", ["summary", "title"]) == ""


def test_read_mapping_reports_every_problem_with_its_line() -> None:
    fields = {"title": f.Field(f.text, True), "date": f.Field(f.date, True), "summary": f.Field(f.text)}
    meta = _located("title: Hello\nsumary: typo\ndate: 2019-02-30\n")
    parsed, problems = f.read_mapping(meta, fields, "a news item")
    assert parsed == {"title": "Hello"}
    found = sorted((p.line, p.field, p.message) for p in problems)
    assert found == [
        (2, "sumary", "unknown field (did you mean 'summary'?); expected one of: title, date, summary"),
        (3, "date", "2019-02-30 is not a real date (check the day and the month)"),
    ]


def test_read_mapping_reports_missing_required_fields() -> None:
    fields = {"title": f.Field(f.text, True), "date": f.Field(f.date, True)}
    _, problems = f.read_mapping(_located("title: Hello\n"), fields, "a news item")
    assert [(p.field, p.message) for p in problems] == [("date", "is required in a news item")]


def test_read_mapping_treats_an_empty_optional_value_as_absent() -> None:
    fields = {"title": f.Field(f.text, True), "summary": f.Field(f.text)}
    parsed, problems = f.read_mapping(_located("title: Hello\nsummary:\n"), fields, "a page")
    assert (parsed, problems) == ({"title": "Hello"}, [])


def test_mapping_of_reports_the_inner_key_and_line() -> None:
    location = f.mapping_of({"city": f.Field(f.text), "country": f.Field(f.country)}, "a location", dict)
    meta = _located("location:\n  city: London\n  country: UK\n")
    with pytest.raises(FieldError) as caught:
        location(meta["location"])
    assert (caught.value.line, caught.value.field) == (3, "country")


def test_list_of_reports_the_line_of_the_bad_entry() -> None:
    deadlines = f.list_of(f.date, "deadlines", min_items=1)
    meta = _located("deadlines:\n  - 2019-05-14\n  - 2019-02-30\n")
    with pytest.raises(FieldError) as caught:
        deadlines(meta["deadlines"])
    assert caught.value.line == 3
    assert "expected at least 1 deadlines" in _refusal(deadlines, [])


def test_read_mapping_reports_an_empty_required_value_once_at_its_line() -> None:
    fields = {"title": f.Field(f.text, True), "date": f.Field(f.date, True)}
    _, problems = f.read_mapping(_located("title: Hello\n\ndate:\n"), fields, "a news item")
    assert [(p.line, p.field, p.message) for p in problems] == [(3, "date", "is required in a news item")]


def test_mapping_of_reports_an_empty_required_inner_value_as_required() -> None:
    person = f.mapping_of({"name": f.Field(f.text, True), "role": f.Field(f.text)}, "a person ({name, role})", dict)
    meta = _located("person: {name: , role: }\n")
    with pytest.raises(FieldError) as caught:
        person(meta["person"])
    assert (caught.value.field, caught.value.message) == ("name", "is required in a person ({name, role})")
