"""Typed content: the kinds of item of SPEC's content model and their validation.

``parse_item`` turns a :class:`~eccpsite.source.Document` into a frozen
dataclass, or into a list of located errors. Unknown keys are errors (with a
"did you mean" hint) unless placed under ``extra:``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from eccpsite import fields as f
from eccpsite import urls
from eccpsite.dates import DEFAULT_TIMEZONE, day_and_time
from eccpsite.errors import ContentError, FieldError
from eccpsite.recurrence import EVERY, MAX_OCCURRENCES, Occurrence, Repeat, expand, starts
from eccpsite.source import Document, Located, LocatedList
from eccpsite.urls import slugify

KINDS = ("news", "events", "calls", "interviews", "pages", "clusters", "countries")
KIND_NAMES = {
    "news": "news item", "events": "event", "calls": "call", "interviews": "interview", "pages": "page",
    "clusters": "cluster profile", "countries": "country factsheet",
}  # fmt: skip
SITE_ZONE = ZoneInfo(DEFAULT_TIMEZONE)  # the time zone of a site whose site.yaml names none
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Location:
    venue: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Deadline:
    date: dt.date | dt.datetime
    label: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None
    organisation: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Alias:
    """An old address of an item (``aliases:``), kept alive by a redirect to the item's page."""

    path: str  # a site path as written: /news/old-slug/, /content/eu-japan-matchmaking
    line: int  # its line in the item's file


