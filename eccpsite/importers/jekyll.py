"""``eccpsite import jekyll DIR``: the posts and pages of a Jekyll site.

Posts are ``_posts/**/YYYY-MM-DD-title.(md|markdown|html)`` (and ``_drafts/``,
imported as drafts) and become items of ``--kind``; Markdown or HTML files with
front matter at the top of the site become pages. The old address follows
Jekyll's ``permalink`` (the site's style — ``date``, ``pretty``, ``ordinal``,
``none`` or a pattern — or the post's own), and the ``redirect_from`` of
jekyll-redirect-from is kept too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from eccpsite.core.shortcodes import LIQUID_RUN
from eccpsite.importers.common import Found, ImportFailed
from eccpsite.importers.front_matter import as_list, line_of, old_path, parse_when, read_front_matter, slug_of
from eccpsite.importers.html_markdown import html_to_markdown
from eccpsite.importers.images import ImageFinder, markdown_images, take_image

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
SUFFIXES = (".md", ".markdown", ".html")
MAPPED = frozenset(
    {"title", "date", "categories", "category", "tags", "tag", "excerpt", "description", "image", "published", "permalink", "redirect_from", "slug"}
)
_POST_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_BASEURL = re.compile(r"\{\{\s*site\.baseurl\s*\}\}")


def _config(site: Path) -> dict[str, Any]:
    path = site / "_config.yml"
    if not path.is_file():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ImportFailed(f"{path}: does not parse: {' '.join(str(exc).split())}") from None
    return loaded if isinstance(loaded, dict) else {}


def permalink(pattern: str, when: dt.date | dt.datetime | None, categories: list[str], title: str, is_html_page: bool = False) -> str:
    """Jekyll's permalink pattern filled in for one post (``/:categories/:year/:month/:day/:title.html``)."""
    day = when or dt.date(1970, 1, 1)
    values = {
        ":categories": "/".join(slug_of(c) for c in categories),
        ":year": f"{day.year:04d}",
        ":short_year": f"{day.year % 100:02d}",
        ":month": f"{day.month:02d}",
        ":i_month": str(day.month),
        ":day": f"{day.day:02d}",
        ":i_day": str(day.day),
        ":y_day": f"{day.timetuple().tm_yday:03d}",
        ":title": title,
        ":slug": title,
        ":output_ext": ".html",
    }
    path = pattern
    for token in sorted(values, key=len, reverse=True):
        path = path.replace(token, values[token])
    return re.sub(r"/{2,}", "/", "/" + path.lstrip("/"))


def _liquid(body: str, first_line: int, notes: list[str]) -> str:
    """``{{ site.baseurl }}`` goes (the addresses start at the site's root); other Liquid is noted, but for the
    tags the build writes as Markdown itself (``{% link %}``, ``{% highlight %}``)."""
    body = _BASEURL.sub("", body)
    for match in _LIQUID.finditer(body):
        if match.group(0).startswith("{%") and match.group(0)[2:].strip("- ").startswith(LIQUID_RUN):
            continue  # the build writes it as Markdown (eccpsite.core.shortcodes)
        line = line_of(body, match.start(), first_line)
        notes.append(f"line {line} of the old file holds the Liquid tag {match.group(0)[:60]}, which eccpsite does not run: rewrite it in Markdown")
    return body


def jekyll_items(site: Path, kind: str, project: Path) -> Iterator[Found | tuple[str, str]]:
    """Every post and page of the Jekyll site at ``site``: a Found, or (origin, why it is skipped)."""
    config = _config(site)
    if not config and not (site / "_posts").is_dir():
        raise ImportFailed(f"{site} is not a Jekyll site: it has neither _config.yml nor _posts/")
    style = str(config.get("permalink") or "date")
    pattern = STYLES.get(style, style)
    host = urlsplit(str(config.get("url", ""))).netloc
    images = ImageFinder(project, [site], [host])
    for folder, draft in (("_posts", False), ("_drafts", True)):
        for path in sorted((site / folder).rglob("*")) if (site / folder).is_dir() else []:
            if path.suffix.lower() in SUFFIXES and path.is_file():
                yield _item(site, path, kind, pattern, images, draft=draft, post=True)
    for path in sorted(site.iterdir()):
        if path.suffix.lower() in SUFFIXES and path.is_file() and path.stem not in ("index", "404") and path.read_text(encoding="utf-8").startswith("---"):
            yield _item(site, path, "pages", "/:title/" if style == "pretty" else "/:title:output_ext", images, draft=False, post=False)


def _item(site: Path, path: Path, kind: str, pattern: str, images: ImageFinder, draft: bool, post: bool) -> Found | tuple[str, str]:
    """One post or page as an item."""
    origin = path.relative_to(site).as_posix()
    try:
        raw, body, body_line = read_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return origin, str(exc)
    meta = {str(k).lower(): v for k, v in raw.items()}
    named = _POST_NAME.match(path.stem)
    name = named.group(2) if named else path.stem
    when = parse_when(meta.get("date")) or (parse_when(named.group(1)) if named else None)
    if when is None and kind != "pages":
        return origin, "it has no date (neither 'date:' nor a YYYY-MM-DD- file name), which a news item or an event needs"
    slug = slug_of(str(meta.get("slug") or name))
    if not slug:
        return origin, f"no address can be made of its name {name!r}"
    title = str(meta.get("title") or name.replace("-", " ").capitalize())
    item = Found(origin, kind, slug, title, "", when=when)
    categories = as_list(meta.get("categories")) or as_list(meta.get("category"))
    own = meta.get("permalink")
    address = str(own) if isinstance(own, str) and own.strip() else permalink(pattern, when, categories if post else [], name)
    item.old = old_path(address)
    for alias in as_list(meta.get("redirect_from")):
        kept = old_path(alias)
        if kept is not None:
            item.aliases.append(kept)
    item.draft = draft or meta.get("published") is False
    item.tags = as_list(meta.get("tags")) or as_list(meta.get("tag"))
    if categories:
        item.category = categories[0]
        if len(categories) > 1:
            item.extra["categories"] = categories
    summary = meta.get("excerpt") or meta.get("description")
    item.summary = " ".join(str(summary).split()) if summary else None
    if meta.get("image"):
        take_image(meta["image"], images, path.parent, item)
    text = _liquid(body, body_line, item.notes)
    if path.suffix.lower() == ".html":
        item.body, media = html_to_markdown(text, images, item.notes)
    else:
        item.body, media = markdown_images(text, images, path.parent, item.notes)
    item.media.update(media)
    item.extra.update({str(k): v for k, v in raw.items() if str(k).lower() not in MAPPED and v not in (None, "", [])})
    return item
