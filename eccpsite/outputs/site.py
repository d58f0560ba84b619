"""Running the stages: ``render_site`` sends every output to a sink as it is made, on every core for a large site.

A large build forks workers once, while it still runs a single thread; they
render slices of the item pages and the stages that read only the site model,
send their outputs to the sink themselves and hand back only the records.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, overload

import jinja2

from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.model import (
    Site,
)
from eccpsite.edges import children
from eccpsite.edges.history import History
from eccpsite.outputs.pages import RENDERERS, item_editions, render_item, render_sitemap
from eccpsite.outputs.render import WHOLE, Keep, Made_, Output, PageHook, Record, Renderer, Reused, Sink, Stage, check_order, declared

PARALLEL_ITEMS = 600  # from this many items, item pages are rendered on every core
# What a forked worker renders with, where it sends its outputs, the stages it may run by name and how it gives
# back the memory its work freed (set just before the fork, see _workers).
_forked: tuple[Renderer, Sink[Any], dict[str, Stage], Callable[[], None] | None] | None = None


def _render_slice(bounds: tuple[int, int]) -> tuple[list[Any], list[ContentError]]:
    """Render items ``start:end`` in a worker process forked from the build; the sink's records and the template errors."""
    assert _forked is not None
    return _settled(_render_items_between(_forked[0], _forked[1], bounds))


def _render_items_between(r: Renderer, sink: Sink[Any], bounds: tuple[int, int]) -> tuple[list[Any], list[ContentError]]:
    """Render items ``start:end`` and send their pages to ``sink``; the sink's records and the template errors."""
    editions = item_editions(r.site)
    return _sent(sink, (render_item(r, item, editions.get(item.ref, ())) for item in r.site.items[bounds[0] : bounds[1]]))


def _sent(sink: Sink[Any], made: Iterable[Made_]) -> tuple[list[Any], list[ContentError]]:
    """Send what a stage yields to ``sink`` as it comes; the sink's records and the stage's errors."""
    records: list[Any] = []
    errors: list[ContentError] = []
    for one in made:
        if isinstance(one, ContentError):
            errors.append(one)
        elif one is not None:
            records.append(_send(sink, one))
    return records, errors


def _send(sink: Sink[Record], made: Output | Reused) -> Record:
    """The sink's record of an output it takes now, or of a reused page (already in place)."""
    return sink.put(made) if isinstance(made, Output) else made.record


