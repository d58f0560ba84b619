"""Interviews: ``content/interviews/YYYY-MM-DD-<slug>.md``, a person and what they said, newest first at ``/interviews/``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eccpsite import fields as f
from eccpsite.errors import FieldError
from eccpsite.kinds.base import CLUSTER_REFS, Item, Kind, KindFeed, ListPage, Person
from eccpsite.kinds.news import article_json_ld
from eccpsite.kinds.pictures import check_picture
from eccpsite.source import Located


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


def _check(parsed: Mapping[str, Any], meta: Located) -> Iterator[FieldError]:
    yield from check_picture(parsed, "photo", "a photo needs 'photo_alt': a short text saying what the photo shows")


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
    check=_check,
    json_ld=article_json_ld,
)
