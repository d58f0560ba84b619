"""Where an item stands at a moment: visible or held back, an event upcoming or over, a call open or closed.

These are the questions about time the site model asks of each item (and
that the feeds, calendars and pages ask again of a built site): each takes
the item, the moment and the configuration and answers with a value. They
are apart from :mod:`model` because they need no site, only the item and the
clock, and the site model, its in-place swap and the outputs share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eccpsite.core.config import SiteConfig
from eccpsite.core.dates import moment
from eccpsite.core.kinds import Call, Deadline, Edition, Event, Item
from eccpsite.core.kinds.events import event_tz
from eccpsite.core.recurrence import Occurrence

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


def is_visible(item: Item | Edition, now: dt.datetime, tz: object, drafts: bool) -> bool:
    """Drafts only with ``--drafts``; an item with ``publish_at`` in the future stays out, unless ``--drafts`` previews it too."""
    if drafts:
        return True
    if item.draft:
        return False
    publish_at = getattr(item, "publish_at", None)
    return publish_at is None or moment(publish_at, tz) <= now  # type: ignore[arg-type]


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