@dataclass(frozen=True, kw_only=True)
class Item:
    """Fields every item has; ``kind`` is its folder (news, events, ...)."""

    kind: str
    slug: str
    path: str
    title: str
    body: str = ""
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    draft: bool = False
    publish_at: dt.date | dt.datetime | None = None
    aliases: tuple[Alias, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    line: int = 1
    body_line: int = 1
    tags_line: int = 0  # the line of 'tags:', for messages about them
    date_time: dt.datetime | None = None  # the moment 'date' gave, when it has a time (in the site's time zone; see dates.day_and_time)
    clusters: tuple[str, ...] = ()  # slugs of the cluster profiles a news item, event, call or interview names
    cluster_lines: tuple[int, ...] = ()  # the line of each of them

    @cached_property
    def ref(self) -> str:
        """How an edition refers to the item: ``news/eu-canada-matchmaking`` (kept: the build asks for it often)."""
        return f"{self.kind}/{self.slug}"


@dataclass(frozen=True, kw_only=True)
class News(Item):
    date: dt.date
    category: str | None = None
    source: str | None = None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Event(Item):
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    location: Location | None = None
    online: bool = False
    organiser: str | None = None
    url: str | None = None
    registration_deadline: dt.date | dt.datetime | None = None
    status: str = "scheduled"
    tentative: bool = False
    date_note: str | None = None
    date: dt.date | None = None  # when it was announced; defaults to the start
    timezone: str | None = None  # the IANA zone of start and end when they carry no offset; None: the site's
    repeat: Repeat | None = None

    @cached_property
    def occurrences(self) -> tuple[Occurrence, ...]:
        """Each occurrence, in order: the event's own dates, or one per day its ``repeat`` rule makes but its exceptions."""
        return expand(self.start, self.end, self.repeat)


@dataclass(frozen=True, kw_only=True)
class Call(Item):
    deadlines: tuple[Deadline, ...]
    opens: dt.date | dt.datetime | None = None
    programme: str | None = None
    budget: str | None = None
    url: str | None = None
    date: dt.date | None = None  # when it was announced; defaults to the opening or first deadline


@dataclass(frozen=True, kw_only=True)
class Interview(Item):
    date: dt.date
    person: Person
    photo: str | None = None
    photo_alt: str | None = None


@dataclass(frozen=True, kw_only=True)
class Page(Item):
    menu: int | None = None


@dataclass(frozen=True, kw_only=True)
class Cluster(Item):
    """A cluster organisation's profile (``content/clusters/<slug>.md``); its title is the organisation's name."""

    country: str
    city: str | None = None
    acronym: str | None = None
    website: str | None = None
    sectors: tuple[str, ...] = ()  # as the editor writes them; pages use their slugs (urls.slugify)
    members: int | None = None
    founded: int | None = None
    labels: tuple[str, ...] = ()
    logo: str | None = None
    logo_alt: str | None = None


@dataclass(frozen=True, kw_only=True)
class Factsheet(Item):
    """A country's factsheet on cluster policy (``content/countries/<cc>.md``): shown on the country's page."""

    @property
    def country(self) -> str:
        return self.slug.upper()


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


_LINK = f.mapping_of({"title": f.Field(f.text, True), "url": f.Field(f.url, True)}, "a link ({title, url})", Link)
_LOCATION = f.mapping_of(
    {"venue": f.Field(f.text), "city": f.Field(f.text), "country": f.Field(f.country)},
    "a location ({venue, city, country})",
    Location,
)
_DEADLINE = f.mapping_of(
    {"date": f.Field(f.date_or_datetime, True), "label": f.Field(f.text)}, "a deadline ({date, label})", Deadline
)
_REPEAT_FIELDS = {
    "every": f.Field(f.one_of(*EVERY), True),
    "interval": f.Field(f.integer),
    "until": f.Field(f.date),
    "count": f.Field(f.integer),
    "except": f.Field(f.list_of(f.date, "days (YYYY-MM-DD)")),
}


def _repeat(value: Any) -> Repeat:
    """``repeat: {every: week, interval: 2, until: 2020-06-30 | count: 8, except: [2020-05-26]}``."""
    parsed, problems = f.read_mapping(value, _REPEAT_FIELDS, "a repeat rule ({every, interval, until or count, except})")
    if problems:
        raise FieldError(problems[0].message, problems[0].line, problems[0].field)
    line = value.line_of
    if "until" in parsed and "count" in parsed:
        raise FieldError("give either 'until' (the last day) or 'count' (how many times), not both", line("count"), "count")
    if "until" not in parsed and "count" not in parsed:
        raise FieldError("a series needs an end: add 'until: YYYY-MM-DD' (its last day) or 'count:' (how many times)", value.line, "")
    for key in ("interval", "count"):
        if parsed.get(key) == 0:
            raise FieldError("expected a number of 1 or more", line(key), key)
    return Repeat(parsed["every"], parsed.get("interval", 1), parsed.get("until"), parsed.get("count"), parsed.get("except", ()))


_PERSON = f.mapping_of(
    {"name": f.Field(f.text, True), "role": f.Field(f.text), "organisation": f.Field(f.text), "country": f.Field(f.country)},
    "a person ({name, role, organisation, country})",
    Person,
)

def _aliases(value: Any) -> tuple[Alias, ...]:
    """``aliases:``, a list of old site paths, each with its line; one written twice counts once."""
    if isinstance(value, str):  # one old address, written without a list
        value = [value]
    paths = f.list_of(f.site_path, "old site paths such as /news/old-slug/")(value)
    lines = value.lines if isinstance(value, LocatedList) else [0] * len(paths)  # 0: the line of 'aliases:' itself
    found: dict[str, Alias] = {}
    for path, line in zip(paths, lines, strict=True):
        found.setdefault(path, Alias(path, line))
    return tuple(found.values())



def _year(value: Any) -> int:
    year = f.integer(value)
    if not 1000 <= year <= 2999:
        raise FieldError(f"expected a year such as 2012, found {value!r}")
    return year


def _text_list(value: Any) -> tuple[str, ...]:
    """A list of short texts, kept as written (a lone text is a list of one); repeats dropped."""
    entries = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(f.text(entry) for entry in entries))


_CLUSTER_SLUGS = f.list_of(f.slug, "cluster profile slugs, e.g. [transilvania-it-cluster]")
# refers_to: the slugs name items of content/clusters/ (the editing interface offers them: eccpsite.cms)
_CLUSTER_REFS = f.Field(f.shaped(_CLUSTER_SLUGS, **_CLUSTER_SLUGS.shape, refers_to="clusters"))  # type: ignore[attr-defined]

COMMON_FIELDS: dict[str, f.Field] = {
    "title": f.Field(f.text, True),
    "slug": f.Field(f.slug),
    "summary": f.Field(f.text),
    "tags": f.Field(f.tag_list),
    "image": f.Field(f.text),
    "image_alt": f.Field(f.text),
    "draft": f.Field(f.boolean),
    "publish_at": f.Field(f.datetime),
    "aliases": f.Field(f.shaped(_aliases, entry=f.site_path, min_items=0, what="old site paths such as /news/old-slug/")),
    "extra": f.Field(lambda value: dict(value) if isinstance(value, dict) else _fail("expected a mapping of your own fields")),
}

