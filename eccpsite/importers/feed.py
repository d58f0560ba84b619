"""``eccpsite import feed FILE``: the entries of an RSS 2.0 or Atom feed.

feedparser reads either format (and their common mistakes). Each entry becomes
an item of ``--kind``: its full text (``content:encoded``, Atom's ``content``),
else its summary, converted from HTML; its address, when it is on the feed's
own site, becomes an alias. Dates keep the offset the feed wrote.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

from eccpsite.importers.common import Found, ImportFailed
from eccpsite.importers.front_matter import old_path, parse_when, slug_of
from eccpsite.importers.html_markdown import html_to_markdown, plain_text
from eccpsite.importers.images import ImageFinder


def _moment(entry: Any) -> dt.datetime | None:
    """When the entry was published (else updated), with the offset the feed wrote."""
    for key in ("published", "updated"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return email.utils.parsedate_to_datetime(raw)  # RSS: Tue, 14 May 2019 09:30:00 +0200
        except (TypeError, ValueError):
            parsed = parse_when(raw)  # Atom: 2019-05-14T09:30:00+02:00
            if isinstance(parsed, dt.datetime):
                return parsed
        parsed_struct = entry.get(f"{key}_parsed")
        if parsed_struct:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed_struct), dt.UTC)
    return None


def feed_items(path: Path, kind: str, project: Path, media: Path | None = None) -> Iterator[Found | tuple[str, str]]:
    """Every entry of the feed in ``path``: a Found, or (origin, why it is skipped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror})") from None
    parsed = feedparser.parse(data)
    if not parsed.entries:
        problem = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise ImportFailed(f"{path}: no entries could be read from it as RSS or Atom{problem}")
    home = urlsplit(str(parsed.feed.get("link", ""))).netloc
    images = ImageFinder(project, [media] if media is not None else [], [home])
    for index, entry in enumerate(parsed.entries, 1):
        yield _item(entry, index, kind, home, images)


def _item(entry: Any, index: int, kind: str, home: str, images: ImageFinder) -> Found | tuple[str, str]:
    title = plain_text(str(entry.get("title", ""))) or f"Entry {index}"
    origin = f"entry {index} {title!r}"
    when = _moment(entry)
    if when is None and kind != "pages":
        return origin, "it has no date (pubDate, published or updated), which a news item or an event needs"
    link = str(entry.get("link", ""))
    slug = slug_of(urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] if link else "") or slug_of(title)
    if not slug:
        return origin, "no address can be made of its title"
    item = Found(origin, kind, slug, title, "", when=when)
    if link and (not home or urlsplit(link).netloc == home):
        item.old = old_path(link)
    elif link:
        item.extra["link"] = link
        item.notes.append(f"its address {link} is on another site than the feed's ({home}): it is kept under extra:, not redirected")
    html = entry.content[0].value if entry.get("content") else str(entry.get("summary", ""))
    if entry.get("content") and entry.get("summary"):
        item.summary = plain_text(str(entry.summary)) or None
    item.tags = [str(t.get("term")) for t in entry.get("tags", []) if t.get("term")]
    item.body, found = html_to_markdown(html, images, item.notes)
    item.media.update(found)
    for picture in [*entry.get("media_content", []), *entry.get("media_thumbnail", []), *entry.get("enclosures", [])]:
        url = picture.get("url") or picture.get("href")
        if url and (picture.get("type", "image/").startswith("image/") or picture.get("medium") == "image"):
            local = images.take(url, item.notes)
            if local is not None:
                item.media[local[0]] = local[1]
                item.image = local[0].removeprefix("content/")
            else:
                item.image = url
            break
    author = entry.get("author")
    if author:
        item.extra["author"] = str(author)
    return item
