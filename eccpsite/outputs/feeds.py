"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for each kind, the newsletter, everything, and per tag.

``render_feeds`` is pure: it takes the site model, the git history of the
sources (:mod:`eccpsite.edges.history`, read at the edge) and the sizes of the
outputs rendered so far (for the newsletter's PDF enclosures), and returns
``(url, bytes)`` pairs. This module chooses the entries of each feed (the
``FEED_LIMIT`` newest, newest first, chosen before any entry is made) and
its own date; the entries are made by :mod:`feed_entries`, and written by
:mod:`feed_xml` (RSS, Atom) and :mod:`feed_json`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping, Sequence

from eccpsite.core import urls
from eccpsite.core.dates import moment
from eccpsite.core.kinds import Item, Kind, item_date, registered
from eccpsite.core.model import Site
from eccpsite.edges.history import History
from eccpsite.outputs.feed_entries import Entry, Feed, cap, edition_entry, item_entry, published
from eccpsite.outputs.feed_json import to_json
from eccpsite.outputs.feed_xml import to_atom, to_rss

FEED_LIMIT = 50  # entries per feed, newest first


def _newest_first(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.published, e.id), reverse=True)[:FEED_LIMIT])


def _dated(items: Sequence[Item]) -> list[Item]:
    return [i for i in items if item_date(i) is not None]


def _newest_items(site: Site, items: Sequence[Item], history: History) -> list[Item]:
    """The ``FEED_LIMIT`` newest of ``items``, in the order of their entries, before any entry is made.

    Making an entry renders the item; a feed shows only the newest, so the
    others are never rendered (a site of 10,000 items would render each one
    once per feed it could appear in).
    """
    newest = heapq.nlargest(FEED_LIMIT, items, key=lambda i: (published(site, i, history), site.config.absolute(site.url(i))))
    return newest


def kind_entries(site: Site, kind: Kind, history: History) -> tuple[Entry, ...]:
    """The entries of a kind's feed, newest first."""
    assert kind.feed is not None
    chosen = kind.feed.items(site)
    return _newest_first([item_entry(site, i, history) for i in _newest_items(site, _dated(chosen) if kind.feed.dated_only else chosen, history)])


def section_entries(site: Site, section: str, history: History, sizes: Mapping[str, int]) -> tuple[Entry, ...]:
    """The entries of the feed of ``section`` ("newsletter" or "all": the kinds' feeds are :func:`kind_entries`)."""
    editions = [edition_entry(site, e, history, sizes) for e in site.editions]
    if section == "newsletter":
        return _newest_first(editions)
    return _newest_first([item_entry(site, i, history) for i in _newest_items(site, _dated(site.items), history)] + editions)


def _latest(site: Site, entries: Sequence[Entry], history: History) -> dt.datetime:
    """The feed's own date: its newest change; an empty feed takes the newest date of the site."""
    if entries:
        return max(e.updated for e in entries)
    dates = [published(site, i, history) for i in _dated(site.items)]
    dates += [cap(moment(e.edition.date_time or e.edition.date, site.config.tz), site.now) for e in site.editions]
    return max(dates, default=site.now)


WRITERS = {"xml": to_rss, "atom": to_atom, "json": to_json}


def _feed(site: Site, history: History, name: str, what: str, home: str, entries: tuple[Entry, ...], description: str | None = None) -> Feed:
    """The feed ``/feeds/<name>.*`` of ``what`` (its title), whose web page is ``home``."""
    config = site.config
    return Feed(
        title=f"{config.title}: {what}",
        description=description or f"{what} from the {config.title}.",
        home=config.absolute(home),
        urls={ext: urls.feed_url(name, ext) for ext in urls.FEED_FORMATS},
        entries=entries,
        updated=_latest(site, entries, history),
    )


def kind_feed(site: Site, kind: Kind, history: History) -> Feed | None:
    """A kind's feed (``/feeds/<folder>.*``), or None when it holds nothing and its kind makes none then."""
    assert kind.feed is not None
    entries = kind_entries(site, kind, history)
    if not entries and not kind.feed.when_empty:
        return None
    return _feed(site, history, kind.folder, kind.feed.title, urls.section_url(kind.folder), entries)


def tag_feed(site: Site, tag: str, history: History) -> Feed:
    config = site.config
    entries = _newest_first([item_entry(site, i, history) for i in _newest_items(site, _dated(site.tags.get(tag, ())), history)])
    name = site.tag_name(tag)
    return Feed(
        title=f"{config.title}: {name}",
        description=f"News, events, calls and interviews about “{name}” from the {config.title}.",
        home=config.absolute(urls.tag_url(tag)),
        urls={ext: urls.tag_feed_url(tag, ext) for ext in urls.FEED_FORMATS},
        entries=entries,
        updated=_latest(site, entries, history),
    )


def render_feeds(site: Site, history: History, sizes: Mapping[str, int]) -> Iterator[tuple[str, bytes]]:
    """Every feed of the site in every format, as ``(url, bytes)``; ``sizes`` maps output URLs to their length."""
    feeds = [feed for kind in registered() if kind.feed is not None and (feed := kind_feed(site, kind, history)) is not None]
    feeds += [_feed(site, history, "newsletter", "Newsletter", urls.NEWSLETTER, section_entries(site, "newsletter", history, sizes))]
    everything = section_entries(site, "all", history, sizes)
    feeds += [_feed(site, history, "all", "Everything", urls.HOME, everything, site.config.description or site.config.title)]
    feeds += [tag_feed(site, tag, history) for tag in site.tags]
    for feed in feeds:
        for extension in urls.FEED_FORMATS:
            yield feed.urls[extension], WRITERS[extension](site.config, feed)
