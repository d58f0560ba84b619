"""Cluster organisations in the site model: the directory, its sectors and countries, and the links both ways
between a profile and the news, events, calls and interviews that name it (pure).

``build_model`` calls :func:`check_cluster_refs` with every item (so a slug
that names no profile is reported with the run's other errors) and
:func:`build_directory` with the visible ones.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from eccpsite.core import urls
from eccpsite.core.countries import country_name
from eccpsite.core.errors import ContentError
from eccpsite.core.fields import did_you_mean
from eccpsite.core.kinds import Cluster, Event, Factsheet, Interview, Item, News

T = TypeVar("T", bound=Item)


def name_key(name: str) -> tuple[str, str]:
    """How names sort in the directory: without case and accents (``École`` with the E's), then as written."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return (plain.casefold(), name)


@dataclass(frozen=True)
class Sector:
    """The profiles of one sector, by name; ``name`` is the sector's most used spelling."""

    slug: str
    name: str
    clusters: tuple[Cluster, ...]

    @property
    def url(self) -> str:
        return urls.cluster_sector_url(self.slug)


@dataclass(frozen=True)
class Country:
    """What a country's page shows: its profiles, events, interviews, the news naming its profiles, its factsheet."""

    code: str
    clusters: tuple[Cluster, ...]  # by name
    upcoming: tuple[Event, ...]  # soonest first
    past: tuple[Event, ...]  # latest first
    interviews: tuple[Interview, ...]  # with people from the country, newest first
    news: tuple[News, ...]  # naming one of its profiles, newest first
    factsheet: Factsheet | None = None

    @property
    def name(self) -> str:
        return country_name(self.code)

    @property
    def url(self) -> str:
        return urls.country_url(self.code)


@dataclass(frozen=True)
class Directory:
    """Every visible profile by name, what names each of them, and the pages by sector and by country."""

    clusters: tuple[Cluster, ...] = ()
    profiles: dict[str, Cluster] = field(default_factory=dict)  # slug -> profile
    named_by: dict[str, tuple[Item, ...]] = field(default_factory=dict)  # profile slug -> items naming it, newest first
    upcoming: dict[str, tuple[Event, ...]] = field(default_factory=dict)  # profile slug -> its upcoming events, soonest first
    sectors: tuple[Sector, ...] = ()  # by name
    countries: tuple[Country, ...] = ()  # by English name: every country with a profile or a factsheet
    # (code, number of profiles) of each country with a profile, by English name: what the directory's pages show of
    # the countries, kept apart from them so that a news item naming a profile (which changes its country) leaves
    # those pages as they are (eccpsite.incremental.recording.NESTED)
    profile_counts: tuple[tuple[str, int], ...] = ()

    def counts(self) -> dict[str, int]:
        """The number of profiles of each country that has one (what the map shades)."""
        return dict(self.profile_counts)


def check_cluster_refs(items: Iterable[Item], profiles: Sequence[str], unparsed: frozenset[str]) -> list[ContentError]:
    """A located error for each ``clusters:`` entry that names no profile (``profiles``: every profile's slug),
    with the closest slug as a hint; a profile whose file has errors of its own is not reported again."""
    known = set(profiles)
    errors = []
    for item in items:
        for slug, line in zip(item.clusters, item.cluster_lines, strict=True):
            if slug not in known and f"clusters/{slug}" not in unparsed:
                hint = did_you_mean(slug, list(profiles))
                message = f"'{slug}' is not a cluster profile{hint}; expected the file name of one in content/clusters/ without .md"
                errors.append(ContentError(item.path, line, "clusters", message))
    return errors


def build_directory(visible: Sequence[Item], newest_first: Sequence[Item], upcoming: Sequence[Event], past: Sequence[Event]) -> Directory:
    """The directory of the visible profiles; ``newest_first`` and the events are the model's sorted lists."""
    clusters = sorted((i for i in visible if isinstance(i, Cluster)), key=lambda c: (name_key(c.title), c.slug))
    if not clusters and not any(isinstance(i, Factsheet) for i in visible):
        return Directory()
    return Directory(
        clusters=tuple(clusters),
        profiles={c.slug: c for c in clusters},
        named_by=_naming(clusters, newest_first),
        upcoming=_naming(clusters, upcoming),
        sectors=_sectors(clusters),
        countries=(countries := _countries(clusters, [i for i in visible if isinstance(i, Factsheet)], newest_first, upcoming, past)),
        profile_counts=tuple((c.code, len(c.clusters)) for c in countries if c.clusters),
    )


def _naming(clusters: Sequence[Cluster], items: Sequence[T]) -> dict[str, tuple[T, ...]]:
    """Per profile slug, the items (in their order) that name it; profiles that none names are left out."""
    named: dict[str, list[T]] = defaultdict(list)
    for item in items:
        for slug in dict.fromkeys(item.clusters):
            named[slug].append(item)
    return {c.slug: tuple(named[c.slug]) for c in clusters if c.slug in named}


def _sectors(clusters: Sequence[Cluster]) -> tuple[Sector, ...]:
    """A sector per slug, named by its most used spelling (on a tie, the one with more capitals: ``ICT`` over ``ict``)."""
    members: dict[str, list[Cluster]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for cluster in clusters:
        slugs: dict[str, str] = {}  # one entry per slug, with the profile's first spelling
        for sector in cluster.sectors:
            slugs.setdefault(urls.slugify(sector), sector)
        for slug, sector in slugs.items():
            spellings[slug][sector] += 1
            members[slug].append(cluster)
    names = {slug: min(counts, key=lambda name: (-counts[name], -sum(c.isupper() for c in name), name)) for slug, counts in spellings.items()}
    return tuple(Sector(slug, names[slug], tuple(members[slug])) for slug in sorted(names, key=lambda s: name_key(names[s])))


def _countries(
    clusters: Sequence[Cluster], factsheets: Sequence[Factsheet], newest_first: Sequence[Item], upcoming: Sequence[Event], past: Sequence[Event]
) -> tuple[Country, ...]:
    codes = {c.country for c in clusters} | {f.country for f in factsheets}
    home = {c.slug: c.country for c in clusters}
    found: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in newest_first:
        if isinstance(item, Interview) and item.person.country in codes:
            found["interviews", item.person.country].append(item)
        elif isinstance(item, News):
            for code in dict.fromkeys(home[s] for s in item.clusters if s in home):
                found["news", code].append(item)
    for when, events in (("upcoming", upcoming), ("past", past)):
        for event in events:
            if event.location is not None and event.location.country in codes:
                found[when, event.location.country].append(event)
    sheets = {f.country: f for f in factsheets}
    countries = (
        Country(
            code=code,
            clusters=tuple(c for c in clusters if c.country == code),
            upcoming=tuple(found["upcoming", code]),  # type: ignore[arg-type]
            past=tuple(found["past", code]),  # type: ignore[arg-type]
            interviews=tuple(found["interviews", code]),  # type: ignore[arg-type]
            news=tuple(found["news", code]),  # type: ignore[arg-type]
            factsheet=sheets.get(code),
        )
        for code in codes
    )
    return tuple(sorted(countries, key=lambda c: name_key(c.name)))
