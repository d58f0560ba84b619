"""Rendering the site model into outputs with the Jinja2 theme in ``templates/``.

An output is a value (a site path and its bytes); nothing here writes to disk,
so the dev server and the tests can build in memory. Each ``render_*``
function makes one family of outputs; ``RENDERERS`` lists them in order.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

import jinja2
from markupsafe import Markup

from eccpsite.core import dates, urls
from eccpsite.core.directory import Country
from eccpsite.core.documents import describe_documents, file_size
from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.fields import country_name
from eccpsite.core.kinds import Cluster, Event, Item, item_date, kind_of, registered
from eccpsite.core.kinds.base import Facts
from eccpsite.core.markup.markdown import inline_markdown, plain_text, render_markdown, summary_text
from eccpsite.core.model import (
    STATUS_WORDS,
    EventFilter,
    Paginated,
    ResolvedEdition,
    Site,
    attendance_of,
    group_by_month,
    next_status_change,
    paginate,
    registration_closes,
)
from eccpsite.core.recurrence import Occurrence
from eccpsite.edges import children
from eccpsite.edges.history import History
from eccpsite.outputs import calendar, europe_map, feeds, redirects, timetable


@dataclass(frozen=True)
class Output:
    """One file of the site: the site path it serves and its bytes (a page also its record: eccpsite.incremental.engine)."""

    url: str
    data: bytes
    key: bytes = b""  # a digest of the template and context it was made from; b"" for an output that is never reused
    reads: tuple[str, ...] = ()  # the site fields and templates it read
    reads_key: bytes = b""  # a digest of their values
    stage: str = ""  # the stage that made it, when the page cache keeps that stage's outputs as a whole (a stage declared reuse=WHOLE)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Reused:
    """A page whose inputs are those of the last build's: the sink's record of the last build's file, now in place."""

    url: str
    record: Any  # what the sink kept of that file when the last build made it (eccpsite.incremental.writer.Written)


class PageHook(Protocol):
    """What renders a page in place of :meth:`Renderer.render_page`: the incremental engine (eccpsite.incremental.engine)."""

    forks: bool  # whether the build may render on every core with it (the pages made in a worker keep their records)

    def prepare(self, site: Site) -> None: ...

    def environment(self, templates: Path) -> jinja2.Environment: ...

    def expects_reuse(self) -> bool: ...

    def read_outputs(self) -> None: ...

    def page(self, renderer: Renderer, url: str, template: str, context: dict[str, Any]) -> Output | Reused | ContentError: ...

    def stage(self, renderer: Renderer, stage: Stage) -> Iterable[Made_]: ...


class Made(Protocol):
    """What a build keeps of an output it made: at least the site path and the size (an Output, or a sink's record)."""

    @property
    def url(self) -> str: ...

    @property
    def size(self) -> int: ...


Record = TypeVar("Record", bound=Made)
Record_co = TypeVar("Record_co", bound=Made, covariant=True)


class Sink(Protocol[Record_co]):
    """Where :func:`render_site` sends each output as soon as it is made: a list in memory, or the writer's staging folder.

    A forked worker of a large build sends the pages it renders to the same
    sink itself and hands back only the records, so a sink must work in any
    process forked from the build (keep no open file or connection across calls).
    """

    def put(self, output: Output) -> Record_co:
        """Take ``output``; return what the build keeps of it."""
        ...


class Keep:
    """The plain in-memory sink: every output is kept whole."""

    def put(self, output: Output) -> Output:
        return output


SEARCH_MARK = b"data-pagefind-body"  # the attribute the theme puts on what the site search indexes (eccpsite.outputs.search)


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


