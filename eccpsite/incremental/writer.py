"""Writing a build to disk atomically: the output edge of the build.

Everything is written into a staging folder beside the output; only when all
of it is written (and the links checked) is the old output swapped out and the
new one swapped in, so a failed build leaves the previous output untouched and
no stale file of deleted content survives. A build sends its outputs to the
staging folder as they are made (:class:`Staging` is a sink of
``render_site``) and keeps only a small record of each. A folder is only ever replaced if a build of
eccpsite made it (it holds the marker file).
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eccpsite.core.urls import output_path
from eccpsite.edges import folder_swap
from eccpsite.edges.fingerprint import digest
from eccpsite.edges.folder_swap import OutputRefused
from eccpsite.edges.keptfile import FileState, link_kept
from eccpsite.outputs.links import PageLinks, page_links
from eccpsite.outputs.render import SEARCH_MARK, Output


def _target(root: str, url: str) -> str:
    """The file for ``url`` under ``root`` (the fresh staging folder, normalised, which holds no links: nothing but
    this module writes there)."""
    try:
        relative = output_path(url)
    except ValueError as exc:
        raise OutputRefused(f"{url} would be written outside the output folder") from exc
    target = os.path.normpath(os.path.join(root, relative))
    if not target.startswith(root + os.sep):
        raise OutputRefused(f"{url} would be written outside the output folder")
    return target


@contextmanager
def _naming(target: str) -> Iterator[None]:
    """Let an error of the disk while ``target`` is written name it (a write names no file; a copy names its source)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None or exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            exc.filename = target
        raise


@dataclass(frozen=True, slots=True)
class Written:
    """What a build keeps of an output once it is in the staging folder: no bytes, only what later stages need."""

    url: str
    size: int
    digest: bytes  # eccpsite.edges.fingerprint.digest of the bytes
    indexed: bool  # a page whose body the site search indexes
    links: PageLinks | None  # what the link check needs (None: not a page)
    key: bytes = b""  # the engine's record of the output (eccpsite.incremental.engine); b"" for an output never reused
    reads: tuple[str, ...] = ()  # the site fields and templates it read
    reads_key: bytes = b""
    stage: str = ""  # the stage that made it, when the page cache keeps that stage's outputs as a whole
    kept: bool = False  # the last build's file, put in place by the page cache rather than made by this build


class Staging:
    """The staging folder of a build: the sink :func:`eccpsite.outputs.render.render_site` sends each output to.

    Every output is written as soon as it is made, by the process that made it
    (forked workers write the pages they render), and only its :class:`Written`
    record stays in memory. Nothing is kept open between calls.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.path.normpath(os.fspath(root))
        self._made: set[str] = set()  # folders made by this process (each worker has its own copy)

    def _file(self, url: str) -> str:
        """The path of ``url``'s file, its folder made (each folder once)."""
        target = _target(self._root, url)
        self._folder(os.path.dirname(target))
        return target

    def _folder(self, path: str) -> None:
        if path not in self._made:
            try:
                os.mkdir(path)  # the usual case: a page's own folder, in one its stage made already
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(path, exist_ok=True)
            self._made.add(path)

    def write(self, url: str, data: bytes) -> None:
        """Write the file of ``url`` (a new file: one linked here from the cache is replaced, never written into)."""
        target = self._file(url)
        with _naming(target):
            try:
                file = open(target, "xb")  # noqa: SIM115 - closed below
            except FileExistsError:
                os.unlink(target)
                file = open(target, "xb")  # noqa: SIM115
            with file:
                file.write(data)

    def put(self, output: Output) -> Written:
        """Write ``output``; return what the build keeps of it."""
        self.write(output.url, output.data)
        indexed = output.url.endswith("/") and SEARCH_MARK in output.data
        links = page_links(output.url, output.data)
        return Written(output.url, len(output.data), digest(output.data), indexed, links, output.key, output.reads, output.reads_key, output.stage)

    def link(self, path: str, source: str, kept: FileState) -> bool:
        """Put ``source`` in place as the file at ``path`` (relative: a kept file's, checked by the caller) if it still
        is the file a build wrote there (``kept``); a hard link where the file system allows it, else a copy. False if
        it is not."""
        target = os.path.join(self._root, path)
        self._folder(os.path.dirname(target))
        return link_kept(source, target, kept)

    def link_all(self, sources: Path, files: Iterable[tuple[str, FileState]]) -> str | None:
        """:meth:`link` for many files at once: each ``(path, kept)`` from under ``sources`` to the same path here
        (paths checked by the caller: relative, without ``..``). The first path that is not what a build wrote
        there, or None when all of them were linked."""
        source_root = os.fspath(sources)
        for path, kept in files:
            if not self.link(path, os.path.join(source_root, path), kept):
                return path
        return None

    def copy(self, assets: Iterable[tuple[str, Path]]) -> int:
        """Copy the static files and media; returns how many."""
        count = 0
        for url, source in assets:
            target = self._file(url)
            with _naming(target):
                shutil.copyfile(source, target)
            count += 1
        return count


@contextmanager
def staging(output: Path) -> Iterator[Staging]:
    """A fresh staging folder beside ``output``, swapped in whole when the block ends without an error.

    The folder has a name of its own and carries the marker from the start
    (eccpsite.edges.folder_swap), so only folders builds made are ever removed. If
    anything in the block fails (a template, a broken link found after the
    pages were written, the search index, a full disk, Ctrl-C), the staging
    folder is removed and the previous output stays untouched. The caller
    holds the build lock (eccpsite.edges.buildlock): the folders earlier builds left
    behind are removed first.
    """
    output = output.resolve()
    folder_swap.clear_leftovers(output)
    folder = folder_swap.make_folder(output)
    try:
        yield Staging(folder)
        folder_swap.put_in_place(folder, output)
    except BaseException:
        folder_swap.remove_made(folder)
        raise


def write_site(
    outputs: Iterable[Output],
    assets: Iterable[tuple[str, Path]],
    output: Path,
    finish: Callable[[Path], int] | None = None,
) -> int:
    """Write every output and copy every asset, then swap the result in; returns the file count.

    ``finish`` runs on the staging folder before the swap (the search index is
    built there) and returns how many files it added; if it fails, the previous
    output stays untouched.
    """
    with staging(output) as folder:
        count = 0
        for out in outputs:
            folder.write(out.url, out.data)
            count += 1
        count += folder.copy(assets)
        if finish is not None:
            count += finish(folder.root)
    return count
