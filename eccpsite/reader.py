"""Reading the sources from disk: the only module of the core's input edge.

It returns text and paths, nothing parsed; symbolic links that lead outside
the project and oversized files are refused here, before anything reads them.
"""

from __future__ import annotations

import re
from pathlib import Path

from eccpsite.errors import ContentError
from eccpsite.schema import KINDS
from eccpsite.source import MAX_FILE_BYTES, Source, Sources


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _read(root: Path, path: Path, errors: list[ContentError]) -> Source | None:
    rel = path.relative_to(root).as_posix()
    if not _inside(path, root):
        errors.append(ContentError(rel, 0, "", "is a link to a file outside the project; copy the file into content/ instead"))
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        errors.append(ContentError(rel, 0, "", f"the file is {size} bytes, over the limit of {MAX_FILE_BYTES}; split it into smaller items"))
        return None
    try:
        return Source(rel, path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        errors.append(ContentError(rel, 0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"))
        return None


def read_file(root: Path, path: Path) -> tuple[Source | None, list[ContentError]]:
    """Read one source file with the checks of :func:`read_sources` (the dev server re-reads only what changed)."""
    errors: list[ContentError] = []
    return _read(root.resolve(), path, errors), errors


# What content/media may hold: images and documents. A page, a script or a stylesheet there would be
# served from the site's own address, where its script could act as the site.
MEDIA_TYPES = frozenset(
    ".png .jpg .jpeg .gif .webp .avif .svg .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp .csv .txt .zip .mp3 .mp4 .webm".split()
)
_ACTIVE_SVG = re.compile(rb"<script|<foreignobject|<!entity|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _media_problem(path: Path) -> str | None:
    """Why a file of content/media may not be published, or None."""
    suffix = path.suffix.lower()
    if suffix not in MEDIA_TYPES:
        return f"'{suffix or path.name}' files are not published from content/media; use images (PNG, JPEG, SVG, ...), PDFs or office documents"
    if suffix == ".svg" and _ACTIVE_SVG.search(path.read_bytes()):
        return "this SVG image holds a script, an event handler, a javascript: link or an entity; export it again as a plain image, or use PNG"
    return None


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith("."))


def read_sources(root: Path) -> Sources:
    """Read ``site.yaml``, every item, every edition and list the static files."""
    root = root.resolve()
    errors: list[ContentError] = []
    content = root / "content"
    config_path = root / "site.yaml"
    config = _read(root, config_path, errors) if config_path.exists() else None
    if config is None and not config_path.exists():
        errors.append(ContentError("site.yaml", 0, "", "is missing; it holds the site's title and base_url"))
    items: dict[str, tuple[Source, ...]] = {}
    for kind in KINDS:
        folder = content / kind
        found = [s for p in _files(folder, "*.md") if (s := _read(root, p, errors))]
        for other in _files(folder, "*"):
            if other.suffix != ".md":
                message = "only Markdown files ending in .md are read in this folder"
                errors.append(ContentError(other.relative_to(root).as_posix(), 0, "", message, warning=True))
        items[kind] = tuple(found)
    editions = tuple(s for p in _files(content / "newsletter", "*.yaml") if (s := _read(root, p, errors)))
    assets: list[tuple[str, Path]] = []
    for base, prefix in ((root / "templates" / "static", "/static/"), (content / "media", "/media/")):
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                if not _inside(path, root):
                    errors.append(ContentError(path.relative_to(root).as_posix(), 0, "", "is a link to a file outside the project; copy the file in instead"))
                    continue
                if prefix == "/media/" and (problem := _media_problem(path)):
                    errors.append(ContentError(path.relative_to(root).as_posix(), 0, "", problem))
                    continue
                assets.append((prefix + path.relative_to(base).as_posix(), path))
    return Sources(config, items, editions, tuple(assets), tuple(errors))
