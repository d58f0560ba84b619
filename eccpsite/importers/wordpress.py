"""``eccpsite import wordpress EXPORT.xml``: the posts and pages of a WordPress export (WXR).

WordPress's *Tools → Export* writes RSS 2.0 with its own elements (``wp:``,
``content:encoded`` …). Posts become items of ``--kind``, pages pages;
attachments give the featured images; anything else (menus, custom post
types, trashed posts) is skipped and listed. The body is WordPress's HTML,
given its paragraphs (WordPress adds them only when it shows a post), then
sanitized and converted to Markdown. Images under the site's
``wp-content/uploads/`` are copied from ``--media`` (a copy of that folder)
when they are there.

The export is parsed by Python's ElementTree; its expat (2.4 and later) refuses
the entity-expansion bombs an XML file can hold.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from eccpsite.importers.common import Found, ImportFailed
from eccpsite.importers.front_matter import old_path, slug_of
from eccpsite.importers.html_markdown import html_to_markdown, paragraphs, plain_text
from eccpsite.importers.images import ImageFinder

# Post statuses that are not published: the item is a draft (a "future" post waits for its date instead).
UNPUBLISHED = frozenset({"draft", "pending", "private", "auto-draft", "inherit"})


def _local(tag: str) -> str:
    """An element's name without its namespace: ``{http://wordpress.org/export/1.2/}post_type`` → ``post_type``."""
    return tag.rsplit("}", 1)[-1]


def _prefix(tag: str) -> str:
    return tag.rsplit("}", 1)[0].lstrip("{") if "}" in tag else ""


def _text(element: ET.Element, name: str, namespace_part: str = "") -> str:
    """The text of the first child called ``name`` (in a namespace containing ``namespace_part``), or ''."""
    for child in element:
        if _local(child.tag) == name and namespace_part in _prefix(child.tag):
            return (child.text or "").strip() if name not in ("encoded",) else child.text or ""
    return ""


def _meta(item: ET.Element) -> dict[str, str]:
    """The ``wp:postmeta`` key/value pairs of an item."""
    found: dict[str, str] = {}
    for child in item:
        if _local(child.tag) == "postmeta":
            found[_text(child, "meta_key")] = _text(child, "meta_value")
    return found


def _gmt(value: str) -> dt.datetime | None:
    """WordPress's ``2019-05-14 07:30:00`` (UTC) as a datetime, or None for its empty ``0000-00-00 00:00:00``."""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def wordpress_items(export: Path, kind: str, project: Path, media: Path | None = None) -> Iterator[Found | tuple[str, str]]:
    """Every post and page of the export: a Found, or (origin, why it is skipped)."""
    try:
        root = ET.parse(export).getroot()
    except (ET.ParseError, OSError) as exc:
        raise ImportFailed(f"{export}: not a WordPress export that can be read ({exc})") from None
    channel = root.find("channel")
    if channel is None or not any(_local(c.tag) == "wxr_version" for c in channel):
        raise ImportFailed(f"{export}: not a WordPress export (WXR): it has no <wp:wxr_version>")
    hosts = {urlsplit(_text(channel, "link")).netloc, urlsplit(_text(channel, "base_site_url")).netloc}
    images = ImageFinder(project, [media] if media is not None else [], hosts)
    items = channel.findall("item")
    attachments = {_text(i, "post_id"): i for i in items if _text(i, "post_type") == "attachment"}
    for element in items:
        post_type = _text(element, "post_type")
        origin = f"{post_type or 'item'} {_text(element, 'post_id')} {_text(element, 'title')!r}"
        if post_type == "attachment":
            continue
        if post_type not in ("post", "page"):
            yield origin, f"a WordPress {post_type or 'item'} (only posts and pages are imported)"
            continue
        status = _text(element, "status")
        if status == "trash":
            yield origin, "it is in WordPress's trash"
            continue
        yield _item(element, origin, kind if post_type == "post" else "pages", status, attachments, images)


def _item(element: ET.Element, origin: str, kind: str, status: str, attachments: dict[str, ET.Element], images: ImageFinder) -> Found | tuple[str, str]:
    """One post or page as an item."""
    title = _text(element, "title") or "Untitled"
    when = _gmt(_text(element, "post_date_gmt"))
    if when is None:
        local = _gmt(_text(element, "post_date"))  # a draft has no GMT date yet: its local time, without an offset
        when = local.replace(tzinfo=None) if local is not None else None
    if when is None and kind != "pages":
        return origin, "it has no date, which a news item or an event needs"
    slug = slug_of(_text(element, "post_name") or title)
    if not slug:
        return origin, "no address can be made of its name"
    item = Found(origin, kind, slug, title, "", when=when)
    link = _text(element, "link")
    item.old = old_path(link) if link else None
    item.draft = status in UNPUBLISHED
    if status == "future" and isinstance(when, dt.datetime):
        item.publish_at = when
    for category in element.findall("category"):
        name = (category.text or "").strip()
        if category.get("domain") == "post_tag" and name:
            item.tags.append(name)
        elif category.get("domain") == "category" and name and name != "Uncategorized":
            if item.category is None:
                item.category = name
            else:
                item.extra.setdefault("categories", [item.category]).append(name)
    excerpt = plain_text(_text(element, "encoded", "excerpt"))
    item.summary = excerpt or None
    creator = _text(element, "creator")
    if creator:
        item.extra["author"] = creator
    meta = _meta(element)
    thumbnail = attachments.get(meta.get("_thumbnail_id", ""))
    if thumbnail is not None:
        _featured(thumbnail, images, item)
    comments = sum(1 for c in element if _local(c.tag) == "comment")
    if comments:
        item.notes.append(f"its {comments} comment(s) are not imported (the site has no comments)")
    html = paragraphs(_text(element, "encoded", "content"))
    item.body, media = html_to_markdown(html, images, item.notes)
    item.media.update(media)
    return item


def _featured(attachment: ET.Element, images: ImageFinder, item: Found) -> None:
    """The post's featured image (its ``_thumbnail_id`` attachment): copied from ``--media``, else its address."""
    url = _text(attachment, "attachment_url") or _text(attachment, "guid")
    if not url:
        return
    found = images.take(url, item.notes)
    if found is not None:
        item.media[found[0]] = found[1]
        item.image = found[0].removeprefix("content/")
    elif url.startswith(("http://", "https://")):
        item.image = url
    alt = _meta(attachment).get("_wp_attachment_image_alt", "")
    item.image_alt = alt or None
