"""The incremental engine: an output is made again only when what it was made from changed.

``build`` and ``serve`` share it. Each output a page or a stage makes gets a
:class:`Record`: its url, a digest of the template and context it was made
from (``key``), the site fields and templates it read while it was made
(``reads``, recorded by eccpsite.incremental.recording) and a digest of their
values (``reads_key``), which also covers eccpsite's code, the configuration and
the sizes of the project's documents (the build's ``base``). The next build
asks the same question of every output: are its key and its reads' key
unchanged? Then the output of the last build is put in place instead of
made. Which fields a page reads is only known once it has been made, so they
are those it read last time: rendering is deterministic, so a page whose
template, context and those fields are unchanged reads the same fields again
and makes the same bytes.

Where records are kept is the :class:`Store`'s business: the build keeps them
on disk beside the last output (eccpsite.incremental.snapshot: a reused page is
a hard link), the dev server in memory with the page's bytes and context
(eccpsite.incremental.memory, which also carries pages over in bulk when only
items changed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import jinja2

from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.model import Site
from eccpsite.edges import fingerprint
from eccpsite.incremental.digests import Digester, Undigestible
from eccpsite.incremental.recording import OUTPUTS_DEP, TEMPLATE_DEP, Recorder, dependencies, read_value, recording_environment, recording_site
from eccpsite.outputs.render import ContextOf, Output, Renderer, Reused, Stage, split

Made = TypeVar("Made")
Make = Callable[..., Sequence[bytes]]  # what makes files that are not pages: the bytes of each, from the site and inputs


@dataclass(frozen=True, slots=True)
class Record(Generic[Made]):
    """What the engine keeps of one output from one build to the next."""

    url: str
    key: bytes  # a digest of what made it besides the site: a page's template and context, a stage's name and history
    reads: tuple[str, ...]  # the site fields and templates it read, sorted
    reads_key: bytes  # a digest of the build's base and of the values of those reads
    made: Made  # the Output itself (in memory), or the writer's record of its file (on disk)
    stage: str = ""  # the stage that made it, when that stage is kept whole


class Store(Protocol[Made]):
    """Where the records of the last build are looked up, and those of this build kept."""

    @property
    def base(self) -> bytes:
        """The base of the last build's records (see :attr:`Fingerprints.base`)."""
        ...

    def last(self, url: str) -> Record[Made] | None:
        """The last build's record of the page at ``url``."""
        ...

    def last_stage(self, name: str) -> Sequence[Record[Made]]:
        """The last build's records of the outputs of a stage kept whole (none: not kept)."""
        ...

    def reuse(self, record: Record[Made], made_of: Any = None) -> Output | Reused | None:
        """Put the last build's output of ``record`` in place; None when it is gone (the output is made then).
        ``made_of`` is what this build would make it of: a page's template and context (or inputs); None for files."""
        ...

    def keep(self, record: Record[Output], context: Any) -> Output:
        """Keep the record of an output this build made from ``context`` (a page's template and context; None for a
        stage kept whole, or files made by a function); the output the stage yields."""
        ...


