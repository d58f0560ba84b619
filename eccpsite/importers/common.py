"""What every importer shares: the item it found, HTML to Markdown, images, and writing without overwriting.

An importer reads the old site (a Hugo or Jekyll folder, a WordPress export,
a feed) into :class:`Found` values; :func:`write_items` turns each into a file
of ``content/<kind>/`` — checked by the build's own parser first, so a file
that would not build is never written — and says in a :class:`Report` what
it wrote, what it skipped and why, and which fields it could not map.

HTML bodies are converted by markdownify (MIT licensed, built on
BeautifulSoup, with one converter method per tag; html2text is GPL-3.0, which
an MIT project cannot ship) after the build's own sanitizer
(``markup.sanitize``) has removed what a page may not hold; each tag it
removed is named in the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup
from markdownify import markdownify
from slugify import slugify

from eccpsite.core import fields, urls
from eccpsite.core.content import parse_content, parse_file
from eccpsite.core.errors import ContentError, FieldError
from eccpsite.core.kinds import Item, kind_named
from eccpsite.core.markup.markdown import sanitize
from eccpsite.core.source import Source
from eccpsite.edges.reader import read_sources
from eccpsite.outputs.redirects import page_url

KINDS = ("news", "events", "pages")  # what an old site's posts can become: the others need fields no old site has
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"})


class ImportFailed(Exception):
    """The input cannot be read at all (a missing folder, XML that does not parse): a usage error."""


@dataclass
class Found:
    """One item of the old site, mapped to eccpsite's fields."""

    origin: str  # where it came from, for the report: content/posts/x.md, "post 12 'Title'"
    kind: str  # news | events | pages
    slug: str
    title: str
    body: str  # Markdown
    when: dt.date | dt.datetime | None = None  # its date (news), start (events)
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    image: str | None = None  # a local file (copied to content/media/) or a full address
    image_alt: str | None = None
    draft: bool = False
    publish_at: dt.datetime | None = None
    old: str | None = None  # its address on the old site, as a site path
    aliases: list[str] = field(default_factory=list)  # other old addresses (the old site's own aliases)
    extra: dict[str, Any] = field(default_factory=dict)  # fields eccpsite has no place for
    notes: list[str] = field(default_factory=list)  # what the editor should look at
    media: dict[str, Path] = field(default_factory=dict)  # content/media/<name> → the file to copy there


@dataclass
class Report:
    """What an import did: the files written, the items skipped and why, and what to look at."""

    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (origin, why)
    already: list[tuple[str, str]] = field(default_factory=list)  # (origin, the file that has its old address): imported before
    unmapped: list[tuple[str, list[str]]] = field(default_factory=list)  # (file, fields kept under extra:)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file or origin, what to look at)
    media: list[str] = field(default_factory=list)  # files copied into content/media/
    common: dict[str, list[str]] = field(default_factory=dict)  # a note that applies to many files → those files

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        out = [f"wrote {len(self.written)} item(s)" + (f" and {len(self.media)} file(s) into content/media/" if self.media else "")]
        out += [f"  {path}" for path in self.written]
        if self.already:
            out.append(f"{len(self.already)} item(s) were imported before (an item of content/ has their old address): not written again")
        if self.skipped:
            out.append(f"skipped {len(self.skipped)} item(s):")
            out += [f"  {origin}: {why}" for origin, why in self.skipped]
        if self.unmapped:
            out.append("fields eccpsite has no place for, kept under extra: (use them or delete them):")
            by_fields: dict[str, list[str]] = {}
            for path, names in self.unmapped:
                by_fields.setdefault(", ".join(names), []).append(path)
            out += [_many(paths, what) for what, paths in by_fields.items()]
        if self.notes or self.common:
            out.append("to look at:")
            out += [f"  {where}: {what}" for where, what in self.notes]
            out += [_many(paths, what) for what, paths in self.common.items()]
        return out


def _many(paths: list[str], what: str) -> str:
    """One line of the report for what applies to several files: the files when they are few, else their number."""
    return f"  {', '.join(paths)}: {what}" if len(paths) <= 3 else f"  {len(paths)} items ({paths[0]} …): {what}"


# --- HTML ------------------------------------------------------------------------------

