"""``eccpsite import hugo DIR``: the pages of a Hugo site.

Every Markdown file of the site's content folder but the ``_index`` lists:
files in a section (``content/posts/x.md``, a bundle ``content/posts/x/index.md``)
become items of ``--kind``, files at the top (``content/about.md``) pages. The
old address follows Hugo's rules: ``url:``, else the site's ``permalinks``,
else the file's path (``/posts/x/``), with ``slug:`` for the last part;
Hugo's own ``aliases:`` are kept too.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from eccpsite.core.shortcodes import RUN
from eccpsite.importers.common import Found, ImportFailed
from eccpsite.importers.front_matter import as_list, line_of, old_path, parse_when, read_front_matter, slug_of
from eccpsite.importers.images import ImageFinder, markdown_images, take_image

CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml", "config.json")
# Hugo's fields and where they go; any other goes under extra:
MAPPED = frozenset(
    {"title", "date", "publishdate", "pubdate", "draft", "tags", "categories", "summary", "description", "images", "image", "featured_image", "cover"}
    | {"slug", "url", "aliases"}
)
_SHORTCODE = re.compile(r"\{\{[<%]\s*(/?)([\w.-]+)([^}]*?)[>%]\}\}")
_FIGURE_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def read_config(site: Path) -> dict[str, Any]:
    """The site's configuration (``hugo.toml``, ``config.yaml`` …, or ``config/_default/``), or {}."""
    for folder in (site, site / "config" / "_default"):
        for name in CONFIG_NAMES:
            path = folder / name
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                try:
                    if name.endswith(".toml"):
                        return tomllib.loads(text)
                    loaded = yaml.safe_load(text)  # JSON is YAML
                except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
                    raise ImportFailed(f"{path}: the configuration does not parse: {' '.join(str(exc).split())}") from None
                return loaded if isinstance(loaded, dict) else {}
    return {}


def _lower_keys(meta: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in meta.items()}


def permalink(pattern: str, when: dt.date | dt.datetime | None, section: str, slug: str, title_slug: str, name: str) -> str:
    """Hugo's permalink pattern (``/:year/:month/:slug/``) filled in for one page."""
    day = when or dt.date(1970, 1, 1)
    values = {
        ":year": f"{day.year:04d}",
        ":month": f"{day.month:02d}",
        ":day": f"{day.day:02d}",
        ":section": section,
        ":sections": section,
        ":slugorcontentbasename": slug,
        ":slugorfilename": slug,
        ":contentbasename": name,
        ":filename": name,
        ":title": title_slug,
        ":slug": slug,
    }
    path = pattern
    for token in sorted(values, key=len, reverse=True):
        path = path.replace(token, values[token])
    path = "/" + path.strip("/") + ("/" if not Path(path).suffix else "")
    return path.replace("//", "/")


