"""The theme's Jinja2 environment: the templates of ``templates/`` and the filters and globals they use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from eccpsite.core import dates, urls
from eccpsite.core.countries import country_name
from eccpsite.core.documents import describe_documents, file_size
from eccpsite.core.kinds import Event, kind_of
from eccpsite.core.listings import attendance_of, group_by_month
from eccpsite.core.markup.markdown import inline_markdown, plain_text, render_markdown
from eccpsite.core.model import Site
from eccpsite.core.recurrence import Occurrence
from eccpsite.core.status import STATUS_WORDS, registration_closes
from eccpsite.outputs import calendar, europe_map, timetable


def make_environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment of the theme, with the filters templates use."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # no stat per page: a build's templates do not change, and the dev server makes a new environment when they do
    )
    env.filters.update(
        in_words=dates.in_words,
        month_in_words=dates.month_in_words,
        range_in_words=dates.range_in_words,
        iso=lambda value: value.isoformat(),
        markdown=lambda source, prefix="": Markup(describe_documents(render_markdown(source, prefix), _sizes(env))),
        inline_markdown=lambda source: Markup(inline_markdown(source)),
        plain=lambda source: plain_text(render_markdown(source)),
        tojson_script=_json_for_script,
        country_name=country_name,
        by_month=group_by_month,
        date_badge=date_badge,
        attendance=attendance_of,
        timeline_json=_timeline_json,
        zone_city=timetable.zone_city,
        day_in_words=timetable.day_in_words,
        by_country_name=lambda filters: sorted(filters, key=lambda f: country_name(f.value)),
        file_size=file_size,
        slugify=urls.slugify,
    )
    env.globals.update(kind_label=lambda item: kind_of(item).label)
    env.globals["document_sizes"] = {}  # site path → bytes of each file of content/media: set_document_sizes
    env.globals.update(item_url=lambda item: urls.item_url(item.kind, item.slug), urls=urls, map_legend=europe_map.legend, map_beyond=europe_map.beyond)
    env.globals.update(google_calendar_url=calendar.google_calendar_url, webcal_url=calendar.webcal_url)
    env.globals.update(when_words=timetable.when_words, subscribe_links=calendar.subscribe_links, filter_calendar_url=calendar.filter_calendar_url)
    env.globals.update(registration_timeline=_registration_timeline, weekday_names=timetable.WEEKDAY_NAMES)
    return env


def _sizes(env: jinja2.Environment) -> Mapping[str, int]:
    sizes: Mapping[str, int] = env.globals["document_sizes"]  # type: ignore[assignment]
    return sizes


def set_document_sizes(env: jinja2.Environment, sizes: Mapping[str, int]) -> None:
    """Let the pages say the format and size of the documents of content/media their text links to (eccpsite.core.documents);
    ``sizes``: site path → bytes (reader.document_sizes)."""
    env.globals["document_sizes"] = dict(sizes)


def date_badge(event: Event, occurrence: Occurrence | None = None) -> tuple[str, str]:
    """The two lines of an event's date badge: ``("14–16", "May")``, ``("30", "May–Jun")``, ``("TBC", "")``; a series' next ``occurrence``'s."""
    if event.tentative:
        return ("TBC", "")
    shown = occurrence or event.occurrences[0]
    first = dates.day_of(shown.start)
    last = dates.day_of(shown.end) if shown.end is not None else first
    if (first.year, first.month) != (last.year, last.month):
        return (str(first.day), f"{dates.MONTHS[first.month - 1][:3]}–{dates.MONTHS[last.month - 1][:3]}")
    days = str(first.day) if first == last else f"{first.day}–{last.day}"
    return (days, dates.MONTHS[first.month - 1][:3])


def _timeline_json(timeline: tuple[tuple[dt.datetime, str], ...]) -> str:
    """A call's status changes for its page's script: ``[["2019-10-17T00:00:00+02:00", "closing-soon", "Closing soon"], ...]``."""
    return json.dumps([[when.isoformat(), key, STATUS_WORDS[key]] for when, key in timeline], ensure_ascii=False)


def _registration_timeline(site: Site, event: Event) -> str:
    """While registration is open, when it closes for the page's script: ``[["2018-09-15T00:00:00+02:00", "closed", "Registration closed"]]``; else ""."""
    closes = registration_closes(event, site.config)
    if closes is None or closes <= site.now:
        return ""
    return json.dumps([[closes.isoformat(), "closed", "Registration closed"]], ensure_ascii=False)


def _json_for_script(value: Any) -> Markup:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` are escaped, so ``</script>`` cannot end the block."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