_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)")
_BLOCK = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|img|iframe|section|!--)\b", re.I)


def paragraphs(html: str) -> str:
    """WordPress keeps posts without ``<p>`` (it adds them when it shows a post): wrap each block of text that
    blank lines set apart and that is not already an HTML block in a paragraph, its single newlines as ``<br>``."""
    blocks = re.split(r"\n\s*\n", html.replace("\r\n", "\n"))
    return "\n".join(b if _BLOCK.match(b) else "<p>" + b.strip().replace("\n", "<br>\n") + "</p>" for b in blocks if b.strip())


def html_to_markdown(html: str, images: ImageFinder, notes: list[str]) -> tuple[str, dict[str, Path]]:
    """Markdown for an HTML body, through the build's sanitizer; local images are taken along (their new
    addresses in the text), embedded frames become links, and what the sanitizer removed is noted."""
    soup = BeautifulSoup(html, "html.parser")
    for frame in soup.find_all(["iframe", "embed", "video", "audio"]):
        src = frame.get("src")
        if isinstance(src, str) and src.startswith(("http://", "https://", "//")):
            link = soup.new_tag("a", href=src if not src.startswith("//") else "https:" + src)
            link.string = str(frame.get("title") or src)
            frame.replace_with(link)
            notes.append(f"an embedded {frame.name} became a link to {link['href']}")
    media: dict[str, Path] = {}
    for img in soup.find_all("img"):
        src = img.get("src")
        if isinstance(src, str):
            local = images.take(src, notes)
            if local is not None:
                name, path = local
                media[name] = path
                img["src"] = "/" + name.removeprefix("content/")
            elif images.elsewhere(src) is not None:
                img["src"] = str(images.elsewhere(src))
            else:
                notes.append(f"the image {src} is not among the old site's files and has no full address: its text alternative stands in its place")
                img.replace_with(str(img.get("alt") or ""))
                continue
        if not img.get("alt"):
            notes.append(f"the image {img.get('src')} has no text alternative; say in the brackets of ![…]() what it shows")
    kept = str(soup)
    clean = sanitize(kept)
    removed = sorted(set(map(str.lower, _TAG.findall(kept))) - set(map(str.lower, _TAG.findall(clean))))
    if removed:
        notes.append("the sanitizer removed " + ", ".join(f"<{name}>" for name in removed) + " from the text (a page may not hold them)")
    text = markdownify(clean, heading_style="ATX", bullets="-", strip=["span"])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", media


def plain_text(html: str) -> str:
    """The words of a bit of HTML (an excerpt, a feed's summary), on one line."""
    return " ".join(BeautifulSoup(sanitize(html), "html.parser").get_text(" ").split())


# --- images ----------------------------------------------------------------------------


