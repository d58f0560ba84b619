"""Every digest eccpsite keys a cache or an output with, made here from one recipe (BLAKE2b).

- :func:`digest` of an output's bytes: what a build keeps to tell two versions
  of a file apart (the writer's records, the search index's key, kept files);
- :func:`code_digest` of the code that turns inputs into outputs: eccpsite's
  own files and the versions of the libraries whose output a page holds. Every
  cache key starts from it (pages, the last build's record, PDFs), so an edit to
  any renderer makes its outputs again;
- :func:`tree_digest` and :func:`files_digest` of what a build reads from the
  project (its sources, the theme, the images of a PDF), and
  :func:`inputs_digest` of everything a build reads, which the last build's
  record keeps (eccpsite.incremental.snapshot).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import eccpsite
from eccpsite.core import layout

SIZE = 20  # bytes of every digest
_PACKAGE = Path(eccpsite.__file__).parent
_LIBRARIES = ("jinja2", "markdown", "nh3", "babel", "markupsafe", "feedgen", "icalendar", "pyyaml")


def hasher() -> hashlib.blake2b:
    """A new digest of the recipe, to feed part by part."""
    return hashlib.blake2b(digest_size=SIZE)


def digest(data: bytes) -> bytes:
    """The digest of some bytes (an output file, a template)."""
    return hashlib.blake2b(data, digest_size=SIZE).digest()


def feed_tree(into: hashlib.blake2b, root: Path, base: Path) -> None:
    """Feed ``into`` with every file under ``root`` (by path relative to ``base`` and content digest), in name order,
    hidden files and ``__pycache__`` left out; a symbolic link counts by its target, an unreadable file as such."""
    if root.is_dir():
        _feed_folder(into, os.fspath(root), root.relative_to(base).as_posix() + "/" if root != base else "")


def _feed_folder(into: hashlib.blake2b, folder: str, prefix: str) -> None:
    """:func:`feed_tree` on strings (a project of 10,000 items has 16,000 files: no Path per file)."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir(follow_symlinks=False):
            _feed_folder(into, entry.path, prefix + entry.name + "/")
        elif entry.is_file(follow_symlinks=False) or entry.is_symlink():
            into.update((prefix + entry.name).encode() + b"\0")
            try:
                if entry.is_file():
                    with open(entry.path, "rb") as file:
                        into.update(digest(file.read()))
                else:
                    into.update(os.readlink(entry.path).encode())
            except OSError:
                into.update(b"unreadable")


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """The digest of some files (by path relative to ``root`` and content), whatever order they are given in."""
    into = hasher()
    for path in sorted(paths):
        into.update(path.relative_to(root).as_posix().encode() + b"\0" + digest(path.read_bytes()))
    return into.hexdigest()


def inputs_digest(project: Path, options: str, head: str) -> str:
    """A digest of everything a build reads: sources, templates, configuration, eccpsite's own code, options, git HEAD."""
    into = hasher()
    into.update(f"{options}\0{head}\0".encode() + code_digest())
    for name in layout.INPUTS:
        target = project / name
        if target.is_file():
            into.update(name.encode() + b"\0" + target.read_bytes())
        else:
            feed_tree(into, target, project)
    return into.hexdigest()


@functools.cache
def code_digest() -> bytes:
    """A digest of the code that turns inputs into outputs: every file of the eccpsite package, Python's version
    and the versions of the libraries whose output a page holds (Jinja2, Python-Markdown, nh3, Babel's country
    names, MarkupSafe's escaping, feedgen, icalendar, PyYAML).

    Made once per process: the code a process runs does not change under it."""
    into = hasher()
    versions = [eccpsite.__version__, sys.version, *(_version(name) for name in _LIBRARIES)]
    into.update("\0".join(versions).encode())
    feed_tree(into, _PACKAGE, _PACKAGE)
    return into.digest()


@functools.cache
def _version(distribution: str) -> str:
    try:
        return f"{distribution} {importlib.metadata.version(distribution)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{distribution} -"
