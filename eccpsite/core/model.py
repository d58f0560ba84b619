"""The site model: from typed items and "now" to everything the outputs show.

``build_model`` is pure: it takes the configuration, the items, the editions
and the moment of the build, and returns a :class:`Site` (visible items,
sorted collections, statuses, tags, resolved editions) or located errors
(duplicate slugs, dangling edition references, reserved page slugs).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cached_property
from itertools import compress
from operator import attrgetter
from operator import is_ as _is
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import day_of, in_words, moment
from eccpsite.core.directory import Directory, build_directory, check_cluster_refs
from eccpsite.core.errors import ContentError
from eccpsite.core.fields import did_you_mean
from eccpsite.core.kinds import (
    Call,
    Cluster,
    Deadline,
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
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.recurrence import Occurrence
from eccpsite.core.tags import name_tags

T = TypeVar("T")

STATUS_WORDS = {"forthcoming": "Forthcoming", "open": "Open", "closing-soon": "Closing soon", "closed": "Closed"}


@dataclass(frozen=True)
class CallStatus:
    """A call's status at the moment of the build, and its next deadline still ahead."""

    key: str  # forthcoming | open | closing-soon | closed
    next_deadline: Deadline | None  # the next cut-off still ahead, as written
    next_moment: dt.datetime | None  # when that cut-off passes
    changes_at: dt.datetime | None  # the next moment the status changes

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.key]


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
class Paginated(Generic[T]):
    """One page of a list."""

    number: int
    total: int
    items: tuple[T, ...]
    url: str
    base: str

    @property
    def prev_url(self) -> str | None:
        return urls.list_url(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return urls.list_url(self.base, self.number + 1) if self.number < self.total else None


@dataclass(frozen=True)
class EventFilter:
    """A pre-rendered selection of events: one country, one topic, or one way of attending."""

    kind: str  # country | tag | attendance
    value: str  # "RO", "matchmaking", "online" or "in-person"
    url: str
    upcoming: tuple[Event, ...]  # soonest first
    past: tuple[Event, ...]  # latest first

    @property
    def events(self) -> tuple[Event, ...]:
        return self.upcoming + self.past

    @cached_property
    def upcoming_slugs(self) -> frozenset[str]:
        """Slugs of the upcoming events, for a quick membership test in templates."""
        return frozenset(e.slug for e in self.upcoming)


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


def is_visible(item: Item | Edition, now: dt.datetime, tz: object, drafts: bool) -> bool:
    """Drafts only with ``--drafts``; an item with ``publish_at`` in the future stays out, unless ``--drafts`` previews it too."""
    if drafts:
        return True
    if item.draft:
        return False
    publish_at = getattr(item, "publish_at", None)
    return publish_at is None or moment(publish_at, tz) <= now  # type: ignore[arg-type]


def event_place(event: Event) -> str:
    """Where an event takes place, in one line: venue, city, country code, and "Online"."""
    place = event.location
    parts = [p for p in (place.venue, place.city, place.country) if p] if place is not None else []
    if event.online:
        parts.append("Online")
    return ", ".join(parts)


def occurrence_span(event: Event, occurrence: Occurrence, config: SiteConfig) -> tuple[dt.datetime, dt.datetime]:
    """The real instants an occurrence starts and ends (the end of its last day for dates), in the event's zone."""
    tz = event_tz(event, config)
    last = occurrence.end if occurrence.end is not None else occurrence.start
    return moment(occurrence.start, tz), moment(last, tz, end_of_day=True)


def event_start(event: Event, config: SiteConfig) -> dt.datetime:
    """The real instant an event (its first occurrence) starts."""
    return moment(event.start, event_tz(event, config))


def next_occurrence(event: Event, now: dt.datetime, config: SiteConfig) -> Occurrence | None:
    """The first occurrence that has not ended at ``now``."""
    return next((o for o in event.occurrences if occurrence_span(event, o, config)[1] > now), None)


def event_is_upcoming(event: Event, now: dt.datetime, config: SiteConfig) -> bool:
    """An event is upcoming until its end (the end of its last day); a series until its last occurrence ends."""
    return occurrence_span(event, event.occurrences[-1], config)[1] > now


def registration_closes(event: Event, config: SiteConfig) -> dt.datetime | None:
    """When registration for an event closes: its ``registration_deadline`` (the end of that day for a date), in the event's zone."""
    deadline = event.registration_deadline
    if deadline is None:
        return None
    return moment(deadline, event_tz(event, config), end_of_day=not isinstance(deadline, dt.datetime))


def call_status(call: Call, now: dt.datetime, config: SiteConfig) -> CallStatus:
    """Forthcoming before ``opens``, open, closing soon near the last deadline, closed after it."""
    tz = config.tz
    deadlines = [(moment(d.date, tz, end_of_day=not isinstance(d.date, dt.datetime)), d) for d in call.deadlines]
    last = deadlines[-1][0]
    ahead = [(when, deadline) for when, deadline in deadlines if when > now]
    next_moment, next_deadline = ahead[0] if ahead else (None, None)
    soon_from = last - dt.timedelta(days=config.closing_soon_days)
    opens = moment(call.opens, tz) if call.opens is not None else None
    if opens is not None and now < opens:
        return CallStatus("forthcoming", next_deadline, next_moment, opens)
    if now >= last:
        return CallStatus("closed", None, None, None)
    if now >= soon_from:
        return CallStatus("closing-soon", next_deadline, next_moment, next_moment)
    return CallStatus("open", next_deadline, next_moment, min(soon_from, next_moment or soon_from))


def status_timeline(call: Call, config: SiteConfig) -> tuple[tuple[dt.datetime, str], ...]:
    """Each moment the call's status changes, with the status from that moment on.

    The candidates are the opening, the start of "closing soon" and every
    deadline; the status at each comes from :func:`call_status` itself, so the
    page's script and the build can never disagree.
    """
    tz = config.tz
    ends = [moment(d.date, tz, end_of_day=not isinstance(d.date, dt.datetime)) for d in call.deadlines]
    candidates = {*ends, ends[-1] - dt.timedelta(days=config.closing_soon_days)}
    if call.opens is not None:
        candidates.add(moment(call.opens, tz))
    timeline: list[tuple[dt.datetime, str]] = []
    before = min(candidates) - dt.timedelta(seconds=1)
    current = call_status(call, before, config).key
    for when in sorted(candidates):
        key = call_status(call, when, config).key
        if key != current:
            timeline.append((when, key))
            current = key
    return tuple(timeline)


def attendance_of(event: Event) -> tuple[str, ...]:
    """How one takes part: ``in-person`` when it has a place, ``online`` when it is online (a hybrid event has both)."""
    ways = []
    if event.location is not None and (event.location.city or event.location.country or event.location.venue):
        ways.append("in-person")
    if event.online:
        ways.append("online")
    return tuple(ways)


def build_event_filters(upcoming: Sequence[Event], past: Sequence[Event]) -> tuple[EventFilter, ...]:
    """A filter per country, per topic and per way of attending that has at least one event."""
    found: dict[tuple[str, str], tuple[list[Event], list[Event]]] = {}
    for when, events in ((0, upcoming), (1, past)):
        for event in events:  # one pass over the events (not one per filter): in order, without duplicates
            keys = [("tag", urls.slugify(tag)) for tag in event.tags] + [("attendance", way) for way in attendance_of(event)]
            if event.location is not None and event.location.country:
                keys.append(("country", event.location.country))
            for key in keys:
                found.setdefault(key, ([], []))[when].append(event)

    def url(kind: str, value: str) -> str:
        return {"country": urls.event_country_url, "tag": urls.event_tag_url, "attendance": urls.event_attendance_url}[kind](value)

    order = {"attendance": 0, "country": 1, "tag": 2}
    return tuple(
        EventFilter(kind, value, url(kind, value), tuple(found[kind, value][0]), tuple(found[kind, value][1]))
        for kind, value in sorted(found, key=lambda k: (order[k[0]], k[1]))
    )


def group_by_month(events: Sequence[Event], start_of: Callable[[Event], dt.date | dt.datetime] | None = None) -> list[tuple[dt.date, list[Event]]]:
    """Consecutive events of the same month (of their start, or of ``start_of(event)``) together: ``[(2019-09-01, [...]), ...]``."""
    groups: list[tuple[dt.date, list[Event]]] = []
    for event in events:
        first = day_of(start_of(event) if start_of is not None else event.start).replace(day=1)
        if groups and groups[-1][0] == first:
            groups[-1][1].append(event)
        else:
            groups.append((first, [event]))
    return groups


def paginate(items: Sequence[T], base: str, per_page: int) -> list[Paginated[T]]:
    """Split a list into pages at ``base``, ``base/page/2/`` … (always at least one page)."""
    total = max(1, -(-len(items) // per_page))
    return [Paginated(n, total, tuple(items[(n - 1) * per_page : n * per_page]), urls.list_url(base, n), base) for n in range(1, total + 1)]


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
    )


def _next_start(event: Event, now: dt.datetime, config: SiteConfig) -> dt.datetime:
    """The instant an upcoming event's next occurrence starts: what the upcoming list sorts by."""
    ahead = next_occurrence(event, now, config)
    return occurrence_span(event, ahead, config)[0] if ahead is not None else event_start(event, config)


def _pending(items: Iterable[Item], now: dt.datetime, tz: ZoneInfo, drafts: bool) -> tuple[dt.datetime, ...]:
    """The moments at which items and editions held back by ``publish_at`` come out."""
    moments = (moment(i.publish_at, tz) for i in items if (drafts or not i.draft) and i.publish_at is not None)
    return tuple(sorted(m for m in moments if m > now))


def next_status_change(site: Site) -> dt.datetime | None:
    """The next moment the site changes by itself: a call's or an event's status changes, or a held-back item comes out.

    Until then a build of unchanged sources gives the same output (a scheduled
    rebuild is due then; see ``next-change.txt``).
    """
    moments = [s.changes_at for s in site.call_status.values() if s.changes_at is not None]
    for event in site.upcoming_events:  # the end of each next occurrence (the page then names the one after)
        ahead = site.next_occurrence(event)
        if ahead is not None:
            moments.append(occurrence_span(event, ahead, site.config)[1])
        closes = registration_closes(event, site.config)
        if closes is not None and closes > site.now:
            moments.append(closes)
    moments += site.pending[:1]
    return min(moments) if moments else None


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
_PLAIN = (str, int, float, bool, type(None), dt.date, ZoneInfo)  # values that hold no items (datetime is a date)


def same_place(old: Item, new: Item) -> bool:
    """Whether ``new`` takes exactly ``old``'s place in the site: same type and same values for every field the model reads."""
    names = PLACE_FIELDS + CLUSTER_PLACE_FIELDS if isinstance(old, Cluster) else PLACE_FIELDS
    return type(old) is type(new) and all(getattr(old, name, _MISSING) == getattr(new, name, _MISSING) for name in names)


_ref = attrgetter("ref")


def _only_items(values: Iterable[object]) -> bool:
    return all(issubclass(kind, Item) for kind in set(map(type, values)))


def swap_items(value: T, new: dict[str, Item]) -> T:
    """``value`` with every item whose ref is a key of ``new`` replaced by ``new[ref]``.

    Walks tuples, lists, dicts and dataclasses (never into an item); a part
    that holds none of those items is returned as it is, the very same object,
    so that unchanged parts of a site still compare by identity. The scans of
    long tuples of items run in C.
    """
    swapped: T = _swap(value, new)
    return swapped


def _swap(value: Any, new: dict[str, Item]) -> Any:
    if isinstance(value, Item):
        return new.get(value.ref, value)
    if isinstance(value, (*_PLAIN, SiteConfig, ContentError)):
        return value
    if type(value) in (tuple, list):
        if _only_items(value):
            return _swap_in_sequence(value, new)
        parts = [_swap(v, new) for v in value]
        return value if all(map(_is, parts, value)) else type(value)(parts)
    if type(value) is dict:
        if _only_items(value.values()):
            if not any(map(new.__contains__, map(_ref, value.values()))):
                return value
            return {k: new.get(v.ref, v) for k, v in value.items()}
        swapped = {k: _swap(v, new) for k, v in value.items()}
        return value if all(map(_is, swapped.values(), value.values())) else swapped
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            part = getattr(value, f.name)
            swapped_part = _swap(part, new)
            if swapped_part is not part:
                changes[f.name] = swapped_part
        return replace(value, **changes) if changes else value
    return value


def _swap_in_sequence(items: tuple[Item, ...] | list[Item], new: dict[str, Item]) -> tuple[Item, ...] | list[Item]:
    hits = list(map(new.__contains__, map(_ref, items)))
    if not any(hits):
        return items
    swapped = list(items)
    for index in compress(range(len(swapped)), hits):
        swapped[index] = new[swapped[index].ref]
    return type(items)(swapped)


# The fields of Site that hold items (tests/unit/test_model_swap.py checks that the others hold none).
ITEM_FIELDS = (
    "items", "news", "upcoming_events", "past_events", "open_calls", "closed_calls", "interviews", "pages", "tags", "editions", "by_ref", "event_filters",
    "directory",
)  # fmt: skip


def swap_site_items(site: Site, new: dict[str, Item]) -> Site:
    """The site with the items of ``new`` (by ref) in their old ones' places: what build_model makes of items edited in place.

    Only valid when each new item is in its old one's place (:func:`same_place`).
    """
    changes = {}
    for name in ITEM_FIELDS:
        part = getattr(site, name)
        swapped = swap_items(part, new)
        if swapped is not part:
            changes[name] = swapped
    return replace(site, **changes) if changes else site


def refs_in(value: object) -> set[str]:
    """The refs of every item held anywhere in ``value`` (through tuples, lists, dicts and dataclasses)."""
    found: set[str] = set()
    _collect_refs(value, found)
    return found


def _collect_refs(value: Any, found: set[str]) -> None:
    if isinstance(value, Item):
        found.add(value.ref)
    elif isinstance(value, (*_PLAIN, SiteConfig, ContentError)):
        return
    elif type(value) in (tuple, list, dict):
        values = value.values() if type(value) is dict else value
        if _only_items(values):
            found.update(map(_ref, values))
        else:
            for part in values:
                _collect_refs(part, found)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _collect_refs(getattr(value, f.name), found)