class ImageFinder:
    """Finds the local copy of an image the old site showed, and names it in ``content/media/``.

    ``roots`` are the folders where the old site's files are (a Hugo site's
    ``static/`` and the page's own folder, a copy of WordPress's uploads …);
    ``hosts`` the old site's host names, whose full addresses count as local.
    """

    def __init__(self, project: Path, roots: Sequence[Path], hosts: Iterable[str] = ()) -> None:
        self.project = project
        self.roots = [r for r in roots if r.is_dir()]
        self.hosts = {h.lower() for h in hosts if h}
        self.named: dict[str, str] = {}  # digest of a file → its name in content/media/ (one file copied once)

    def find(self, src: str, near: Path | None = None) -> Path | None:
        """The file behind ``src`` (a path, or a full address on the old site), or None."""
        parts = urlsplit(src)
        if parts.scheme in ("http", "https") and parts.netloc.lower() not in self.hosts:
            return None
        if parts.scheme not in ("", "http", "https"):
            return None
        path = unquote(parts.path)
        if not path or Path(path).suffix.lower() not in IMAGE_SUFFIXES:
            return None
        candidates = []
        relative = path.lstrip("/")
        if near is not None and not path.startswith("/"):
            candidates.append(near / relative)
        for root in self.roots:
            candidates.append(root / relative)
            if "wp-content/uploads/" in relative:
                candidates.append(root / relative.split("wp-content/uploads/", 1)[1])
        for candidate in candidates:
            if ".." not in Path(relative).parts and candidate.is_file():
                return candidate
        return None

    def elsewhere(self, src: str) -> str | None:
        """A full address for an image not found locally: itself when it is one, else on the old site (its first
        host), else None (the image is nowhere the new site can show it from)."""
        if src.startswith(("http://", "https://")):
            return src
        if src.startswith("//"):
            return "https:" + src
        host = next(iter(sorted(self.hosts)), "")
        return f"https://{host}/{src.lstrip('/')}" if host and src.startswith("/") else None

    def take(self, src: str, notes: list[str], near: Path | None = None) -> tuple[str, Path] | None:
        """``(content/media/<name>, file)`` for a local image, or None (noted when it stays on the old site)."""
        found = self.find(src, near)
        if found is None:
            parts = urlsplit(src)
            if parts.scheme in ("http", "https"):
                if parts.netloc.lower() in self.hosts:
                    notes.append(f"the image {src} was not found in the old site's files; it stays on the old site until you put it in content/media/")
            elif parts.scheme == "" and src:
                notes.append(f"the image {src} was not found in the old site's files; put it in content/media/ and write /media/<name>")
            return None
        return self.media_name(found), found

    def media_name(self, path: Path) -> str:
        """The name of ``path`` in content/media/: its own, unless another file has it (then with part of its digest)."""
        digest = hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()
        if digest in self.named:
            return self.named[digest]
        stem = slugify(path.stem) or "image"
        name = f"content/media/{stem}{path.suffix.lower()}"
        target = self.project / name
        if (target.exists() and target.read_bytes() != path.read_bytes()) or name in self.named.values():
            name = f"content/media/{stem}-{digest[:8]}{path.suffix.lower()}"
        self.named[digest] = name
        return name


# --- mapping values --------------------------------------------------------------------


def old_path(address: str) -> str | None:
    """The site path of an old address (``https://old.example.org/news/x/?utm=1`` → ``/news/x/``), or None when
    it is not one an alias can hold."""
    path = urlsplit(address.strip()).path or "/"
    try:
        return fields.site_path(path)
    except FieldError:
        return None


def parse_when(value: Any) -> dt.date | dt.datetime | None:
    """A date or datetime from what old sites write: YAML/TOML values, ISO 8601, Jekyll's ``2019-05-14 09:30:00 +0200``."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    for form in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(raw, form)
        except ValueError:
            pass
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def slug_of(text: str) -> str:
    """A slug for a title or a file name, as ``eccpsite new`` makes one (python-slugify: ``Énergie à Kyiv`` → ``energie-a-kyiv``)."""
    return str(slugify(text, max_length=80, word_boundary=True))


def as_list(value: Any) -> list[str]:
    """Tags or categories as a list, from a list or from Jekyll's space-separated string."""
    if isinstance(value, str):
        return value.split(",") if "," in value else value.split()
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


def _date_field(kind: str) -> str | None:
    return {"news": "date", "events": "start"}.get(kind)


def _fits(kind: str, name: str, value: Any) -> bool:
    """Whether the build's parser of field ``name`` takes ``value`` (so the importer writes what the build reads)."""
    known = kind_named(kind)
    spec = known.all_fields.get(name) if known is not None else None
    try:
        if spec is not None:
            spec.parse(value)
        return True
    except FieldError:
        return False


DAY_ONLY = "the build takes a day without a time in '{}': the time of day was left out"
ALT_IS_TITLE = "image_alt is the item's title for now: say what the picture shows"


