"""The site model: from typed items and "now" to everything the outputs show.

``build_model`` is pure: it takes the configuration, the items, the editions
and the moment of the build, and returns a :class:`Site` (visible items,
sorted collections, statuses, tags, resolved editions) or located errors
(duplicate slugs, dangling edition references, reserved page slugs).
:func:`swap_site_items` is what ``build_model`` makes of items edited in
place, for the dev server. What an item's status is at a moment lives in
:mod:`status`, how lists are cut in :mod:`listings`, the walk that swaps
items in :mod:`swap`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TypeVar
from zoneinfo import ZoneInfo

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import in_words, moment, month_shift
from eccpsite.core.directory import Directory, build_directory, check_cluster_refs
from eccpsite.core.errors import ContentError
from eccpsite.core.fields import did_you_mean
from eccpsite.core.kinds import (
    Call,
    Cluster,
    Edition,
    Event,
    Interview,
    Item,
    News,
    Page,
    item_date,
    kind_named,
    kind_of,
    registered,
    reserved_segments,
)
from eccpsite.core.listings import EventFilter, build_event_filters
from eccpsite.core.recurrence import Occurrence
from eccpsite.core.status import (
    CallStatus,
    call_status,
    event_is_upcoming,
    event_start,
    is_visible,
    next_occurrence,
    occurrence_span,
    registration_closes,
    status_timeline,
)
from eccpsite.core.swap import swap_items
from eccpsite.core.tags import name_tags

T = TypeVar("T")


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ResolvedEdition:
    edition: Edition
    sections: tuple[Section, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        seen: dict[str, Item] = {}
        for section in self.sections:
            for item in section.items:
                seen.setdefault(item.ref, item)
        return tuple(seen.values())


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    now: dt.datetime
    items: tuple[Item, ...]
    news: tuple[News, ...]
    upcoming_events: tuple[Event, ...]
    past_events: tuple[Event, ...]
    open_calls: tuple[Call, ...]
    closed_calls: tuple[Call, ...]
    interviews: tuple[Interview, ...]
    pages: tuple[Page, ...]
    tags: dict[str, tuple[Item, ...]]
    editions: tuple[ResolvedEdition, ...]
    call_status: dict[str, CallStatus]
    warnings: tuple[ContentError, ...] = ()
    by_ref: dict[str, Item] = field(default_factory=dict)
    event_filters: tuple[EventFilter, ...] = ()
    # Per call slug, each moment its status changes and the status from then on (for the page's script).
    call_timelines: dict[str, tuple[tuple[dt.datetime, str], ...]] = field(default_factory=dict)
    pending: tuple[dt.datetime, ...] = ()  # when items held back by 'publish_at' come out, soonest first
    tag_names: dict[str, str] = field(default_factory=dict)  # per tag slug, the form pages show (eccpsite.core.tags)
    directory: Directory = field(default_factory=Directory)  # cluster profiles, their sectors and countries (eccpsite.core.directory)
    first_listed: dict[str, dt.date] = field(default_factory=dict)  # per item ref, the date of the first edition that lists it

    def filters_of(self, kind: str) -> tuple[EventFilter, ...]:
        """The event filters of one kind (country, tag or attendance)."""
        return tuple(f for f in self.event_filters if f.kind == kind)

    def url(self, item: Item) -> str:
        return urls.item_url(item.kind, item.slug)

    def of_kind(self, folder: str) -> tuple[Item, ...]:
        """The visible items of one kind, newest first: the list and feed of a kind that keeps no collection of its
        own in the site model (the built-in kinds keep theirs: ``news``, ``upcoming_events`` …)."""
        return tuple(sorted((i for i in self.items if i.kind == folder), key=_sort_key_newest, reverse=True))

    def tag_name(self, tag: str) -> str:
        """The form the site shows a tag in, however it was written (``blue-growth``, ``Blue Growth`` → ``blue growth``)."""
        return self.tag_names.get(urls.slugify(tag), tag)

    def tag_description(self, tag: str) -> str | None:
        """What ``site.yaml`` says about a tag, if anything."""
        slug = urls.slugify(tag)
        return next((t.description for t in self.config.tags if urls.slugify(t.tag) == slug), None)

    def unpublished_note(self, item: Item | Edition) -> str | None:
        """What a preview (``--drafts``) says over the page of what readers cannot see yet; None once it is published.

        "Draft — not published", or "Scheduled for 3 June 2019, 09:00" (its
        ``publish_at``, in the site's time zone).
        """
        if item.draft:
            return "Draft — not published"
        publish_at = getattr(item, "publish_at", None)
        if publish_at is None or moment(publish_at, self.config.tz) <= self.now:
            return None
        shown = moment(publish_at, self.config.tz).astimezone(self.config.tz) if isinstance(publish_at, dt.datetime) else publish_at
        return f"Scheduled for {in_words(shown)}"

    def next_occurrence(self, event: Event) -> Occurrence | None:
        """The event's occurrence that is on or still ahead at the build's moment (None once it is over)."""
        return next_occurrence(event, self.now, self.config)

    def listed_start(self, event: Event) -> dt.date | dt.datetime:
        """Where an event sits in a list: the start of its next occurrence, or of its first one once it is over."""
        ahead = self.next_occurrence(event)
        return ahead.start if ahead is not None else event.start


def _listable_words() -> str:
    """What an edition may list, in words: the folders of the kinds whose items have a page."""
    listable = [kind.folder for kind in registered() if kind.template is not None]
    return ", ".join(f"{folder}/" for folder in listable[:-1]) + f" or {listable[-1]}/"


def _reserved_slug(item: Item) -> list[ContentError]:
    """An item whose slug its kind's own pages use (``/events/past/``), or a page taking one of the site's folders."""
    kind = kind_of(item)
    if kind.folder == "pages" and item.slug in reserved_segments():
        return [ContentError(item.path, item.line, "slug", f"'{item.slug}' is used by the site itself; choose another page name")]
    if item.slug in kind.reserved:
        message = f"'{item.slug}' is used by {kind.reserved_by} itself (/{kind.folder}/{item.slug}/); choose another file name or 'slug:'"
        return [ContentError(item.path, item.line, "slug", message)]
    return []


def _sort_key_newest(item: Item) -> tuple[dt.date, dt.time, str]:
    """Newest first by day, then by the time a date with a time gives (a plain date counts as the day's start), then slug."""
    return (item_date(item) or dt.date.min, item.date_time.time() if item.date_time is not None else dt.time.min, item.slug)


def build_model(
    config: SiteConfig,
    items: Sequence[Item],
    editions: Sequence[Edition],
    now: dt.datetime,
    drafts: bool = False,
    unparsed: frozenset[str] = frozenset(),
) -> Site | list[ContentError]:
    """Resolve collections, statuses, tags and editions; report cross-file errors.

    ``unparsed`` names items whose files had errors of their own: references to
    them are not reported a second time.
    """
    errors: list[ContentError] = []
    by_ref: dict[str, Item] = {}
    for item in sorted(items, key=attrgetter("path")):
        if item.ref in by_ref:
            other = by_ref[item.ref]
            message = f"the slug '{item.slug}' is already used by {other.path}; give one of them another file name or 'slug:'"
            errors.append(ContentError(item.path, item.line, "slug", message))
            continue
        errors.extend(_reserved_slug(item))
        by_ref[item.ref] = item
    errors.extend(check_cluster_refs(by_ref.values(), [i.slug for i in by_ref.values() if i.kind == "clusters"], unparsed))

    tz = config.tz
    visible = [i for i in by_ref.values() if (i.publish_at is None and not i.draft) or is_visible(i, now, tz, drafts)]
    visible_refs = {i.ref for i in visible}

    warnings: list[ContentError] = []
    resolved: list[ResolvedEdition] = []
    for edition in sorted(editions, key=lambda e: (e.date, e.id), reverse=True):
        sections = []
        for section in edition.sections:
            members = []
            for ref, line in zip(section.items, section.item_lines, strict=True):
                if ref in unparsed and ref not in by_ref:
                    continue
                if ref not in by_ref:
                    kind = ref.split("/", 1)[0]
                    hint = did_you_mean(ref, list(by_ref)) if kind_named(kind) is not None else f" (a reference starts with {_listable_words()})"
                    message = f"'{ref}' does not match any item{hint}; expected <folder>/<slug>, the slug being the file name without .md and date"
                    errors.append(ContentError(edition.path, line, "sections.items", message))
                elif ref not in visible_refs:
                    message = f"'{ref}' is a draft or not yet published and is left out of this edition"
                    warnings.append(ContentError(edition.path, line, "sections.items", message, warning=True))
                else:
                    members.append(by_ref[ref])
            sections.append(Section(section.title, tuple(members)))
        if is_visible(edition, now, tz, drafts):
            resolved.append(ResolvedEdition(edition, tuple(sections)))
    if errors:
        return errors

    by_kind: dict[type, list[Item]] = defaultdict(list)
    for item in visible:
        by_kind[type(item)].append(item)

    def of(cls: type[T]) -> list[T]:
        return by_kind[cls]  # type: ignore[return-value]

    newest_first = sorted(visible, key=_sort_key_newest, reverse=True)  # keys are unique within a kind: filtering keeps a kind sorted
    events = of(Event)
    ahead = {id(e) for e in events if event_is_upcoming(e, now, config)}
    upcoming = sorted((e for e in events if id(e) in ahead), key=lambda e: (_next_start(e, now, config), e.slug))
    past = sorted((e for e in events if id(e) not in ahead), key=lambda e: (event_start(e, config), e.slug), reverse=True)
    statuses = {c.slug: call_status(c, now, config) for c in of(Call)}
    calls = of(Call)
    still_open = sorted(
        (c for c in calls if statuses[c.slug].key != "closed"),
        key=lambda c: (statuses[c.slug].next_moment or now, c.slug),
    )
    closed = sorted(
        (c for c in calls if statuses[c.slug].key == "closed"),
        key=lambda c: (moment(c.deadlines[-1].date, tz), c.slug),
        reverse=True,
    )
    tags: dict[str, list[Item]] = defaultdict(list)
    for item in newest_first:
        for tag in item.tags:
            tags[urls.slugify(tag)].append(item)
    named = name_tags(by_ref.values(), config)
    warnings.extend(named.warnings)
    return Site(
        config=config,
        now=now,
        items=tuple(sorted(visible, key=attrgetter("ref"))),
        news=tuple(i for i in newest_first if type(i) is News),
        upcoming_events=tuple(upcoming),
        past_events=tuple(past),
        open_calls=tuple(still_open),
        closed_calls=tuple(closed),
        interviews=tuple(i for i in newest_first if type(i) is Interview),
        pages=tuple(sorted(of(Page), key=lambda p: (p.menu if p.menu is not None else 999, p.slug))),
        tags={tag: tuple(members) for tag, members in sorted(tags.items())},
        editions=tuple(resolved),
        call_status=statuses,
        warnings=tuple(warnings),
        by_ref={i.ref: i for i in visible},
        pending=_pending(by_ref.values(), now, tz, drafts),
        event_filters=build_event_filters(upcoming, past),
        directory=build_directory(visible, newest_first, upcoming, past),
        call_timelines={c.slug: status_timeline(c, config) for c in calls},
        tag_names=named.names,
        first_listed=first_listed(resolved),
    )


def first_listed(editions: Iterable[ResolvedEdition]) -> dict[str, dt.date]:
    """The date of the first edition that lists each item, by ref: an undated item's publication date (its pages and
    feed entries ask, one item at a time)."""
    first: dict[str, dt.date] = {}
    for edition in editions:
        for member in edition.items:
            if member.ref not in first or edition.edition.date < first[member.ref]:
                first[member.ref] = edition.edition.date
    return first


def _next_start(event: Event, now: dt.datetime, config: SiteConfig) -> dt.datetime:
    """The instant an upcoming event's next occurrence starts: what the upcoming list sorts by."""
    ahead = next_occurrence(event, now, config)
    return occurrence_span(event, ahead, config)[0] if ahead is not None else event_start(event, config)


def _pending(items: Iterable[Item], now: dt.datetime, tz: ZoneInfo, drafts: bool) -> tuple[dt.datetime, ...]:
    """The moments at which items and editions held back by ``publish_at`` come out."""
    moments = (moment(i.publish_at, tz) for i in items if (drafts or not i.draft) and i.publish_at is not None)
    return tuple(sorted(m for m in moments if m > now))


def next_status_change(site: Site) -> dt.datetime:
    """The next moment the site changes by itself: a call's or an event's status changes, a held-back item comes out,
    or a month begins in the site's time zone (the event calendar's own page shows the month of the build).

    Until then a build of unchanged sources gives the same output (a scheduled
    rebuild is due then; see ``next-change.txt``).
    """
    month = month_shift(site.now.astimezone(site.config.tz).date(), 1)
    moments = [dt.datetime(month.year, month.month, 1, tzinfo=site.config.tz)]
    moments += [s.changes_at for s in site.call_status.values() if s.changes_at is not None]
    for event in site.upcoming_events:  # the end of each next occurrence (the page then names the one after)
        ahead = site.next_occurrence(event)
        if ahead is not None:
            moments.append(occurrence_span(event, ahead, site.config)[1])
        closes = registration_closes(event, site.config)
        if closes is not None and closes > site.now:
            moments.append(closes)
    moments += site.pending[:1]
    return min(moments)


def steady_until(site: Site, now: dt.datetime) -> dt.datetime:
    """Until when a later moment makes the site that ``now`` makes: the next change of a status, or the next midnight
    in the site's time zone (a calendar stamps a change it has no date for with the build's day). A build on the clock keeps its last
    moment while that lasts (the build's and the dev server's), so that the pages that read "now" stay as they are."""
    local = now.astimezone(site.config.tz)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=site.config.tz)
    change = next_status_change(site)
    return min(change, midnight) if change > now else midnight


# --- an item edited in place -------------------------------------------------------------

# The item fields build_model reads (tests/unit/test_model_swap.py records its reads to keep
# this true). An edit that leaves them alone — a new body, title, summary or image — moves the
# item nowhere: no collection, order, status, tag, filter or edition changes, and the new site
# is the old one with the new item in the old one's places (see swap_items).
PLACE_FIELDS = (
    "kind", "slug", "path", "draft", "publish_at", "tags", "date", "date_time", "start", "end", "location", "online", "opens", "deadlines", "menu",
    "timezone", "repeat", "registration_deadline", "occurrences",  # occurrences: made of start, end and repeat
    "clusters", "cluster_lines", "country", "sectors", "person",
)  # fmt: skip
# A profile's name places it too: the directory lists profiles by name.
CLUSTER_PLACE_FIELDS = ("title",)
_MISSING = object()


def same_place(old: Item, new: Item) -> bool:
    """Whether ``new`` takes exactly ``old``'s place in the site: same type and same values for every field the model reads."""
    names = PLACE_FIELDS + CLUSTER_PLACE_FIELDS if isinstance(old, Cluster) else PLACE_FIELDS
    return type(old) is type(new) and all(getattr(old, name, _MISSING) == getattr(new, name, _MISSING) for name in names)


# The fields of Site that hold items (tests/unit/test_model_swap.py checks that the others hold none).
ITEM_FIELDS = (
    "items", "news", "upcoming_events", "past_events", "open_calls", "closed_calls", "interviews", "pages", "tags", "editions", "by_ref", "event_filters",
    "directory",
)  # fmt: skip


def swap_site_items(site: Site, new: dict[str, Item]) -> Site:
    """The site with the items of ``new`` (by ref) in their old ones' places: what build_model makes of items edited in place.

    Only valid when each new item is in its old one's place (:func:`same_place`). Every item a site holds is its
    ``by_ref`` entry (build_model keeps the objects it is given), so the items it holds are found by identity.
    """
    old = [site.by_ref[ref] for ref in new if ref in site.by_ref]
    if not old:
        return site  # none of them is visible: the site holds none of them
    changes = {}
    for name in ITEM_FIELDS:
        part = getattr(site, name)
        swapped = swap_items(part, new, old)
        if swapped is not part:
            changes[name] = swapped
    return replace(site, **changes) if changes else site