class Fingerprints:
    """The digests of one build: of the values pages are made from, and of the site fields and templates they read.

    Each field and template is digested once per build, and each set of reads
    once; the ``digester`` may outlive the build (the dev server's does, so that
    unchanged items are not digested again).
    """

    def __init__(self, digester: Digester, site: Site, base: bytes, templates: Path | None) -> None:
        self.digester = digester
        self.site = site
        self.templates = templates  # the theme's folder, where the templates a page loaded are read
        self._fields: dict[str, bytes] = {}
        self._reads: dict[tuple[str, ...], bytes] = {}
        try:
            self.base = fingerprint.digest(base + digester.digest(site.config))
        except Undigestible:
            self.base = b""  # nothing is reused, or kept

    def inputs(self, value: Any) -> bytes | None:
        """The key of what an output is made from besides the site, or None: then it is made and never kept."""
        if not self.base:
            return None
        try:
            return self.digester.digest_once(value)
        except Undigestible:
            return None

    def field(self, name: str) -> bytes:
        """The digest of a site field, or of a template (``templates/news.html``)."""
        found = self._fields.get(name)
        if found is None:
            value = self._template_bytes(name.removeprefix(TEMPLATE_DEP)) if name.startswith(TEMPLATE_DEP) else read_value(self.site, name)
            found = self._fields[name] = self.digester.digest(value)
        return found

    def _template_bytes(self, name: str) -> bytes:
        """A template's bytes (empty when it is gone: the page that loaded it is made again, and fails there)."""
        if self.templates is None:
            raise Undigestible("the theme's folder is not known")
        try:
            return (self.templates / name).read_bytes()
        except OSError:
            return b""

    def reads_key(self, reads: tuple[str, ...]) -> bytes:
        """The digest of the base and of the values of ``reads`` in this build; b"" when it cannot be made (then
        nothing that read them is ever current): a value not digestible, or reads of earlier outputs."""
        found = self._reads.get(reads)
        if found is None:
            found = b""
            if self.base and OUTPUTS_DEP not in reads:
                h = fingerprint.hasher()
                h.update(self.base)
                try:
                    for name in reads:
                        h.update(name.encode() + b"\0" + self.field(name))
                    found = h.digest()
                except (Undigestible, AttributeError):
                    found = b""
            self._reads[reads] = found
        return found

    def unchanged(self, reads: tuple[str, ...], reads_key: bytes) -> bool:
        """Whether ``reads`` have the values whose key was ``reads_key``."""
        return bool(reads_key) and reads_key == self.reads_key(reads)

    def current(self, record: Record[Any]) -> bool:
        """Whether what ``record``'s output read has the values it had when it was made."""
        return self.unchanged(record.reads, record.reads_key)


