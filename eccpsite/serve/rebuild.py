"""Incremental builds in memory: what the dev server runs after each save.

A clean build of a 10,000-item site takes minutes; a save must show in a
tenth of a second. :class:`Rebuilder` keeps what the last build made and
redoes only what a change touches, while giving the same bytes as
``build.build_outputs`` (the tests compare them):

- **sources**: only the files the watcher reported are read again;
- **parsing**: a file whose text did not change keeps its parsed item, the
  very same object, so everything downstream can compare items by identity;
- **the site model** is built again whole: it is pure, and cheap next to
  rendering;
- **rendering**: each page remembers what it read while it was rendered — the
  fields of :class:`~eccpsite.core.model.Site` its code and templates touched, the
  templates it loaded and its context (for an item page: the item) — and is
  rendered again only when one of those changed; a whole stage is skipped when
  nothing it read changed;
- **feeds, calendars, the sitemap and /admin/** (the stages declared ``on_request``) are made when a
  browser asks for one of them, once per build, and reused while what they
  read is unchanged.

A :class:`Build` is immutable: the server swaps the whole value at once, so a
browser never sees a half-updated site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import is_
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from eccpsite.build import BuildOptions, build_stages, resolve_now
from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.content import parse_content
from eccpsite.core.documents import document_format
from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.kinds import SITE_ZONE, Edition, Item
from eccpsite.core.layout import CONFIG, EDITION, ITEM, RESCAN, STATIC, TEMPLATE, classify
from eccpsite.core.locate import locate
from eccpsite.core.model import Site, build_model, next_status_change, refs_in, same_place, swap_items, swap_site_items
from eccpsite.core.source import Source, Sources
from eccpsite.edges.history import History, read_history
from eccpsite.edges.reader import document_sizes, read_file, read_sources
from eccpsite.incremental.cache import load_markdown_cache, prerender
from eccpsite.incremental.pagecache import SITE_FIELDS, TEMPLATE_DEP, Recorder, recording_environment, recording_site
from eccpsite.outputs import render
from eccpsite.outputs.links import LinkIndex
from eccpsite.outputs.render import Output, Renderer, Reused, set_document_sizes

# Stages made on request rather than after every save: no browser tab waits for
# them, and at 10,000 items they take longer than everything else.
SITEMAP = "@sitemap"  # the sitemap, made lazily after the lazy stages
OUTPUTS_DEP = "@outputs"  # a stage read what earlier stages made (render_feeds reads their sizes)

# --- comparing what a page read --------------------------------------------------------

_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # a dataclass's field names; None for other types
_ATOMIC = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, Markup})


def same(a: Any, b: Any) -> bool:
    """Whether two values read by a page are the same, to the last field.

    Items compare by identity first (unchanged files keep their objects), so
    comparing two 10,000-item tuples is a C loop; values made afresh by each
    build (statuses, pagers, filters) compare field by field. Unlike ``==``,
    fields excluded from a dataclass's equality (``extra``) count too.
    """
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _ATOMIC:
        return bool(a == b)
    if kind is tuple or kind is list:
        return len(a) == len(b) and (all(map(is_, a, b)) or all(map(_same_part, a, b)))
    if kind is dict:
        return a.keys() == b.keys() and all(map(_same_part, a.values(), map(b.__getitem__, a.keys())))
    try:
        names = _FIELD_NAMES[kind]
    except KeyError:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None
    if names is None:
        return bool(a == b)
    for name in names:  # noqa: SIM110 - a plain loop: faster than all() over a generator
        if not _same_part(getattr(a, name), getattr(b, name)):
            return False
    return True


def equal(a: Any, b: Any) -> bool:
    """``same`` in C: ``==``, exact while no item differs from its previous version only in fields ``==`` ignores."""
    return a is b or (type(a) is type(b) and bool(a == b))


def _same_part(x: Any, y: Any) -> bool:
    """same() for the parts of a value: plain values compared here, without a call of same()."""
    if x is y:
        return True
    kind = type(x)
    if kind in _ATOMIC:
        return kind is type(y) and bool(x == y)
    return same(x, y)


# --- recording what a page reads -------------------------------------------------------


def _environment(templates: Path, recorder: Recorder) -> jinja2.Environment:
    """The recording environment of the theme, with the sizes of the project's documents (pages name them)."""
    env = recording_environment(templates, recorder)
    set_document_sizes(env, document_sizes(templates.parent))  # the project's content/media (templates/ is beside it)
    return env


# --- remembering pages and stages ------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    key: Any  # (item, editions) of an item page; (template, context) of any other page
    deps: frozenset[str]
    output: Output
    refs: frozenset[str] = frozenset()  # the items its key holds, by ref (see _Memo.holders)


