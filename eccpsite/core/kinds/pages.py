"""Pages: ``content/pages/<slug>.md`` at ``/<slug>/`` (about, contact …), in the menu when they give ``menu:``."""

from __future__ import annotations

from dataclasses import dataclass

from eccpsite.core import fields as f
from eccpsite.core.kinds.base import Item, Kind


@dataclass(frozen=True, kw_only=True)
class Page(Item):
    menu: int | None = None


KIND = Kind(
    folder="pages",
    item=Page,
    label="Page",
    singular="page",
    plural="Pages",
    command="page",
    scaffold=(
        "summary:            # one sentence for search results and the page's description\n"
        "# menu: 5           # a position in the main menu, if the page belongs there\n"
    ),
    fields={"menu": f.Field(f.integer)},
    template="page.html",
)
