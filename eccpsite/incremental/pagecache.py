"""Pages that need not be rendered again: each page's inputs, as a key the next build compares.

A page is a template rendered with a context (the values its stage gave it)
and the :class:`~eccpsite.core.model.Site`, of which a template reads a few fields
(the home page the latest news, an event page the event filters). The key of
a page is a digest of all of it: the templates and eccpsite's code (one
digest for the build, ``base``), the page's url, template and context, and
the fields of the site it read, each digested once per build. A build keeps
every page's key and the fields it read; the next build digests the same
inputs for each page and, when the key is unchanged, takes the file of the
last build (the writer links it into place) instead of rendering the page.

Which fields a page reads is only known once it has been rendered, so the
fields are those it read last time: rendering is deterministic, so a page
whose template, context and those fields are unchanged reads the same fields
again and makes the same bytes. Nothing is ever reused on a guess: a value
that cannot be digested (a type not listed below) makes its page render.

Digests are of values, not of objects: two builds that parse the same
sources give the same keys (items are digested field by field, once per
build, by id).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Generic, TypeVar

import jinja2
from markupsafe import Markup

from eccpsite.core.model import Site
from eccpsite.edges import fingerprint
from eccpsite.outputs.render import Output, Renderer, Reused, Stage, make_environment

SITE_FIELDS = frozenset(f.name for f in dataclasses.fields(Site))
TEMPLATE_DEP = "templates/"  # prefix of a dependency on a template: templates/news.html
DIGEST_SIZE = 16


class Undigestible(Exception):
    """A value of a type this module does not know how to digest: the page is rendered, not reused."""


# --- recording what a page reads -------------------------------------------------------


class Recorder:
    """Collects, for every recording open, the names of what is read (Site fields, templates)."""

    def __init__(self) -> None:
        self._open: list[set[str]] = []

    def note(self, name: str) -> None:
        for names in self._open:
            names.add(name)

    def note_all(self, names: Iterable[str]) -> None:
        for opened in self._open:
            opened.update(names)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        names: set[str] = set()
        self._open.append(names)
        try:
            yield names
        finally:
            self._open.pop()


class _RecordingSite(Site):
    """A :class:`Site` that tells its recorder which attribute each reader asks for."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            recorder = object.__getattribute__(self, "__dict__").get("_recorder")
            if recorder is not None:
                recorder.note(name)
        return object.__getattribute__(self, name)


def recording_site(site: Site, recorder: Recorder) -> Site:
    """The same site, reporting every attribute read to ``recorder``."""
    copy = object.__new__(_RecordingSite)
    copy.__dict__.update(site.__dict__)
    copy.__dict__["_recorder"] = recorder
    return copy


def recording_environment(templates: Path, recorder: Recorder) -> jinja2.Environment:
    """The theme's environment, reporting every template it loads (extends, imports too) to ``recorder``."""
    env = make_environment(templates)
    load = env.get_template

    def get_template(name: Any, *args: Any, **kwargs: Any) -> jinja2.Template:
        if isinstance(name, str):
            recorder.note(TEMPLATE_DEP + name)
        return load(name, *args, **kwargs)

    env.get_template = get_template  # type: ignore[method-assign]
    return env


def _is_dependency(name: str) -> bool:
    """Whether a recorded name is something a key covers: a field of the site, or a template (templates/news.html)."""
    return name in SITE_FIELDS or name.startswith(TEMPLATE_DEP)


# --- digesting values ------------------------------------------------------------------


