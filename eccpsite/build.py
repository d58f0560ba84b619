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
import datetime as dt
import functools
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from eccpsite.core import layout, urls
from eccpsite.core.content import Content, body_facts, parse_content
from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.locate import locate
from eccpsite.core.model import Site, build_model, next_status_change, steady_until
from eccpsite.core.options import BuildOptions
from eccpsite.edges import fingerprint
from eccpsite.edges.clock import Timings, resolve_now, takes_the_clock
from eccpsite.edges.folder_swap import check_output_folder
from eccpsite.edges.history import read_history
from eccpsite.edges.markdown_cache import markdown_cache, prerender
from eccpsite.edges.parse_cache import ParseStore, kept_parses
from eccpsite.edges.reader import document_sizes, read_sources
from eccpsite.incremental import snapshot
from eccpsite.incremental.engine import Engine
from eccpsite.incremental.writer import Written, staging
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


def build_stages(project: Path, assets: Iterable[tuple[str, Path]], options: BuildOptions) -> list[Stage]:
    """The render stages of a build, in order (the dev server runs the same ones). /admin/ comes first, while the
    least is held: the YAML of its configuration is the largest value a build makes (25 MB at 10,000 items)."""
    return [admin_stage(project), pdf_stage(project, assets, render=options.pdf), *RENDERERS, render_email_editions]


def make_site(
    project: Path,
    options: BuildOptions,
    sink: Sink[Record],
    pages: PageHook | None = None,
    timings: Timings | None = None,
    parses: ParseStore | None = None,
    steady: dt.datetime | None = None,
) -> MadeSite[Record]:
    """Every stage but the write: each output goes to ``sink`` as soon as it is made (a list in memory, or the writer's
    staging folder) and only the sink's records come back; raises BuildFailed with every error found. With ``pages``
    (a page cache), pages whose inputs are those of the last build's are not rendered again; ``timings`` notes how
    long each stage took; ``parses`` gives what the last build's parse of each unchanged file gave, and checks
    the bodies of the others on every core before the parse asks for them; ``steady`` is the last build's moment,
    which a build on the clock keeps while it makes the same site (:func:`moment_of`)."""
    clock = timings or Timings()
    with clock.stage("read sources"):
        sources = read_sources(project)
    if parses is not None:
        with clock.stage("check the bodies, on every core"):
            parses.check_ahead((source.path, source.text) for kind_sources in sources.items.values() for source in kind_sources)
    assets = sources.assets
    with clock.stage("parse content"):
        content = parse_content(sources, facts_of=parses or body_facts, kept=parses)
        errors = [e for e in content.errors if not e.warning]
        warnings = [e for e in content.errors if e.warning]
        if parses is not None and not errors:
            parses.save()  # a failed build writes nothing outside its output, so only a parse without errors
        if pages is not None and parses is not None:
            pages.parsed(content.items, parses.keys)
    del sources  # the text of every file: the items keep what they need
    _give_back_memory(collect=False)  # about 60 MB at 10,000 items, which the C allocator would keep (freed, no cycles)
    if content.config is None:
        raise BuildFailed(errors or [ContentError("site.yaml", 0, "", "could not be read")], warnings)
    if (no_admin := missing_bundle(project, content.config)) is not None:
        warnings.append(no_admin)
    config, at = content.config, resolve_now(options.now, content.config.tz)
    # a moment that --now or SOURCE_DATE_EPOCH fixes is kept as given; the last one is read back with an offset, not the zone
    steady = steady.astimezone(config.tz) if steady is not None and takes_the_clock(options.now) else None
    with clock.stage("build the site model"):
        site = moment_of(lambda now: build_model(config, content.items, content.editions, now, drafts=options.drafts, unparsed=content.unparsed), at, steady)
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
            # what each stage freed goes back (its pages once written, the calendars and feeds of megabytes, /admin/'s
            # YAML): the largest process of a cold build at 10,000 items held 357 MB without it, 310 MB with it
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


def moment_of(model: Callable[[dt.datetime], Site | list[ContentError]], clock: dt.datetime, steady: dt.datetime | None) -> Site | list[ContentError]:
    """The site ``model`` makes at the build's moment: ``clock``, or the last build's moment ``steady`` when that is
    earlier and makes the same site (no status changes, and the day is the same, until ``clock``:
    model.steady_until). Pages that read "now" (an event's status, a deadline) are then the last build's; on the
    moving clock of a deploy they would all be made again by every build."""
    if steady is not None and steady <= clock:
        site = model(steady)
        if isinstance(site, list) or steady_until(site, steady) > clock:
            return site
    return model(clock)


def failed_urls(content: Content) -> list[str]:
    """The addresses of the items and editions whose files had errors: links to them are not broken, the files are."""
    found = [urls.item_url(*ref.split("/", 1)) for ref in content.unparsed]
    found += [urls.edition_url(e.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) for e in content.errors if e.path.startswith("content/newsletter/")]
    return found


def build_outputs(project: Path, options: BuildOptions) -> BuildResult:
    """Everything a build makes, in memory; raises BuildFailed with every error found."""
    made = make_site(project, options, InMemory())
    return BuildResult(made.site, tuple(record.output for record in made.records), made.assets, made.warnings, made.moved)


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
        with kept_parses(project) as parses:
            made = make_site(project, options, folder, pages, clock, parses, kept.now if kept is not None else None)
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


def page_base(project: Path) -> bytes:
    """What every record's reads key starts from (eccpsite.incremental.engine): eccpsite's code and the sizes of the documents of
    content/media (a page names the size of those it links to); each key covers the templates its page loaded and
    the site fields it read."""
    sizes = "".join(f"{url}\0{size}\0" for url, size in document_sizes(project).items())  # pages say them (eccpsite.core.documents)
    return b"eccpsite pages 3\0" + fingerprint.code_digest() + sizes.encode("utf-8")