@dataclass(frozen=True)
class _Stage:
    deps: frozenset[str]
    outputs: tuple[Output, ...]
    pages: tuple[str, ...]  # the urls of its remembered pages


@dataclass
class _Memo:
    """What the last good build rendered, relative to its site."""

    pages: dict[str, _Page] = field(default_factory=dict)
    stages: dict[str, _Stage] = field(default_factory=dict)
    items: dict[int, tuple[Item, str]] = field(default_factory=dict)  # id(item) → (item, url) of each remembered item page
    item_deps: set[frozenset[str]] = field(default_factory=set)  # what the item pages read
    item_editions: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # the editions listing each item
    # ref → urls of the pages whose key holds that item; a superset (it may name pages rendered since
    # without it, or forgotten), kept up to date from one build to the next rather than rebuilt
    holders: dict[str, set[str]] = field(default_factory=dict)

    def forget(self, wanted: Callable[[frozenset[str]], bool]) -> None:
        """Drop every page and stage whose dependencies ``wanted`` picks."""
        self.pages = {url: p for url, p in self.pages.items() if not wanted(p.deps)}
        self.stages = {name: s for name, s in self.stages.items() if not wanted(s.deps)}
        self.items = {key: (item, url) for key, (item, url) in self.items.items() if url in self.pages}


class _Staleness:
    """Which dependencies changed between the previous good site and this one (each field compared once)."""

    def __init__(self, before: Site | None, after: Site, compare: Callable[[Any, Any], bool] = same) -> None:
        self._before = before
        self._after = after
        self.compare = compare
        self._fields: dict[str, bool] = {}
        self._sets: dict[frozenset[str], bool] = {}

    def field_changed(self, name: str) -> bool:
        if name not in self._fields:
            before = self._before
            self._fields[name] = before is None or not self.compare(getattr(before, name), getattr(self._after, name))
        return self._fields[name]

    def stale(self, deps: frozenset[str]) -> bool:
        known = self._sets.get(deps)
        if known is None:
            known = self._sets[deps] = self._before is None or OUTPUTS_DEP in deps or any(self.field_changed(d) for d in deps if d in SITE_FIELDS)
        return known


class _MemoRenderer(Renderer):
    """A Renderer that reuses the pages of the previous build whose inputs did not change."""

    def __init__(self, env: jinja2.Environment, site: Site, history: History, recorder: Recorder, memo: _Memo, staleness: _Staleness) -> None:
        super().__init__(env, site, history)
        self.recorder = recorder
        self.old = memo
        self.new = _Memo()
        self.staleness = staleness
        self.stage_pages: list[str] = []
        self.rendered = 0
        self.fresh: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # url → refs before and after, of each page rendered
        self.swaps: dict[str, Item] | None = None  # the items edited in place, when the site is the last one with them swapped in
        self._in_item = False  # render_item calls page(): the item's entry covers it

    @property
    def outputs(self) -> list[Output]:
        self.recorder.note(OUTPUTS_DEP)
        return self._outputs

    @outputs.setter
    def outputs(self, value: list[Output]) -> None:
        self._outputs = value

    def _remembered(self, url: str, matches: Callable[[Any], bool]) -> Output | None:
        old = self.old.pages.get(url)
        if old is None or not matches(old.key) or self.staleness.stale(old.deps):
            return None
        self.new.pages[url] = old
        self.stage_pages.append(url)
        self.recorder.note_all(old.deps)
        return old.output

    def _render(self, url: str, key: Any, make: Callable[[], Output | None]) -> Output | None:
        errors = len(self.errors)
        with self.recorder.recording() as deps:
            output = make()
        self.rendered += 1
        if output is not None and len(self.errors) == errors:
            before = self.old.pages.get(url)
            page = self.new.pages[url] = _Page(key, frozenset(deps), output, frozenset(refs_in(key)))
            self.fresh[url] = (before.refs if before is not None else frozenset(), page.refs)
            self.stage_pages.append(url)
        return output

    def rerender(self, url: str, page: _Page) -> Output | None:
        """Render a remembered page again from its key, with the edited items swapped in."""
        assert self.swaps is not None
        key = swap_items(page.key, self.swaps)
        if not isinstance(key[0], Item):
            template, context = key
            return self._render(url, key, lambda: self.render(url, template, **context))
        item, editions = key
        self._in_item = True
        try:
            output = self._render(url, key, lambda: _rendered(render.render_item(self, item, editions)))
        finally:
            self._in_item = False
        self.new.items.pop(id(page.key[0]), None)
        if url in self.new.pages:
            self.new.items[id(item)] = (item, url)
            self.new.item_deps.add(self.new.pages[url].deps)
        return output

    def page(self, url: str, template: str, **context: Any) -> Output | None:  # never Reused: the dev server has no page cache
        if self._in_item:
            return self.render(url, template, **context)
        key = (template, dict(context))
        compare = self.staleness.compare
        reused = self._remembered(url, lambda old: compare(old, key))
        if reused is not None:
            return reused
        return self._render(url, key, lambda: self.render(url, template, **context))

    def item_page(self, item: Item, editions: tuple[Any, ...]) -> Output | None:
        """An item's page, rendered again only if the item, the editions listing it or what it read changed."""
        url = urls.item_url(item.kind, item.slug)
        old = self.old.pages.get(url)
        same_editions = old is not None and (old.key[1] is editions or self.staleness.compare(old.key[1], editions))
        if old is not None and old.key[0] is item and same_editions and not self.staleness.stale(old.deps):
            self.new.pages[url] = old
            self.stage_pages.append(url)
            self.recorder.note_all(old.deps)
            self.new.items[id(item)] = (item, url)
            self.new.item_deps.add(old.deps)
            return old.output
        self._in_item = True
        try:
            output = self._render(url, (item, editions), lambda: _rendered(render.render_item(self, item, editions)))
        finally:
            self._in_item = False
        if url in self.new.pages:
            self.new.items[id(item)] = (item, url)
            self.new.item_deps.add(self.new.pages[url].deps)
        return output