class Engine(Generic[Made]):
    """The renderer's page hook (``Renderer.pages``): a page, or a stage kept whole, is the last build's when its
    key and its reads' key are unchanged; otherwise it is made (reading the site through a recording copy) and
    its record kept."""

    def __init__(
        self, store: Store[Made], base: bytes, templates: Path, recorder: Recorder | None = None, digester: Digester | None = None, forks: bool = True
    ) -> None:
        self.store = store
        self.base = base  # eccpsite's code and what else every output depends on (build.page_base)
        self.templates = templates
        self.digester = digester or Digester()
        self.recorder = recorder or Recorder()
        self.forks = forks  # whether records made in a forked worker reach the store (through the sink's records)
        self.made = 0  # outputs made, not reused
        self._fingerprints: Fingerprints | None = None
        self._site: Site | None = None

    def parsed(self, items: Iterable[Item], made_from: Mapping[str, bytes]) -> None:
        """Note that ``items`` were parsed from the files whose texts ``made_from`` digests (by path): each is a
        function of its path and text alone (and of the code and configuration, which every record's reads key
        covers), so its digest is made of that (:meth:`Digester.seed`) instead of its fields (0.5 s of a build of
        10,000 news)."""
        for item in items:
            self.digester.seed(item, made_from[item.path])

    def prepare(self, site: Site) -> None:
        """Start on ``site``; its items are digested now, before a build forks its workers (which share the digests)."""
        self._fingerprints = Fingerprints(self.digester, site, self.base, self.templates)
        self._site = recording_site(site, self.recorder)  # what templates see as ``site``
        self._fingerprints.reads_key(("items",))

    @property
    def fingerprints(self) -> Fingerprints:
        assert self._fingerprints is not None, "prepare() first"
        return self._fingerprints

    @property
    def site(self) -> Site:
        assert self._site is not None, "prepare() first"
        return self._site

    def environment(self, templates: Path) -> jinja2.Environment:
        """The theme's environment, noting each template a page or stage loads: its record covers those templates."""
        return recording_environment(templates, self.recorder)

    def read_outputs(self) -> None:
        """A stage reads what earlier stages made (their sizes): what records it, is never current."""
        self.recorder.note(OUTPUTS_DEP)

    def expects_reuse(self) -> bool:
        """Whether most pages will likely be the last build's: its base was this one's (a content edit, not a new
        template or configuration)."""
        return bool(self.fingerprints.base) and self.store.base == self.fingerprints.base

    def page(self, renderer: Renderer, url: str, template: str, context: dict[str, Any]) -> Output | Reused | ContentError:
        """The page at ``url``: the last build's when nothing it was made from changed, else rendered (and recorded)."""
        key = self.fingerprints.inputs((template, context))
        reused = self._reused(url, key, (template, context))
        if reused is not None:
            return reused
        return self._made_page(renderer, url, template, key, lambda: context)

    def page_from(self, renderer: Renderer, url: str, template: str, context_of: ContextOf, inputs: dict[str, Any]) -> Output | Reused | ContentError:
        """The page at ``url`` whose context ``context_of`` makes of ``inputs`` (Renderer.page_from): the last build's
        when the inputs and what ``context_of`` and the template read are unchanged, else made (reading the site
        through the recording copy, so that its record covers what the context was made of)."""
        key = self.fingerprints.inputs((template, f"{context_of.__module__}.{context_of.__qualname__}", inputs))
        reused = self._reused(url, key, (template, inputs))
        if reused is not None:
            return reused
        return self._made_page(renderer, url, template, key, lambda: renderer.context_from(context_of, inputs, self.site))

    def _made_page(self, renderer: Renderer, url: str, template: str, key: bytes | None, context_of: Callable[[], dict[str, Any]]) -> Output | ContentError:
        """Make the page at ``url`` from the context ``context_of()`` makes, recording what both read; keep its record."""
        with self.recorder.recording() as names:
            context = context_of()
            output = renderer.render_page(url, template, context, self.site)
        self.made += 1
        if isinstance(output, ContentError) or key is None:
            return output
        reads = dependencies(names)
        return self.store.keep(Record(url, key, reads, self.fingerprints.reads_key(reads), output), (template, context))

    def files(self, urls: Sequence[str], make: Make, inputs: dict[str, Any]) -> list[Output | Reused]:
        """The files at ``urls``, made together by ``make(site, **inputs)`` (a function of its module, named in their
        records): the last build's when ``inputs`` and what ``make`` read of the site are unchanged, else made."""
        key = self.fingerprints.inputs((f"{make.__module__}.{make.__qualname__}", inputs))
        current = [record for record in (self._current(url, key) for url in urls) if record is not None]
        if len(current) == len(urls):  # made together, they were kept with the same reads
            reused = [self.store.reuse(record) for record in current]
            if None not in reused:  # else a kept file changed: all are made again (and replace it)
                self.recorder.note_all(current[0].reads if current else ())
                return [one for one in reused if one is not None]
        with self.recorder.recording() as names:
            made = make(self.site, **inputs)
        self.made += len(urls)
        outputs = [Output(url, data) for url, data in zip(urls, made, strict=True)]
        if key is None:
            return list(outputs)
        reads = dependencies(names)
        reads_key = self.fingerprints.reads_key(reads)
        return [self.store.keep(Record(o.url, key, reads, reads_key, o), None) for o in outputs]

    def _reused(self, url: str, key: bytes | None, made_of: Any) -> Output | Reused | None:
        """The last build's output at ``url`` put in place, when it is :meth:`_current`."""
        last = self._current(url, key)
        reused = self.store.reuse(last, made_of) if last is not None else None
        if last is not None and reused is not None:
            self.recorder.note_all(last.reads)
        return reused

    def _current(self, url: str, key: bytes | None) -> Record[Made] | None:
        """The last build's record of ``url`` when it was made from ``key`` and what it read is unchanged."""
        last = self.store.last(url) if key is not None else None
        return last if last is not None and last.key == key and self.fingerprints.current(last) else None

    def stage(self, renderer: Renderer, stage: Stage) -> list[Output | Reused | ContentError]:
        """The outputs of a stage kept whole: the last build's when the git history and what the stage read are
        unchanged, else the stage run again (reading the site through the recording copy)."""
        name = stage.__name__
        key = self.fingerprints.inputs(("stage", name, renderer.history))
        last = self.store.last_stage(name) if key is not None else ()
        if last and last[0].key == key and self.fingerprints.current(last[0]):
            reused = [self.store.reuse(record) for record in last]
            if all(made is not None for made in reused):
                self.recorder.note_all(last[0].reads)
                return [made for made in reused if made is not None]
        site, renderer.site = renderer.site, self.site
        try:
            with self.recorder.recording() as names:
                outputs, errors = split(stage(renderer))
        finally:
            renderer.site = site
        self.made += len(outputs)
        if key is None or errors:
            return [*outputs, *errors]
        reads = dependencies(names)
        reads_key = self.fingerprints.reads_key(reads)
        return [self.store.keep(Record(o.url, key, reads, reads_key, o, name), None) if isinstance(o, Output) else o for o in outputs]
