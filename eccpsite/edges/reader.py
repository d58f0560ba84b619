"""Reading the sources from disk: the only module of the core's input edge.

It returns text and paths, nothing parsed; symbolic links that lead outside
the project and oversized files are refused here, before anything reads them.
"""

from __future__ import annotations

import os
from pathlib import Path

from eccpsite.core import layout
from eccpsite.core.documents import MEDIA_PREFIX, document_format
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import folders
from eccpsite.core.source import MAX_FILE_BYTES, Source, Sources
from eccpsite.edges.svg_images import svg_problem


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _link_problem(path: Path, root: Path) -> str | None:
    """Why the file at ``path`` (under ``root``) may not be read when a link leads to it (it, or a folder above it):
    the file is outside the project, or a hidden file of it (``.env``, ``.git/config``, ``.cache/``), which is never
    published whatever links to it; or None."""
    try:
        target = path.resolve().relative_to(root)
    except ValueError:
        return "is a link to a file outside the project; copy the file into content/ instead"
    if target != path.relative_to(root) and any(part.startswith(".") for part in target.parts):
        return f"is a link to {target.as_posix()}, a hidden file of the project, which is never published; copy what should be published into content/ instead"
    return None


def _read(root: Path, path: Path, errors: list[ContentError]) -> Source | None:
    rel = path.relative_to(root).as_posix()
    if problem := _link_problem(path, root):
        errors.append(ContentError(rel, 0, "", problem))
        return None
    return _decode(rel, path, errors)


def _decode(rel: str, path: str | Path, errors: list[ContentError]) -> Source | None:
    """The text of a file known to be inside the project, as ``Path.read_text`` reads it (universal newlines).

    One open and one read: the size comes from the open file, and the bytes
    are decoded once.
    """
    with open(path, "rb", buffering=0) as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_FILE_BYTES:
            errors.append(ContentError(rel, 0, "", f"the file is {size} bytes, over the limit of {MAX_FILE_BYTES}; split it into smaller items"))
            return None
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(rel, 0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"))
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(rel, text)


def read_file(root: Path, path: Path) -> tuple[Source | None, list[ContentError]]:
    """Read one source file with the checks of :func:`read_sources` (the dev server re-reads only what changed)."""
    errors: list[ContentError] = []
    return _read(root.resolve(), path, errors), errors


# What content/media may hold: images and documents. A page, a script or a stylesheet there would be
# served from the site's own address, where its script could act as the site.
MEDIA_TYPES = frozenset(".png .jpg .jpeg .gif .webp .avif .svg .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp .csv .txt .zip .mp3 .mp4 .webm".split())


def _media_problem(path: Path) -> tuple[int, str] | None:
    """Why a file of content/media may not be published — ``(line, message)`` — or None."""
    suffix = path.suffix.lower()
    if suffix not in MEDIA_TYPES:
        return 0, f"'{suffix or path.name}' files are not published from content/media; use images (PNG, JPEG, SVG, ...), PDFs or office documents"
    if suffix == ".svg":
        return svg_problem(path.read_bytes())
    return None


def document_sizes(root: Path) -> dict[str, int]:
    """The size in bytes of each document (PDF, office file) of content/media, by its site path (/media/x.pdf)."""
    media = root / "content" / "media"
    found = sorted(media.rglob("*")) if media.is_dir() else []
    return {MEDIA_PREFIX + p.relative_to(media).as_posix(): p.stat().st_size for p in found if p.is_file() and document_format(p.name)}


def _listing(root: Path, folder: Path) -> list[tuple[str, str, bool]]:
    """The visible files of ``folder`` (links followed) sorted by name: ``(name, path, inside the project)``.

    What ``sorted(folder.glob("*"))`` with ``is_file()`` finds, in one scan of
    the folder: a plain file is inside the project when its folder is, so
    only links are resolved one by one.
    """
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as entries:
            found = sorted((entry.name, entry) for entry in entries if not entry.name.startswith("."))
    except PermissionError:
        return []
    folder_inside = _inside(folder, root)
    listed: list[tuple[str, str, bool]] = []
    for name, entry in found:
        if entry.is_symlink():
            if Path(entry.path).is_file():
                listed.append((name, entry.path, _inside(Path(entry.path), root)))
        elif entry.is_file(follow_symlinks=False):
            listed.append((name, entry.path, folder_inside or _inside(Path(entry.path), root)))
    return listed


def _read_folder(root: Path, folder: Path, suffix: str, errors: list[ContentError]) -> tuple[tuple[Source, ...], list[str]]:
    """Read the files of ``folder`` whose names end with ``suffix``; returns them and the names of the other files."""
    sources: list[Source] = []
    others: list[str] = []
    base = folder.relative_to(root).as_posix()
    for name, path, inside in _listing(root, folder):
        if not name.endswith(suffix):
            others.append(name)
        elif problem := (None if inside and not os.path.islink(path) else _link_problem(Path(path), root)):
            errors.append(ContentError(f"{base}/{name}", 0, "", problem))
        elif source := _decode(f"{base}/{name}", path, errors):
            sources.append(source)
    return tuple(sources), others


def read_sources(root: Path) -> Sources:
    """Read ``site.yaml``, every item, every edition and list the static files."""
    root = root.resolve()
    errors: list[ContentError] = []
    config_path = root / layout.CONFIG_FILE
    config = _read(root, config_path, errors) if config_path.exists() else None
    if config is None and not config_path.exists():
        errors.append(ContentError("site.yaml", 0, "", "is missing; it holds the site's title and base_url"))
    items: dict[str, tuple[Source, ...]] = {}
    for kind in folders():
        items[kind], others = _read_folder(root, root / layout.item_folder(kind), ".md", errors)
        for name in others:
            message = "only Markdown files ending in .md are read in this folder"
            errors.append(ContentError(f"{layout.item_folder(kind)}/{name}", 0, "", message, warning=True))
    editions, _ = _read_folder(root, root / layout.EDITIONS, ".yaml", errors)
    assets: list[tuple[str, Path]] = []
    for folder, prefix in layout.ASSETS:
        base = root / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                if problem := _link_problem(path, root):
                    errors.append(ContentError(path.relative_to(root).as_posix(), 0, "", problem))
                    continue
                if prefix == "/media/" and (refused := _media_problem(path)):
                    errors.append(ContentError(path.relative_to(root).as_posix(), refused[0], "", refused[1]))
                    continue
                assets.append((prefix + path.relative_to(base).as_posix(), path))
    return Sources(config, items, editions, tuple(assets), tuple(errors))