KIND_FIELDS: dict[str, tuple[type[Item], dict[str, f.Field]]] = {
    "news": (
        News,
        {
            "date": f.Field(f.date_or_datetime, True),
            "category": f.Field(f.text),
            "source": f.Field(f.text),
            "links": f.Field(f.list_of(_LINK, "links ({title, url})")),
            "clusters": _CLUSTER_REFS,
        },
    ),
    "events": (
        Event,
        {
            "start": f.Field(f.date_or_datetime, True),
            "end": f.Field(f.date_or_datetime),
            "date": f.Field(f.date_or_datetime),
            "location": f.Field(_LOCATION),
            "online": f.Field(f.boolean),
            "organiser": f.Field(f.text),
            "url": f.Field(f.url),
            "registration_deadline": f.Field(f.date_or_datetime),
            "status": f.Field(f.one_of("scheduled", "cancelled", "postponed")),
            "tentative": f.Field(f.boolean),
            "date_note": f.Field(f.text),
            "timezone": f.Field(f.timezone),
            "repeat": f.Field(f.shaped(_repeat, fields=_REPEAT_FIELDS, what="a repeat rule ({every, interval, until or count, except})")),
            "clusters": _CLUSTER_REFS,
        },
    ),
    "calls": (
        Call,
        {
            "deadlines": f.Field(f.list_of(_DEADLINE, "deadlines ({date, label})", min_items=1), True),
            "opens": f.Field(f.date_or_datetime),
            "date": f.Field(f.date_or_datetime),
            "programme": f.Field(f.text),
            "budget": f.Field(f.text),
            "url": f.Field(f.url),
            "clusters": _CLUSTER_REFS,
        },
    ),
    "interviews": (
        Interview,
        {
            "date": f.Field(f.date_or_datetime, True),
            "person": f.Field(_PERSON, True),
            "photo": f.Field(f.text),
            "photo_alt": f.Field(f.text),
            "clusters": _CLUSTER_REFS,
        },
    ),
    "pages": (Page, {"menu": f.Field(f.integer)}),
    "clusters": (
        Cluster,
        {
            "country": f.Field(f.country, True),
            "city": f.Field(f.text),
            "acronym": f.Field(f.text),
            "website": f.Field(f.url),
            "sectors": f.Field(f.sector_list),
            "members": f.Field(f.integer),
            "founded": f.Field(f.shaped(_year, like=f.integer)),
            "labels": f.Field(f.shaped(_text_list, entry=f.text, min_items=0, what="labels")),
            "logo": f.Field(f.text),
            "logo_alt": f.Field(f.text),
        },
    ),
    "countries": (Factsheet, {}),
}

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


# Per kind: the item's class, every field it may have and how the item is named in messages (made once, not per file).
_KIND_TABLES: dict[str, tuple[type[Item], dict[str, f.Field], str]] = {
    kind: (cls, {**COMMON_FIELDS, **kind_fields}, f"a {KIND_NAMES[kind]}") for kind, (cls, kind_fields) in KIND_FIELDS.items()
}


def _fail(message: str) -> Any:
    raise FieldError(message)


def slug_for(filename: str) -> str:
    """The slug of a file: its name without extension and without a leading ``YYYY-MM-DD-``."""
    stem = filename.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return _DATE_PREFIX.sub("", stem)


def _errors(path: str, problems: list[FieldError]) -> list[ContentError]:
    return [ContentError(path, p.line or 0, p.field or "", p.message) for p in problems]


def take_date_time(parsed: dict[str, Any], tz: ZoneInfo) -> None:
    """A 'date' with a time becomes its day in ``tz``, and the moment goes to 'date_time' (dates.day_and_time)."""
    if "date" in parsed:
        parsed["date"], when = day_and_time(parsed["date"], tz)
        if when is not None:
            parsed["date_time"] = when


