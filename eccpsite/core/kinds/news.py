"""News items: ``content/news/YYYY-MM-DD-<slug>.md``, listed newest first at ``/news/``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from eccpsite.core import fields as f
from eccpsite.core.kinds.base import CLUSTER_REFS, Facts, Item, Kind, KindFeed, Link, ListPage, keywords


@dataclass(frozen=True, kw_only=True)
class News(Item):
    date: dt.date
    category: str | None = None
    source: str | None = None
    links: tuple[Link, ...] = ()


_LINK = f.mapping_of({"title": f.Field(f.text, True), "url": f.Field(f.url, True)}, "a link ({title, url})", Link)


def article_json_ld(item: Any, facts: Facts) -> dict[str, Any]:
    """schema.org NewsArticle data of a news item or an interview (its author: the news' source, else the site's)."""
    published, modified = facts.dates
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "datePublished": published.isoformat(),
        "dateModified": modified.isoformat(),
        "url": facts.url,
        "mainEntityOfPage": facts.url,
        "author": {"@type": "Organization", "name": getattr(item, "source", None) or facts.config.author},
        "publisher": {"@type": "Organization", "name": facts.config.title},
        **keywords(facts),
    }


KIND = Kind(
    folder="news",
    item=News,
    label="News",
    singular="news item",
    plural="News",
    command="news",
    dated_name=True,
    scaffold=(
        "date: {today}\n"
        "summary:            # one or two sentences for the lists, the feeds and search results\n"
        "tags: []            # as readers should see them, e.g. [matchmaking, ESCP-S3, blue growth]\n"
        "source:             # the organisation the news comes from (optional)\n"
    ),
    fields={
        "date": f.Field(f.date_or_datetime, True),
        "category": f.Field(f.text),
        "source": f.Field(f.text),
        "links": f.Field(f.list_of(_LINK, "links ({title, url})")),
        "clusters": CLUSTER_REFS,
    },
    template="news.html",
    lists=(ListPage("/news/", "list.html", "News", lambda site: site.news),),
    feed=KindFeed("News", lambda site: site.news),
    date=lambda item: item.date,
    json_ld=article_json_ld,
)
