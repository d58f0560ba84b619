"""What every content kind is made of: the fields all items share, the value types several kinds use, and
:class:`Kind`, the declaration a kind's module makes of everything about it (pure).

A kind's module (``eccpsite/core/kinds/news.py`` …) defines its item class and one
``KIND = Kind(...)``; ``eccpsite.core.kinds`` lists the modules, and the rest of the
code iterates over that registry: the reader's folders, validation, the site's
lists, item pages, feeds, JSON-LD, the editors' JSON Schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eccpsite.core import fields as f
from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import FieldError
from eccpsite.core.located import Located, LocatedList


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Location:
    venue: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Deadline:
    date: dt.date | dt.datetime
    label: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None
    organisation: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Alias:
    """An old address of an item (``aliases:``), kept alive by a redirect to the item's page."""

    path: str  # a site path as written: /news/old-slug/, /content/eu-japan-matchmaking
    line: int  # its line in the item's file


@dataclass(frozen=True, kw_only=True)
class Item:
    """Fields every item has; ``kind`` is its folder (news, events, ...)."""

    kind: str
    slug: str
    path: str
    title: str
    body: str = ""
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    draft: bool = False
    publish_at: dt.date | dt.datetime | None = None
    aliases: tuple[Alias, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    line: int = 1
    body_line: int = 1
    tags_line: int = 0  # the line of 'tags:', for messages about them
    date_time: dt.datetime | None = None  # the moment 'date' gave, when it has a time (in the site's time zone; see dates.day_and_time)
    clusters: tuple[str, ...] = ()  # slugs of the cluster profiles a news item, event, call or interview names
    cluster_lines: tuple[int, ...] = ()  # the line of each of them

    @cached_property
    def ref(self) -> str:
        """How an edition refers to the item: ``news/eu-canada-matchmaking`` (kept: the build asks for it often)."""
        return f"{self.kind}/{self.slug}"


def _aliases(value: Any) -> tuple[Alias, ...]:
    """``aliases:``, a list of old site paths, each with its line; one written twice counts once."""
    if isinstance(value, str):  # one old address, written without a list
        value = [value]
    paths = f.list_of(f.site_path, "old site paths such as /news/old-slug/")(value)
    lines = value.lines if isinstance(value, LocatedList) else [0] * len(paths)  # 0: the line of 'aliases:' itself
    found: dict[str, Alias] = {}
    for path, line in zip(paths, lines, strict=True):
        found.setdefault(path, Alias(path, line))
    return tuple(found.values())


def _own_fields(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError("expected a mapping of your own fields")
    return dict(value)


COMMON_FIELDS: dict[str, f.Field] = {
    "title": f.Field(f.text, True),
    "slug": f.Field(f.slug),
    "summary": f.Field(f.text),
    "tags": f.Field(f.tag_list),
    "image": f.Field(f.text),
    "image_alt": f.Field(f.text),
    "draft": f.Field(f.boolean),
    "publish_at": f.Field(f.datetime),
    "aliases": f.Field(f.shaped(_aliases, entry=f.site_path, min_items=0, what="old site paths such as /news/old-slug/")),
    "extra": f.Field(_own_fields),
}
# 'clusters:' on the kinds that may name cluster profiles (news, events, calls, interviews).
_CLUSTER_SLUGS = f.list_of(f.slug, "cluster profile slugs, e.g. [transilvania-it-cluster]")
# refers_to: the slugs name items of content/clusters/ (the editing interface offers them: eccpsite.outputs.cms)
CLUSTER_REFS = f.Field(f.shaped(_CLUSTER_SLUGS, **_CLUSTER_SLUGS.shape, refers_to="clusters"))  # type: ignore[attr-defined]

# A kind's check across keys: the parsed values and the front matter -> each problem, as a FieldError naming its
# key (and its line when it is not the key's own).
Check = Callable[[Mapping[str, Any], Located], Iterable[FieldError]]


@dataclass(frozen=True)
class ListPage:
    """A paginated list a kind adds to the site: ``/events/past/`` lists ``site.past_events`` with events.html."""

    url: str
    template: str
    heading: str
    items: Callable[[Any], Sequence[Item]]  # the site model -> what the list shows, in order
    context: Mapping[str, Any] = field(default_factory=dict)  # what the template is given besides the list


@dataclass(frozen=True)
class KindFeed:
    """A kind's feed (``/feeds/<folder>.xml`` …): its title and the items it holds."""

    title: str
    items: Callable[[Any], Sequence[Item]]  # the site model -> the items (the feed sorts them newest first)
    dated_only: bool = True  # leave out items without a date
    when_empty: bool = True  # made even when it holds nothing (subscribers keep a valid feed)


@dataclass(frozen=True)
class Facts:
    """What JSON-LD needs besides the item, worked out by the renderer (the page's absolute URL, the dates the git
    history gives, the tags' display names)."""

    config: SiteConfig
    url: str
    keywords: str  # the tags as the site shows them, comma-separated; empty without tags
    dates: tuple[dt.datetime, dt.datetime]  # when it was published and last changed


def keywords(facts: Facts) -> dict[str, str]:
    """schema.org ``keywords``, when the item has tags."""
    return {"keywords": facts.keywords} if facts.keywords else {}


def _no_date(item: Item) -> dt.date | None:
    return None


def _no_checks(parsed: Mapping[str, Any], meta: Located) -> Iterable[FieldError]:
    """A kind whose fields need no check across keys."""
    return ()


@dataclass(frozen=True, eq=False)
class Kind:
    """Everything about one content kind, declared in its module (one object per kind: compared by identity)."""

    folder: str  # content/<folder>/, the first segment of its URLs and the first part of a ref (news/<slug>)
    item: type[Item]
    label: str  # "Event": how a page names the kind of one item (the kicker of a card)
    singular: str  # "event": messages, the editors' schema, the scaffold
    plural: str  # "Events": headings and feed titles
    fields: Mapping[str, f.Field]  # besides COMMON_FIELDS
    template: str | None = None  # the item's own page; None: it has none (a factsheet shows on its country's page)
    lists: tuple[ListPage, ...] = ()
    feed: KindFeed | None = None
    date: Callable[[Any], dt.date | None] = _no_date  # when it was published: what lists and feeds sort by
    check: Check = _no_checks  # checks across its keys
    json_ld: Callable[[Any, Facts], dict[str, Any] | None] | None = None
    reserved: frozenset[str] = frozenset()  # slugs its own list pages use (/events/past/): no item may take them
    reserved_by: str = "the site"  # what uses them, for the message: "the event calendar"
    check_slug: Callable[[str], Iterable[FieldError]] = lambda slug: ()  # a slug the kind's URLs cannot take
    pictures: tuple[tuple[str, str], ...] = ()  # picture fields besides 'image', each with what its missing alt text says
    command: str | None = None  # its word in ``eccpsite new <word>``; None: not started from the command line
    scaffold: str = ""  # the front matter ``eccpsite new`` writes after the title ({today}: the day's date)
    dated_name: bool = False  # its files are named YYYY-MM-DD-<slug>.md

    @cached_property
    def all_fields(self) -> dict[str, f.Field]:
        """Every key its front matter may have."""
        return {**COMMON_FIELDS, **self.fields}

    @property
    def what(self) -> str:
        """How messages name one: ``a news item``, ``an event``."""
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"
