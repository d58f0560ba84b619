"""Country factsheets on cluster policy: ``content/countries/<cc>.md`` (the country's ISO code in lowercase), shown
on the country's page; a factsheet has no page of its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eccpsite.core import fields as f
from eccpsite.core.errors import FieldError
from eccpsite.core.kinds.base import Item, Kind


@dataclass(frozen=True, kw_only=True)
class Factsheet(Item):
    """A country's factsheet on cluster policy (``content/countries/<cc>.md``): shown on the country's page."""

    @property
    def country(self) -> str:
        return self.slug.upper()


def check_slug(slug: str) -> Iterator[FieldError]:
    """A factsheet's slug must be a country's code."""
    try:
        f.country(slug.upper())
    except FieldError as exc:
        yield FieldError(f"a factsheet's file name is its country's code in lowercase (e.g. ro.md): {exc.message}", 1, "slug")


KIND = Kind(
    folder="countries", item=Factsheet, label="Country factsheet", singular="country factsheet", plural="Country factsheets", fields={}, check_slug=check_slug
)