def parse_item(kind: str, doc: Document, tz: ZoneInfo = SITE_ZONE) -> Item | list[ContentError]:
    """Validate a document of folder ``kind`` into a typed item; ``tz`` is the site's time zone (for dates with a time)."""
    cls, all_fields, what = _KIND_TABLES[kind]
    parsed, problems = f.read_mapping(doc.meta, all_fields, what)
    take_date_time(parsed, tz)
    errors = _errors(doc.path, problems)
    meta = doc.meta

    def err(key: str, message: str) -> None:
        errors.append(ContentError(doc.path, meta.line_of(key), key, message))

    slug = parsed.pop("slug", None)
    if slug is None:
        try:
            slug = f.slug(slug_for(doc.path))
        except FieldError as exc:
            errors.append(ContentError(doc.path, 1, "slug", f"the file name gives {exc.message}; {_rename_hint(doc.path)}"))
    if "image" in parsed and "image_alt" not in parsed:
        err("image", "an image needs 'image_alt': a short text saying what the image shows")
    if "photo" in parsed and "photo_alt" not in parsed:
        err("photo", "a photo needs 'photo_alt': a short text saying what the photo shows")
    if "image" in parsed:
        parsed["image"] = _local_path(doc.path, parsed["image"], "image", err)
    if "photo" in parsed:
        parsed["photo"] = _local_path(doc.path, parsed["photo"], "photo", err)
    if "logo" in parsed and "logo_alt" not in parsed:
        err("logo", "a logo needs 'logo_alt': a short text such as 'Transilvania IT Cluster logo'")
    if "logo" in parsed:
        parsed["logo"] = _local_path(doc.path, parsed["logo"], "logo", err)
    if "clusters" in parsed:
        refs = meta.get("clusters")
        lines = refs.lines if isinstance(refs, LocatedList) else []
        parsed["cluster_lines"] = tuple(lines) if len(lines) == len(parsed["clusters"]) else (meta.line_of("clusters"),) * len(parsed["clusters"])
    if kind == "countries" and slug is not None:
        try:
            f.country(slug.upper())
        except FieldError as exc:
            errors.append(ContentError(doc.path, 1, "slug", f"a factsheet's file name is its country's code in lowercase (e.g. ro.md): {exc.message}"))
    if kind == "events":
        start, end = parsed.get("start"), parsed.get("end")
        if start is not None and end is not None:
            if type(start) is not type(end) and (isinstance(start, dt.datetime) or isinstance(end, dt.datetime)):
                err("end", "'start' and 'end' must both be dates or both be dates with a time")
            elif end < start:
                err("end", f"'end' ({end.isoformat()}) is before 'start' ({start.isoformat()}); expected the same day or later")
        if parsed.get("date_note") and not parsed.get("tentative"):
            err("date_note", "'date_note' explains dates that are not fixed yet; add 'tentative: true' or remove it")
        if "repeat" in parsed and start is not None:
            for line, key, message in _check_series(start, end, parsed, meta):
                errors.append(ContentError(doc.path, line, "repeat." + key if key else "repeat", message))
    if kind == "calls" and "deadlines" in parsed:
        dates = [d.date for d in parsed["deadlines"]]
        if any(_as_date(b) < _as_date(a) for a, b in pairwise(dates)):
            err("deadlines", "list the deadlines in the order they fall, earliest first")
        opens = parsed.get("opens")
        if opens is not None and dates and _as_date(dates[0]) < _as_date(opens):
            err("opens", f"the call opens ({_as_date(opens).isoformat()}) after its first deadline ({_as_date(dates[0]).isoformat()})")
    found = f.find_unprintable(doc.body)
    if found is not None:
        line = doc.body_line + doc.body[: found.start()].count("\n")
        errors.append(ContentError(doc.path, line, "", f"the text {f.unprintable(found.group())}"))
    if errors:
        return errors
    tags_line = meta.lines.get("tags", 0)
    return cls(kind=kind, slug=slug, path=doc.path, body=doc.body, line=meta.line, body_line=doc.body_line, tags_line=tags_line, **parsed)


def _rename_hint(path: str) -> str:
    """How to give a file a name that is a valid slug: ``rename the file to 2019-05-14-eu-japan-week.md or add 'slug:'``."""
    name = path.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    prefix = _DATE_PREFIX.match(stem)
    fixed = slugify(stem[prefix.end() :] if prefix else stem)
    if not fixed:
        return "rename the file (lowercase letters, digits and hyphens) or add 'slug:'"
    return f"rename the file to {(prefix.group() if prefix else '') + fixed}{dot}{extension} or add 'slug: {fixed}'"