class Renderer:
    """Renders templates with the values every page shares (site, menu, now)."""

    def __init__(self, env: jinja2.Environment, site: Site, history: History | None = None) -> None:
        self.env = env
        self.site = site
        self.history: History = history or {}  # git revisions of the sources (eccpsite.edges.history)
        self.outputs: list[Output] = []  # what earlier stages made, kept in memory (the dev server's renderer)
        self.records: list[Made] | None = None  # ... or what render_site's sink kept of them
        self.pages: PageHook | None = None  # the incremental engine: reuses the pages of the last build

    def made(self) -> Sequence[Made]:
        """What earlier stages made, each with its url and size (a later stage may need the sizes)."""
        if self.pages is not None:
            self.pages.read_outputs()
        return self.outputs if self.records is None else self.records

    def page(self, url: str, template: str, **context: Any) -> Output | Reused | ContentError:
        """The page at ``url``: ``template`` rendered with ``context``, or the last build's through the engine; or the
        template's error, which the stage yields like an output."""
        _defaults(self.site, context)
        if self.pages is not None:
            return self.pages.page(self, url, template, context)
        return self.render_page(url, template, context, self.site)

    def render(self, url: str, template: str, **context: Any) -> Output | ContentError:
        """The page at ``url``, always rendered: for a stage that makes something else of its bytes (the e-mail, the PDF)."""
        return self.render_page(url, template, _defaults(self.site, context), self.site)

    def render_page(self, url: str, template: str, context: dict[str, Any], site: Site) -> Output | ContentError:
        """Render ``template`` for ``url``, or say where the template failed; ``site`` is what the template sees as
        ``site`` (a recording copy, for the engine)."""
        try:
            html = self.env.get_template(template).render(site=site, config=self.site.config, url=url, canonical=self.site.config.absolute(url), **context)
        except jinja2.TemplateSyntaxError as exc:
            return ContentError(f"templates/{exc.name or template}", exc.lineno, "", f"template error: {exc.message}")
        except jinja2.TemplateError as exc:
            return _located_template_error(template, exc, context.get("item"))
        return Output(url, html.encode("utf-8"))


def _defaults(site: Site, context: dict[str, Any]) -> dict[str, Any]:
    """What every page's context holds unless its stage says otherwise."""
    context.setdefault("title", site.config.title)
    context.setdefault("description", site.config.description)
    context.setdefault("og_type", "website")
    context.setdefault("json_ld", None)
    return context


def _located_template_error(template: str, exc: Exception, item: Item | None) -> ContentError:
    """Find the template line in the traceback of a rendering error."""
    line = 0
    name = template
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            name, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    about = f" (while rendering {item.path})" if item is not None else ""
    return ContentError(f"templates/{name}", line, "", f"template error: {exc}{about}")


Made_ = Output | Reused | ContentError | None  # what a stage yields: an output, a page of the last build, an error
Stage = Callable[[Renderer], Iterable[Made_]]


def split(made: Iterable[Made_]) -> tuple[list[Output | Reused], list[ContentError]]:
    """What a stage yielded, as its outputs and its errors (in order; None, a page not made, left out)."""
    outputs: list[Output | Reused] = []
    errors: list[ContentError] = []
    for one in made:
        if isinstance(one, ContentError):
            errors.append(one)
        elif one is not None:
            outputs.append(one)
    return outputs, errors


PAGES, WHOLE = "pages", "whole"  # how the build reuses a stage's outputs: page by page (each keyed), or as a whole


@dataclass(frozen=True)
class Declared:
    """What a stage says about itself: what it must come after, how its outputs are reused, whether the dev server
    makes it on request, whether a forked worker may run it; checked once per run (:func:`check_order`)."""

    after: tuple[str, ...] = ()  # stages it reads the outputs of (sizes of PDFs, every page for the redirects)
    reuse: str = PAGES  # PAGES: each page through the page cache; WHOLE: the stage's outputs kept as a whole
    on_request: bool = False  # the dev server makes it when a browser asks (feeds, calendars), not after each save
    background: bool = False  # reads only the site model: a forked worker may run it beside the item pages
    items: bool = False  # the item pages: rendered in slices on every core, patched item by item by the dev server


S = TypeVar("S", bound=Callable[..., Any])


