"""The outputs the dev server makes when a browser asks: feeds, calendars, e-mail editions, /admin/ and the sitemap.

No browser tab waits for them after a save, and at 10,000 items they take
longer than everything else; so each build makes them at the first request
for one of them, and reuses a stage's outputs of an earlier build while what
that stage read is unchanged (the engine's question, eccpsite.incremental.engine).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eccpsite.core.errors import ContentError
from eccpsite.core.model import Site
from eccpsite.edges.history import History
from eccpsite.edges.reader import document_sizes
from eccpsite.incremental.engine import Engine, Fingerprints
from eccpsite.incremental.memory import Memory, MemoryStore, split_outputs
from eccpsite.incremental.recording import OUTPUTS_DEP, dependencies
from eccpsite.outputs import render
from eccpsite.outputs.pages import render_sitemap
from eccpsite.outputs.render import Output, Renderer
from eccpsite.outputs.theme import set_document_sizes


@dataclass(frozen=True)
class _LazyStage:
    reads: tuple[str, ...]
    reads_key: bytes
    sizes: Mapping[str, int] | None  # what earlier outputs measured, when the stage read them
    outputs: tuple[Output, ...]


class LazyStore:
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
    """The lazy outputs of one build, made at the first request for one of them.

    ``errors`` holds the template errors of a stage that failed (its outputs are then missing).
    """

    def __init__(
        self,
        fingerprints: Fingerprints,
        templates: Path,
        history: History,
        pages: tuple[Output, ...],
        stages: list[render.Stage],
        store: LazyStore,
        rendering: threading.Lock,
    ) -> None:
        self._fingerprints = fingerprints
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

    @property
    def site(self) -> Site:
        return self._fingerprints.site

    def get(self) -> dict[str, Output]:
        """Make the lazy outputs (once) and return them by url."""
        with self._lock:
            if self._made is None:
                with self._rendering:  # one render at a time: the Markdown renderer is not thread-safe
                    self._made = self._make()
            return self._made

    def _make(self) -> dict[str, Output]:
        engine = Engine(MemoryStore(Memory()), self._fingerprints.base, self._templates, digester=self._fingerprints.digester, forks=False)
        engine.prepare(self.site)
        env = engine.environment(self._templates)
        set_document_sizes(env, document_sizes(self._templates.parent))
        r = Renderer(env, engine.site, self._history)
        r.pages = engine
        r.outputs = list(self._pages)
        made: list[Output] = []
        errors: list[ContentError] = []
        for stage in self._stages:
            outputs, failed = self._stage(r, engine, stage)
            made.extend(outputs)
            errors.extend(failed)
        self.errors = tuple(dict.fromkeys(errors))
        made.append(render_sitemap(self._pages, self.site, env, self._history))
        return {o.url: o for o in made}

    def _stage(self, r: Renderer, engine: Engine[Output], stage: render.Stage) -> tuple[tuple[Output, ...], list[ContentError]]:
        name = stage.__name__
        sizes = {o.url: len(o.data) for o in r.outputs}
        with self._store.lock:
            old = self._store.stages.get(name)
        if old is not None and (old.sizes is None or old.sizes == sizes) and self._fingerprints.unchanged(old.reads, old.reads_key):
            r.outputs.extend(old.outputs)
            return old.outputs, []
        with engine.recorder.recording() as names:
            made, errors = split_outputs(stage(r))
        outputs = tuple(made)
        r.outputs.extend(outputs)
        if not errors:
            reads = dependencies(names - {OUTPUTS_DEP})
            entry = _LazyStage(reads, self._fingerprints.reads_key(reads), sizes if OUTPUTS_DEP in names else None, outputs)
            with self._store.lock:
                if self._store.epoch == self._epoch:
                    self._store.stages[name] = entry
        return outputs, errors