def _check_series(start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, parsed: dict[str, Any], meta: Located) -> list[tuple[int, str, str]]:
    """What is wrong with a series as a whole: ``(line, key under repeat, message)`` for each problem."""
    rule: Repeat = parsed["repeat"]
    raw = meta.get("repeat")
    line = raw.line_of if isinstance(raw, Located) else (lambda key: meta.line_of("repeat"))
    first = _as_date(start)
    problems: list[tuple[int, str, str]] = []
    if parsed.get("tentative"):
        problems.append((meta.line_of("repeat"), "", "a series needs fixed dates; remove 'tentative' or 'repeat'"))
    if rule.until is not None and rule.until < first:
        problems.append((line("until"), "until", f"'until' ({rule.until.isoformat()}) is before 'start' ({first.isoformat()}); expected its last day"))
        return problems
    days = [_as_date(s) for s in starts(start, rule)]
    if len(days) > MAX_OCCURRENCES:
        key = "count" if rule.count is not None else "until"
        problems.append((line(key), key, f"the series makes more than {MAX_OCCURRENCES} occurrences; end it sooner"))
        return problems
    if end is not None and len(days) > 1 and _as_date(end) >= days[1]:
        message = f"each occurrence would last until the next one starts ({days[1].isoformat()}); shorten 'end' or space the series out"
        problems.append((meta.line_of("end"), "", message))
    for day in rule.except_:
        if day not in days:
            closest = min(days, key=lambda d: (abs((d - day).days), d))
            hint = f" (did you mean {closest.isoformat()}?)"
            problems.append((line("except"), "except", f"{day.isoformat()} is not a day of the series{hint}; list days on which it would take place"))
    if len(set(rule.except_)) >= len(days):
        problems.append((line("except"), "except", "every occurrence is excepted; remove 'repeat' or some exceptions"))
    return problems


def _local_path(path: str, value: str, key: str, err: Any) -> str:
    """An image's path as the theme takes it (from content/): one written from the file's folder, as editors'
    previews read it (``../media/x.png`` in content/news/), is read from there (``media/x.png``)."""
    if value.startswith(("./", "../")):
        inside = urls.content_relative(path, value)
        if inside is None:
            folder = path.rpartition("/")[0]
            where = f"{value!r} must be a path inside the project's content/ folder (read from {folder}/ it leads outside)"
            err(key, f"{where}; put the file in content/media/ and write ../media/<its name>")
            return value
        value = inside
    _check_local_path(value, key, err)
    return value


def _check_local_path(value: str, key: str, err: Any) -> None:
    if value.startswith(("http://", "https://")):
        return
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or ":" in parts[0]:
        err(key, f"{value!r} must be a path inside the project's content/ or static/ folder, without '..'")


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def parse_edition(path: str, meta: Located, tz: ZoneInfo = SITE_ZONE) -> Edition | list[ContentError]:
    """Validate a newsletter edition (``content/newsletter/<id>.yaml``)."""
    parsed, problems = f.read_mapping(meta, EDITION_FIELDS, "an edition")
    take_date_time(parsed, tz)
    errors = _errors(path, problems)
    edition_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", edition_id):
        errors.append(ContentError(path, 1, "", f"the edition id {edition_id!r} (its file name) must be lowercase letters, digits and hyphens"))
    sections: list[SectionRef] = []
    if "sections" in parsed:
        raw = parsed["sections"]
        if not isinstance(raw, list) or not raw:
            errors.append(ContentError(path, meta.line_of("sections"), "sections", "expected a list of sections, each with a title and items"))
        else:
            for index, entry in enumerate(raw):
                line = raw.lines[index] if hasattr(raw, "lines") else meta.line_of("sections")
                section_fields = {"title": f.Field(f.text, True), "items": f.Field(lambda v: v, True)}
                try:
                    values, section_problems = f.read_mapping(entry, section_fields, "a section ({title, items})")
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
    if errors:
        return errors
    parsed["sections"] = tuple(sections)
    return Edition(id=edition_id, path=path, line=meta.line, **parsed)
