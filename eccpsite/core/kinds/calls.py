"""Calls for proposals: ``content/calls/<slug>.md`` with their deadlines; open ones at ``/calls/``, closed ones at
``/calls/closed/``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from eccpsite.core import dates, urls
from eccpsite.core import fields as f
from eccpsite.core.errors import FieldError
from eccpsite.core.kinds.base import CLUSTER_REFS, Deadline, Item, Kind, KindFeed, ListPage
from eccpsite.core.located import Located


@dataclass(frozen=True, kw_only=True)
class Call(Item):
    deadlines: tuple[Deadline, ...]
    opens: dt.date | dt.datetime | None = None
    programme: str | None = None
    budget: str | None = None
    url: str | None = None
    date: dt.date | None = None  # when it was announced; defaults to the opening or first deadline


_DEADLINE = f.mapping_of({"date": f.Field(f.date_or_datetime, True), "label": f.Field(f.text)}, "a deadline ({date, label})", Deadline)


def _check(parsed: Mapping[str, Any], meta: Located) -> Iterator[FieldError]:
    """Deadlines out of order, or a call that opens after its first deadline."""
    if "deadlines" not in parsed:
        return
    days = [dates.day_of(d.date) for d in parsed["deadlines"]]
    if any(b < a for a, b in pairwise(days)):
        yield FieldError("list the deadlines in the order they fall, earliest first", field="deadlines")
    opens = parsed.get("opens")
    if opens is not None and days and days[0] < dates.day_of(opens):
        message = f"the call opens ({dates.day_of(opens).isoformat()}) after its first deadline ({days[0].isoformat()})"
        yield FieldError(message, field="opens")


def _announced(call: Call) -> dt.date:
    """When a call was announced: its 'date', else the day it opens, else its first deadline."""
    return call.date or dates.day_of(call.opens or call.deadlines[0].date)


KIND = Kind(
    folder="calls",
    item=Call,
    label="Call",
    singular="call",
    plural="Calls",
    command="call",
    scaffold=(
        "deadlines:          # one or more cut-offs, earliest first\n"
        "  - {{date: {today}, label: Deadline}}\n"
        "opens:              # YYYY-MM-DD, if the call is not open yet\n"
        "programme:          # COSME, Horizon 2020, Interreg, ...\n"
        "budget:\n"
        "url:                # the call's page, https://...\n"
        "summary:\n"
        "tags: []\n"
    ),
    fields={
        "deadlines": f.Field(f.list_of(_DEADLINE, "deadlines ({date, label})", min_items=1), True),
        "opens": f.Field(f.date_or_datetime),
        "date": f.Field(f.date_or_datetime),
        "programme": f.Field(f.text),
        "budget": f.Field(f.text),
        "url": f.Field(f.url),
        "clusters": CLUSTER_REFS,
    },
    template="call.html",
    lists=(
        ListPage("/calls/", "calls.html", "Open calls", lambda site: site.open_calls, {"closed": False}),
        ListPage(urls.CLOSED_CALLS, "calls.html", "Closed calls", lambda site: site.closed_calls, {"closed": True}),
    ),
    feed=KindFeed("Calls", lambda site: (*site.open_calls, *site.closed_calls)),
    date=_announced,
    check=_check,
)
