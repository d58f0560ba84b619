"""The build: one flat sequence of named stages.

read sources → parse and validate → build the site model → render outputs →
check links → write. Rendering sends each output to a sink as it is made:
``build_outputs`` keeps them in memory (for ``check``, the dev server and
tests), ``build`` writes them into the writer's staging folder and keeps only
a small record of each; both run the same stages (:func:`make_site`).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import functools
import gc
import os
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from eccpsite.core import layout, urls
from eccpsite.core.config import SiteConfig, parse_config
from eccpsite.core.content import Content, FactsOf, body_facts, parse_content
from eccpsite.core.dates import parse_now
from eccpsite.core.errors import BuildFailed, ContentError, UsageError
from eccpsite.core.locate import locate
from eccpsite.core.model import Site, build_model, next_status_change
from eccpsite.core.source import load_yaml
from eccpsite.edges import buildlock, fingerprint
from eccpsite.edges.folder_swap import MARKER
from eccpsite.edges.history import read_history
from eccpsite.edges.reader import document_sizes, read_sources
from eccpsite.incremental import output_state, snapshot
from eccpsite.incremental.cache import CACHE_DIR, markdown_cache, prerender
from eccpsite.incremental.engine import Engine
from eccpsite.incremental.parsed import kept_facts
from eccpsite.incremental.writer import Written, check_output_folder, staging
from eccpsite.outputs.admin import admin_stage, missing_bundle
from eccpsite.outputs.email_edition import render_email_editions
from eccpsite.outputs.links import Checkable, InMemory, check_links
from eccpsite.outputs.pages import RENDERERS
from eccpsite.outputs.pdf.edition_pdf import pdf_stage
from eccpsite.outputs.redirects import RENAMED, Redirect, plan_redirects
from eccpsite.outputs.render import Made, Output, PageHook, Sink, Stage
from eccpsite.outputs.search import index_site_cached
from eccpsite.outputs.site import render_site
from eccpsite.outputs.theme import make_environment, set_document_sizes


@dataclass(frozen=True)
class BuildOptions:
    now: str | None = None  # --now (a date or datetime); else SOURCE_DATE_EPOCH; else the clock
    drafts: bool = False
    strict: bool = False
    pdf: bool = True  # False with --no-pdf: PDF editions are skipped (their images are still checked)


class Timings:
    """Where a build's time went (``eccpsite build --timings``): per stage, in order, the wall-clock seconds and the
    CPU seconds of the build process and of the worker processes and Pagefind runs it waited for."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, float]] = []

    @staticmethod
    def mark() -> tuple[float, float]:
        """The wall-clock and CPU time now, for :meth:`since`."""
        return time.perf_counter(), _cpu_seconds()

    def since(self, name: str, mark: tuple[float, float]) -> None:
        """Note stage ``name`` as the time from ``mark`` to now."""
        wall, cpu = mark
        self.stages.append((name, time.perf_counter() - wall, _cpu_seconds() - cpu))

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        mark = self.mark()
        try:
            yield
        finally:
            self.since(name, mark)


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that ended and were waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class BuildResult:
    site: Site
    outputs: tuple[Output, ...]  # every file made, in memory (build_outputs); empty after build(), which wrote them instead
    assets: tuple[tuple[str, Path], ...]
    warnings: tuple[ContentError, ...]
    moved: tuple[Redirect, ...] = ()  # old addresses of items whose files git shows renamed, now redirected


@dataclass(frozen=True)
class WrittenSite:
    """What :func:`build` keeps of a build once its output is written. Not the site model: at 10,000 items it is
    most of the build's memory, and it is let go before Pagefind indexes the pages."""

    now: dt.datetime  # the build's "now"
    until: dt.datetime | None  # the next moment its site changes by itself (model.next_status_change)
    warnings: tuple[ContentError, ...]
    records: tuple[Written, ...]  # what the writer kept of each output it wrote
    reused: int  # pages of the last build put in place rather than rendered
    key_base: bytes  # the base of its records (eccpsite.incremental.engine.Fingerprints.base)
    moved: tuple[Redirect, ...] = ()  # old addresses of renamed items, now redirected (the build's summary lists them)


UP_TO_DATE, RESTORED, BUILT = "up to date", "restored", "built"


