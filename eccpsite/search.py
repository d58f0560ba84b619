"""The search index: Pagefind run over the built HTML, an edge of the build.

Pagefind reads the pages written to the staging folder (only the parts marked
``data-pagefind-body``: items, pages and editions) and writes its index and
its small search library into ``pagefind/`` beside them, before the staging
folder is swapped in. The site's own ``/search/`` page drives that library;
nothing is fetched from elsewhere, so search works from the built folder on
any static server, offline too. Pagefind's output depends only on the pages,
so two builds of the same input give the same index.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

FOLDER = "pagefind"
# Pagefind also writes ready-made search interfaces; the site has its own (templates/static/search.js).
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


class SearchIndexFailed(Exception):
    """Pagefind could not index the site."""


async def _index(site: Path, language: str) -> int:
    """Index the HTML under ``site`` and write the bundle into ``site/pagefind``; returns the page count."""
    config: IndexConfig = {"force_language": language, "output_path": str(site / FOLDER)}
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site))
    return int(result["page_count"])


def index_site(site: Path, language: str = "en") -> int:
    """Build the search index of the pages in ``site``; returns the number of files it added."""
    # In a thread of its own: the caller may already run an event loop (the dev server, a browser driver).
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind") as pool:
            pool.submit(asyncio.run, _index(site.resolve(), language)).result()
    except Exception as exc:  # the service reports its failures as plain exceptions
        raise SearchIndexFailed(f"the search index could not be built: {exc}") from exc
    bundle = site / FOLDER
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    return sum(1 for path in bundle.rglob("*") if path.is_file())


MARKER = b"data-pagefind-body"


def search_key(pages: Iterable[tuple[str, bytes]], language: str) -> str:
    """A digest of what the index depends on: the pages marked for indexing, the language and Pagefind's version.

    Pagefind indexes only the pages marked ``data-pagefind-body`` once any page
    carries the mark, so list pages (which change with "now") do not count.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{language}\0{importlib.metadata.version('pagefind')}\0".encode())
    for url, data in sorted(pages):
        if MARKER in data:
            digest.update(url.encode() + b"\0" + hashlib.blake2b(data, digest_size=20).digest())
    return digest.hexdigest()


def index_site_cached(site: Path, pages: Iterable[tuple[str, bytes]], language: str, cache: Path) -> int:
    """:func:`index_site`, reusing the bundle of an earlier build whose indexed pages were the same.

    Indexing is the slowest stage of a build of thousands of items; the bundle
    is kept in ``cache/search-<key>/`` and copied in when nothing it depends on
    changed.
    """
    kept = cache / f"search-{search_key(pages, language)}"
    if not kept.is_dir():
        count = index_site(site, language)
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("search-*"):
            shutil.rmtree(old, ignore_errors=True)
        temporary = cache / f".{kept.name}.tmp"
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(site / FOLDER, temporary)
        os.replace(temporary, kept)
        return count
    shutil.copytree(kept, site / FOLDER)
    return sum(1 for path in (site / FOLDER).rglob("*") if path.is_file())
