"""Interviews: ``content/interviews/YYYY-MM-DD-<slug>.md``, a person and what they said, newest first at ``/interviews/``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eccpsite.core import fields as f
from eccpsite.core.kinds.base import CLUSTER_REFS, Item, Kind, KindFeed, ListPage, Person
from eccpsite.core.kinds.news import article_json_ld


@dataclass(frozen=True, kw_only=True)
class Interview(Item):
    date: dt.date
    person: Person
    photo: str | None = None
    photo_alt: str | None = None


_PERSON = f.mapping_of(
    {"name": f.Field(f.text, True), "role": f.Field(f.text), "organisation": f.Field(f.text), "country": f.Field(f.country)},
    "a person ({name, role, organisation, country})",
    Person,
)


KIND = Kind(
    folder="interviews",
    item=Interview,
    label="Interview",
    singular="interview",
    plural="Interviews",
    command="interview",
    scaffold=(
        "date: {today}\n"
        "person:\n"
        "  name:             # required: who is interviewed\n"
        "  role:\n"
        "  organisation:\n"
        "  country:          # two-letter code: BE, RO, CA, ...\n"
        "summary:\n"
        "tags: []\n"
    ),
    fields={
        "date": f.Field(f.date_or_datetime, True),
        "person": f.Field(_PERSON, True),
        "photo": f.Field(f.text),
        "photo_alt": f.Field(f.text),
        "clusters": CLUSTER_REFS,
    },
    template="interview.html",
    lists=(ListPage("/interviews/", "list.html", "Interviews", lambda site: site.interviews),),
    feed=KindFeed("Interviews", lambda site: site.interviews),
    date=lambda item: item.date,
    pictures=(("photo", "a photo needs 'photo_alt': a short text saying what the photo shows"),),
    json_ld=article_json_ld,
)