def front_matter(item: Found) -> tuple[dict[str, Any], list[str]]:
    """The front matter of ``item`` in the order of SPEC's fields, and the notes (common to many items) on what had to change."""
    notes: list[str] = []
    meta: dict[str, Any] = {"title": item.title}
    name = _date_field(item.kind)
    if name is not None:
        when = item.when
        if when is None:
            raise ValueError("a date is needed")
        text = when.isoformat()
        if isinstance(when, dt.datetime) and not _fits(item.kind, name, text):
            notes.append(DAY_ONLY.format(name))
            text = when.date().isoformat()
        meta[name] = text
    if item.summary:
        meta["summary"] = item.summary
    if item.tags:
        tags = list(dict.fromkeys(" ".join(t.split()) for t in item.tags if t.strip()))
        if not _fits(item.kind, "tags", tags):  # a build that takes only slugs as tags
            tags = list(dict.fromkeys(filter(None, map(slug_of, tags))))
        meta["tags"] = tags
    if item.category and item.kind == "news":
        meta["category"] = item.category
    if item.image:
        meta["image"] = item.image
        meta["image_alt"] = item.image_alt or item.title
        if not item.image_alt:
            notes.append(ALT_IS_TITLE)
    if item.draft:
        meta["draft"] = True
    if item.publish_at is not None:
        meta["publish_at"] = item.publish_at.isoformat()
    own = page_url(urls.item_url(item.kind, item.slug))  # an old address that is the new one needs no redirect
    aliases = list(dict.fromkeys(a for a in ([item.old] if item.old else []) + item.aliases if a and page_url(a) != own))
    if aliases:
        meta["aliases"] = aliases
    if item.extra:
        meta["extra"] = {key: _plain(value) for key, value in item.extra.items()}
    return meta, notes


