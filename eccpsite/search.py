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