def _shortcodes(body: str, first_line: int, notes: list[str]) -> str:
    """Hugo's ``{{< figure >}}`` becomes a Markdown image (whose file is then copied); the other shortcodes are left
    in the text, and those the build does not write as Markdown itself are noted."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "figure" and not match.group(1):
            attrs = dict(_FIGURE_ATTR.findall(match.group(3)))
            if "src" in attrs:
                return f"![{attrs.get('alt') or attrs.get('caption') or attrs.get('title', '')}]({attrs['src']})"
        if name in RUN:  # the build writes it as Markdown (eccpsite.core.shortcodes)
            return match.group(0)
        line = line_of(body, match.start(), first_line)
        notes.append(f"line {line} of the old file holds the Hugo shortcode {match.group(0)[:60]}, which eccpsite does not run: rewrite it in Markdown")
        return match.group(0)

    return _SHORTCODE.sub(replace, body)


def _page_path(content: Path, path: Path) -> tuple[str, str, str]:
    """(section, the page's path under content/ without extension, its file or bundle name) of a content file."""
    rel = path.relative_to(content)
    parts = list(rel.parts)
    if parts[-1].rsplit(".", 1)[0] == "index":  # a leaf bundle: the folder is the page
        parts = parts[:-1]
    else:
        parts[-1] = parts[-1].rsplit(".", 1)[0]
    section = parts[0] if len(parts) > 1 else ""
    return section, "/".join(parts), parts[-1]


def hugo_items(site: Path, kind: str, project: Path, section: str | None = None) -> Iterator[Found | tuple[str, str]]:
    """Every page of the Hugo site at ``site``: a Found, or (origin, why it is skipped)."""
    config = _lower_keys(read_config(site))
    content = site / str(config.get("contentdir", "content"))
    if not content.is_dir():
        raise ImportFailed(f"{site} is not a Hugo site: it has no {content.name}/ folder")
    host = urlsplit(str(config.get("baseurl", ""))).netloc
    static = site / str(config.get("staticdir", "static"))
    patterns = {str(k): str(v) for k, v in (config.get("permalinks") or {}).items()} if isinstance(config.get("permalinks"), dict) else {}
    images = ImageFinder(project, [static, site / "assets"], [host])
    for path in sorted(content.rglob("*")):
        if path.suffix.lower() not in (".md", ".markdown") or not path.is_file():
            continue
        origin = path.relative_to(site).as_posix()
        if path.stem == "_index":
            yield origin, "a list page of Hugo (_index): eccpsite makes its lists itself"
            continue
        page_section, page_path, name = _page_path(content, path)
        if section is not None and page_section != section:
            continue
        try:
            meta, body, body_line = read_front_matter(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            yield origin, str(exc)
            continue
        yield _hugo_item(origin, path, meta, body, body_line, kind if page_section else "pages", page_section, page_path, name, patterns, images, host)


def _hugo_item(
    origin: str,
    path: Path,
    raw: dict[str, Any],
    body: str,
    body_line: int,
    kind: str,
    section: str,
    page_path: str,
    name: str,
    patterns: dict[str, str],
    images: ImageFinder,
    host: str,
) -> Found | tuple[str, str]:
    """One Hugo page as an item."""
    meta = _lower_keys(raw)
    title = str(meta.get("title") or name.replace("-", " ").strip().capitalize())
    when = parse_when(meta.get("date")) or parse_when(meta.get("publishdate")) or parse_when(meta.get("pubdate"))
    if when is None and kind != "pages":
        return origin, "it has no date (Hugo's 'date:'), which a news item or an event needs"
    slug = slug_of(str(meta.get("slug") or name))
    if not slug:
        return origin, f"no address can be made of its name {name!r}"
    item = Found(origin, kind, slug, title, "", when=when)
    old = meta.get("url")
    if isinstance(old, str) and old.strip():
        address = old_path(old if old.startswith("/") or "://" in old else "/" + old)
    elif section in patterns:
        address = old_path(permalink(patterns[section], when, section, slug_of(str(meta.get("slug") or title)), slug_of(title), name))
    else:
        parent = page_path.rsplit("/", 1)[0] if "/" in page_path else ""
        last = str(meta.get("slug") or name)
        address = old_path(("/" + parent + "/" if parent else "/") + last.lower().replace(" ", "-") + "/")
    item.old = address
    base = (address or "/").rsplit("/", 2)[0] + "/"
    for alias in as_list(meta.get("aliases")):
        kept = old_path(alias if alias.startswith("/") or "://" in alias else base + alias)
        if kept is not None:
            item.aliases.append(kept)
        else:
            item.notes.append(f"Hugo alias {alias!r} is not a path eccpsite can redirect")
    published = parse_when(meta.get("publishdate"))
    if isinstance(published, dt.datetime) and isinstance(when, dt.datetime) and published > when:
        item.publish_at = published
    item.draft = meta.get("draft") is True
    item.tags = as_list(meta.get("tags"))
    categories = as_list(meta.get("categories"))
    if categories:
        item.category = categories[0]
        if len(categories) > 1:
            item.extra["categories"] = categories
    summary = meta.get("summary") or meta.get("description")
    item.summary = " ".join(str(summary).split()) if summary else None
    for key in ("images", "image", "featured_image", "cover"):
        if meta.get(key):
            take_image(meta[key], images, path.parent, item)
            break
    text = _shortcodes(body.replace("<!--more-->", ""), body_line, item.notes)
    item.body, media = markdown_images(text, images, path.parent, item.notes)
    item.media.update(media)
    item.extra.update({key: value for key, value in raw.items() if str(key).lower() not in MAPPED and value not in (None, "", [])})
    return item
