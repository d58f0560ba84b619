"""The old site's images: find the local copy of each one it showed, name it in ``content/media/``, and point to it.

An image is found among the old site's files (its ``static/``, the page's
own folder, a copy of WordPress's uploads) or kept at its full address; the
body's Markdown images and the front matter's picture are pointed to their
new addresses. Apart from the bodies' conversion (:mod:`html_markdown`)
because Markdown sources (Hugo, Jekyll) need it as much as HTML ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from slugify import slugify

from eccpsite.importers.common import Found

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"})


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


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(\s+\"[^\"]*\")?\s*\)")


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