def _plain(value: Any) -> Any:
    """A value YAML writes as text (dates as ISO text, so the build's loader reads them back the same)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def item_text(meta: dict[str, Any], body: str) -> str:
    """The file: YAML front matter between ``---`` lines, then the Markdown body."""
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    return f"---\n{dumped}---\n{body.strip()}\n"


# --- writing ---------------------------------------------------------------------------


@dataclass
class Existing:
    """What the project holds already: each old address (an alias or an item's address) and each file's slug."""

    addresses: dict[str, str] = field(default_factory=dict)  # page url of an address → the file that has it
    files: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, project: Path) -> Existing:
        found = cls()
        content = parse_content(read_sources(project))
        for item in content.items:
            found.add(item)
        if (project / "content").is_dir():
            found.files.update(p.relative_to(project).as_posix() for p in (project / "content").rglob("*.md"))
        return found

    def add(self, item: Item) -> None:
        self.addresses.setdefault(page_url(urls.item_url(item.kind, item.slug)), item.path)
        for alias in item.aliases:
            self.addresses.setdefault(page_url(alias.path), item.path)


def _claimed(item: Found, existing: Existing) -> str | None:
    """The file of the project that has an old address of ``item`` already (it was imported before), or None."""
    for address in [item.old, *item.aliases]:
        if address and page_url(address) in existing.addresses:
            return existing.addresses[page_url(address)]
    return None


def file_name(kind: str, slug: str, when: dt.date | dt.datetime | None) -> str:
    """``content/news/2019-05-14-<slug>.md`` for news (as the site's own news are named), ``content/<kind>/<slug>.md`` else."""
    day = when.date() if isinstance(when, dt.datetime) else when
    prefix = f"{day.isoformat()}-" if kind == "news" and day is not None else ""
    return f"content/{kind}/{prefix}{slug}.md"


def _free_slug(item: Found, existing: Existing) -> str | None:
    """A slug no file and no address of the project has: the item's, else with -2, -3 … (None: take none, for an
    item without an old address, whose slug is all that tells a second run it is there)."""
    for n in range(1, 100):
        slug = item.slug if n == 1 else f"{item.slug}-{n}"
        path = file_name(item.kind, slug, item.when)
        if path not in existing.files and page_url(urls.item_url(item.kind, slug)) not in existing.addresses:
            return slug
        if item.old is None:
            return None
    return None


def write_items(project: Path, found: Iterable[Found], report: Report) -> Report:
    """Write each item into ``content/<kind>/<slug>.md``, never over a file; an item already imported (its old
    address is an alias or an address of the project) is skipped, so a second run writes nothing."""
    existing = Existing.of(project)
    for item in found:
        holder = _claimed(item, existing)
        if holder is not None:
            report.already.append((item.origin, holder))
            continue
        slug = _free_slug(item, existing)
        if slug is None:
            why = f"an item with its address (/{item.kind}/{item.slug}/) is there already; it has no old address to tell them apart"
            report.skipped.append((item.origin, why))
            continue
        item.slug = slug
        written = _write(project, item, report)
        if written is not None:
            existing.add(written)
            existing.files.add(written.path)
    return report


def _write(project: Path, item: Found, report: Report) -> Item | None:
    """Write one item after the build's parser has read it; the parsed item, or None (skipped, with the errors)."""
    rel = file_name(item.kind, item.slug, item.when)
    meta, common = front_matter(item)
    text = item_text(meta, item.body)
    parsed = parse_file(item.kind, Source(rel, text))
    if not isinstance(parsed, Item):
        errors: list[ContentError] = parsed[0]
        report.skipped.append((item.origin, "the build would refuse it: " + "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors)))
        return None
    target = project / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as out:  # never over a file, even one made since the check
            out.write(text)
    except FileExistsError:
        report.skipped.append((item.origin, f"{rel} exists already"))
        return None
    for name, source in item.media.items():
        media = project / name
        if not media.exists():
            media.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, media)
            report.media.append(name)
    report.written.append(rel)
    if item.extra:
        report.unmapped.append((rel, sorted(item.extra)))
    report.notes.extend((rel, note) for note in item.notes)
    for note in common:
        report.common.setdefault(note, []).append(rel)
    return parsed


# --- Markdown sources (Hugo, Jekyll) ---------------------------------------------------

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)")


def read_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Front matter (YAML between ``---``, TOML between ``+++``, or a JSON object) and the body, with the body's
    first line; raises ValueError saying what does not parse."""
    text = text.lstrip("\ufeff")
    for fence, load in (("---", _yaml_mapping), ("+++", _toml_mapping)):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = re.search(rf"^{re.escape(fence)}[ \t]*\r?$", text[len(fence) + 1 :], re.M)
            if end is None:
                raise ValueError(f"the front matter has no closing {fence}")
            head = text[len(fence) + 1 : len(fence) + 1 + end.start()]
            body = text[len(fence) + 1 + end.end() :].lstrip("\r\n")
            return load(head), body, text[: len(text) - len(body)].count("\n") + 1
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            meta, end_at = decoder.raw_decode(text)
        except ValueError as exc:
            raise ValueError(f"the JSON front matter does not parse: {exc}") from None
        body = text[end_at:].lstrip("\r\n")
        return (meta if isinstance(meta, dict) else {}), body, text[: len(text) - len(body)].count("\n") + 1
    return {}, text, 1


def _yaml_mapping(head: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise ValueError(f"the YAML front matter does not parse: {' '.join(str(exc).split())}") from None
    return meta if isinstance(meta, dict) else {}


def _toml_mapping(head: str) -> dict[str, Any]:
    try:
        return tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the TOML front matter does not parse: {exc}") from None


def markdown_images(body: str, images: ImageFinder, near: Path, notes: list[str]) -> tuple[str, dict[str, Path]]:
    """The body with each local image of ``![alt](src)`` taken into content/media/ (and its new address)."""
    media: dict[str, Path] = {}

    def replace(match: re.Match[str]) -> str:
        alt, src, title = match.group(1), match.group(2), match.group(3) or ""
        found = images.take(src, notes, near)
        if found is None:
            address = images.elsewhere(src)
            if address is None:
                notes.append(f"the image {src} is not among the old site's files and has no full address: its text alternative stands in its place")
                return alt
            return f"![{alt}]({address}{title})"
        media[found[0]] = found[1]
        return f"![{alt}](/{found[0].removeprefix('content/')}{title})"

    return _MD_IMAGE.sub(replace, body), media


def line_of(body: str, offset: int, first_line: int) -> int:
    """The line in the old file of character ``offset`` of a body that starts on ``first_line``."""
    return first_line + body.count("\n", 0, offset)


def take_image(value: Any, images: ImageFinder, near: Path, item: Found) -> None:
    """Set the item's picture from an old front matter value: a local file is copied, a full address kept."""
    src = value.get("src") or value.get("path") or value.get("image") if isinstance(value, dict) else value
    if isinstance(src, list):
        src = src[0] if src else None
    if not isinstance(src, str) or not src.strip():
        return
    found = images.take(src.strip(), item.notes, near)
    if found is not None:
        item.media[found[0]] = found[1]
        item.image = found[0].removeprefix("content/")
    elif src.startswith(("http://", "https://")):
        item.image = src.strip()
    else:
        item.extra["image"] = src
