"""Rendering the site model into outputs: what an output is, the renderer every stage is given, and how a stage declares itself.

An output is a value (a site path and its bytes); nothing here writes to disk,
so the dev server and the tests can build in memory. A stage is a function of
the :class:`Renderer` that yields outputs (and the errors it found, beside
them); the stages themselves are in eccpsite.outputs.pages, the theme's Jinja
environment in eccpsite.outputs.theme, and ``render_site``, which runs the
stages on every core, in eccpsite.outputs.site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import jinja2

from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.model import (
    Site,
)
from eccpsite.edges.history import History


@dataclass(frozen=True)
class Output:
    """One file of the site: the site path it serves and its bytes (a page also its record: eccpsite.incremental.engine)."""

    url: str
    data: bytes
    key: bytes = b""  # a digest of the template and context it was made from; b"" for an output that is never reused
    reads: tuple[str, ...] = ()  # the site fields and templates it read
    reads_key: bytes = b""  # a digest of their values
    stage: str = ""  # the stage that made it, when the page cache keeps that stage's outputs as a whole (a stage declared reuse=WHOLE)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Reused:
    """A page whose inputs are those of the last build's: the sink's record of the last build's file, now in place."""

    url: str
    record: Any  # what the sink kept of that file when the last build made it (eccpsite.incremental.writer.Written)


ContextOf = Callable[..., dict[str, Any]]  # what makes a page's context from the site and the page's inputs


class PageHook(Protocol):
    """What renders a page in place of :meth:`Renderer.render_page`: the incremental engine (eccpsite.incremental.engine)."""

    forks: bool  # whether the build may render on every core with it (the pages made in a worker keep their records)

    def parsed(self, items: Iterable[Item], made_from: Mapping[str, bytes]) -> None: ...

    def prepare(self, site: Site) -> None: ...

    def environment(self, templates: Path) -> jinja2.Environment: ...

    def expects_reuse(self) -> bool: ...

    def read_outputs(self) -> None: ...

    def page(self, renderer: Renderer, url: str, template: str, context: dict[str, Any]) -> Output | Reused | ContentError: ...

    def page_from(self, renderer: Renderer, url: str, template: str, context_of: ContextOf, inputs: dict[str, Any]) -> Output | Reused | ContentError: ...

    def files(self, urls: Sequence[str], make: Callable[..., Sequence[bytes]], inputs: dict[str, Any]) -> list[Output | Reused]: ...

    def stage(self, renderer: Renderer, stage: Stage) -> Iterable[Made_]: ...


class Made(Protocol):
    """What a build keeps of an output it made: at least the site path and the size (an Output, or a sink's record)."""

    @property
    def url(self) -> str: ...

    @property
    def size(self) -> int: ...


Record = TypeVar("Record", bound=Made)
Record_co = TypeVar("Record_co", bound=Made, covariant=True)


class Sink(Protocol[Record_co]):
    """Where :func:`render_site` sends each output as soon as it is made: a list in memory, or the writer's staging folder.

    A forked worker of a large build sends the pages it renders to the same
    sink itself and hands back only the records, so a sink must work in any
    process forked from the build (keep no open file or connection across calls).
    """

    def put(self, output: Output) -> Record_co:
        """Take ``output``; return what the build keeps of it."""
        ...


class Keep:
    """The plain in-memory sink: every output is kept whole."""

    def put(self, output: Output) -> Output:
        return output


SEARCH_MARK = b"data-pagefind-body"  # the attribute the theme puts on what the site search indexes (eccpsite.outputs.search)


