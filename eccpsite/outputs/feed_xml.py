"""RSS 2.0 and Atom 1.0: a :class:`~eccpsite.outputs.feed_entries.Feed` written by feedgen.

feedgen stamps ``lastBuildDate`` and entries' ``updated`` with the clock unless
told otherwise; every date is set here, so two builds give the same bytes.
The ``self`` link is the feed's own URL; the channel link is the site page.
Both formats come from one feedgen generator, so they are apart from the
JSON Feed (:mod:`feed_json`), which is written by hand.
"""

from __future__ import annotations

import html
from typing import Any

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.outputs.feed_entries import Feed

MEDIA_TYPES = {"xml": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
GENERATOR = "eccpsite"


class _AtomLinkAttributes(BaseEntryExtension):  # type: ignore[misc]
    """feedgen 1.0 writes an Atom entry's links with their ``href`` only, dropping ``rel``, ``type`` and ``length``
    (so an enclosure would read as a second alternate link); this puts them back."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for element, link in zip(entry.findall("link"), self.links, strict=True):
            for key in ("rel", "type", "length", "title", "hreflang"):
                if link.get(key):
                    element.set(key, str(link[key]))
        return entry


def _generator(config: SiteConfig, feed: Feed, extension: str) -> FeedGenerator:
    self_url = config.absolute(feed.urls[extension])
    fg = FeedGenerator()
    fg.id(config.absolute(feed.urls["atom"]))
    fg.title(feed.title)
    fg.description(feed.description)
    fg.link(href=self_url, rel="self", type=MEDIA_TYPES[extension])
    fg.link(href=feed.home, rel="alternate", type="text/html")  # last: feedgen makes the last link RSS's channel link
    fg.language(config.language)
    fg.author({"name": config.author, "email": config.email} if config.email else {"name": config.author})
    if config.email:
        fg.managingEditor(f"{config.email} ({config.author})")
        fg.webMaster(f"{config.email} ({config.author})")
    fg.generator(GENERATOR)
    fg.updated(feed.updated)  # also lastBuildDate, which feedgen would otherwise take from the clock
    for entry in feed.entries:
        fe = fg.add_entry(order="append")
        fe.guid(entry.id, permalink=entry.id == entry.url)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate", type="text/html")
        if entry.summary and extension == "xml":  # RSS's <description> is HTML: the plain text is escaped for it
            fe.description(html.escape(entry.summary, quote=False), isSummary=True)
        elif entry.summary:  # Atom's <summary> is text
            fe.summary(entry.summary)
        fe.content(entry.content, type="html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        if entry.author != config.author:
            fe.author({"name": entry.author})
        for tag in entry.tags:
            fe.category(term=tag, label=tag, scheme=config.absolute(urls.TAGS))
        if entry.enclosure is not None:
            fe.enclosure(entry.enclosure.url, str(entry.enclosure.length), entry.enclosure.media_type)
        fe.register_extension("eccpsite_links", _AtomLinkAttributes, atom=True, rss=False)
        fe.eccpsite_links.links = list(fe.link())
    return fg


def to_rss(config: SiteConfig, feed: Feed) -> bytes:
    data: bytes = _generator(config, feed, "xml").rss_str(pretty=True)
    return data


def to_atom(config: SiteConfig, feed: Feed) -> bytes:
    data: bytes = _generator(config, feed, "atom").atom_str(pretty=True)
    return data
