"""Field parsers: small functions that turn a YAML value into a typed value.

Each parser takes the raw value and returns the typed one, or raises
:class:`FieldError` with a message that says what was expected. Parsers for
nested mappings check their own keys and report the line of the inner key.
The kinds declare their fields with these (``f.Field(f.date, required=True)``),
so every parser stays in this one namespace; the data some of them check
against lives apart: the countries in :mod:`countries`, the characters no
text may hold in :mod:`characters`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from eccpsite.core.characters import unprintable
from eccpsite.core.countries import COUNTRIES, country_code_for
from eccpsite.core.dates import in_words
from eccpsite.core.errors import FieldError
from eccpsite.core.located import Located, LocatedList
from eccpsite.core.urls import slugify

Parser = Callable[[Any], Any]

# Codes people often write that are not ISO 3166-1 alpha-2, with the right one.
_COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB"}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # what a slug is; also the JSON Schemas' pattern (editor_schema)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' (did you mean 'x'?)' hint for a misspelt key, or ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def text(value: Any) -> str:
    if type(value) is not str:  # a string (nearly always) skips the type checks
        if isinstance(value, bool) or value is None or isinstance(value, (Mapping, list)):
            raise FieldError("expected text")
        value = str(value)
    result: str = value.strip()
    if not result:
        raise FieldError("must not be empty")
    if problem := unprintable(result):
        raise FieldError(problem)
    return result


def markdown_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("expected Markdown text")
    if problem := unprintable(value):
        raise FieldError(problem)
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, found {value!r}")
    return value


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(f"expected a whole number, found {value!r}")
    return value


_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_WORD_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y")


def date_fix(raw: str) -> str:
    """How to write a date given another way, when its meaning is clear: ``; write 2019-05-14`` (or '').

    ``14/05/2019`` and ``14.05.2019`` are day first, as in Europe; ``05/14/2019``
    can only be month first; ``2019/05/14`` is year first; ``14 May 2019`` and
    ``May 14, 2019`` are read as words. When day and month could be swapped
    (``05/06/2019``) the fix says which reading it chose.
    """
    numeric = _NUMERIC_DATE.match(raw)
    if numeric:
        a, b, c = (int(part) for part in numeric.groups())
        if len(numeric.group(1)) == 4:
            year, month, day = a, b, c
        elif len(numeric.group(3)) == 4:
            year, day, month = c, *((b, a) if b > 12 >= a else (a, b))
        else:
            return ""
        try:
            found = dt.date(year, month, day)
        except ValueError:
            return ""
        doubt = f" if you mean {in_words(found)}" if len(numeric.group(1)) != 4 and a <= 12 and b <= 12 and a != b else ""
        return f"; write {found.isoformat()}{doubt}"
    for form in _WORD_DATE_FORMATS:
        try:
            return f"; write {dt.datetime.strptime(raw, form).date().isoformat()}"
        except ValueError:
            continue
    return ""


def date(value: Any) -> dt.date:
    """A calendar date written YYYY-MM-DD that exists (2019-02-30 does not)."""
    raw = str(value).strip()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not DATE.match(raw):
        raise FieldError(f"expected a date written YYYY-MM-DD, found {raw!r}{date_fix(raw)}")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FieldError(f"{raw} is not a real date (check the day and the month)") from None


def date_or_datetime(value: Any) -> dt.date | dt.datetime:
    """A date, or an ISO 8601 datetime (without an offset: in the site's time zone)."""
    raw = str(value).strip()
    if DATE.match(raw):
        return date(raw)
    try:
        return dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        pass
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", raw):
        raise FieldError(f"{raw} is not a real date and time (expected YYYY-MM-DDTHH:MM, e.g. 2019-05-14T09:30)")
    raise FieldError(f"expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, found {raw!r}{date_fix(raw)}")


def datetime(value: Any) -> dt.datetime | dt.date:
    return date_or_datetime(value)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA time zone name the zoneinfo database knows, by its lower-case spelling."""
    return {name.lower(): name for name in available_timezones()}


def timezone(value: Any) -> str:
    """An IANA time zone name (``Asia/Seoul``); a misspelt one gets the closest real name as a hint."""
    name = text(value)
    if name in _zone_names().values():
        return name
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    known = _zone_names()
    exact = known.get(name.lower().replace(" ", "_"))
    hint = f" (did you mean '{exact}'?)" if exact else did_you_mean(name, sorted(known.values()))
    raise FieldError(f"{name!r} is not a time zone{hint}; expected an IANA name such as Europe/Brussels or Asia/Seoul")


def url(value: Any) -> str:
    raw = text(value)
    parts = urlsplit(raw)
    if parts.scheme in ("http", "https") and parts.netloc:
        return raw
    if parts.scheme == "mailto" and "@" in parts.path:
        return raw
    raise FieldError(f"expected a full web address starting with https://, found {raw!r}")


def country(value: Any) -> str:
    raw = text(value)
    code = raw.upper()
    if code in COUNTRIES and raw == code:
        return code
    if code in COUNTRIES:
        raise FieldError(f"write country codes in capitals: {code}")
    hint = _COUNTRY_HINTS.get(code)
    named = country_code_for(raw) if len(raw) > 2 else None
    suffix = f" (for this country use {hint})" if hint else f" (did you mean {named}?)" if named else " such as BE, RO or CA"
    raise FieldError(f"{raw!r} is not a country code; expected a two-letter ISO 3166-1 code{suffix}")


def slug(value: Any) -> str:
    raw = text(value)
    if not SLUG.match(raw):
        raise FieldError(f"{raw!r} is not a valid slug; use lowercase letters, digits and single hyphens (e.g. 'eu-canada-matchmaking')")
    return raw


# First path segments an alias may not take: the site's own files are served there (static/, media/, the search
# index and the feeds, which the dev server makes only on request).
_FILE_SEGMENTS = frozenset({"static", "media", "pagefind", "feeds"})


def site_path(value: Any) -> str:
    """An old address of the site, as an alias gives it: a path such as ``/news/old-slug/`` or ``/content/x``.

    A full address (``https://old.example.org/news/x/``) is refused with its
    path as the fix; so is anything a static host cannot serve as a path (a
    query, a fragment, a space, ``..``).
    """
    raw = text(value)
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        fix = parts.path or "/"
        raise FieldError(f"{raw!r} is a full address; an alias is a path of this site: write {fix!r}")
    if not raw.startswith("/"):
        raise FieldError(f"{raw!r} is not a site path; an alias starts with '/', e.g. '/news/old-slug/' or '/{raw}'")
    if parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise FieldError(f"{raw!r} holds a query or a fragment, which a static site cannot redirect; write the path alone: {parts.path!r}")
    segments = raw.strip("/").split("/")
    if raw == "/" or any(s in ("", ".", "..") for s in segments) or re.search(r"[\\\s]", raw):
        raise FieldError(f"{raw!r} is not a site path; write the old address as /folder/name/, without spaces, '//' or '..'")
    if segments[0] in _FILE_SEGMENTS:
        raise FieldError(f"{raw!r} is where the site's own files are served (/{segments[0]}/); an alias cannot take it")
    return raw


def tag_list(value: Any) -> tuple[str, ...]:
    """Tags as written (``[Japan, ESCP-S3, blue growth]``); their URLs are their slugs (``urls.slugify``).

    Two tags of one item with the same slug are one: the first form is kept.
    """
    if isinstance(value, str):
        raise FieldError(f"expected a list of tags; write tags: [{value.strip()}] (or several: [matchmaking, Canada])")
    if not isinstance(value, list):
        raise FieldError("expected a list of tags, e.g. [matchmaking, Canada]")
    tags: dict[str, str] = {}
    for index, entry in enumerate(value):
        try:
            raw = " ".join(text(entry).split())
        except FieldError as exc:
            raise FieldError(f"tag {index + 1}: {exc.message}", _entry_line(value, index)) from None
        slug = slugify(raw)
        if not slug:
            raise FieldError(f"the tag {raw!r} has no letter or digit, so it has no address; write it in words", _entry_line(value, index))
        tags.setdefault(slug, raw)
    return tuple(tags.values())


def _entry_line(value: list[Any], index: int) -> int | None:
    """The line of entry ``index`` of a list from YAML, when known."""
    return value.lines[index] if isinstance(value, LocatedList) else None


def shaped(parser: Parser, **shape: Any) -> Parser:
    """``parser``, carrying what it was made from (its choices, fields or entries): eccpsite.outputs.editor_schema
    reads it to write the JSON Schema of the values the parser accepts."""
    parser.shape = shape  # type: ignore[attr-defined]
    return parser


def sector_list(value: Any) -> tuple[str, ...]:
    """Sectors in their display form (``[ICT, Digital services]``; a lone text is a list of one), slugged like tags
    (``urls.slugify``); spellings of one sector (``ICT``, ``ict``) after the first are dropped."""
    entries = value if isinstance(value, list) else [value]
    found: dict[str, str] = {}
    for entry in entries:
        raw = text(entry)
        if not slugify(raw):
            raise FieldError(f"the sector {raw!r} needs at least a letter or a digit")
        found.setdefault(slugify(raw), raw)
    return tuple(found.values())


def one_of(*choices: str) -> Parser:
    def parse(value: Any) -> str:
        raw = text(value)
        if raw not in choices:
            raise FieldError(f"expected one of {', '.join(choices)}, found {raw!r}{did_you_mean(raw, list(choices))}")
        return raw

    return shaped(parse, choices=choices)


_TEXT_PARSERS: tuple[Parser, ...] = (text, markdown_text)  # fields whose value is text, where YAML's cut at " #" loses words


def cut_message(key: str, kept: str, whole: str) -> str:
    """Why a text YAML cut at `` #`` is refused, and the fix: the same line with the value quoted."""
    lost = whole[len(kept) :].strip()
    quoted = json.dumps(whole, ensure_ascii=False)
    return f"YAML reads ' #' as the start of a comment, so this text would be {kept!r} and {lost!r} would be lost; put it in quotes: {key}: {quoted}"


@dataclass(frozen=True)
class Field:
    """How one key of a mapping is read: its parser and whether it is required."""

    parse: Parser
    required: bool = False


# Fields other generators' editors write that have no use here, and what they are there (the message says so)
FOREIGN_FIELDS = {
    "lastmod": "Hugo's date of the last change",
    "last_modified_at": "Jekyll's date of the last change",
    "author": "the author's name in Hugo and Jekyll",
    "authors": "the authors' names in Hugo",
    "weight": "Hugo's order of pages",
    "layout": "Jekyll's and Hugo's template of a page",
    "type": "Hugo's content type",
    "keywords": "Hugo's keywords",
    "toc": "a theme's table of contents switch",
    "comments": "a theme's comments switch",
    "expirydate": "Hugo's date after which a page is taken down",
    "expiryDate": "Hugo's date after which a page is taken down",
}


def unknown_field(key: str, fields: Mapping[str, Field]) -> str:
    """What an unknown ``key`` is, with the closest field or what it is in another generator."""
    if key in FOREIGN_FIELDS:
        return f"unknown field: {FOREIGN_FIELDS[key]}, which the site has no use for; remove it, or keep it under 'extra:'"
    return f"unknown field{did_you_mean(key, list(fields))}; expected one of: {', '.join(fields)}"


def read_mapping(value: Any, fields: Mapping[str, Field], what: str) -> tuple[dict[str, Any], list[FieldError]]:
    """Check a mapping's keys against ``fields`` and parse each value.

    Returns the parsed values and every problem found (unknown keys with a
    hint, missing required keys, bad values), each with its line.
    """
    if not isinstance(value, Located):
        raise FieldError(f"expected {what}")
    parsed: dict[str, Any] = {}
    problems: list[FieldError] = []
    for key, raw in value.items():
        spec = fields.get(key)
        if spec is None:
            problems.append(FieldError(unknown_field(key, fields), value.line_of(key), key))
            continue
        if raw is None:  # an empty value is absent; a required one is reported below
            continue
        if key in value.cut and spec.parse in _TEXT_PARSERS:
            problems.append(FieldError(cut_message(key, raw, value.cut[key]), value.line_of(key), key))
            continue
        try:
            parsed[key] = spec.parse(raw)
        except FieldError as exc:
            problems.append(FieldError(exc.message, exc.line or value.line_of(key), f"{key}.{exc.field}" if exc.field else key))
    for key, spec in fields.items():
        if spec.required and value.get(key) is None:
            problems.append(FieldError(f"is required in {what}", value.line_of(key), key))
    return parsed, problems


def mapping_of(fields: Mapping[str, Field], what: str, build: Callable[..., Any]) -> Parser:
    """A parser for a nested mapping (e.g. ``location``) that builds a value with ``build``."""

    def parse(value: Any) -> Any:
        parsed, problems = read_mapping(value, fields, what)
        if problems:
            first = problems[0]
            raise FieldError(first.message, first.line, first.field)
        return build(**parsed)

    return shaped(parse, fields=fields, what=what)


def list_of(item: Parser, what: str, min_items: int = 0) -> Parser:
    def parse(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise FieldError(f"expected a list of {what}")
        if len(value) < min_items:
            raise FieldError(f"expected at least {min_items} {what}")
        result = []
        for index, entry in enumerate(value):
            try:
                result.append(item(entry))
            except FieldError as exc:
                line = exc.line or (value.lines[index] if isinstance(value, LocatedList) else None)
                raise FieldError(exc.message, line, exc.field) from None
        return tuple(result)

    return shaped(parse, entry=item, min_items=min_items, what=what)
