"""The search index: Pagefind run over the built HTML, an edge of the build.

Pagefind reads the pages written to the staging folder that carry the mark
``data-pagefind-body`` (items, pages, editions, country pages: only those are
given to it, see :func:`bundle_pages`; only the marked part of each is
indexed) and writes its index and
its small search library into ``pagefind/`` beside them, before the staging
folder is swapped in. The site's own ``/search/`` page drives that library;
nothing is fetched from elsewhere, so search works from the built folder on
any static server, offline too. Pagefind's output depends only on the pages
and on the order it finds them in, which a build fixes (:func:`index_site`),
so two builds of the same input give the same index. The bundle is cached
under a key made of the digests of the indexed pages (:func:`search_key`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from eccpsite.core.errors import SearchIndexFailed
from eccpsite.core.urls import output_path
from eccpsite.edges.fingerprint import digest, hasher
from eccpsite.edges.keptfile import FileState, link_kept, safe_path
from eccpsite.outputs import pagefind_service
from eccpsite.outputs.render import SEARCH_MARK

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


@lru_cache(maxsize=1)
def _pagefind() -> str:
    """The Pagefind binary, found as ``python -m pagefind`` finds it (``PAGEFIND_BINARY_PATH``, else the wheel's)."""
    from pagefind.service import get_executable  # imports asyncio: only when a build indexes

    found = get_executable()
    if found is None:
        raise SearchIndexFailed("the search index could not be built: Pagefind's binary was not found (pip install 'pagefind[extended]')")
    return str(found)


def _page_url(relative: str) -> str:
    """The address Pagefind gives the HTML file at ``relative`` (``news/x/index.html`` → ``/news/x/``)."""
    return "/" + (relative[: -len("index.html")] if relative == "index.html" or relative.endswith("/index.html") else relative)


def index_site(site: Path, language: str = "en", order: Iterable[str] | None = None, folder: str = FOLDER) -> int:
    """Build the search index of the HTML pages in ``site`` into ``site/<folder>``; returns the number of files it added.

    Pagefind numbers the pages in the order it is given them, and the index's
    bytes follow from those numbers; its command would take them in the order
    the file system lists a folder, which differs from one disk to the next
    (eccpsite.outputs.pagefind_service). They are handed to it one by one instead:
    in ``order`` (the urls of the site's files in the order the build made
    them, whichever worker wrote a file first), else sorted by path. Every
    file of the bundle is written whole here, the unused interfaces left out.
    """
    site = site.resolve()
    if order is None:
        pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html") if path.is_file())
    else:
        pages = [relative for relative in map(output_path, order) if relative.endswith(".html")]
    bundle = site / folder
    try:
        made = pagefind_service.bundle(_pagefind(), ((_page_url(p), (site / p).read_text(encoding="utf-8", errors="replace")) for p in pages), language)
        written = 0
        for name, data in made:
            if name in UNUSED or not safe_path(name):
                continue
            target = bundle / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
    except pagefind_service.ServiceFailed as exc:
        raise SearchIndexFailed(f"the search index could not be built: {exc}") from exc
    except OSError as exc:
        raise SearchIndexFailed(f"the search index could not be built: {exc}") from exc
    return written


MARKER = SEARCH_MARK


def indexed_pages(pages: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The url and digest of each page that carries the mark, from pages in memory (the dev server's)."""
    return [(url, digest(data)) for url, data in pages if MARKER in data]


def search_key(indexed: Iterable[tuple[str, bytes]], language: str) -> str:
    """A digest of what the index depends on: the pages marked for indexing (url and digest of each), the language and
    Pagefind's version.

    Pagefind indexes only the pages marked ``data-pagefind-body`` once any page
    carries the mark, so list pages (which change with "now") do not count. A
    build keeps each page's digest (``eccpsite.edges.fingerprint.digest``), not its bytes.
    """
    key = hasher()
    key.update(f"{language}\0{importlib.metadata.version('pagefind')}\0pages in order\0".encode())  # through its service (not readdir)
    for url, page_digest in sorted(indexed):
        key.update(url.encode() + b"\0" + page_digest)
    return key.hexdigest()


# A large site's index is split into bundles of about this many pages, each made by its own Pagefind run and
# merged in the browser (Pagefind's mergeIndex): Pagefind holds every page of a bundle in memory while indexing
# (about 3 GB for 15,000 item pages at once), and an edit makes only its own bundle again.
SHARD_PAGES = 1000
SHARDS = "shards.json"  # in the main bundle: the paths of the other bundles, for the search page's script


def shard_count(pages: int) -> int:
    """How many bundles for ``pages`` indexed pages: one up to SHARD_PAGES, then a power of two (so it changes only when the site doubles)."""
    count = 1
    while pages > count * SHARD_PAGES:
        count *= 2
    return count


def shard_of(url: str, count: int) -> int:
    """The bundle of the page at ``url``: a stable hash, so a page stays in its bundle while others come and go."""
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=4).digest(), "big") % count


def shard_folder(shard: int) -> str:
    """Where bundle ``shard`` goes in the site: ``pagefind/``, then ``pagefind/shard-1/`` …"""
    return FOLDER if shard == 0 else f"{FOLDER}/shard-{shard}"


def index_site_cached(site: Path, indexed: Sequence[tuple[str, bytes]], language: str, cache: Path, order: Iterable[str] | None = None) -> int:
    """:func:`index_site` for the pages ``indexed`` (url and digest of each marked page), reusing the bundles of an
    earlier build with the same :func:`search_key`; returns the number of files it added.

    Indexing is the slowest stage of a build of thousands of items; each bundle
    is kept in ``cache/<key>/`` (the project's ``.cache/search/``: eccpsite.core.layout) and linked in when none of its pages
    changed (and none of its files: see :func:`_kept_files`). A large site is
    split into several bundles (:func:`shard_count`), listed in
    ``pagefind/shards.json`` for the search page; the missing ones
    are made ``PARALLEL_BUNDLES`` at a time, each in a folder of its own, and
    put in place as each is made; the kept ones are linked in meanwhile
    (an edit build makes one bundle: linking the other 31 of 10,000 news took
    0.4 s after it).
    """
    count = shard_count(len(indexed))
    groups: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    for url, page_digest in indexed:
        groups[shard_of(url, count)].append((url, page_digest))
    order = list(order) if order is not None else None
    kept = [cache / search_key(members, language) for members in groups]
    listed: dict[int, list[tuple[str, FileState]]] = {}  # the files of each kept bundle that is still as it was kept
    missing = []
    for shard, members in enumerate(groups):
        found = _kept_files(kept[shard]) if kept[shard].is_dir() else None
        if found is not None:
            listed[shard] = found
            continue
        shutil.rmtree(kept[shard], ignore_errors=True)  # none, or a file of it was changed (edited in an output)
        missing.append((shard, bundle_pages(members, order)))

    def make(job: tuple[int, list[str]]) -> None:
        shard, bundle_order = job
        _make_bundle(site, f"{BUILDING}-{shard}", kept[shard], language, bundle_order)

    files = 0
    with ThreadPoolExecutor(max_workers=PARALLEL_BUNDLES, thread_name_prefix="bundle") as pool:
        building = [(job[0], pool.submit(make, job)) for job in missing]
        for shard, files_of in listed.items():  # while Pagefind makes the others
            files += _link_bundle(kept[shard], files_of, site / shard_folder(shard))
        for shard, future in building:
            future.result()
            made = _kept_files(kept[shard])
            if made is None:
                raise SearchIndexFailed(f"the search index could not be built: {kept[shard]} changed during the build; build again")
            files += _link_bundle(kept[shard], made, site / shard_folder(shard))
    for old in cache.glob("[0-9a-f]*"):
        if old not in kept:
            shutil.rmtree(old, ignore_errors=True)
    shards = [f"/{shard_folder(shard)}/" for shard in range(1, count)]
    (site / FOLDER / SHARDS).write_text(json.dumps({"bundles": shards}), encoding="utf-8")
    return files + 1


def bundle_pages(members: Sequence[tuple[str, bytes]], order: Sequence[str] | None) -> list[str]:
    """The urls Pagefind is given for a bundle: only its marked pages (items, editions, country pages), in the site's
    order (sorted without one). Lists, tags and filter pages carry no mark, so Pagefind would read and drop them."""
    wanted = {url for url, _ in members}
    return [url for url in (order if order is not None else sorted(wanted)) if url in wanted]


PARALLEL_BUNDLES = 2  # a Pagefind run keeps about one core and a half busy: two at once fill two cores
BUILDING = ".pagefind-bundle"  # where a bundle is made, in the site folder, before it is kept
BUNDLE_FILES = "eccpsite-files.json"  # in a kept bundle: each file's size, modification time and digest


def _make_bundle(site: Path, folder: str, kept: Path, language: str, order: list[str] | None) -> None:
    """Make one bundle with Pagefind in ``site/folder`` and keep it in ``kept``, with the list of its files (the folder
    is removed)."""
    try:
        index_site(site, language, order, folder)
        kept.parent.mkdir(parents=True, exist_ok=True)
        temporary = kept.parent / f".{kept.name}.tmp"
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(site / folder, temporary)
        files = sorted(path.relative_to(temporary).as_posix() for path in temporary.rglob("*") if path.is_file())
        states = [FileState.of(os.fspath(temporary / name)).row(name) for name in files]
        (temporary / BUNDLE_FILES).write_text(json.dumps(states, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, kept)
    finally:
        shutil.rmtree(site / folder, ignore_errors=True)


def _kept_files(kept: Path) -> list[tuple[str, FileState]] | None:
    """The files of the bundle kept in ``kept``, if every one is still as it was kept, else None.

    A bundle is put in the output by hard links (:func:`_link_bundle`), so a
    file of the output edited in place is edited here too; such a bundle is
    made again rather than served.
    """
    try:
        files = list(map(FileState.from_row, json.loads((kept / BUNDLE_FILES).read_text(encoding="utf-8"))))
        folder = os.fspath(kept)
        if all(state.describes(os.path.join(folder, name)) for name, state in files):
            return files
    except (OSError, ValueError, TypeError):
        pass
    return None


def _link_bundle(kept: Path, files: list[tuple[str, FileState]], target: Path) -> int:
    """Put a kept bundle's files in the site (hard links where the file system allows, else copies); their number."""
    made: set[str] = set()
    source, folder = os.fspath(kept), os.fspath(target)  # strings, not paths: 17,000 files at 10,000 news
    for name, state in files:
        path = os.path.join(folder, name)
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        if not link_kept(os.path.join(source, name), path, state):
            raise SearchIndexFailed(f"the search index could not be built: {kept / name} changed during the build; build again")
    return len(files)
