"""A feed's entries: what each says of a news item, event, call, interview or edition, and when it was published.

The formats (:mod:`feed_xml`, :mod:`feed_json`) write a :class:`Feed` of
:class:`Entry` values; :mod:`feeds` chooses which entries make which feed.
What feed validators and readers insist on of an entry, and how it is met here:

- every URL is absolute, also inside the content (relative ``href``/``src``
  are resolved against the item's page);
- an entry's id is the absolute URL of its page, which never changes between
  builds;
- dates come from the content and its git history, never from the clock, and
  are never later than the build's moment (``site.now``). An entry's date is
  when it was published: its ``date`` (or ``publish_at`` when that is later);
  for an event or a call without a ``date``, the first newsletter edition or
  commit that carried it, else its start (or opening);
- content is the sanitized HTML of :func:`~eccpsite.core.markup.markdown.render_markdown`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from eccpsite.core import urls
from eccpsite.core.countries import country_name
from eccpsite.core.dates import in_words, moment, range_in_words
from eccpsite.core.kinds import Call, Cluster, Event, Interview, Item, News, item_date
from eccpsite.core.listings import event_place
from eccpsite.core.markup.markdown import plain_text, render_markdown, summary_text
from eccpsite.core.model import ResolvedEdition, Site
from eccpsite.edges.history import History

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


def cap(when: dt.datetime, now: dt.datetime) -> dt.datetime:
    """``when``, or ``now`` if it is later, in the zone of ``now``: no feed date is after the build."""
    return min(when, now).astimezone(now.tzinfo)


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
        listed = site.first_listed.get(item.ref)
        evidence = [moment(listed, tz)] if listed is not None else []
        revision = history.get(item.path)
        if revision is not None:
            evidence.append(revision.created)
        day = item_date(item)
        when = min(evidence) if evidence else moment(day if day is not None else site.now, tz)
    return cap(when, site.now)


def _updated(site: Site, path: str, first: dt.datetime, history: History) -> dt.datetime:
    revision = history.get(path)
    if revision is None:
        return first
    return max(first, cap(revision.modified, site.now))


def dated(site: Site, item: Item, history: History) -> tuple[dt.datetime, dt.datetime]:
    """When an item was published (:func:`published`) and when it last changed: its latest commit, else when it was
    published; never after ``site.now``."""
    first = published(site, item, history)
    return first, _updated(site, item.path, first, history)


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
    first = cap(moment(edition.date_time or edition.date, config.tz), site.now)
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
