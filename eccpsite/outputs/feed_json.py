"""JSON Feed 1.1: a :class:`~eccpsite.outputs.feed_entries.Feed` written as JSON.

Written by hand with the standard library (feedgen makes RSS and Atom, in
:mod:`feed_xml`), from the same entries, so the three formats say the same.
"""

from __future__ import annotations

import json

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.outputs.feed_entries import Feed


def to_json(config: SiteConfig, feed: Feed) -> bytes:
    """A JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for entry in feed.entries:
        item: dict[str, object] = {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.content,
            "summary": entry.summary,
            "date_published": entry.published.isoformat(),
            "date_modified": entry.updated.isoformat(),
            "authors": [{"name": entry.author}],
        }
        if entry.tags:
            item["tags"] = list(entry.tags)
        if entry.enclosure is not None:
            enclosure = entry.enclosure
            item["attachments"] = [{"url": enclosure.url, "mime_type": enclosure.media_type, "size_in_bytes": enclosure.length}]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": config.absolute(feed.urls["json"]),
        "description": feed.description,
        "language": config.language,
        "authors": [{"name": config.author, "url": config.absolute(urls.HOME)}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
