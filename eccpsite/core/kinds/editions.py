"""Newsletter editions: ``content/newsletter/<id>.yaml``, an issue's sections listing items by reference
(``news/<slug>``), with an editorial and an intro; validated here, resolved against the items by the site model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from eccpsite.core import fields as f
from eccpsite.core.dates import DEFAULT_TIMEZONE, day_and_time
from eccpsite.core.errors import ContentError, FieldError
from eccpsite.core.located import Located

SITE_ZONE = ZoneInfo(DEFAULT_TIMEZONE)  # the time zone of a site whose site.yaml names none


@dataclass(frozen=True)
class Editorial:
    author: str
    text: str
    role: str | None = None


@dataclass(frozen=True)
class SectionRef:
    title: str
    items: tuple[str, ...]
    line: int
    item_lines: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Edition:
    id: str
    path: str
    number: int
    date: dt.date
    title: str
    sections: tuple[SectionRef, ...]
    editorial: Editorial | None = None
    intro: str | None = None
    draft: bool = False
    line: int = 1
    date_time: dt.datetime | None = None  # the moment 'date' gave, when it has a time


_EDITORIAL = f.mapping_of(
    {"author": f.Field(f.text, True), "role": f.Field(f.text), "text": f.Field(f.markdown_text, True)},
    "an editorial ({author, role, text})",
    Editorial,
)
EDITION_FIELDS: dict[str, f.Field] = {
    "number": f.Field(f.integer, True),
    "date": f.Field(f.date_or_datetime, True),
    "title": f.Field(f.text, True),
    "sections": f.Field(lambda value: value, True),  # checked by _sections for per-entry lines
    "editorial": f.Field(_EDITORIAL),
    "intro": f.Field(f.markdown_text),
    "draft": f.Field(f.boolean),
}
_SECTION_FIELDS = {"title": f.Field(f.text, True), "items": f.Field(lambda v: v, True)}


def errors_of(path: str, problems: list[FieldError]) -> list[ContentError]:
    """Field problems as located errors of the file ``path``."""
    return [ContentError(path, p.line or 0, p.field or "", p.message) for p in problems]


def take_date_time(parsed: dict[str, Any], tz: ZoneInfo) -> None:
    """A 'date' with a time becomes its day in ``tz``, and the moment goes to 'date_time' (dates.day_and_time)."""
    if "date" in parsed:
        parsed["date"], when = day_and_time(parsed["date"], tz)
        if when is not None:
            parsed["date_time"] = when


def parse_edition(path: str, meta: Located, tz: ZoneInfo = SITE_ZONE) -> Edition | list[ContentError]:
    """Validate a newsletter edition (``content/newsletter/<id>.yaml``)."""
    parsed, problems = f.read_mapping(meta, EDITION_FIELDS, "an edition")
    take_date_time(parsed, tz)
    errors = errors_of(path, problems)
    edition_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not f.SLUG.match(edition_id):
        errors.append(ContentError(path, 1, "", f"the edition id {edition_id!r} (its file name) must be lowercase letters, digits and hyphens"))
    sections = _sections(path, meta, parsed["sections"], errors) if "sections" in parsed else []
    if errors:
        return errors
    parsed["sections"] = tuple(sections)
    return Edition(id=edition_id, path=path, line=meta.line, **parsed)


def _sections(path: str, meta: Located, raw: Any, errors: list[ContentError]) -> list[SectionRef]:
    """The edition's sections, each with its title and item references (and their lines); problems go to ``errors``."""
    if not isinstance(raw, list) or not raw:
        errors.append(ContentError(path, meta.line_of("sections"), "sections", "expected a list of sections, each with a title and items"))
        return []
    sections: list[SectionRef] = []
    for index, entry in enumerate(raw):
        line = raw.lines[index] if hasattr(raw, "lines") else meta.line_of("sections")
        try:
            values, section_problems = f.read_mapping(entry, _SECTION_FIELDS, "a section ({title, items})")
        except FieldError as exc:
            errors.append(ContentError(path, line, "sections", exc.message))
            continue
        errors.extend(ContentError(path, p.line or line, f"sections.{p.field}", p.message) for p in section_problems)
        items = values.get("items")
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            message = "expected a list of references such as news/eu-canada-matchmaking"
            errors.append(ContentError(path, entry.line_of("items"), "sections.items", message))
            continue
        item_lines = tuple(items.lines) if hasattr(items, "lines") else (entry.line_of("items"),) * len(items)
        sections.append(SectionRef(values.get("title", ""), tuple(i.strip() for i in items), line, item_lines))
    return sections