def _render_items_in_pool(r: Renderer, sink: Sink[Any], pool: ProcessPoolExecutor, workers: int) -> tuple[list[Any], list[ContentError]]:
    """The records of every item page and the template errors, rendered in ordered slices by the workers and by this
    process (one slice in ``workers + 1``), each sending its pages to the sink."""
    count = len(r.site.items)
    share = workers + 1
    step = max(50, -(-count // (share * 8)))
    slices = [(start, start + step) for start in range(0, count, step)]
    theirs = {i: pool.submit(_render_slice, bounds) for i, bounds in enumerate(slices) if i % share != workers}
    mine = {i: _render_items_between(r, sink, bounds) for i, bounds in enumerate(slices) if i % share == workers}
    records: list[Any] = []
    errors: list[ContentError] = []
    for i in range(len(slices)):
        slice_records, slice_errors = mine[i] if i in mine else theirs[i].result()
        records.extend(slice_records)
        errors.extend(slice_errors)
    return records, errors


def may_fork(r: Renderer) -> bool:
    """Whether this build may render on every core: a large site, several cores, no other thread to fork with, and an
    engine whose records come back from workers (the dev server's keep pages in memory, which workers could not share)."""
    workers = os.cpu_count() or 1
    large = len(r.site.items) >= PARALLEL_ITEMS and workers > 1 and threading.active_count() == 1
    # When the engine expects to link most pages, forking would cost more than it saves (and the workers' memory).
    return large and (r.pages is None or (r.pages.forks and not r.pages.expects_reuse()))


def _run(r: Renderer, stage: Stage) -> Iterable[Made_]:
    """What ``stage`` makes; through the page cache for the stages it keeps whole."""
    if r.pages is not None and declared(stage).reuse == WHOLE:
        return r.pages.stage(r, stage)
    return stage(r)


def _stage_in_worker(name: str) -> tuple[list[Any], list[ContentError]]:
    """Run the stage called ``name`` in a worker forked from the build; the sink's records of its outputs, and its template errors."""
    assert _forked is not None
    r, sink, stages, _ = _forked
    return _settled(_sent(sink, _run(r, stages[name])))


def _settled(made: tuple[list[Any], list[ContentError]]) -> tuple[list[Any], list[ContentError]]:
    """What a worker made, once it gave back what that freed (it works on slice after slice, stage after stage)."""
    assert _forked is not None
    settle = _forked[3]
    if settle is not None:
        settle()
    return made


def _worker_count() -> int:
    """Forked workers besides the build process, which renders its share too: one per core but one."""
    return max(1, (os.cpu_count() or 2) - 1)


@contextmanager
def _workers(r: Renderer, sink: Sink[Any], stages: Iterable[Stage], settle: Callable[[], None] | None) -> Iterator[ProcessPoolExecutor | None]:
    """On a large site, a pool of forked workers for the whole rendering (None otherwise).

    With the fork start method every worker is started at the first submit,
    while this process still runs a single thread, and inherits the renderer
    (with its memoised Markdown) and the sink through ``_forked``.
    """
    global _forked
    if not may_fork(r):
        yield None
        return
    _forked = (r, sink, {stage.__name__: stage for stage in stages if declared(stage).background}, settle)
    gc.freeze()  # the workers' collections then leave the objects they share with this process alone (fewer pages copied)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=_worker_count(), mp_context=context, initializer=children.die_with_parent, initargs=(os.getpid(),)) as pool:
            yield pool
    finally:
        _forked = None
        gc.unfreeze()


KEEP = Keep()


@overload
def render_site(site: Site, env: jinja2.Environment, stages: list[Stage] | None = None, history: History | None = None) -> list[Output]: ...


@overload
def render_site(
    site: Site,
    env: jinja2.Environment,
    stages: list[Stage] | None = None,
    history: History | None = None,
    *,
    sink: Sink[Record],
    pages: PageHook | None = None,
    settle: Callable[[], None] | None = None,
) -> list[Record]: ...


def render_site(
    site: Site,
    env: jinja2.Environment,
    stages: list[Stage] | None = None,
    history: History | None = None,
    *,
    sink: Sink[Any] = KEEP,
    pages: PageHook | None = None,
    settle: Callable[[], None] | None = None,
) -> list[Any]:
    """Send every output of the site to ``sink`` as it is made; returns the sink's records in a stable order (the
    outputs themselves by default). With ``pages`` (a page cache), pages whose inputs did not change since the last
    build are not rendered: the sink's record of the last build's file comes back instead. ``settle`` runs after each
    stage this process runs and once all are done, before the sitemap (a build gives freed memory back there: a
    stage's pages are let go once written, but the C allocator keeps them). Raises BuildFailed with all template
    errors."""
    renderer = Renderer(env, site, history)
    records: list[Any] = []
    renderer.records = records
    renderer.pages = pages
    if pages is not None:
        pages.prepare(site)
    stages = check_order(list(stages if stages is not None else RENDERERS))
    with _workers(renderer, sink, stages, settle) as pool:
        # Stages that read only the site model (calendars, event filters) go to the workers once
        # the item pages are done (those keep every worker busy), while this process renders the rest.
        # Every stage's records keep their place in the order of the stages.
        background = [stage for stage in stages if pool is not None and declared(stage).background]
        futures: dict[str, Future[tuple[list[Any], list[ContentError]]]] = {}

        def start_background() -> None:
            assert pool is not None
            for stage in background:
                if stage.__name__ not in futures:
                    futures[stage.__name__] = pool.submit(_stage_in_worker, stage.__name__)

        if background and not any(declared(stage).items for stage in stages):
            start_background()
        made: list[tuple[list[Any], list[ContentError]] | Future[tuple[list[Any], list[ContentError]]]] = []
        for stage in stages:
            if stage in background:
                start_background()  # no-op once started
                made.append(futures[stage.__name__])
                continue
            if declared(stage).items and pool is not None:
                own = _render_items_in_pool(renderer, sink, pool, _worker_count())
            else:
                own = _sent(sink, _run(renderer, stage))
            records.extend(own[0])
            renderer.by_stage[stage.__name__] = own[0]
            made.append(own)
            if settle is not None:
                settle()
            if declared(stage).items and background:
                start_background()
        records.clear()
        errors: list[ContentError] = []
        for part in made:
            stage_records, stage_errors = part if isinstance(part, tuple) else part.result()
            records.extend(stage_records)
            errors.extend(stage_errors)
    if errors:
        raise BuildFailed(list(dict.fromkeys(errors)))
    if settle is not None:
        settle()
    records.append(sink.put(render_sitemap(records, site, env, history)))
    return records
