"""The stages of a build: each ``render_*`` function makes one family of outputs; ``RENDERERS`` lists them in order.

Item pages, the lists the kinds declare, the event filters and month views,
tags, the directory and countries, editions, search, the sitemap, and the
feeds, calendars and redirects (made by their own modules, wrapped here as
stages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import jinja2
from markupsafe import Markup

from eccpsite.core import dates, urls
from eccpsite.core.countries import country_name
from eccpsite.core.directory import Country
from eccpsite.core.kinds import Cluster, Item, item_date, kind_of, registered
from eccpsite.core.kinds.base import Facts
from eccpsite.core.listings import EventFilter, Paginated, paginate
from eccpsite.core.markup.markdown import plain_text, render_markdown, summary_text
from eccpsite.core.model import ResolvedEdition, Site, next_status_change
from eccpsite.edges.history import History
from eccpsite.outputs import calendar, europe_map, feeds, redirects, timetable
from eccpsite.outputs.calendar_entries import event_component
from eccpsite.outputs.feed_entries import dated
from eccpsite.outputs.render import WHOLE, Made, Made_, Output, Renderer, Stage, declare


def _json_ld(site: Site, item: Item, dates: tuple[dt.datetime, dt.datetime] | None) -> dict[str, Any] | None:
    """schema.org data for an item page, as its kind makes it (``dates``: :func:`item_dates`)."""
    make = kind_of(item).json_ld
    if make is None or dates is None:
        return None
    config = site.config
    keywords = ", ".join(site.tag_name(tag) for tag in item.tags)
    return make(item, Facts(config=config, url=config.absolute(site.url(item)), keywords=keywords, dates=dates))


def item_dates(site: Site, item: Item, history: History) -> tuple[dt.datetime, dt.datetime] | None:
    """When an item was published and last changed, as its feed entries say, for its schema.org data (None for a
    kind without any). Both are capped at the build's moment, so they are given to the page as inputs, not read
    from the site where its context is made: a page that read "now" would be made again by every build that
    does not fix it (``--now``), whose clock moves."""
    if kind_of(item).json_ld is None:
        return None
    return dated(site, item, history)


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
    """The page of one item, with the editions that list it (the dev server re-renders only the items that changed).

    Its context is made from the item, those editions and its dates
    (:func:`item_context`), so the engine keys the page by those: the
    page of an unchanged item is put in place without its context being made
    (its schema.org data, its summary) or digested."""
    template = kind_of(item).template
    if template is None:
        return None
    return r.page_from(r.site.url(item), template, item_context, item=item, editions=editions, dates=item_dates(r.site, item, r.history))


def item_context(site: Site, item: Item, editions: tuple[ResolvedEdition, ...], dates: tuple[dt.datetime, dt.datetime] | None) -> dict[str, Any]:
    """What an item's page is rendered with: its item, the editions that list it, its title and summary, its
    schema.org data (with ``dates``: :func:`item_dates`) and the profiles it names."""
    return {
        **_cluster_context(site, item),
        "item": item,
        "title": item.title,
        "description": summary_text(item.summary, item.body, 200),
        "og_type": "article",
        "json_ld": _json_ld(site, item, dates),
        "editions": editions,
    }


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
    months, busy = timetable.calendar_months(site, index), timetable.busy_months(index)
    current = site.now.astimezone(site.config.tz).date().replace(day=1)
    for first in months:
        month = timetable.month_view(first, index, months, busy)
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
    """The countries' index (the map and its table) and a page per country."""
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


@declare(reuse=WHOLE, on_request=True, background=True)
def render_country_calendars(r: Renderer) -> Iterator[Made_]:
    """A calendar of each country's events: made on request by the dev server and kept whole by the build, like the
    other calendars (serialising thousands of events is the dearest part of the countries)."""
    site = r.site
    for country in site.directory.countries:
        events = (*reversed(country.past), *country.upcoming)  # by start, but for a long event that started before a past one
        url = urls.country_calendar_url(country.code)
        name = f"{site.config.short_title or site.config.title} events: {country.name}"
        components = [calendar.serialize(event_component(site, e, r.history)) for e in events]
        yield Output(url, calendar.make_calendar(site, name, f"Events in {country.name} listed by the {site.config.title}.", url, components))


def render_search(r: Renderer) -> Iterator[Made_]:
    """The search page; its results come from the Pagefind index that the build adds (eccpsite.outputs.search)."""
    yield r.page(urls.SEARCH, "search.html", title="Search", section="search")


def render_next_change(r: Renderer) -> Iterator[Made_]:
    """``next-change.txt``: the next moment the site changes by itself (a status, or the calendar's month), for a scheduled rebuild."""
    yield Output(urls.NEXT_CHANGE, (next_status_change(r.site).isoformat() + "\n").encode("utf-8"))


def render_tags(r: Renderer) -> Iterator[Made_]:
    """A paginated page per tag and an index of tags."""
    for tag, members in r.site.tags.items():
        name = r.site.tag_name(tag)
        yield from _lists(r, urls.tag_url(tag), members, "tag.html", heading=f"Tagged “{name}”", tag=tag, section="tags")
    yield r.page(urls.TAGS, "tags.html", title="Topics", section="tags")


def render_home(r: Renderer) -> Iterator[Made_]:
    yield r.page(urls.HOME, "home.html", section="home")


@declare(after=("render_edition_pdfs",))  # the index and each edition give its PDF's size
def render_editions(r: Renderer) -> Iterator[Made_]:
    """The newsletter index and a web edition per edition (with the sizes of the PDFs made by an earlier stage)."""
    site = r.site
    pdfs = {o.url: o.size for o in r.made_by("render_edition_pdfs")}
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
def render_feeds(r: Renderer) -> Iterator[Made_]:
    """RSS, Atom and JSON feeds (eccpsite.outputs.feeds), each made again only when what it shows changed; keep it
    after any stage that makes edition PDFs, which it encloses."""
    sizes = {o.url: o.size for o in r.made()}
    for plan in feeds.plan_feeds(r.site, r.history, sizes):
        yield from r.files(plan.urls, feeds.write_feed, plan=plan)


@declare(after=("render_feeds", "render_calendars"), placed=False)  # last: an alias may not take the address of anything made before
def render_redirects(r: Renderer) -> Iterator[Made_]:
    """The old addresses (``aliases:``, files renamed in git: eccpsite.outputs.redirects): a small page at each that leads to
    the new one, and Netlify's ``_redirects`` with a 301 for each. Runs after the stages whose addresses an alias may
    not take."""
    site = r.site
    if not redirects.any_redirects(site, r.history):  # the usual site: nothing to plan, and no other page looked at
        return
    taken = [o.url for o in r.made()] + [f.url for f in site.event_filters]  # the filters may be made by a worker still
    planned, errors = redirects.plan_redirects(site, r.history, taken)
    if errors:
        yield from errors
        return
    if not planned:  # every old address is taken: no item's title is read
        return
    titles = {site.url(item): item.title for item in site.items}
    for redirect in planned:
        yield r.page(redirects.page_url(redirect.old), "redirect.html", title=titles[redirect.new], target=redirect.new, section="")
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
    render_country_calendars,
    render_editions,
    render_search,
    render_misc,
    render_next_change,
    render_calendars,
    render_feeds,
    render_redirects,
]