def declare(**declared: Any) -> Callable[[S], S]:
    """Declare a stage (``@declare(reuse=WHOLE, on_request=True)``): the declaration travels with the function."""

    def declare(make: S) -> S:
        make.declared = Declared(**declared)  # type: ignore[attr-defined]
        return make

    return declare


def declared(make: Stage) -> Declared:
    """A stage's declaration (a stage made elsewhere without one: every page reused by key, made eagerly)."""
    found = getattr(make, "declared", None)
    return found if isinstance(found, Declared) else Declared()


def check_order(stages: list[Stage]) -> list[Stage]:
    """``stages``, once checked: each comes after the stages it declares it reads."""
    present, seen = {s.__name__ for s in stages}, set[str]()
    for make in stages:
        missing = [name for name in declared(make).after if name in present and name not in seen]
        assert not missing, f"{make.__name__} must come after {missing}"
        seen.add(make.__name__)
    return stages


def _json_ld(site: Site, item: Item, history: History | None = None) -> dict[str, Any] | None:
    """schema.org data for an item page, as its kind makes it (dates as in the feeds, with offsets)."""
    make = kind_of(item).json_ld
    if make is None:
        return None
    config, known = site.config, history or {}
    facts = Facts(
        config=config,
        url=config.absolute(site.url(item)),
        keywords=", ".join(site.tag_name(tag) for tag in item.tags),
        dates=lambda: (feeds.published(site, item, known), feeds.modified(site, item, known)),
    )
    return make(item, facts)


def _country_json_ld(site: Site, country: Country) -> dict[str, Any]:
    """schema.org Country (a Place) data for a country's page."""
    url = site.config.absolute(country.url)
    return {"@context": "https://schema.org", "@type": "Country", "name": country.name, "identifier": country.code, "url": url}


def item_editions(site: Site) -> dict[str, tuple[ResolvedEdition, ...]]:
    """The editions that list each item (by ref), newest first."""
    found: dict[str, list[ResolvedEdition]] = {}
    for edition in site.editions:
        for item in edition.items:
            found.setdefault(item.ref, []).append(edition)
    return {ref: tuple(editions) for ref, editions in found.items()}


def render_item(r: Renderer, item: Item, editions: tuple[ResolvedEdition, ...] = ()) -> Made_:
    """The page of one item, with the editions that list it (the dev server re-renders only the items that changed)."""
    site = r.site
    template = kind_of(item).template
    if template is None:
        return None
    return r.page(
        site.url(item),
        template,
        **_cluster_context(site, item),
        item=item,
        title=item.title,
        description=summary_text(item.summary, item.body, 200),
        og_type="article",
        json_ld=_json_ld(site, item, r.history),
        editions=editions,
    )


def _cluster_context(site: Site, item: Item) -> dict[str, Any]:
    """The profiles an item names (visible ones) and, on a profile, the items that name it and its upcoming events.

    Only these items read the site's directory: the dev server renders a page again when what it read changed.
    """
    if not item.clusters and not isinstance(item, Cluster):
        return {"clusters": ()}
    directory = site.directory
    named = tuple(p for p in map(directory.profiles.get, item.clusters) if p is not None)
    if not isinstance(item, Cluster):
        return {"clusters": named}
    return {"clusters": named, "named_by": directory.named_by.get(item.slug, ()), "cluster_events": directory.upcoming.get(item.slug, ())}


PARALLEL_ITEMS = 600  # from this many items, item pages are rendered on every core
# What a forked worker renders with, where it sends its outputs, and the stages it may run by name (set just
# before the fork, see _workers).
_forked: tuple[Renderer, Sink[Any], dict[str, Stage]] | None = None


def _render_slice(bounds: tuple[int, int]) -> tuple[list[Any], list[ContentError]]:
    """Render items ``start:end`` in a worker process forked from the build; the sink's records and the template errors."""
    assert _forked is not None
    return _render_items_between(_forked[0], _forked[1], bounds)


def _render_items_between(r: Renderer, sink: Sink[Any], bounds: tuple[int, int]) -> tuple[list[Any], list[ContentError]]:
    """Render items ``start:end`` and send their pages to ``sink``; the sink's records and the template errors."""
    editions = item_editions(r.site)
    return _sent(sink, (render_item(r, item, editions.get(item.ref, ())) for item in r.site.items[bounds[0] : bounds[1]]))


