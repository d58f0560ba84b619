"""Cluster organisations' profiles: ``content/clusters/<slug>.md``; the directory ``/clusters/``, its sector pages
and the country pages are made by the renderer from ``site.directory`` (eccpsite.core.directory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eccpsite.core import fields as f
from eccpsite.core import urls
from eccpsite.core.errors import FieldError
from eccpsite.core.kinds.base import Facts, Item, Kind, KindFeed


@dataclass(frozen=True, kw_only=True)
class Cluster(Item):
    """A cluster organisation's profile (``content/clusters/<slug>.md``); its title is the organisation's name."""

    country: str
    city: str | None = None
    acronym: str | None = None
    website: str | None = None
    sectors: tuple[str, ...] = ()  # as the editor writes them; pages use their slugs (urls.slugify)
    members: int | None = None
    founded: int | None = None
    labels: tuple[str, ...] = ()
    logo: str | None = None
    logo_alt: str | None = None


def _year(value: Any) -> int:
    year = f.integer(value)
    if not 1000 <= year <= 2999:
        raise FieldError(f"expected a year such as 2012, found {value!r}")
    return year


def _text_list(value: Any) -> tuple[str, ...]:
    """A list of short texts, kept as written (a lone text is a list of one); repeats dropped."""
    entries = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(f.text(entry) for entry in entries))


def json_ld(cluster: Cluster, facts: Facts) -> dict[str, Any]:
    """schema.org Organization data for a profile page."""
    config = facts.config
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": cluster.title,
        "url": cluster.website or facts.url,
        "mainEntityOfPage": facts.url,
        "address": {"@type": "PostalAddress", "addressCountry": cluster.country, **({"addressLocality": cluster.city} if cluster.city else {})},
    }
    optional = {
        "alternateName": cluster.acronym,
        "description": cluster.summary,
        "foundingDate": str(cluster.founded) if cluster.founded is not None else None,
        "logo": config.absolute("/" + cluster.logo) if cluster.logo and not cluster.logo.startswith(("http://", "https://")) else cluster.logo,
        "knowsAbout": list(cluster.sectors) or None,
        "award": list(cluster.labels) or None,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


KIND = Kind(
    folder="clusters",
    item=Cluster,
    label="Cluster organisation",
    singular="cluster profile",
    plural="Cluster organisations",
    command="cluster",
    scaffold=(
        "country:            # required: two-letter code: BE, RO, CA, ...\n"
        "city:\n"
        "acronym:\n"
        "website:            # https://...\n"
        "sectors: []         # as readers should see them, e.g. [ICT, digital services]\n"
        "members:            # a whole number\n"
        "founded:            # a year\n"
        "summary:            # one or two sentences for the directory and search results\n"
    ),
    fields={
        "country": f.Field(f.country, True),
        "city": f.Field(f.text),
        "acronym": f.Field(f.text),
        "website": f.Field(f.url),
        "sectors": f.Field(f.sector_list),
        "members": f.Field(f.integer),
        "founded": f.Field(f.shaped(_year, like=f.integer)),
        "labels": f.Field(f.shaped(_text_list, entry=f.text, min_items=0, what="labels")),
        "logo": f.Field(f.text),
        "logo_alt": f.Field(f.text),
    },
    template="cluster.html",
    # Profiles joining the directory, by when their file was first committed; made only when there are some.
    feed=KindFeed("New cluster profiles", lambda site: site.directory.clusters, dated_only=False, when_empty=False),
    pictures=(("logo", "a logo needs 'logo_alt': a short text such as 'Transilvania IT Cluster logo'"),),
    json_ld=json_ld,
    reserved=urls.CLUSTER_RESERVED,
    reserved_by="the cluster directory",
)
