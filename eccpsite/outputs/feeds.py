"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for each section, for everything, and per tag.

``render_feeds`` is pure: it takes the site model, the git history of the
sources (:mod:`eccpsite.edges.history`, read at the edge) and the sizes of the
outputs rendered so far (for the newsletter's PDF enclosures), and returns
``(url, bytes)`` pairs. What feed validators and readers insist on, and how it
is met here:

- every URL is absolute, also inside the content (relative ``href``/``src``
  are resolved against the item's page);
- the ``self`` link is the feed's own URL; the channel link is the site page;
- an entry's id is the absolute URL of its page, which never changes between
  builds;
- dates come from the content and its git history, never from the clock, and
  are never later than the build's moment (``site.now``). An entry's date is
  when it was published: its ``date`` (or ``publish_at`` when that is later);
  for an event or a call without a ``date``, the first newsletter edition or
  commit that carried it, else its start (or opening);
- content is the sanitized HTML of :func:`~eccpsite.core.markup.markdown.render_markdown`;
- entries are newest first.

feedgen stamps ``lastBuildDate`` and entries' ``updated`` with the clock unless
told otherwise; every date is set here, so two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import heapq
import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import in_words, moment, range_in_words
from eccpsite.core.fields import country_name
from eccpsite.core.kinds import Call, Cluster, Event, Interview, Item, Kind, News, item_date, registered
from eccpsite.core.listings import event_place
from eccpsite.core.markup.markdown import plain_text, render_markdown, summary_text
from eccpsite.core.model import ResolvedEdition, Site
from eccpsite.edges.history import History

FEED_LIMIT = 50  # entries per feed, newest first
MEDIA_TYPES = {"xml": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
GENERATOR = "eccpsite"

_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


@dataclass(frozen=True)
class Enclosure:
    url: str  # absolute
    length: int  # bytes
    media_type: str


@dataclass(frozen=True)
class Entry:
    """One entry of a feed, in the terms all three formats share."""

    id: str
    url: str  # absolute
    title: str
    summary: str  # plain text
    content: str  # sanitized HTML with absolute URLs
    published: dt.datetime
    updated: dt.datetime
    author: str
    tags: tuple[str, ...] = ()
    enclosure: Enclosure | None = None


@dataclass(frozen=True)
class Feed:
    """A feed before it is written in one of the formats."""

    title: str
    description: str
    home: str  # absolute URL of the page the feed follows
    urls: Mapping[str, str]  # format (xml, atom, json) → site path of that feed
    entries: tuple[Entry, ...]
    updated: dt.datetime


def absolutize(fragment: str, base: str) -> str:
    """Resolve every relative ``href`` and ``src`` of an HTML fragment against ``base`` (an absolute URL)."""

    def resolve(match: re.Match[str]) -> str:
        target = urljoin(base, html.unescape(match.group(2)))
        return f"{match.group(1)}{html.escape(target, quote=True)}{match.group(3)}"

    return _URL_ATTRIBUTE.sub(resolve, fragment)


def _cap(when: dt.datetime, now: dt.datetime) -> dt.datetime:
    return min(when, now).astimezone(now.tzinfo)


_first_listed: tuple[tuple[ResolvedEdition, ...], dict[str, dt.date]] | None = None  # for the last site's editions


def first_listed(editions: tuple[ResolvedEdition, ...]) -> dict[str, dt.date]:
    """The date of the first edition that lists each item, by ref (kept for the editions of the latest site).

    Asked once per item page and feed entry: going through every edition each
    time made a 10,000-item site's feeds and pages quadratic in the editions.
    """
    global _first_listed
    known = _first_listed
    if known is not None and known[0] is editions:
        return known[1]
    first: dict[str, dt.date] = {}
    for edition in editions:
        for member in edition.items:
            if member.ref not in first or edition.edition.date < first[member.ref]:
                first[member.ref] = edition.edition.date
    _first_listed = (editions, first)
    return first


def published(site: Site, item: Item, history: History) -> dt.datetime:
    """When an item was published (see the module's docstring); never after ``site.now``."""
    tz = site.config.tz
    explicit = item.date_time or getattr(item, "date", None)
    publish_at = moment(item.publish_at, tz) if item.publish_at is not None else None
    if explicit is not None:
        when = moment(explicit, tz)
        if publish_at is not None and publish_at > when:
            when = publish_at
    elif publish_at is not None:
        when = publish_at
    else:
        listed = first_listed(site.editions).get(item.ref)
        evidence = [moment(listed, tz)] if listed is not None else []
        revision = history.get(item.path)
        if revision is not None:
            evidence.append(revision.created)
        day = item_date(item)
        when = min(evidence) if evidence else moment(day if day is not None else site.now, tz)
    return _cap(when, site.now)


def _updated(site: Site, path: str, first: dt.datetime, history: History) -> dt.datetime:
    revision = history.get(path)
    if revision is None:
        return first
    return max(first, _cap(revision.modified, site.now))


def modified(site: Site, item: Item, history: History) -> dt.datetime:
    """When an item last changed: its latest commit, else when it was published; never after ``site.now``."""
    return _updated(site, item.path, published(site, item, history), history)


def _facts(site: Site, item: Item) -> str:
    """What a reader of the feed needs before the body: when and where, deadlines, who."""
    e = html.escape
    lines: list[str] = []
    if isinstance(item, Event):
        when = item.date_note if item.tentative and item.date_note else range_in_words(item.start, item.end)
        lines.append(f"<strong>When:</strong> {e(when)}{' (to be confirmed)' if item.tentative else ''}")
        if event_place(item):
            lines.append(f"<strong>Where:</strong> {e(event_place(item))}")
        if item.organiser:
            lines.append(f"<strong>Organiser:</strong> {e(item.organiser)}")
        if item.status != "scheduled":
            lines.append(f"<strong>Status:</strong> {e(item.status)}")
        if item.url:
            lines.append(f'<a href="{e(item.url)}">Website of the event</a>')
    elif isinstance(item, Call):
        status = site.call_status.get(item.slug)
        if status is not None:
            lines.append(f"<strong>Status:</strong> {e(status.words)}")
        if item.programme:
            lines.append(f"<strong>Programme:</strong> {e(item.programme)}")
        if item.budget:
            lines.append(f"<strong>Budget:</strong> {e(item.budget)}")
        for deadline in item.deadlines:
            label = f"{deadline.label}: " if deadline.label else ""
            lines.append(f"<strong>Deadline:</strong> {e(label)}{e(in_words(deadline.date))}")
        if item.url:
            lines.append(f'<a href="{e(item.url)}">Website of the call</a>')
    elif isinstance(item, Interview):
        person = item.person
        who = ", ".join(p for p in (person.name, person.role, person.organisation, person.country) if p)
        lines.append(f"<strong>Interview with</strong> {e(who)}")
    elif isinstance(item, Cluster):
        lines.append(f"<strong>Where:</strong> {e(', '.join(p for p in (item.city, country_name(item.country)) if p))}")
        if item.sectors:
            lines.append(f"<strong>Sectors:</strong> {e(', '.join(item.sectors))}")
        if item.website:
            lines.append(f'<a href="{e(item.website)}">Website of the organisation</a>')
    return f"<p>{'<br>'.join(lines)}</p>\n" if lines else ""


def _links(item: Item) -> str:
    if not isinstance(item, News) or not item.links:
        return ""
    entries = "".join(f'<li><a href="{html.escape(link.url)}">{html.escape(link.title)}</a></li>' for link in item.links)
    return f"\n<ul>{entries}</ul>"


def item_entry(site: Site, item: Item, history: History) -> Entry:
    """The feed entry of a news item, event, call or interview."""
    url = site.config.absolute(site.url(item))
    first = published(site, item, history)
    content = _facts(site, item) + render_markdown(item.body) + _links(item)
    author = item.source if isinstance(item, News) and item.source else site.config.author
    return Entry(
        id=url,
        url=url,
        title=item.title,
        summary=summary_text(item.summary, item.body, 300),
        content=absolutize(content, url),
        published=first,
        updated=_updated(site, item.path, first, history),
        author=author,
        tags=tuple(site.tag_name(tag) for tag in item.tags),
    )


def edition_entry(site: Site, resolved: ResolvedEdition, history: History, sizes: Mapping[str, int]) -> Entry:
    """The feed entry of a newsletter edition, with its PDF as an enclosure once the PDF is built."""
    config, edition = site.config, resolved.edition
    url = config.absolute(urls.edition_url(edition.id))
    parts: list[str] = []
    if edition.intro:
        parts.append(render_markdown(edition.intro))
    if edition.editorial is not None:
        role = f", {edition.editorial.role}" if edition.editorial.role else ""
        parts.append(f"<h2>Editorial by {html.escape(edition.editorial.author + role)}</h2>\n{render_markdown(edition.editorial.text)}")
    for section in resolved.sections:
        links = "".join(f'<li><a href="{html.escape(site.url(i))}">{html.escape(i.title)}</a></li>' for i in section.items)
        parts.append(f"<h2>{html.escape(section.title)}</h2>\n<ul>{links}</ul>")
    pdf = urls.edition_pdf_url(edition.id)
    enclosure = Enclosure(config.absolute(pdf), sizes[pdf], "application/pdf") if pdf in sizes else None
    first = _cap(moment(edition.date_time or edition.date, config.tz), site.now)
    summary = edition.intro or f"Edition {edition.number} of the {config.short_title} newsletter."
    return Entry(
        id=url,
        url=url,
        title=edition.title,
        summary=" ".join(plain_text(render_markdown(summary)).split()),
        content=absolutize("\n".join(parts), url),
        published=first,
        updated=_updated(site, edition.path, first, history),
        author=config.author,
        enclosure=enclosure,
    )


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
    dates += [_cap(moment(e.edition.date_time or e.edition.date, site.config.tz), site.now) for e in site.editions]
    return max(dates, default=site.now)


class _AtomLinkAttributes(BaseEntryExtension):  # type: ignore[misc]
    """feedgen 1.0 writes an Atom entry's links with their ``href`` only, dropping ``rel``, ``type`` and ``length``
    (so an enclosure would read as a second alternate link); this puts them back."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for element, link in zip(entry.findall("link"), self.links, strict=True):
            for key in ("rel", "type", "length", "title", "hreflang"):
                if link.get(key):
                    element.set(key, str(link[key]))
        return entry


def _generator(config: SiteConfig, feed: Feed, extension: str) -> FeedGenerator:
    self_url = config.absolute(feed.urls[extension])
    fg = FeedGenerator()
    fg.id(config.absolute(feed.urls["atom"]))
    fg.title(feed.title)
    fg.description(feed.description)
    fg.link(href=self_url, rel="self", type=MEDIA_TYPES[extension])
    fg.link(href=feed.home, rel="alternate", type="text/html")  # last: feedgen makes the last link RSS's channel link
    fg.language(config.language)
    fg.author({"name": config.author, "email": config.email} if config.email else {"name": config.author})
    if config.email:
        fg.managingEditor(f"{config.email} ({config.author})")
        fg.webMaster(f"{config.email} ({config.author})")
    fg.generator(GENERATOR)
    fg.updated(feed.updated)  # also lastBuildDate, which feedgen would otherwise take from the clock
    for entry in feed.entries:
        fe = fg.add_entry(order="append")
        fe.guid(entry.id, permalink=entry.id == entry.url)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate", type="text/html")
        if entry.summary and extension == "xml":  # RSS's <description> is HTML: the plain text is escaped for it
            fe.description(html.escape(entry.summary, quote=False), isSummary=True)
        elif entry.summary:  # Atom's <summary> is text
            fe.summary(entry.summary)
        fe.content(entry.content, type="html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        if entry.author != config.author:
            fe.author({"name": entry.author})
        for tag in entry.tags:
            fe.category(term=tag, label=tag, scheme=config.absolute(urls.TAGS))
        if entry.enclosure is not None:
            fe.enclosure(entry.enclosure.url, str(entry.enclosure.length), entry.enclosure.media_type)
        fe.register_extension("eccpsite_links", _AtomLinkAttributes, atom=True, rss=False)
        fe.eccpsite_links.links = list(fe.link())
    return fg


def to_rss(config: SiteConfig, feed: Feed) -> bytes:
    data: bytes = _generator(config, feed, "xml").rss_str(pretty=True)
    return data


def to_atom(config: SiteConfig, feed: Feed) -> bytes:
    data: bytes = _generator(config, feed, "atom").atom_str(pretty=True)
    return data


def to_json(config: SiteConfig, feed: Feed) -> bytes:
    """A JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for entry in feed.entries:
        item: dict[str, object] = {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.content,
            "summary": entry.summary,
            "date_published": entry.published.isoformat(),
            "date_modified": entry.updated.isoformat(),
            "authors": [{"name": entry.author}],
        }
        if entry.tags:
            item["tags"] = list(entry.tags)
        if entry.enclosure is not None:
            enclosure = entry.enclosure
            item["attachments"] = [{"url": enclosure.url, "mime_type": enclosure.media_type, "size_in_bytes": enclosure.length}]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": config.absolute(feed.urls["json"]),
        "description": feed.description,
        "language": config.language,
        "authors": [{"name": config.author, "url": config.absolute(urls.HOME)}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
