"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for each kind, the newsletter, everything, and per tag.

Pure, in two steps. :func:`plan_feeds` chooses what each feed shows (the
``FEED_LIMIT`` newest items, and the editions, before any entry is made)
from the site model, the git history of the sources (:mod:`eccpsite.edges.history`,
read at the edge) and the sizes of the editions' PDFs (enclosed); a
:class:`Plan` holds that choice and what its entries are made from, so that
a build makes again only the feeds whose plan changed (an edit of an old
item changes none). :func:`write_feed` makes a plan's entries
(:mod:`feed_entries`) and writes the feed in every format (:mod:`feed_xml`
for RSS and Atom, :mod:`feed_json`).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from eccpsite.core import urls
from eccpsite.core.dates import moment
from eccpsite.core.kinds import Item, item_date, registered
from eccpsite.core.model import ResolvedEdition, Site
from eccpsite.edges.history import History, Revision
from eccpsite.outputs.feed_entries import Entry, Feed, cap, edition_entry, item_entry, published
from eccpsite.outputs.feed_json import to_json
from eccpsite.outputs.feed_xml import to_atom, to_rss

FEED_LIMIT = 50  # entries per feed, newest first
WRITERS = {"xml": to_rss, "atom": to_atom, "json": to_json}


def _newest_first(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.published, e.id), reverse=True)[:FEED_LIMIT])


def _dated(items: Sequence[Item]) -> list[Item]:
    return [i for i in items if item_date(i) is not None]


@dataclass(frozen=True)
class Plan:
    """A feed as chosen, before any entry is made: the items and editions it may show, and what their entries are
    made from besides the site (their git revisions, the PDFs' sizes). A build makes a feed again only when its plan,
    or what :func:`write_feed` read of the site, changed (the engine's question: eccpsite.outputs.pages.render_feeds)."""

    urls: tuple[str, ...]  # the site path of each format, in the order of urls.FEED_FORMATS
    title: str
    description: str
    home: str  # absolute URL of the page the feed follows
    items: tuple[Item, ...]  # the newest items it may show (its entries are the newest of these and the editions)
    editions: tuple[ResolvedEdition, ...]
    history: Mapping[str, Revision]  # the revisions of those items' and editions' files
    sizes: Mapping[str, int]  # the sizes of those editions' PDFs
    updated: dt.datetime | None  # the feed's own date when it shows nothing: the newest date of the site


About = tuple[tuple[str, ...], str, str, str]  # a feed's url in each format, its title, description and web page


def write_feed(site: Site, plan: Plan) -> tuple[bytes, ...]:
    """The feed of ``plan`` in every format (urls.FEED_FORMATS): its entries made from ``site``, newest first."""
    entries = [item_entry(site, i, plan.history) for i in plan.items]
    entries += [edition_entry(site, e, plan.history, plan.sizes) for e in plan.editions]
    chosen = _newest_first(entries)
    updated = max(e.updated for e in chosen) if chosen else plan.updated
    assert updated is not None
    feed = Feed(plan.title, plan.description, plan.home, dict(zip(urls.FEED_FORMATS, plan.urls, strict=True)), chosen, updated)
    return tuple(WRITERS[extension](site.config, feed) for extension in urls.FEED_FORMATS)


class _Planner:
    """Plans the feeds of one site. Each item's place among the newest (when it was published, then its address) is
    found once, though an item is in several feeds (everything's, its kind's, each of its tags')."""

    def __init__(self, site: Site, history: History, sizes: Mapping[str, int]) -> None:
        self.site, self.history, self.sizes = site, history, sizes
        self._places: dict[str, tuple[dt.datetime, str]] = {}

    def _place(self, item: Item) -> tuple[dt.datetime, str]:
        found = self._places.get(item.ref)
        if found is None:
            site = self.site
            found = self._places[item.ref] = (published(site, item, self.history), site.config.absolute(site.url(item)))
        return found

    def plan(self, about: About, items: Sequence[Item], editions: Sequence[ResolvedEdition] = ()) -> Plan:
        """The plan of the feed ``about`` (the url of each format, its title, description and web page) that shows
        the newest of ``items`` and of ``editions``.

        Of the items, only the ``FEED_LIMIT`` newest are chosen, before any
        entry is made: making an entry renders the item, and a feed shows only
        the newest (a site of 10,000 items would render each one once per feed
        it could appear in).
        """
        at, title, description, home = about
        chosen = tuple(heapq.nlargest(FEED_LIMIT, items, key=self._place))
        paths = [i.path for i in chosen] + [e.edition.path for e in editions]
        pdfs = [urls.edition_pdf_url(e.edition.id) for e in editions]
        return Plan(
            urls=at,
            title=title,
            description=description,
            home=self.site.config.absolute(home),
            items=chosen,
            editions=tuple(editions),
            history={path: self.history[path] for path in paths if path in self.history},
            sizes={pdf: self.sizes[pdf] for pdf in pdfs if pdf in self.sizes},
            updated=None if chosen or editions else self._site_date(),
        )

    def _site_date(self) -> dt.datetime:
        """The newest date of the site: the date of a feed that shows nothing."""
        site = self.site
        dates = [self._place(i)[0] for i in _dated(site.items)]
        dates += [cap(moment(e.edition.date_time or e.edition.date, site.config.tz), site.now) for e in site.editions]
        return max(dates, default=site.now)


def plan_feeds(site: Site, history: History, sizes: Mapping[str, int]) -> Iterator[Plan]:
    """The plan of every feed of the site: each kind's, the newsletter's, everything's and each tag's; ``sizes`` maps
    output URLs to their length (the editions' PDFs are enclosed)."""
    config, planner = site.config, _Planner(site, history, sizes)

    def section(name: str, what: str, home: str, description: str | None = None) -> About:
        at = tuple(urls.feed_url(name, extension) for extension in urls.FEED_FORMATS)
        return at, f"{config.title}: {what}", description or f"{what} from the {config.title}.", home

    for kind in registered():
        if kind.feed is not None:
            chosen = kind.feed.items(site)
            shown = _dated(chosen) if kind.feed.dated_only else chosen
            if shown or kind.feed.when_empty:
                yield planner.plan(section(kind.folder, kind.feed.title, urls.section_url(kind.folder)), shown)
    yield planner.plan(section("newsletter", "Newsletter", urls.NEWSLETTER), (), site.editions)
    yield planner.plan(section("all", "Everything", urls.HOME, config.description or config.title), _dated(site.items), site.editions)
    for tag in site.tags:
        name = site.tag_name(tag)
        at = tuple(urls.tag_feed_url(tag, extension) for extension in urls.FEED_FORMATS)
        about = f"News, events, calls and interviews about “{name}” from the {config.title}."
        yield planner.plan((at, f"{config.title}: {name}", about, urls.tag_url(tag)), _dated(site.tags.get(tag, ())))