@dataclass(frozen=True)
class Built:
    """What :func:`build_if_changed` did: nothing (the output is up to date), restored the last build's output
    from the cache (nothing changed since it), or built."""

    how: str  # UP_TO_DATE | RESTORED | BUILT
    files: int
    seconds: float
    warnings: tuple[ContentError, ...]
    result: WrittenSite | None = None  # what the build kept, when it built
    timings: Timings | None = None  # where the time went, stage by stage
    repaired: tuple[str, ...] = ()  # files of the output removed, added or edited since the last build, now its own again


class Kept(Made, Checkable, Protocol):
    """What a build keeps of each output: its url and size, and the links the check needs."""


Record = TypeVar("Record", bound=Kept)


@dataclass(frozen=True)
class MadeSite(Generic[Record]):
    """What :func:`make_site` made: the site model, and the sink's records of every output."""

    site: Site
    records: list[Record]  # what the sink kept of each output, in the order of the stages
    assets: tuple[tuple[str, Path], ...]
    warnings: tuple[ContentError, ...]
    moved: tuple[Redirect, ...] = ()  # old addresses of renamed items, now redirected


def resolve_now(raw: str | None, tz: dt.tzinfo) -> dt.datetime:
    """The moment of the build: ``--now``, else ``SOURCE_DATE_EPOCH``, else the clock."""
    if raw:
        return parse_now(raw, tz)  # type: ignore[arg-type]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}") from None
    return dt.datetime.now(tz)


def build_stages(project: Path, assets: Iterable[tuple[str, Path]], options: BuildOptions) -> list[Stage]:
    """The render stages of a build, in order (the dev server runs the same ones)."""
    return [pdf_stage(project, assets, render=options.pdf), *RENDERERS, render_email_editions, admin_stage(project)]


def make_site(
    project: Path,
    options: BuildOptions,
    sink: Sink[Record],
    pages: PageHook | None = None,
    timings: Timings | None = None,
    facts_of: FactsOf = body_facts,
) -> MadeSite[Record]:
    """Every stage but the write: each output goes to ``sink`` as soon as it is made (a list in memory, or the writer's
    staging folder) and only the sink's records come back; raises BuildFailed with every error found. With ``pages``
    (a page cache), pages whose inputs are those of the last build's are not rendered again; ``timings`` notes how
    long each stage took; ``facts_of`` checks the bodies (or gives the facts the last build kept of them)."""
    clock = timings or Timings()
    with clock.stage("read sources"):
        sources = read_sources(project)
    assets = sources.assets
    with clock.stage("parse content"):
        content = parse_content(sources, facts_of=facts_of)
    del sources  # the text of every file: the items keep what they need
    _give_back_memory(collect=False)  # about 60 MB at 10,000 items, which the C allocator would keep (freed, no cycles)
    errors = [e for e in content.errors if not e.warning]
    warnings = [e for e in content.errors if e.warning]
    if content.config is None:
        raise BuildFailed(errors or [ContentError("site.yaml", 0, "", "could not be read")], warnings)
    now = resolve_now(options.now, content.config.tz)
    if (no_admin := missing_bundle(project, content.config)) is not None:
        warnings.append(no_admin)
    with clock.stage("build the site model"):
        site = build_model(content.config, content.items, content.editions, now, drafts=options.drafts, unparsed=content.unparsed)
    if isinstance(site, list):
        raise BuildFailed(errors + site, warnings)
    warnings.extend(site.warnings)
    # A file with errors of its own does not stop the others: their pages are still made and their links checked,
    # so that one run reports everything (the output is not kept: the build fails at the end).
    with clock.stage("render Markdown"):
        prerender(i.body for i in site.items)
    with clock.stage("read git history"):
        history = read_history(project, [i.path for i in site.items] + [e.edition.path for e in site.editions])
    with clock.stage("render and write outputs"):
        env = pages.environment(project / "templates") if pages is not None else make_environment(project / "templates")
        set_document_sizes(env, document_sizes(project))
        try:
            stages = build_stages(project, assets, options)
            # what the stages freed (feeds, calendars of megabytes: about 28 MB at 10,000 items) goes back before the sitemap
            settle = functools.partial(_give_back_memory, collect=False)
            records = render_site(site, env, stages, history=history, sink=sink, pages=pages, settle=settle)
        except BuildFailed as failed:  # template errors
            raise BuildFailed(errors + failed.errors, warnings) from None
    with clock.stage("check links"):
        item_sources = {site.url(i): i.path for i in site.items}
        link_problems = locate(check_links(records, [*(url for url, _ in assets), *failed_urls(content)], item_sources), site.items)
    errors.extend(e for e in link_problems if not e.warning)
    warnings.extend(e for e in link_problems if e.warning)
    if options.strict:
        errors.extend(ContentError(w.path, w.line, w.field, w.message) for w in warnings)
    if errors:
        raise BuildFailed(errors, [] if options.strict else warnings)
    moved = tuple(r for r in plan_redirects(site, history)[0] if r.why == RENAMED)  # as render_redirects made them
    return MadeSite(site, records, assets, tuple(sorted(set(warnings))), moved)