def _rendered(made: Output | Reused | None) -> Output | None:
    """What a stage made, in the dev server, which has no page cache: never a reused page."""
    assert not isinstance(made, Reused)
    return made


def _outputs(made: Iterable[Output | Reused | None]) -> Iterator[Output]:
    """The outputs of a stage, in the dev server."""
    return (output for output in map(_rendered, made) if output is not None)


def _items_stage(r: Renderer) -> Iterator[Output | None]:
    """render_items, one remembered page per item.

    When nothing the item pages read changed but the items themselves (the
    usual save), the pages of the unchanged items are carried over in one
    pass, without looking at each item's dependencies.
    """
    assert isinstance(r, _MemoRenderer)
    editions = render.item_editions(r.site)
    items = r.site.items
    old, new = r.old, r.new
    new.item_editions = editions
    if not old.items or any(r.staleness.stale(deps) for deps in old.item_deps):
        for item in items:
            yield r.item_page(item, editions.get(item.ref, ()))
        return
    compare = r.staleness.compare
    listed = {ref for ref in editions.keys() | old.item_editions.keys() if not compare(editions.get(ref, ()), old.item_editions.get(ref, ()))}
    current = {id(item): item for item in items}
    kept = [(key, entry) for key, entry in old.items.items() if current.get(key) is entry[0] and entry[0].ref not in listed]
    new.items.update(kept)
    urls_kept = [url for _, (_, url) in kept]
    new.pages.update(zip(urls_kept, map(old.pages.__getitem__, urls_kept), strict=True))
    r.stage_pages.extend(urls_kept)
    new.item_deps.update(old.item_deps)
    for deps in old.item_deps:
        r.recorder.note_all(deps)
    yield from (new.pages[url].output for url in urls_kept)  # in the previous build's order: the site's order, as items keep their place
    for key in current.keys() - new.items.keys():
        item = current[key]
        yield r.item_page(item, editions.get(item.ref, ()))


def _run_stage(r: _MemoRenderer, stage: render.Stage) -> list[Output]:
    """Run one stage, or reuse its outputs when nothing it read changed."""
    name = f"{stage.__module__}.{stage.__qualname__}"
    old = r.old.stages.get(name)
    if old is not None and not r.staleness.stale(old.deps):
        for url in old.pages:
            if url in r.old.pages:
                r.new.pages[url] = r.old.pages[url]
        if render.declared(stage).items:
            r.new.items, r.new.item_deps, r.new.item_editions = dict(r.old.items), set(r.old.item_deps), r.old.item_editions
        r.new.stages[name] = old
        return list(old.outputs)
    if r.swaps is not None and old is not None and _patchable(r, old):
        return _patch_stage(r, stage, name, old)
    r.stage_pages = []
    errors = len(r.errors)
    make = _items_stage if render.declared(stage).items else stage
    with r.recorder.recording() as deps:
        outputs = list(_outputs(make(r)))
    if len(r.errors) == errors:
        r.new.stages[name] = _Stage(frozenset(deps), tuple(outputs), tuple(r.stage_pages))
    return outputs


