"""The build's on-disk cache of rendered Markdown: an edge, like the reader and the writer.

Rendering Markdown is most of a cold build's work, so each body is rendered
once per content version: the HTML is kept in ``.cache/`` under a digest of its
source, in a file whose name carries a fingerprint of everything else the HTML
depends on (the renderer module, Python-Markdown's and nh3's versions), so a
change to any of them starts a new cache and nothing stale is ever served. The
cache is JSON, not pickle: a cache file slipped into a pull request must not be
able to run code. On a cold build the missing bodies are rendered on every
core by a process pool.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import markdown
import nh3

import eccpsite
from eccpsite import markup

CACHE_DIR = ".cache"
POOL_THRESHOLD = 64  # fewer bodies than this render faster in this process than in a pool
CHUNK = 50


def fingerprint() -> str:
    """What rendered HTML depends on besides its source."""
    own = Path(markup.__file__).read_bytes()
    versions = f"{eccpsite.__version__}|{markdown.__version__}|{getattr(nh3, '__version__', '')}"
    return hashlib.blake2b(own + versions.encode(), digest_size=12).hexdigest()


def _path(project: Path) -> Path:
    return project / CACHE_DIR / f"markdown-{fingerprint()}.json"


def load_markdown_cache(project: Path) -> int:
    """Preload rendered Markdown from the cache; returns the number of entries (0 if none or unreadable)."""
    path = _path(project)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        markup.remember((bytes.fromhex(key), value) for key, value in entries.items() if isinstance(value, str))
    except (OSError, ValueError, AttributeError):
        return 0
    return len(entries)


def save_markdown_cache(project: Path) -> None:
    """Write what this build rendered or reused; other fingerprints' files are removed."""
    folder = project / CACHE_DIR
    folder.mkdir(exist_ok=True)
    path = _path(project)
    for old in folder.glob("markdown-*.json"):
        if old != path:
            old.unlink(missing_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({key.hex(): value for key, value in sorted(markup.remembered().items())}), encoding="utf-8")
    os.replace(temporary, path)


def prerender(sources: Iterable[str]) -> int:
    """Render the bodies not cached yet on every core; returns how many were rendered."""
    todo = markup.missing(sources)
    workers = os.cpu_count() or 1
    if len(todo) < POOL_THRESHOLD or workers < 2:
        return 0
    # fork is fastest, but forking a process that runs other threads (the dev server) is unsafe
    method = "fork" if threading.active_count() == 1 else "spawn"
    chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        for rendered in pool.map(markup.render_many, chunks):
            markup.remember(rendered)
    return len(todo)


# --- the build manifest: is the output already what a build would make? ---

MANIFEST = "build-manifest.json"
_INPUTS = ("site.yaml", "content", "templates")


def _digest_tree(digest: Any, root: Path, base: Path) -> None:
    entries = sorted(os.scandir(root), key=lambda e: e.name) if root.is_dir() else []
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            _digest_tree(digest, path, base)
        elif entry.is_file(follow_symlinks=False) or entry.is_symlink():
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            try:
                digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest() if entry.is_file() else os.readlink(path).encode())
            except OSError:
                digest.update(b"unreadable")


def input_fingerprint(project: Path, options: str, head: str) -> str:
    """A digest of everything a build reads: sources, templates, configuration, eccpsite's own code, options, git HEAD."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{eccpsite.__version__}\0{options}\0{head}\0".encode())
    for name in _INPUTS:
        target = project / name
        if target.is_file():
            digest.update(name.encode() + b"\0" + target.read_bytes())
        else:
            _digest_tree(digest, target, project)
    _digest_tree(digest, Path(markup.__file__).parent, Path(markup.__file__).parent)
    return digest.hexdigest()


def read_manifest(project: Path) -> dict[str, Any]:
    try:
        data = json.loads((project / CACHE_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(project: Path, manifest: dict[str, Any]) -> None:
    folder = project / CACHE_DIR
    folder.mkdir(exist_ok=True)
    temporary = folder / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)