class Digester:
    """Digests of the values pages are made of, each shared object (an item, a pager, an edition) digested once.

    A value is fed to the hash as a prefix-free sequence: each plain value
    (text, number, date…) with a tag and its length, each composite one (a
    tuple, list, dict, set or dataclass) as a tag and its own digest. Tuples
    and dataclass instances are remembered by id for the length of a build,
    and kept alive meanwhile, so that an id is never reused by another object.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._fields: dict[type, tuple[str, ...] | None] = {}  # a dataclass's field names; None for any other type

    def digest_once(self, value: Any) -> bytes:
        """A digest of ``value`` without remembering it (a page's context: made for one page)."""
        h = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self._contents(h, value)
        return h.digest()

    def digest(self, value: Any) -> bytes:
        """A digest of ``value``; raises :class:`Undigestible` for a type it does not know."""
        known = self._memo.get(id(value))
        if known is not None:
            return known[1]
        h = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self._contents(h, value)
        found = h.digest()
        kind = type(value)
        if kind is tuple or self._names(kind) is not None:
            self._memo[id(value)] = (value, found)
        return found

    def _names(self, kind: type) -> tuple[str, ...] | None:
        try:
            return self._fields[kind]
        except KeyError:
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None
            return names

    def _contents(self, h: Any, value: Any) -> None:
        """Feed ``value`` itself: the parts of a composite value, or a plain value."""
        kind = type(value)
        if kind is tuple or kind is list:
            h.update(b"t%d:" % len(value) if kind is tuple else b"l%d:" % len(value))
            for part in value:
                self._part(h, part)
        elif kind is dict:
            h.update(b"d%d:" % len(value))
            for key, part in value.items():  # in order: templates loop over dicts in their order
                self._part(h, key)
                self._part(h, part)
        elif kind is frozenset or kind is set:
            h.update(b"e%d:" % len(value))
            for part in sorted(self.digest(part) for part in value):
                h.update(part)
        else:
            names = self._names(kind)
            if names is None:
                self._part(h, value)
                return
            h.update(f"c{kind.__module__}.{kind.__qualname__}:".encode())
            for name in names:
                self._part(h, getattr(value, name))

    def _part(self, h: Any, value: Any) -> None:
        """Feed one part of a value: a plain value inline, a composite one as its digest."""
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
        elif kind is tuple or kind is dict or kind is list or kind is frozenset or kind is set or self._names(kind) is not None:
            h.update(b"#" + self.digest(value))
        elif kind is Markup:
            data = str(value).encode("utf-8", "surrogatepass")
            h.update(b"m%d:" % len(data))
            h.update(data)
        elif kind is bool or value is None:
            h.update(b"b" + repr(value).encode() + b";")
        elif kind is int:
            h.update(b"i%d;" % value)
        elif kind is float:
            h.update(b"f" + value.hex().encode() + b";")
        elif kind is dt.datetime or kind is dt.date or kind is dt.time:
            h.update(b"D" + value.isoformat().encode() + b"|" + str(getattr(value, "tzinfo", None)).encode() + b";")
        elif kind is bytes:
            h.update(b"y%d:" % len(value))
            h.update(value)
        elif isinstance(value, enum.Enum):
            h.update(f"E{kind.__qualname__}.{value.name};".encode())
        elif isinstance(value, PurePath):
            data = str(value).encode("utf-8", "surrogatepass")
            h.update(b"p%d:" % len(data))
            h.update(data)
        elif isinstance(value, dt.tzinfo):
            h.update(b"z" + str(value).encode() + b";")
        else:
            raise Undigestible(f"cannot digest a {kind.__qualname__}")


# --- the cache ------------------------------------------------------------------------

Record = TypeVar("Record")


@dataclass(frozen=True, slots=True)
class Previous(Generic[Record]):
    """What the last build kept of a page: its key, the site fields it read, and the writer's record of its file."""

    key: bytes
    reads: tuple[str, ...]
    record: Record


@dataclass(frozen=True, slots=True)
class PreviousStage(Generic[Record]):
    """What the last build kept of a stage kept whole (declared with reuse=WHOLE): its key, the site fields it read, and
    the writer's record of each of its files, in order."""

    key: bytes
    reads: tuple[str, ...]
    records: tuple[tuple[str, Record], ...]  # (url, record)


class PageCache(Generic[Record]):
    """The renderer's hook (``Renderer.pages``): reuse a page of the last build when its key is unchanged, else render it and key it.

    ``reuse`` takes a page's url and the last build's record of it and puts the
    last build's file in place (the writer's staging folder links it); it
    returns the record, or None when that file is gone or was changed, and the
    page is rendered then.
    """

    def __init__(
        self,
        base: bytes,
        previous: Mapping[str, Previous[Record]],
        reuse: Callable[[str, Record], Record | None],
        stages: Mapping[str, PreviousStage[Record]] | None = None,
        previous_base: bytes = b"",
        templates: Path | None = None,
    ) -> None:
        self.base = base
        self.templates = templates  # the theme's folder: a page's key covers the templates it loaded, read from here
        self.previous = previous
        self.stages = stages or {}
        self.previous_base = previous_base  # the key base of the last build's pages
        self.reuse = reuse
        self.digester = Digester()
        self.recorder = Recorder()
        self._site: Site | None = None
        self._recording: Site | None = None
        self._field_digests: dict[str, bytes] = {}
        self._base = b""  # base, with the site's configuration (prepare)

    def prepare(self, site: Site) -> None:
        """Start on ``site``: every page sees its configuration (as ``config``), which joins the base of every key;
        every item is digested once, before the build forks its workers (which then share the digests)."""
        self._site = site
        self._recording = recording_site(site, self.recorder)
        self._field_digests = {}
        try:
            self._base = fingerprint.digest(self.base + self.digester.digest(site.config))
            self.field_digest("items")
        except Undigestible:
            self._base = b""  # no page is reused, or keyed

    @property
    def key_base(self) -> bytes:
        """What every key of this build starts from: eccpsite's code, the theme and the configuration (after prepare)."""
        return self._base

    def expects_reuse(self) -> bool:
        """Whether most pages will likely be the last build's: it kept pages, and its code, theme and configuration
        were these (a content edit, not a new template)."""
        return bool(self.previous) and bool(self._base) and self._base == self.previous_base

    def environment(self, templates: Path) -> jinja2.Environment:
        """The theme's environment, noting each template a page or stage loads: its key covers those templates."""
        return recording_environment(templates, self.recorder)

    def field_digest(self, name: str) -> bytes:
        """The digest of a site field, or of a template (``templates/news.html``), made once per build."""
        assert self._site is not None
        found = self._field_digests.get(name)
        if found is None:
            value = self._template_bytes(name.removeprefix(TEMPLATE_DEP)) if name.startswith(TEMPLATE_DEP) else getattr(self._site, name)
            found = self._field_digests[name] = self.digester.digest(value)
        return found

    def _template_bytes(self, name: str) -> bytes:
        """A template's bytes (empty when it is gone: the page that loaded it is rendered again, and fails there)."""
        if self.templates is None:
            raise Undigestible("the theme's folder is not known")
        try:
            return (self.templates / name).read_bytes()
        except OSError:
            return b""

    def _key(self, inputs: bytes, reads: Iterable[str]) -> bytes:
        h = fingerprint.hasher()
        h.update(self._base)
        h.update(inputs)
        for name in reads:
            h.update(name.encode() + b"\0" + self.field_digest(name))
        return h.digest()

    def _inputs(self, value: Any) -> bytes | None:
        """The digest of what a page or stage is made from besides the site fields, or None: then it is made and never kept."""
        if not self._base:
            return None
        try:
            return self.digester.digest_once(value)
        except Undigestible:
            return None

    def _unchanged(self, inputs: bytes, last: Previous[Record] | PreviousStage[Record]) -> bool:
        """Whether the last build made this page or stage from the same inputs and the same values of the fields it read."""
        return all(map(_is_dependency, last.reads)) and self._key(inputs, last.reads) == last.key

    def page(self, renderer: Renderer, url: str, template: str, context: dict[str, Any]) -> Output | Reused | None:
        """The page at ``url``: the last build's file when nothing it depends on changed, else rendered (and keyed)."""
        assert self._recording is not None, "prepare() first"
        inputs = self._inputs((url, template, context))
        if inputs is None:
            return renderer.render_page(url, template, context, renderer.site)
        last = self.previous.get(url)
        if last is not None and self._unchanged(inputs, last):
            record = self.reuse(url, last.record)
            if record is not None:
                return Reused(url, record)
        with self.recorder.recording() as names:
            output = renderer.render_page(url, template, context, self._recording)
        if output is None:
            return None
        reads = tuple(sorted(filter(_is_dependency, names)))
        return Output(output.url, output.data, self._key(inputs, reads), reads)

    def stage(self, renderer: Renderer, stage: Stage) -> list[Output | Reused]:
        """The outputs of a stage kept whole: the last build's files when the git history and the site fields the
        stage read are unchanged, else the stage run again (reading the site through the recording copy)."""
        assert self._recording is not None, "prepare() first"
        name = stage.__name__
        inputs = self._inputs(("stage", name, renderer.history))
        if inputs is None:
            return [o for o in stage(renderer) if o is not None]
        last = self.stages.get(name)
        if last is not None and self._unchanged(inputs, last):
            kept = [(url, self.reuse(url, record)) for url, record in last.records]
            if all(record is not None for _, record in kept):
                return [Reused(url, record) for url, record in kept]
        site = renderer.site
        renderer.site = self._recording
        try:
            with self.recorder.recording() as names:
                outputs = [o for o in stage(renderer) if o is not None]
        finally:
            renderer.site = site
        reads = tuple(sorted(filter(_is_dependency, names)))
        key = self._key(inputs, reads)
        return [Output(o.url, o.data, key, reads, name) if isinstance(o, Output) else o for o in outputs]