def _patchable(r: _MemoRenderer, old: _Stage) -> bool:
    """Whether a stage's last outputs are all remembered pages, so that it can be patched rather than run."""
    return OUTPUTS_DEP not in old.deps and len(old.outputs) == len(old.pages) and all(map(r.old.pages.__contains__, old.pages))


def _patch_stage(r: _MemoRenderer, stage: render.Stage, name: str, old: _Stage) -> list[Output]:
    """Items were edited in place (see Rebuilder._swaps): render again only the stage's pages that hold one or read what changed.

    With every item in its old place, the stage would make the same pages
    from the same keys, the edited items swapped in; so the others are
    carried over without running the stage or comparing their keys.
    """
    assert r.swaps is not None
    pages = r.old.pages
    kept = list(map(pages.__getitem__, old.pages))
    r.new.pages.update(zip(old.pages, kept, strict=True))
    if render.declared(stage).items:
        r.new.items, r.new.item_deps = dict(r.old.items), set(r.old.item_deps)
        r.new.item_editions = render.item_editions(r.site)
    holding = set().union(*(r.old.holders.get(ref, ()) for ref in r.swaps))
    reading = {deps for deps in set(map(_deps_of, kept)) if r.staleness.stale(deps)}
    position = dict(zip(old.pages, range(len(old.pages)), strict=True))
    redo = {url for url in holding if url in position}
    if reading:
        redo.update(url for url, page in zip(old.pages, kept, strict=True) if page.deps in reading)
    outputs: list[Output | None] = list(old.outputs)
    errors = len(r.errors)
    for url in sorted(redo, key=position.__getitem__):
        outputs[position[url]] = r.rerender(url, pages[url])
    made = [o for o in outputs if o is not None]
    if len(r.errors) == errors:
        r.new.stages[name] = _Stage(old.deps, tuple(made), old.pages)
    return made


_deps_of = operator.attrgetter("deps")
_url_of = operator.attrgetter("url")
_data_of = operator.attrgetter("data")


# --- lazy outputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class _LazyStage:
    site: Site
    deps: frozenset[str]
    sizes: Mapping[str, int] | None  # what earlier outputs measured, when the stage read them
    outputs: tuple[Output, ...]


