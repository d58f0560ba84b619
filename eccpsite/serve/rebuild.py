"""Incremental builds in memory: what the dev server runs after each save.

A clean build of a 10,000-item site takes minutes; a save must show in a
tenth of a second. :class:`Rebuilder` keeps what the last build made and
redoes only what a change touches, while giving the same bytes as
``build.build_outputs`` (the tests compare them):

- **the first build** starts from what the last ``eccpsite build`` kept:
  each file's parse, the rendered Markdown, and each page whose key is the
  kept one, with its links (items are digested as the build digests them, by
  the text each was parsed from: :meth:`Rebuilder._seed`);
- **sources and parsing** (:mod:`eccpsite.serve.files`): only the files the
  watcher reported are read again, and a file whose text did not change keeps
  its parsed item, the very same object;
- **the site model** is built again whole (it is pure, and cheap next to
  rendering), or, when the saved items stay in their places, is the last one
  with the new items swapped in;
- **rendering** goes through the build's incremental engine
  (eccpsite.incremental.engine) with its store in memory
  (eccpsite.incremental.memory): a page is rendered again only when its
  template, its context or what it read of the site changed, and a whole
  stage is skipped when nothing it read changed;
- **feeds, calendars, the sitemap and /admin/** (the stages declared
  ``on_request``) are made when a browser asks for one of them, once per
  build, and reused while what they read is unchanged (eccpsite.serve.lazy).

A :class:`Build` is immutable: the server swaps the whole value at once, so a
browser never sees a half-updated site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from eccpsite.build import build_stages, moment_of, page_base
from eccpsite.core.documents import document_format
from eccpsite.core.errors import BuildFailed, ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.layout import CONFIG, EDITION, ITEM, RESCAN, STATIC, TEMPLATE, classify
from eccpsite.core.locate import locate
from eccpsite.core.model import Site, build_model, same_place, steady_until, swap_site_items
from eccpsite.core.options import BuildOptions
from eccpsite.edges.clock import resolve_now, takes_the_clock
from eccpsite.edges.history import History, read_history
from eccpsite.edges.markdown_cache import keep_rendered, load_markdown_cache
from eccpsite.edges.parse_cache import open_parses
from eccpsite.edges.reader import document_sizes
from eccpsite.incremental import snapshot
from eccpsite.incremental.digests import Digester
from eccpsite.incremental.engine import Engine, Fingerprints
from eccpsite.incremental.memory import Delta, Memory, MemoryStore, Stages, data_of, url_of
from eccpsite.incremental.recording import TEMPLATE_DEP, Recorder, recording_environment
from eccpsite.outputs import render
from eccpsite.outputs.links import LinkIndex, PageLinks
from eccpsite.outputs.render import Output, Renderer
from eccpsite.outputs.theme import set_document_sizes
from eccpsite.serve.files import Files
from eccpsite.serve.lazy import LazyOutputs, LazyStore


def _environment(templates: Path, recorder: Recorder) -> jinja2.Environment:
    """The recording environment of the theme, with the sizes of the project's documents (pages name them)."""
    env = recording_environment(templates, recorder)
    set_document_sizes(env, document_sizes(templates.parent))  # the project's content/media (templates/ is beside it)
    return env


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
    # the pages of the build before and the urls whose bytes may differ from them (None: any may), for the link check
    since: tuple[Mapping[str, bytes], frozenset[str]] | None = None
    taken: Mapping[str, PageLinks] = dataclasses.field(default_factory=dict)  # the links the last build kept of the pages taken from it

    def find(self, url: str) -> bytes | Path | None:
        """The bytes or file that serve ``url``, making the lazy outputs if it is one of theirs."""
        if url in self.pages:
            return self.pages[url]
        if url in self.assets:
            return self.assets[url]
        lazy = self.lazy.get()
        return lazy[url].data if url in lazy else None


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
        # the sources, read and parsed again only where they changed; at first, what the project's parse cache kept
        self.files = Files(self.project, keep_going, open_parses(self.project))
        self._history: History | None = None
        self._memo = Memory()  # what the last good build made (eccpsite.incremental.memory)
        self._lazy = LazyStore()
        self._digester = Digester()  # shared by the builds of the session: unchanged items are digested once
        self._seeded: dict[str, Item] | None = None  # path → the item seeded with the key of its text (_seed)
        self._base = page_base(self.project)
        self._site: Site | None = None
        self._moment: dt.datetime | None = None  # "now" of the last good build, kept while nothing changes status
        self._until: dt.datetime | None = None
        self._generation = 0
        self.rendering = threading.Lock()  # held while rendering: a rebuild and a request for a feed take turns
        self.links = LinkIndex()
        self._sources: dict[str, str] | None = None  # url → source file of each item page; kept while items keep their places
        self._pages: dict[str, bytes] | None = None  # url → bytes of each page of the last good build

    # sources

    def apply(self, changed: Iterable[str]) -> set[str]:
        """Take in changed project-relative paths; returns what kinds of change they were."""
        kinds: set[str] = set()
        templates: set[str] = set()
        documents = False  # a document of content/media changed
        for rel in changed:
            kind = classify(rel)
            if kind == RESCAN and not self.files.matters(rel):
                continue
            kinds.add(kind)
            if kind in (CONFIG, ITEM, EDITION):
                if rel == "site.yaml" and not (self.project / rel).exists():
                    kinds.add(RESCAN)
                self.files.reread(rel)
            elif kind == TEMPLATE:
                templates.add(rel.split("/", 1)[1])
            elif kind == STATIC:
                url_known = any(path == self.project / rel for path in self.files.assets.values())
                if not url_known or not (self.project / rel).is_file() or rel.startswith("content/media/"):
                    kinds.add(RESCAN)  # a file appeared or went, or a media file (checked by the reader) changed
                documents |= rel.startswith("content/media/") and document_format(rel) is not None
        if RESCAN in kinds:
            self.files.scan()
        if RESCAN in kinds or STATIC in kinds or TEMPLATE in kinds:
            self._memo.stages.clear()  # stages may read files themselves (the PDF stage checks images): run them again
        if templates:
            self._templates_changed(templates)
        if documents:  # a page that links to a document says its size (eccpsite.core.documents): every page may change
            self._env = _environment(self.project / "templates", self._recorder)
            self._base = page_base(self.project)
            self._memo.forget(lambda reads: True)
        return kinds

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
        self._memo.forget(lambda reads: not deps.isdisjoint(reads))
        self._lazy.forget_all()

    def _now(self, tz: dt.tzinfo) -> dt.datetime:
        """The moment of the build: as a clean build says, but on the clock it stays put between rebuilds.

        Pages read "now" (statuses, feed dates capped at now); a clock that moves
        at every save would render them all again. It moves on when the clock
        passes the next moment a status changes, or midnight.
        """
        if not takes_the_clock(self.options.now):
            return resolve_now(self.options.now, tz)
        clock = resolve_now(None, tz)
        if self._moment is None or self._until is None or clock >= self._until or self._moment.tzinfo != clock.tzinfo:
            return clock
        return self._moment

    # parsing

    # the build

    def rebuild(self) -> Build:
        """Build from the sources as they are now; raises BuildFailed with every error found."""
        with self.rendering:
            return self._rebuild()

    def _rebuild(self) -> Build:
        started = time.perf_counter()
        found = self.files.gather()
        config, items, editions, errors, warnings = found.config, found.items, found.editions, found.errors, found.warnings
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
        # the kept moment, unless a status of the new content changes between it and the clock (build.moment_of)
        kept = now if now is self._moment else None
        site = moment_of(
            lambda at: build_model(config, items, editions, at, drafts=self.options.drafts, unparsed=found.unparsed),
            resolve_now(self.options.now, config.tz),
            kept,
        )
        if isinstance(site, list):
            raise BuildFailed(errors + site)
        warnings.extend(site.warnings)
        if self._site is None:  # the first build: Markdown from the cache, the rest rendered on every core and kept there
            load_markdown_cache(self.project)
            keep_rendered(self.project, (i.body for i in site.items))
        if self._history is None:
            self._history = read_history(self.project, [i.path for i in site.items] + [e.edition.path for e in site.editions])
        return self._finish(site, None, warnings, steady_until(site, site.now), started, parsed_at, tuple(errors))

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
        for before, after in self.files.changed():  # site.yaml aside: the configuration is the same object (checked above)
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
        stages = build_stages(self.project, self.files.assets.items(), self.options)
        outputs, rendered, fingerprints, delta, taken = self._render(site, [s for s in stages if not render.declared(s).on_request], swaps)
        rendered_at = time.perf_counter()
        self._moment, self._until = site.now, until
        if swaps is None:
            self._sources = None  # items may have come, gone or moved: check_links maps their pages again
        self.files.settle()
        self._generation += 1
        pages = tuple(outputs)
        lazy_stages = [s for s in stages if render.declared(s).on_request]
        lazy = LazyOutputs(fingerprints, self.project / "templates", self._history, pages, lazy_stages, self._lazy, self.rendering)
        last, served, since = self._pages, _served(pages, self._pages, delta), None
        if last is not None and delta is not None:
            since = (last, frozenset(map(url_of, delta.made)) | delta.gone)
        self._pages = served
        return Build(
            generation=self._generation,
            site=site,
            pages=served,
            assets=dict(self.files.assets),
            warnings=tuple(sorted(set(warnings))),
            lazy=lazy,
            rendered=rendered,
            timings={"parse": parsed_at - started, "model": modelled_at - parsed_at, "render": rendered_at - modelled_at},
            errors=errors,
            since=since,
            taken=taken,
        )

    def _seed(self, items: Iterable[Item]) -> None:
        """Digest each item as a build does, by the text it was parsed from (Digester.seed): the keys are then those of
        the build's records, so that the first build can take pages from the last one's output. At first every item;
        then those of the files parsed again (a build that fails leaves them to the next, which seeds them again)."""
        first = self._seeded is None
        seeded = self._seeded if self._seeded is not None else {}
        pairs = ((None, item) for item in items) if first else self.files.changed()
        for before, after in pairs:
            one = after if after is not None else before
            old = seeded.get(one.path) if one is not None else None
            if one is None or (old is not None and old is after):
                continue
            if old is not None:
                self._digester.unseed(old)
                del seeded[one.path]
            key = self.files.made_from(after) if isinstance(after, Item) else None
            if isinstance(after, Item) and key is not None:
                self._digester.seed(after, key)
                seeded[one.path] = after
        self._seeded = seeded

    def _render(
        self, site: Site, stages: list[render.Stage], swaps: dict[str, Item] | None
    ) -> tuple[list[Output], int, Fingerprints, Delta | None, dict[str, PageLinks]]:
        """Render the eager stages through the engine, reusing what did not change; the memory moves on only if all went well."""
        assert self._history is not None
        self._digester.next_build()
        self._seed(site.items)
        # the first build takes from the last build's output each page whose key is the same (the items are seeded)
        kept = snapshot.KeptPages(snapshot.load(self.project), None) if self._site is None else None
        store = MemoryStore(self._memo, carry=swaps is not None, kept=kept)
        engine = Engine(store, self._base, self.project / "templates", self._recorder, self._digester, forks=False)
        engine.prepare(site)
        r = Renderer(self._env, engine.site, self._history)  # stages read the site through the recording copy too
        r.pages = engine
        runner = Stages(r, store, engine.fingerprints, self._recorder, swaps)
        for stage in stages:
            r.by_stage[stage.__name__] = made = runner.run(stage)
            r.outputs.extend(made)
        if runner.errors:
            raise BuildFailed(list(dict.fromkeys(runner.errors)))
        self._memo = store.finish(engine.fingerprints.base)
        self._site = site
        taken = {url: links for url in store.taken if kept is not None and (links := _links_kept(kept, url)) is not None}
        return r.outputs, engine.made, engine.fingerprints, runner.delta, taken

    def bump(self, build: Build) -> Build:
        """The same build under a new generation (a static file changed: browsers reload, nothing is rebuilt)."""
        self._generation += 1
        return dataclasses.replace(build, generation=self._generation, assets=dict(self.files.assets))

    def check_links(self, build: Build) -> list[ContentError]:
        """Broken links to pages and files, and link warnings, of ``build``; only changed pages are read again.

        Links to what the lazy stages make (feeds, calendars, e-mail editions)
        and to PDFs (skipped while serving) are left to ``eccpsite check``.
        """
        if self._sources is None:
            self._sources = {build.site.url(i): i.path for i in build.site.items}
        found = self.links.update(build.pages, build.assets, self._sources, lenient=True, since=build.since, taken=build.taken)
        return locate(found, build.site.items)


def _links_kept(kept: snapshot.KeptPages, url: str) -> PageLinks | None:
    """The links the last build kept of its page at ``url``."""
    record = kept.last(url)
    return record.made.links if record is not None else None


def _served(outputs: tuple[Output, ...], last: dict[str, bytes] | None, delta: Delta | None) -> dict[str, bytes]:
    """url → bytes of ``outputs``: the last build's mapping with what changed put in (a save changes a few pages of
    25,000), or made afresh when what changed is not known."""
    if last is None or delta is None:
        return dict(zip(map(url_of, outputs), map(data_of, outputs), strict=True))
    served = dict(last)
    for url in delta.gone:
        served.pop(url, None)
    served.update(zip(map(url_of, delta.made), map(data_of, delta.made), strict=True))
    return served


def relative(project: Path, path: str) -> str | None:
    """A watcher's absolute path as a project-relative one with '/', or None if outside the project."""
    try:
        return Path(os.path.abspath(path)).relative_to(project).as_posix()
    except ValueError:
        return None