class Renderer:
    """Renders templates with the values every page shares (site, menu, now)."""

    def __init__(self, env: jinja2.Environment, site: Site, history: History | None = None) -> None:
        self.env = env
        self.site = site
        self.history: History = history or {}  # git revisions of the sources (eccpsite.edges.history)
        self.outputs: list[Output] = []  # what earlier stages made, kept in memory (the dev server's renderer)
        self.records: list[Made] | None = None  # ... or what render_site's sink kept of them
        self.pages: PageHook | None = None  # the incremental engine: reuses the pages of the last build
        self.by_stage: dict[str, Sequence[Made]] = {}  # what each stage run in this process made, by its name

    def made(self) -> Sequence[Made]:
        """What earlier stages made, each with its url and size (a later stage may need the sizes)."""
        if self.pages is not None:
            self.pages.read_outputs()
        return self.outputs if self.records is None else self.records

    def made_by(self, stage: str) -> Sequence[Made]:
        """What the earlier stage named ``stage`` made (one the asking stage is declared after): :meth:`made`, but
        only those (a stage that needs the PDFs' sizes need not look through 25,000 pages for them)."""
        if self.pages is not None:
            self.pages.read_outputs()
        return self.by_stage.get(stage, ())

    def page(self, url: str, template: str, **context: Any) -> Output | Reused | ContentError:
        """The page at ``url``: ``template`` rendered with ``context``, or the last build's through the engine; or the
        template's error, which the stage yields like an output."""
        _defaults(self.site, context)
        if self.pages is not None:
            return self.pages.page(self, url, template, context)
        return self.render_page(url, template, context, self.site)

    def page_from(self, url: str, template: str, context_of: ContextOf, **inputs: Any) -> Output | Reused | ContentError:
        """:meth:`page` with the context ``context_of(site, **inputs)``: through the engine, keyed by ``inputs`` and by
        what ``context_of`` and the template read of the ``site`` they are given, so that the context of a page whose
        inputs did not change is not even made. ``context_of`` is a function of its module and reads nothing else."""
        if self.pages is not None:
            return self.pages.page_from(self, url, template, context_of, inputs)
        return self.render_page(url, template, self.context_from(context_of, inputs, self.site), self.site)

    def context_from(self, context_of: ContextOf, inputs: dict[str, Any], site: Site) -> dict[str, Any]:
        """The context ``context_of`` makes of ``inputs`` and ``site``, with what every page's context holds."""
        return _defaults(site, context_of(site, **inputs))

    def files(self, urls: Sequence[str], make: Callable[..., Sequence[bytes]], **inputs: Any) -> list[Output | Reused]:
        """The files at ``urls`` that are not pages, made together by ``make(site, **inputs)`` (their bytes, in order),
        or the last build's through the engine while ``inputs`` and what ``make`` read of the ``site`` it is given are
        unchanged: ``make`` is a function of its module and reads nothing else (the feeds, /admin/'s configuration)."""
        if self.pages is not None:
            return self.pages.files(urls, make, inputs)
        return [Output(url, data) for url, data in zip(urls, make(self.site, **inputs), strict=True)]

    def render(self, url: str, template: str, **context: Any) -> Output | ContentError:
        """The page at ``url``, always rendered: for a stage that makes something else of its bytes (the e-mail, the PDF)."""
        return self.render_page(url, template, _defaults(self.site, context), self.site)

    def render_page(self, url: str, template: str, context: dict[str, Any], site: Site) -> Output | ContentError:
        """Render ``template`` for ``url``, or say where the template failed; ``site`` is what the template sees as
        ``site`` (a recording copy, for the engine)."""
        try:
            html = self.env.get_template(template).render(site=site, config=self.site.config, url=url, canonical=self.site.config.absolute(url), **context)
        except jinja2.TemplateSyntaxError as exc:
            return ContentError(f"templates/{exc.name or template}", exc.lineno, "", f"template error: {exc.message}")
        except jinja2.TemplateError as exc:
            return _located_template_error(template, exc, context.get("item"))
        return Output(url, html.encode("utf-8"))


def _defaults(site: Site, context: dict[str, Any]) -> dict[str, Any]:
    """What every page's context holds unless its stage says otherwise."""
    context.setdefault("title", site.config.title)
    context.setdefault("description", site.config.description)
    context.setdefault("og_type", "website")
    context.setdefault("json_ld", None)
    return context


def _located_template_error(template: str, exc: Exception, item: Item | None) -> ContentError:
    """Find the template line in the traceback of a rendering error."""
    line = 0
    name = template
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            name, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    about = f" (while rendering {item.path})" if item is not None else ""
    return ContentError(f"templates/{name}", line, "", f"template error: {exc}{about}")


Made_ = Output | Reused | ContentError | None  # what a stage yields: an output, a page of the last build, an error
Stage = Callable[[Renderer], Iterable[Made_]]


def split(made: Iterable[Made_]) -> tuple[list[Output | Reused], list[ContentError]]:
    """What a stage yielded, as its outputs and its errors (in order; None, a page not made, left out)."""
    outputs: list[Output | Reused] = []
    errors: list[ContentError] = []
    for one in made:
        if isinstance(one, ContentError):
            errors.append(one)
        elif one is not None:
            outputs.append(one)
    return outputs, errors


PAGES, WHOLE = "pages", "whole"  # how the build reuses a stage's outputs: page by page (each keyed), or as a whole


@dataclass(frozen=True)
class Declared:
    """What a stage says about itself: what it must come after, how its outputs are reused, whether the dev server
    makes it on request, whether a forked worker may run it; checked once per run (:func:`check_order`)."""

    after: tuple[str, ...] = ()  # stages it reads the outputs of (sizes of PDFs, every page for the redirects)
    reuse: str = PAGES  # PAGES: each page through the page cache; WHOLE: the stage's outputs kept as a whole
    on_request: bool = False  # the dev server makes it when a browser asks (feeds, calendars), not after each save
    background: bool = False  # reads only the site model: a forked worker may run it beside the item pages
    items: bool = False  # the item pages: rendered in slices on every core, patched item by item by the dev server
    # what it makes follows from where the items are: after a save that leaves every item in its place, the dev
    # server makes again only its pages that hold an edited item (False: it runs again, as the redirects, which
    # come from ``aliases:``, a field that places nothing)
    placed: bool = True


S = TypeVar("S", bound=Callable[..., Any])


def declare(**declared: Any) -> Callable[[S], S]:
    """Declare a stage (``@declare(reuse=WHOLE, on_request=True)``): the declaration travels with the function."""

    def declare(make: S) -> S:
        make.declared = Declared(**declared)  # type: ignore[attr-defined]
        return make

    return declare


def declared(make: Stage) -> Declared:
    """A stage's declaration (a stage made elsewhere without one: every page reused by key, made eagerly)."""
    found = getattr(make, "declared", None)
    return found if isinstance(found, Declared) else Declared()


def check_order(stages: list[Stage]) -> list[Stage]:
    """``stages``, once checked: each comes after the stages it declares it reads."""
    present, seen = {s.__name__ for s in stages}, set[str]()
    for make in stages:
        missing = [name for name in declared(make).after if name in present and name not in seen]
        assert not missing, f"{make.__name__} must come after {missing}"
        seen.add(make.__name__)
    return stages