class _LazyStore:
    """The latest made outputs of each lazy stage, shared by the builds that follow (thread-safe).

    ``epoch`` counts template changes: what a build made before the latest one
    is never stored, as it may have read the old templates.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stages: dict[str, _LazyStage] = {}
        self.epoch = 0

    def forget_all(self) -> None:
        with self.lock:
            self.stages = {}
            self.epoch += 1


class LazyOutputs:
    """Feeds, calendars, e-mail editions, /admin/ and the sitemap of one build, made at the first request for one of them.

    ``errors`` holds the template errors of a stage that failed (its outputs are then missing).
    """

    def __init__(
        self, site: Site, templates: Path, history: History, pages: tuple[Output, ...], stages: list[render.Stage], store: _LazyStore, rendering: threading.Lock
    ) -> None:
        self._site = site
        self._rendering = rendering
        self._stages = stages
        self._templates = templates
        self._epoch = store.epoch
        self._history = history
        self._pages = pages
        self._store = store
        self._lock = threading.Lock()
        self._made: dict[str, Output] | None = None
        self.errors: tuple[ContentError, ...] = ()

    def get(self) -> dict[str, Output]:
        """Make the lazy outputs (once) and return them by url."""
        with self._lock:
            if self._made is None:
                with self._rendering:  # one render at a time: the Markdown renderer is not thread-safe
                    self._made = self._make()
            return self._made

    def _make(self) -> dict[str, Output]:
        recorder = Recorder()
        site = recording_site(self._site, recorder)
        env = _environment(self._templates, recorder)
        r = _MemoRenderer(env, site, self._history, recorder, _Memo(), _Staleness(None, self._site))
        r.outputs = list(self._pages)
        made: list[Output] = []
        for stage in self._stages:
            made.extend(self._stage(r, stage))
        if r.errors:
            self.errors = tuple(dict.fromkeys(r.errors))
        made.append(render.render_sitemap(self._pages, self._site, env, self._history))
        return {o.url: o for o in made}

    def _stage(self, r: _MemoRenderer, stage: render.Stage) -> tuple[Output, ...]:
        name = stage.__name__
        sizes = {o.url: len(o.data) for o in r._outputs}
        with self._store.lock:
            old = self._store.stages.get(name)
        unchanged = old is not None and (old.sizes is None or old.sizes == sizes)
        if old is not None and unchanged and all(same(getattr(old.site, d), getattr(self._site, d)) for d in old.deps if d in SITE_FIELDS):
            r._outputs.extend(old.outputs)
            return old.outputs
        errors = len(r.errors)
        with r.recorder.recording() as deps:
            outputs = tuple(_outputs(stage(r)))
        r._outputs.extend(outputs)
        if len(r.errors) == errors:
            entry = _LazyStage(self._site, frozenset(deps), sizes if OUTPUTS_DEP in deps else None, outputs)
            with self._store.lock:
                if self._store.epoch == self._epoch:
                    self._store.stages[name] = entry
        return outputs


# --- builds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """One good build, as served: never changed once made."""

    generation: int
    site: Site
    pages: Mapping[str, bytes]  # url → bytes of every eagerly made output
    assets: Mapping[str, Path]  # url → static file
    warnings: tuple[ContentError, ...]
    lazy: LazyOutputs
    rendered: int  # pages rendered again (the others were reused)
    timings: Mapping[str, float]  # seconds spent parsing, building the model, rendering
    errors: tuple[ContentError, ...] = ()  # keep_going: the errors of files built from their last good version, or left out

    def find(self, url: str) -> bytes | Path | None:
        """The bytes or file that serve ``url``, making the lazy outputs if it is one of theirs."""
        if url in self.pages:
            return self.pages[url]
        if url in self.assets:
            return self.assets[url]
        lazy = self.lazy.get()
        return lazy[url].data if url in lazy else None


@dataclass(frozen=True)
class _Parsed:
    kind: str  # CONFIG, ITEM or EDITION
    text: str
    value: Any  # Item | Edition | SiteConfig, or None when errors
    errors: tuple[ContentError, ...]
    unparsed: frozenset[str]  # the ref of an item file that failed
    zone: str = ""  # the time zone its dates with a time were read in


class Rebuilder:
    """Builds a project in memory, again and again, redoing only what changed.

    With ``keep_going`` (the dev server), a file with errors of its own does
    not stop the build: it takes part in its last good version of this
    session (a file that never parsed is left out), and the build carries its
    errors (:attr:`Build.errors`), so every other edit still shows. Errors
    between files (a slug used twice, an edition naming no item) still raise
    :class:`BuildFailed`.

    Not thread-safe: one thread (the server's rebuild thread) calls it.
    """

    def __init__(self, project: Path, options: BuildOptions, keep_going: bool = False) -> None:
        self.project = project.resolve()
        self.options = options
        self.keep_going = keep_going
        self._recorder = Recorder()
        self._env = _environment(self.project / "templates", self._recorder)
        self._sources: dict[str, Source] = {}  # site.yaml, items and editions by path
        self._read_errors: dict[str, tuple[ContentError, ...]] = {}  # by path ("" for errors of the scan)
        self._parsed: dict[str, _Parsed] = {}  # what each source gave, by path
        self._unsorted: set[str] = set()  # paths read again since the last build: to parse and file
        self._items: dict[str, Item] = {}  # the parsed items, editions, problems and unparsed refs, by path
        self._editions: dict[str, Edition] = {}
        self._problems: dict[str, tuple[ContentError, ...]] = {}
        self._unparsed: dict[str, frozenset[str]] = {}
        self._assets: dict[str, Path] = {}
        self._history: History | None = None
        self._memo = _Memo()
        self._lazy = _LazyStore()
        self._site: Site | None = None
        self._dirty: set[str] = set()  # paths parsed again since the last good build
        self._good: dict[str, Item | Edition | None] = {}  # what those paths gave at the last good build
        self._last_good: dict[str, Any] = {}  # what each path last parsed to (Item, Edition, SiteConfig): keep_going's stand-ins
        self._hidden = False  # an item changed only where == does not look (extra) since the last good build
        self._moment: dt.datetime | None = None  # "now" of the last good build, kept while nothing changes status
        self._until: dt.datetime | None = None
        self._generation = 0
        self.rendering = threading.Lock()  # held while rendering: a rebuild and a request for a feed take turns
        self.links = LinkIndex()
        self._scan()

    # sources

    def _scan(self) -> None:
        """Read every source, as a clean build does."""
        sources = read_sources(self.project)
        self._unsorted.update(self._sources)  # what went away is forgotten, what is there is filed again
        self._sources = {}
        if sources.config is not None:
            self._sources[sources.config.path] = sources.config
        for kind_sources in sources.items.values():
            self._sources.update((s.path, s) for s in kind_sources)
        self._sources.update((s.path, s) for s in sources.editions)
        self._read_errors = {"": sources.errors}
        self._assets = dict(sources.assets)
        self._unsorted.update(self._sources)

    def _reread(self, rel: str) -> None:
        """Read one changed source again, or forget it if it is gone."""
        self._unsorted.add(rel)
        self._sources.pop(rel, None)
        self._read_errors.pop(rel, None)
        path = self.project / rel
        try:
            if not path.is_file():
                return
            source, errors = read_file(self.project, path)
        except OSError:
            return  # gone between the event and the read: the next event says so
        if source is not None:
            self._sources[rel] = source
        if errors:
            self._read_errors[rel] = tuple(errors)

    def apply(self, changed: Iterable[str]) -> set[str]:
        """Take in changed project-relative paths; returns what kinds of change they were."""
        kinds: set[str] = set()
        templates: set[str] = set()
        documents = False  # a document of content/media changed
        for rel in changed:
            kind = classify(rel)
            if kind == RESCAN and not self._matters(rel):
                continue
            kinds.add(kind)
            if kind in (CONFIG, ITEM, EDITION):
                if rel == "site.yaml" and not (self.project / rel).exists():
                    kinds.add(RESCAN)
                self._reread(rel)
            elif kind == TEMPLATE:
                templates.add(rel.split("/", 1)[1])
            elif kind == STATIC:
                url_known = any(path == self.project / rel for path in self._assets.values())
                if not url_known or not (self.project / rel).is_file() or rel.startswith("content/media/"):
                    kinds.add(RESCAN)  # a file appeared or went, or a media file (checked by the reader) changed
                documents |= rel.startswith("content/media/") and document_format(rel) is not None
        if RESCAN in kinds:
            self._scan()
        if RESCAN in kinds or STATIC in kinds or TEMPLATE in kinds:
            self._memo.stages.clear()  # stages may read files themselves (the PDF stage checks images): run them again
        if templates:
            self._templates_changed(templates)
        if documents:  # a page that links to a document says its size (eccpsite.core.documents): every page may change
            self._env = _environment(self.project / "templates", self._recorder)
            self._memo.forget(lambda page_deps: True)
        return kinds

    def _matters(self, rel: str) -> bool:
        """Whether a change to a non-Markdown file in an item folder (or to the folder) needs a new scan.

        Editors and tools write short-lived files there (``sed``'s and vim's
        temporary files): only one that stays, or one the last scan reported, does.
        """
        if rel.count("/") == 1:
            return True  # the folder itself
        return (self.project / rel).exists() or any(e.path == rel for e in self._read_errors.get("", ()))

    def _templates_changed(self, names: set[str]) -> None:
        """Files of the theme changed: a fresh environment, and forget the pages that loaded them.

        A page depends on every template Jinja loaded for it (extends,
        imports, includes); one it never loaded cannot change it, as the
        theme names its templates outright (no ``ignore missing`` or lists of
        candidates). Other files there (fonts, the PDF's stylesheet) are read
        by stages, which run again (see apply), and by the lazy outputs.
        """
        self._env = _environment(self.project / "templates", self._recorder)
        deps = frozenset(TEMPLATE_DEP + name for name in names)
        self._memo.forget(lambda page_deps: not deps.isdisjoint(page_deps))
        self._lazy.forget_all()

    def _now(self, tz: dt.tzinfo) -> dt.datetime:
        """The moment of the build: as a clean build says, but on the clock it stays put between rebuilds.

        Pages read "now" (statuses, feed dates capped at now); a clock that moves
        at every save would render them all again. It moves on when the clock
        passes the next moment a status changes, or midnight.
        """
        if self.options.now or os.environ.get("SOURCE_DATE_EPOCH"):
            return resolve_now(self.options.now, tz)
        clock = resolve_now(None, tz)
        if self._moment is None or self._until is None or clock >= self._until or self._moment.tzinfo != clock.tzinfo:
            return clock
        return self._moment

    # parsing

    def _take(self, rel: str) -> None:
        """Parse the source at ``rel`` again (if its text changed) and file what it gave; or forget it."""
        if rel not in self._dirty:
            self._dirty.add(rel)
            self._good[rel] = self._current(rel)
        for values in (self._items, self._editions, self._problems, self._unparsed):
            values.pop(rel, None)
        source = self._sources.get(rel)
        if source is None:
            self._parsed.pop(rel, None)
            self._last_good.pop(rel, None)
            return
        parsed = self._parse(rel, source)
        if parsed.value is not None:
            self._last_good[rel] = parsed.value
        if parsed.errors:
            self._problems[rel] = parsed.errors
        if parsed.unparsed:
            self._unparsed[rel] = parsed.unparsed
        if parsed.value is not None and parsed.kind == ITEM:
            self._items[rel] = parsed.value
        elif parsed.value is not None and parsed.kind == EDITION:
            self._editions[rel] = parsed.value

    def _parse(self, rel: str, source: Source) -> _Parsed:
        cached = self._parsed.get(rel)
        zone = self._zone()
        if cached is not None and cached.text == source.text and cached.zone in ("", str(zone)):
            return cached
        kind = classify(rel)
        if kind == CONFIG:
            content = parse_content(Sources(source, {}, (), (), ()))
            value: Any = content.config
        elif kind == EDITION:
            content = parse_content(Sources(None, {}, (source,), (), ()), zone)
            value = content.editions[0] if content.editions else None
        else:
            content = parse_content(Sources(None, {rel.split("/")[1]: (source,)}, (), (), ()), zone)
            value = content.items[0] if content.items else None
        parsed = _Parsed(kind, source.text, value, content.errors, content.unparsed, "" if kind == CONFIG else str(zone))
        if cached is not None and isinstance(value, Item) and value == cached.value and not same(value, cached.value):
            self._hidden = True  # pages compare with ==, which would not see this change: compare field by field
        self._parsed[rel] = parsed
        return parsed

    def _zone(self) -> ZoneInfo:
        """The time zone dates with a time are read in: site.yaml's as last parsed (rebuild takes it first)."""
        config = self._parsed["site.yaml"].value if "site.yaml" in self._parsed else None
        return config.tz if isinstance(config, SiteConfig) else SITE_ZONE

    def _stand_in(self, rel: str) -> Any:
        """With keep_going, what a file with errors of its own builds as: its last good value (None if it never had one)."""
        if not self.keep_going or rel not in self._problems or rel not in self._sources:
            return None
        parsed = self._parsed.get(rel)
        return self._last_good.get(rel) if parsed is not None and parsed.value is None else None

    def _current(self, rel: str) -> Item | Edition | None:
        """What the path takes part in the build as: its item or edition, or its stand-in."""
        value = self._items.get(rel) or self._editions.get(rel) or self._stand_in(rel)
        return value if isinstance(value, (Item, Edition)) else None

    # the build

    def rebuild(self) -> Build:
        """Build from the sources as they are now; raises BuildFailed with every error found."""
        with self.rendering:
            return self._rebuild()

    def _rebuild(self) -> Build:
        started = time.perf_counter()
        zone = self._zone()
        for rel in sorted(self._unsorted, key=lambda rel: (rel != "site.yaml", rel)):  # site.yaml first: its time zone
            self._take(rel)
        if self._zone() != zone:  # dates with a time fall on other days now
            for rel in [r for r in self._parsed if r != "site.yaml"]:
                self._take(rel)
        self._unsorted.clear()
        errors: list[ContentError] = []
        warnings: list[ContentError] = []
        for problems in (*self._read_errors.values(), *self._problems.values()):
            for problem in problems:
                (warnings if problem.warning else errors).append(problem)
        config = self._parsed["site.yaml"].value if "site.yaml" in self._parsed else None
        config = config or self._stand_in("site.yaml")
        items: list[Item] = list(self._items.values())
        editions: list[Edition] = list(self._editions.values())
        for rel in self._problems:
            stand_in = self._stand_in(rel)
            if isinstance(stand_in, Item):
                items.append(stand_in)
            elif isinstance(stand_in, Edition):
                editions.append(stand_in)
        unparsed = frozenset().union(*self._unparsed.values())
        if "site.yaml" not in self._sources and not any(e.path == "site.yaml" for e in errors):
            errors.append(ContentError("site.yaml", 0, "", "is missing; it holds the site's title and base_url"))
        if config is None:
            raise BuildFailed(errors or [ContentError("site.yaml", 0, "", "could not be read")])
        parsed_at = time.perf_counter()
        now = self._now(config.tz)
        swaps = self._swaps(config, now) if not errors else None
        if swaps is not None:
            assert self._site is not None
            return self._finish(swap_site_items(self._site, swaps), swaps, [*warnings, *self._site.warnings], self._until, started, parsed_at)
        if errors and not self.keep_going:
            raise BuildFailed(errors)
        site = build_model(config, items, editions, now, drafts=self.options.drafts, unparsed=unparsed)
        if not isinstance(site, list) and now is self._moment and _until(site, now) <= (clock := resolve_now(None, config.tz)):
            now = clock  # a status of the new content changes between the kept moment and the clock: use the clock
            site = build_model(config, items, editions, now, drafts=self.options.drafts, unparsed=unparsed)
        if isinstance(site, list):
            raise BuildFailed(errors + site)
        warnings.extend(site.warnings)
        if self._site is None:  # the first build: Markdown from the build's cache, the rest rendered on every core
            load_markdown_cache(self.project)
            prerender(i.body for i in site.items)
        if self._history is None:
            self._history = read_history(self.project, [i.path for i in site.items] + [e.edition.path for e in site.editions])
        return self._finish(site, None, warnings, _until(site, now), started, parsed_at, tuple(errors))

    def _swaps(self, config: Any, now: dt.datetime) -> dict[str, Item] | None:
        """The items edited in place since the last good build, by ref; None if anything else changed.

        An item is edited in place when its file is still there and parses to
        an item in the same place (:func:`~eccpsite.core.model.same_place`); the
        site is then the last one with the new items swapped in, and only the
        pages that hold them or read what holds them are rendered again.
        """
        last = self._site
        if last is None or config is not last.config or now != last.now:
            return None
        swaps: dict[str, Item] = {}
        for rel in self._dirty:
            if rel == "site.yaml":
                continue  # the configuration is the same object (checked above): its text did not change
            before, after = self._good.get(rel), self._current(rel)
            if not isinstance(before, Item) or not isinstance(after, Item):
                if after is not before:
                    return None  # an edition changed, or an item came or went
            elif after is not before:
                if not same_place(before, after):
                    return None
                swaps[after.ref] = after
        return swaps

    def _finish(
        self,
        site: Site,
        swaps: dict[str, Item] | None,
        warnings: list[ContentError],
        until: dt.datetime | None,
        started: float,
        parsed_at: float,
        errors: tuple[ContentError, ...] = (),
    ) -> Build:
        """Render the new site and make it the last good build."""
        assert self._history is not None
        modelled_at = time.perf_counter()
        stages = build_stages(self.project, self._assets.items(), self.options)
        outputs, rendered = self._render(site, [s for s in stages if not render.declared(s).on_request], swaps)
        rendered_at = time.perf_counter()
        self._moment, self._until = site.now, until
        self._good.clear()
        self._dirty.clear()
        self._generation += 1
        pages = tuple(outputs)
        lazy_stages = [s for s in stages if render.declared(s).on_request]
        lazy = LazyOutputs(site, self.project / "templates", self._history, pages, lazy_stages, self._lazy, self.rendering)
        return Build(
            generation=self._generation,
            site=site,
            pages=dict(zip(map(_url_of, pages), map(_data_of, pages), strict=True)),
            assets=dict(self._assets),
            warnings=tuple(sorted(set(warnings))),
            lazy=lazy,
            rendered=rendered,
            timings={"parse": parsed_at - started, "model": modelled_at - parsed_at, "render": rendered_at - modelled_at},
            errors=errors,
        )

    def _render(self, site: Site, stages: list[render.Stage], swaps: dict[str, Item] | None) -> tuple[list[Output], int]:
        """Render the eager stages, reusing what did not change; the memo moves on only if all went well."""
        assert self._history is not None
        staleness = _Staleness(self._site, site, same if self._hidden else equal)
        r = _MemoRenderer(self._env, recording_site(site, self._recorder), self._history, self._recorder, self._memo, staleness)
        r.swaps = swaps
        outputs = r._outputs
        for stage in stages:
            outputs.extend(_run_stage(r, stage))
        if r.errors:
            raise BuildFailed(list(dict.fromkeys(r.errors)))
        holders = r.new.holders = self._memo.holders
        for url, (before, after) in r.fresh.items():
            for ref in before - after:
                holders.get(ref, set()).discard(url)
            for ref in after - before:
                holders.setdefault(ref, set()).add(url)
        self._memo = r.new
        self._site = site
        self._hidden = False
        return outputs, r.rendered

    def bump(self, build: Build) -> Build:
        """The same build under a new generation (a static file changed: browsers reload, nothing is rebuilt)."""
        self._generation += 1
        return dataclasses.replace(build, generation=self._generation, assets=dict(self._assets))

    def check_links(self, build: Build) -> list[ContentError]:
        """Broken links to pages and files, and link warnings, of ``build``; only changed pages are read again.

        Links to what the lazy stages make (feeds, calendars, e-mail editions)
        and to PDFs (skipped while serving) are left to ``eccpsite check``.
        """
        sources = {build.site.url(i): i.path for i in build.site.items}
        return locate(self.links.update(build.pages, build.assets, sources, lenient=True), build.site.items)


def _until(site: Site, now: dt.datetime) -> dt.datetime:
    """When "now" must move on: the next change of a status, or the next midnight in the site's time zone."""
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=now.tzinfo)
    change = next_status_change(site)
    return min(change, midnight) if change is not None and change > now else midnight


def relative(project: Path, path: str) -> str | None:
    """A watcher's absolute path as a project-relative one with '/', or None if outside the project."""
    try:
        return Path(os.path.abspath(path)).relative_to(project).as_posix()
    except ValueError:
        return None
