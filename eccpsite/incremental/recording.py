"""Recording what an output reads while it is made: the fields of the site and the templates.

Which fields of :class:`~eccpsite.core.model.Site` a page reads, and which
templates Jinja loads for it, is only known by watching it being rendered:
the site is handed to templates as a copy that reports each attribute read,
and the theme's environment reports each template it loads. What a page read
becomes its dependencies in the engine's record (eccpsite.incremental.engine).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2

from eccpsite.core.directory import Directory
from eccpsite.core.model import Site
from eccpsite.outputs.theme import make_environment

SITE_FIELDS = frozenset(f.name for f in dataclasses.fields(Site))
TEMPLATE_DEP = "templates/"  # prefix of a dependency on a template: templates/news.html
OUTPUTS_DEP = "@outputs"  # a stage read what earlier stages made (render_feeds reads their sizes): never reused on its reads


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


# Site fields read part by part: a page depends on the parts of the directory it reads (``directory.sectors``), so
# that an item naming a profile (which changes ``directory.named_by``) does not make every directory page stale.
NESTED = frozenset({"directory"})


class _RecordingSite(Site):
    """A :class:`Site` that tells its recorder which attribute each reader asks for."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            recorder = object.__getattribute__(self, "__dict__").get("_recorder")
            if recorder is not None:
                if name in NESTED:
                    return _recording_directory(object.__getattribute__(self, name), recorder)
                recorder.note(name)
        return object.__getattribute__(self, name)


class _RecordingDirectory(Directory):
    """A :class:`Directory` that tells its recorder which of its fields each reader asks for (methods read fields)."""

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if not name.startswith("_") and not callable(value):
            recorder = object.__getattribute__(self, "__dict__").get("_recorder")
            if recorder is not None:
                recorder.note("directory." + name)
        return value


def _recording_directory(directory: Directory, recorder: Recorder) -> Directory:
    copy = object.__new__(_RecordingDirectory)
    copy.__dict__.update(directory.__dict__)
    copy.__dict__["_recorder"] = recorder
    return copy


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


def dependencies(names: Iterable[str]) -> tuple[str, ...]:
    """What of the recorded names a record depends on, sorted: fields of the site (``directory.sectors`` for a part
    of one), templates, and the outputs mark."""
    return tuple(sorted(n for n in names if n.split(".", 1)[0] in SITE_FIELDS or n.startswith(TEMPLATE_DEP) or n == OUTPUTS_DEP))


def read_value(site: Site, name: str) -> Any:
    """The value of a recorded site field, or of a part of one (``directory.sectors``)."""
    value = site
    for part in name.split("."):
        value = getattr(value, part)
    return value