def _sent(sink: Sink[Any], made: Iterable[Made_]) -> tuple[list[Any], list[ContentError]]:
    """Send what a stage yields to ``sink`` as it comes; the sink's records and the stage's errors."""
    records: list[Any] = []
    errors: list[ContentError] = []
    for one in made:
        if isinstance(one, ContentError):
            errors.append(one)
        elif one is not None:
            records.append(_send(sink, one))
    return records, errors


def _send(sink: Sink[Record], made: Output | Reused) -> Record:
    """The sink's record of an output it takes now, or of a reused page (already in place)."""
    return sink.put(made) if isinstance(made, Output) else made.record


def _render_items_in_pool(r: Renderer, sink: Sink[Any], pool: ProcessPoolExecutor, workers: int) -> tuple[list[Any], list[ContentError]]:
    """The records of every item page and the template errors, rendered in ordered slices by the workers and by this
    process (one slice in ``workers + 1``), each sending its pages to the sink."""
    count = len(r.site.items)
    share = workers + 1
    step = max(50, -(-count // (share * 8)))
    slices = [(start, start + step) for start in range(0, count, step)]
    theirs = {i: pool.submit(_render_slice, bounds) for i, bounds in enumerate(slices) if i % share != workers}
    mine = {i: _render_items_between(r, sink, bounds) for i, bounds in enumerate(slices) if i % share == workers}
    records: list[Any] = []
    errors: list[ContentError] = []
    for i in range(len(slices)):
        slice_records, slice_errors = mine[i] if i in mine else theirs[i].result()
        records.extend(slice_records)
        errors.extend(slice_errors)
    return records, errors


def may_fork(r: Renderer) -> bool:
    """Whether this build may render on every core: a large site, several cores, no other thread to fork with, and an
    engine whose records come back from workers (the dev server's keep pages in memory, which workers could not share)."""
    workers = os.cpu_count() or 1
    large = len(r.site.items) >= PARALLEL_ITEMS and workers > 1 and threading.active_count() == 1
    # When the engine expects to link most pages, forking would cost more than it saves (and the workers' memory).
    return large and (r.pages is None or (r.pages.forks and not r.pages.expects_reuse()))


@declare(items=True)
def render_items(r: Renderer) -> Iterator[Made_]:
    """One page per visible item (render_site renders them on every core when there are many)."""
    editions = item_editions(r.site)
    for item in r.site.items:
        yield render_item(r, item, editions.get(item.ref, ()))


def _lists(r: Renderer, base: str, items: tuple[Any, ...], template: str, **context: Any) -> Iterator[Made_]:
    pages: list[Paginated[Any]] = paginate(items, base, r.site.config.per_page)
    for pager in pages:
        title = context["heading"] + (f" (page {pager.number} of {pager.total})" if pager.total > 1 else "")
        yield r.page(pager.url, template, pager=pager, title=title, **context)


def render_sections(r: Renderer) -> Iterator[Made_]:
    """The paginated lists the kinds declare: news, upcoming and past events, open and closed calls, interviews …"""
    for kind in registered():
        for listed in kind.lists:
            yield from _lists(r, listed.url, tuple(listed.items(r.site)), listed.template, heading=listed.heading, section=kind.folder, **listed.context)


def _filter_heading(site: Site, f: EventFilter) -> str:
    if f.kind == "country":
        return f"Events in {country_name(f.value)}"
    if f.kind == "tag":
        return f"Events on “{site.tag_name(f.value)}”"
    return "Online events" if f.value == "online" else "In-person events"


@declare(background=True)
def render_event_filters(r: Renderer) -> Iterator[Made_]:
    """A page per country, topic and way of attending: upcoming events first, then past ones (no script needed)."""
    for f in r.site.event_filters:
        yield from _lists(r, f.url, f.events, "events.html", heading=_filter_heading(r.site, f), section="events", past=False, selected=f)


def render_month_views(r: Renderer) -> Iterator[Made_]:
    """The month view of every month from the first event's to the last's, and of the build's own month at /events/calendar/."""
    site = r.site
    index = timetable.day_index((*site.upcoming_events, *site.past_events))
    months = timetable.calendar_months(site, index)
    current = site.now.astimezone(site.config.tz).date().replace(day=1)
    for first in months:
        month = timetable.month_view(first, index, months)
        title = f"Events in {dates.month_in_words(first)}"
        yield r.page(month.url, "month.html", month=month, title=title, section="events", current=False)
        if first == current:
            yield r.page(urls.EVENT_MONTHS, "month.html", month=month, title=title, section="events", current=True)


def render_directory(r: Renderer) -> Iterator[Made_]:
    """The directory of cluster profiles by name (with the map on its first page; a line saying there are none yet on
    a site without profiles) and a page per sector."""
    directory = r.site.directory  # /clusters/ is made even without profiles: the menu may link it
    drawn = Markup(europe_map.draw(directory.counts(), "Cluster organisations by country")) if directory.clusters else None
    yield from _lists(r, urls.CLUSTERS, directory.clusters, "clusters.html", heading="Cluster organisations", section="clusters", map=drawn)
    for sector in directory.sectors:
        heading = f"Cluster organisations: {sector.name}"
        yield from _lists(r, sector.url, sector.clusters, "clusters.html", heading=heading, section="clusters", map=None, selected=sector)


def render_countries(r: Renderer) -> Iterator[Made_]:
    """The countries' index (the map and its table), a page per country and a calendar of each country's events."""
    site = r.site
    countries = site.directory.countries
    if not countries:
        return
    drawn = Markup(europe_map.draw(site.directory.counts(), "Cluster organisations by country"))
    yield r.page(urls.COUNTRIES, "countries.html", title="Countries", section="countries", map=drawn)
    for country in countries:
        title = country.factsheet.title if country.factsheet is not None else country.name
        description = summary_text(country.factsheet.summary, country.factsheet.body, 200) if country.factsheet else site.config.description
        json_ld = _country_json_ld(site, country)
        yield r.page(country.url, "country.html", country=country, title=title, description=description, json_ld=json_ld, section="countries")
    for country in countries:
        events = (*reversed(country.past), *country.upcoming)  # by start, but for a long event that started before a past one
        url = urls.country_calendar_url(country.code)
        name = f"{site.config.short_title or site.config.title} events: {country.name}"
        components = [calendar.serialize(calendar.event_component(site, e, r.history)) for e in events]
        yield Output(url, calendar.make_calendar(site, name, f"Events in {country.name} listed by the {site.config.title}.", url, components))


def render_search(r: Renderer) -> Iterator[Made_]:
    """The search page; its results come from the Pagefind index that the build adds (eccpsite.outputs.search)."""
    yield r.page(urls.SEARCH, "search.html", title="Search", section="search")


def render_next_change(r: Renderer) -> Iterator[Made_]:
    """``next-change.txt``: the next moment a call's or event's status changes (empty if none), for a scheduled rebuild."""
    when = next_status_change(r.site)
    yield Output(urls.NEXT_CHANGE, (when.isoformat() + "\n" if when else "").encode("utf-8"))


def render_tags(r: Renderer) -> Iterator[Made_]:
    """A paginated page per tag and an index of tags."""
    for tag, members in r.site.tags.items():
        name = r.site.tag_name(tag)
        yield from _lists(r, urls.tag_url(tag), members, "tag.html", heading=f"Tagged “{name}”", tag=tag, section="tags")
    yield r.page(urls.TAGS, "tags.html", title="Topics", section="tags")


def render_home(r: Renderer) -> Iterator[Made_]:
    yield r.page(urls.HOME, "home.html", section="home")


def render_editions(r: Renderer) -> Iterator[Made_]:
    """The newsletter index and a web edition per edition (with the sizes of the PDFs made by an earlier stage)."""
    site = r.site
    pdfs = {o.url: o.size for o in r.made() if o.url.endswith(".pdf")}
    yield r.page(urls.NEWSLETTER, "editions.html", title="Newsletter", section="newsletter", pdfs=pdfs)
    for edition in site.editions:
        yield r.page(
            urls.edition_url(edition.edition.id),
            "edition.html",
            edition=edition,
            title=edition.edition.title,
            description=plain_text(render_markdown(edition.edition.intro)) if edition.edition.intro else site.config.description,
            section="newsletter",
            pdf_size=pdfs.get(urls.edition_pdf_url(edition.edition.id)),
        )


def render_misc(r: Renderer) -> Iterator[Made_]:
    """404, robots.txt and the sitemap."""
    yield r.page(urls.NOT_FOUND, "404.html", title="Page not found", section="")
    yield r.page(urls.ROBOTS, "robots.txt")


def render_sitemap(outputs: Iterable[Made], site: Site, env: jinja2.Environment, history: History | None = None) -> Output:
    """A sitemap of every HTML page except the 404 and the pages of old addresses, with each item's date."""
    dated = {site.url(i): item_date(i) for i in site.items}
    moved = {redirects.page_url(r.old) for r in redirects.plan_redirects(site, history or {})[0]}
    pages = sorted(o.url for o in outputs if o.url.endswith("/") and o.url not in moved)
    entries = [(site.config.absolute(u), dated.get(u)) for u in pages]
    return Output(urls.SITEMAP, env.get_template("sitemap.xml").render(entries=entries).encode("utf-8"))


@declare(reuse=WHOLE, on_request=True, background=True)
def render_calendars(r: Renderer) -> Iterator[Output]:
    """iCalendar files of events and call deadlines (eccpsite.outputs.calendar)."""
    return (Output(url, data) for url, data in calendar.render_calendars(r.site, r.history))


@declare(after=("render_edition_pdfs",), on_request=True)  # an edition's entry gives its PDF's size
def render_feeds(r: Renderer) -> Iterator[Output]:
    """RSS, Atom and JSON feeds (eccpsite.outputs.feeds); keep it after any stage that makes edition PDFs, which it encloses."""
    sizes = {o.url: o.size for o in r.made()}
    return (Output(url, data) for url, data in feeds.render_feeds(r.site, r.history, sizes))


@declare(after=("render_feeds", "render_calendars"))  # last: an alias may not take the address of anything made before
def render_redirects(r: Renderer) -> Iterator[Made_]:
    """The old addresses (``aliases:``, files renamed in git: eccpsite.outputs.redirects): a small page at each that leads to
    the new one, and Netlify's ``_redirects`` with a 301 for each. Runs after the stages whose addresses an alias may
    not take."""
    site = r.site
    taken = [o.url for o in r.made()] + [f.url for f in site.event_filters]  # the filters may be made by a worker still
    planned, errors = redirects.plan_redirects(site, r.history, taken)
    if errors:
        yield from errors
        return
    titles = {site.url(item): item.title for item in site.items}
    for redirect in planned:
        yield r.page(redirects.page_url(redirect.old), "redirect.html", title=titles[redirect.new], target=redirect.new, section="")
    if planned:
        yield Output(redirects.REDIRECTS_FILE, redirects.redirects_file(planned))


RENDERERS: list[Stage] = [
    render_home,
    render_items,
    render_sections,
    render_event_filters,
    render_month_views,
    render_tags,
    render_directory,
    render_countries,
    render_editions,
    render_search,
    render_misc,
    render_next_change,
    render_calendars,
    render_feeds,
    render_redirects,
]


def _run(r: Renderer, stage: Stage) -> Iterable[Made_]:
    """What ``stage`` makes; through the page cache for the stages it keeps whole."""
    if r.pages is not None and declared(stage).reuse == WHOLE:
        return r.pages.stage(r, stage)
    return stage(r)


def _stage_in_worker(name: str) -> tuple[list[Any], list[ContentError]]:
    """Run the stage called ``name`` in a worker forked from the build; the sink's records of its outputs, and its template errors."""
    assert _forked is not None
    r, sink, stages = _forked
    return _sent(sink, _run(r, stages[name]))


def _worker_count() -> int:
    """Forked workers besides the build process, which renders its share too: one per core but one."""
    return max(1, (os.cpu_count() or 2) - 1)


@contextmanager
def _workers(r: Renderer, sink: Sink[Any], stages: Iterable[Stage]) -> Iterator[ProcessPoolExecutor | None]:
    """On a large site, a pool of forked workers for the whole rendering (None otherwise).

    With the fork start method every worker is started at the first submit,
    while this process still runs a single thread, and inherits the renderer
    (with its memoised Markdown) and the sink through ``_forked``.
    """
    global _forked
    if not may_fork(r):
        yield None
        return
    _forked = (r, sink, {stage.__name__: stage for stage in stages if declared(stage).background})
    gc.freeze()  # the workers' collections then leave the objects they share with this process alone (fewer pages copied)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=_worker_count(), mp_context=context, initializer=children.die_with_parent, initargs=(os.getpid(),)) as pool:
            yield pool
    finally:
        _forked = None
        gc.unfreeze()


KEEP = Keep()


@overload
def render_site(site: Site, env: jinja2.Environment, stages: list[Stage] | None = None, history: History | None = None) -> list[Output]: ...


@overload
def render_site(
    site: Site,
    env: jinja2.Environment,
    stages: list[Stage] | None = None,
    history: History | None = None,
    *,
    sink: Sink[Record],
    pages: PageHook | None = None,
) -> list[Record]: ...


def render_site(
    site: Site,
    env: jinja2.Environment,
    stages: list[Stage] | None = None,
    history: History | None = None,
    *,
    sink: Sink[Any] = KEEP,
    pages: PageHook | None = None,
) -> list[Any]:
    """Send every output of the site to ``sink`` as it is made; returns the sink's records in a stable order (the
    outputs themselves by default). With ``pages`` (a page cache), pages whose inputs did not change since the last
    build are not rendered: the sink's record of the last build's file comes back instead. Raises BuildFailed with all
    template errors."""
    renderer = Renderer(env, site, history)
    records: list[Any] = []
    renderer.records = records
    renderer.pages = pages
    if pages is not None:
        pages.prepare(site)
    stages = check_order(list(stages if stages is not None else RENDERERS))
    with _workers(renderer, sink, stages) as pool:
        # Stages that read only the site model (calendars, event filters) go to the workers once
        # the item pages are done (those keep every worker busy), while this process renders the rest.
        # Every stage's records keep their place in the order of the stages.
        background = [stage for stage in stages if pool is not None and declared(stage).background]
        futures: dict[str, Future[tuple[list[Any], list[ContentError]]]] = {}

        def start_background() -> None:
            assert pool is not None
            for stage in background:
                if stage.__name__ not in futures:
                    futures[stage.__name__] = pool.submit(_stage_in_worker, stage.__name__)

        if background and not any(declared(stage).items for stage in stages):
            start_background()
        made: list[tuple[list[Any], list[ContentError]] | Future[tuple[list[Any], list[ContentError]]]] = []
        for stage in stages:
            if stage in background:
                start_background()  # no-op once started
                made.append(futures[stage.__name__])
                continue
            if declared(stage).items and pool is not None:
                own = _render_items_in_pool(renderer, sink, pool, _worker_count())
            else:
                own = _sent(sink, _run(renderer, stage))
            records.extend(own[0])
            made.append(own)
            if declared(stage).items and background:
                start_background()
        records.clear()
        errors: list[ContentError] = []
        for part in made:
            stage_records, stage_errors = part if isinstance(part, tuple) else part.result()
            records.extend(stage_records)
            errors.extend(stage_errors)
    if errors:
        raise BuildFailed(list(dict.fromkeys(errors)))
    records.append(sink.put(render_sitemap(records, site, env, history)))
    return records
