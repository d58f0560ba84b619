"""A throwaway content kind, written as a new kind would be: one module (this one) and its template.

``tests/test_kinds.py`` registers it and builds a site with it, to show that
nothing else in eccpsite has to be edited for a kind to get its pages, its
list, its feed and its sitemap entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eccpsite.core import fields as f
from eccpsite.core.kinds.base import Item, Kind, KindFeed, ListPage


@dataclass(frozen=True, kw_only=True)
class Report(Item):
    """A study published by the platform."""

    date: dt.date
    pages: int | None = None


KIND = Kind(
    folder="reports",
    item=Report,
    label="Report",
    singular="report",
    plural="Reports",
    fields={"date": f.Field(f.date_or_datetime, True), "pages": f.Field(f.integer)},
    template="report.html",
    lists=(ListPage("/reports/", "list.html", "Reports", lambda site: site.of_kind("reports")),),
    feed=KindFeed("Reports", lambda site: site.of_kind("reports")),
    date=lambda item: item.date,
)

TEMPLATE = """{% extends "_item.html" %}
{% block kicker %}Report{% endblock %}
{% block facts %}
<p class="facts"><time datetime="{{ item.date | iso }}">{{ item.date | in_words }}</time>{% if item.pages %} · {{ item.pages }} pages{% endif %}</p>
{% endblock %}
"""