def failed_urls(content: Content) -> list[str]:
    """The addresses of the items and editions whose files had errors: links to them are not broken, the files are."""
    found = [urls.item_url(*ref.split("/", 1)) for ref in content.unparsed]
    found += [urls.edition_url(e.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) for e in content.errors if e.path.startswith("content/newsletter/")]
    return found


def build_outputs(project: Path, options: BuildOptions) -> BuildResult:
    """Everything a build makes, in memory; raises BuildFailed with every error found."""
    made = make_site(project, options, InMemory())
    return BuildResult(made.site, tuple(record.output for record in made.records), made.assets, made.warnings, made.moved)


def _git_head(project: Path) -> str:
    """The commit checked out (calendars' SEQUENCE follows git history), or '' outside git."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _record_now(project: Path, options: BuildOptions) -> dt.datetime | None:
    """The build's "now" as the check against the last build's record needs it (None when site.yaml cannot be read: no shortcut then)."""
    try:
        meta = load_yaml("site.yaml", (project / "site.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    config = parse_config("site.yaml", meta) if not isinstance(meta, ContentError) else None
    return resolve_now(options.now, config.tz) if isinstance(config, SiteConfig) else None


def build_if_changed(project: Path, output: Path, options: BuildOptions, wait: bool = True, notice: Callable[[str], None] = print) -> Built:
    """:func:`build_when_changed` holding the build locks of ``project`` and ``output`` (eccpsite.edges.buildlock): a build
    that finds them held waits, saying so through ``notice``, or raises buildlock.Busy at once when not ``wait``."""
    check_output_folder(output, project)
    locks = [(project / CACHE_DIR / buildlock.PROJECT_LOCK, f"the project {project.resolve()}"), (buildlock.output_lock(output), str(output.resolve()))]
    with buildlock.held(locks, wait, notice):
        return build_when_changed(project, output, options)


def build_when_changed(project: Path, output: Path, options: BuildOptions) -> Built:
    """Build, unless the output already is what this build would make, or the cache holds it.

    The last build's output is what this build would make when every input
    (sources, templates, site.yaml, eccpsite's code, the options, the git
    commit) is unchanged since and no moment at which the site changes by
    itself (a deadline, an event's end, a 'publish_at') lies between that
    build's "now" and this one's. Then nothing is done if ``output`` is that
    output, and otherwise the files kept in the cache (eccpsite.incremental.snapshot) are
    put in place. Any other build reuses the kept pages whose inputs did not change.
    """
    started = time.perf_counter()
    clock = Timings()
    check_output_folder(output, project)
    with clock.stage("compare the inputs with the last build's"):
        now = _record_now(project, options)
        inputs = fingerprint.inputs_digest(project, f"{options.drafts}|{options.strict}|{options.pdf}", _git_head(project))
        head = snapshot.load_head(project)
    repaired: tuple[str, ...] = ()
    covered = now is not None and head is not None and head.covers(inputs, now)
    if head is not None and covered and head.left_in(output) and (output / MARKER).exists():
        with clock.stage("compare the output with the last build's"):
            found = _differences(project, output, head)
        if found is not None and not found:
            if found.touched:  # the same bytes: note their new times, not to read them again next time
                snapshot.record_output(project, output)
            return Built(UP_TO_DATE, 0, time.perf_counter() - started, (), timings=clock)
        repaired = found.paths() if found is not None else ()
    kept = snapshot.load(project, head) if head is not None else None  # its kept files, checked now
    if covered and kept is not None:
        with clock.stage("put the kept output in place"):
            count = _restore(kept, output)
        if count is not None:
            snapshot.record_output(project, output)
            return Built(RESTORED, count, time.perf_counter() - started, kept.warnings, timings=clock, repaired=repaired)
    del head
    if kept is not None:  # the output's listing and the index's rows served above; a build makes new ones (20 MB at 10,000 items)
        kept = dataclasses.replace(kept, listing=None, rows=[])
    result, count, _ = build(project, output, options, kept, clock)
    # The output is built: if keeping it fails, the next build only has less to take from.
    with clock.stage("keep the output for the next build"), contextlib.suppress(OSError):
        snapshot.take(project, output, result.records, result.key_base, inputs, result.now, result.until, result.warnings, kept)
    return Built(BUILT, count, time.perf_counter() - started, result.warnings, result, clock, repaired)


def _differences(project: Path, output: Path, kept: snapshot.Head) -> output_state.Differences | None:
    """How ``output`` differs from what the last build left there (None: that build did not say). Files edited in
    place are removed from the caches too (their kept copies are the same files), so that they are made again."""
    found = output_state.differences(os.fspath(output), kept.listing, kept.digest_of)
    if found is not None and found.edited:
        output_state.forget_edited(os.fspath(project / CACHE_DIR), [os.path.join(output, path) for path in found.edited])
    return found


def build(
    project: Path, output: Path, options: BuildOptions, kept: snapshot.Snapshot | None = None, timings: Timings | None = None
) -> tuple[WrittenSite, int, float]:
    """Build the site and swap it into ``output``; returns what the build kept, the file count and seconds.

    The same stages as :func:`build_outputs`, but each output is written to the
    staging folder where it is made and only a small record of it is kept: the
    search index's key comes from the records' digests, the link check from
    their links. A failure at any point (links are checked after every page is
    written) removes the staging folder and leaves the previous output as it was.
    With ``kept`` (the last build's output, eccpsite.incremental.snapshot), a page whose key
    is unchanged is linked from there instead of rendered.
    """
    started = time.perf_counter()
    clock = timings or Timings()
    check_output_folder(output, project)
    with markdown_cache(project), staging(output) as folder:
        with clock.stage("read the kept pages' records"):
            last = snapshot.KeptPages(kept, folder)
        pages = Engine(last, page_base(project), project / "templates")
        with kept_facts(project) as facts:
            made = make_site(project, options, folder, pages, clock, facts)
        site, records = made.site, tuple(made.records)
        reused = sum(r.kept for r in records)
        result = WrittenSite(site.now, next_status_change(site), made.warnings, records, reused, pages.fingerprints.base, made.moved)
        count = len(records) + folder.copy(made.assets)
        language = site.config.language
        # Pagefind finds the pages in the order of the stages, whichever worker wrote one first (search.index_site)
        order = [*(record.url for record in records), *(url for url, _ in made.assets)]
        del made, site, pages, last
        _give_back_memory()
        indexed = [(w.url, w.digest) for w in records if w.indexed]
        with clock.stage("make the search index"):
            count += index_site_cached(folder.root, indexed, language, project / layout.CACHE_SEARCH, order)
        closing = clock.mark()  # leaving the block saves the Markdown cache and swaps the staging folder in
    clock.since("save the Markdown cache, swap the output in", closing)
    return result, count, time.perf_counter() - started


def _give_back_memory(collect: bool = True) -> None:
    """Let the operating system have the memory freed values held: the sources' text once they are parsed, the site
    model before Pagefind starts (its own process takes hundreds of MB). Python returns freed blocks to the C
    allocator, which keeps them unless asked to trim; ``collect`` first frees what only cycles still hold."""
    if collect:
        gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc (Linux, Netlify); elsewhere there is nothing to ask


def _restore(kept: snapshot.Snapshot, output: Path) -> int | None:
    """Put the kept output in place of ``output``; its file count, or None (and ``output`` untouched) if a kept file changed."""
    try:
        with staging(output) as folder:
            return snapshot.restore(kept, folder)
    except snapshot.Stale:
        return None


def page_base(project: Path) -> bytes:
    """What every record's reads key starts from (eccpsite.incremental.engine): eccpsite's code and the sizes of the documents of
    content/media (a page names the size of those it links to); each key covers the templates its page loaded and
    the site fields it read."""
    sizes = "".join(f"{url}\0{size}\0" for url, size in document_sizes(project).items())  # pages say them (eccpsite.core.documents)
    return b"eccpsite pages 3\0" + fingerprint.code_digest() + sizes.encode("utf-8")
