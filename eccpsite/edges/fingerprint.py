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
  record keeps (eccpsite.incremental.snapshot). The digests of the project's
  files are kept between builds by their stamps (:class:`Stamps`), so that a
  build that finds nothing changed reads no file of 16,000 again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


Stamp = list[int]  # size, modification time (ns), change time (ns), inode: a list, as the records keep it (JSON)


def stamp(found: os.stat_result) -> Stamp:
    """A file's :data:`Stamp`, from its ``stat``: a write moves its change time, which only the kernel sets."""
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino]


class Stamps:
    """The digests of a project's files by their stamps (size, modification and change times, inode), kept between
    builds in a file of the store (``.cache/inputs.json``): a file whose stamp is the one recorded is not read again.

    Writing a file moves its change time, which only the kernel sets, so a file edited in place (even with its
    modification time put back) has another stamp. A file changed in the two seconds before the record is written
    is left out of it (a file system with coarse times could give a second write the same stamp) and read again
    next time. The record is data, checked entry by entry: an entry of the wrong shape is read as if absent."""

    RECENT_NS = 2_000_000_000

    def __init__(self, record: Path) -> None:
        self._record = record
        self._known = _read_record(record)
        self._seen: dict[str, list[Any]] = {}
        self._read = 0  # files read because their stamp was not the recorded one
        self._text: str | None = None  # the record to write, once settled
        self._settled = False

    def digest(self, path: str, entry: os.DirEntry[str]) -> bytes:
        """The digest of the file of ``entry`` (``path``: its name relative to the project); raises OSError."""
        now = stamp(entry.stat())
        value = _recorded(self._known.get(path), now)
        if value is None:
            with open(entry.path, "rb") as file:
                value = digest(file.read())
            self._read += 1
        self._seen[path] = [*now, value.hex()]
        return value

    def settle(self) -> None:
        """The files are digested: keep only the text of the record to write (a build holds it while it runs, and
        16,000 rows as values are ten times its size). Once: later calls do nothing."""
        if self._settled:
            return
        if self._read or self._seen.keys() != self._known.keys():  # else the record on disk says it already
            recent = time.time_ns() - self.RECENT_NS
            kept = {path: row for path, row in self._seen.items() if row[1] < recent and row[2] < recent}
            self._text = json.dumps({"format": 1, "files": kept}, separators=(",", ":"))
        self._known, self._seen, self._settled = {}, {}, True

    def save(self) -> None:
        """Write the record of the files digested (nothing when it would say what the one on disk says)."""
        self.settle()
        if self._text is None:
            return
        temporary = self._record.with_name(self._record.name + ".tmp")
        with contextlib.suppress(OSError):
            self._record.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(self._text, encoding="utf-8")
            os.replace(temporary, self._record)


def _read_record(record: Path) -> dict[str, Any]:
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == 1 else None
    return files if isinstance(files, dict) else {}


def _recorded(row: object, stamp: list[int]) -> bytes | None:
    """The digest a record's ``row`` gives for a file of ``stamp``, or None (another stamp, or not a row we wrote)."""
    if not isinstance(row, list) or len(row) != 5 or row[:4] != stamp or not isinstance(row[4], str) or len(row[4]) != 2 * SIZE:
        return None
    try:
        return bytes.fromhex(row[4])
    except ValueError:
        return None


def feed_tree(into: hashlib.blake2b, root: Path, base: Path, stamps: Stamps | None = None) -> None:
    """Feed ``into`` with every file under ``root`` (by path relative to ``base`` and content digest), in name order,
    hidden files and ``__pycache__`` left out; a symbolic link counts by its target, an unreadable file as such.
    With ``stamps``, a file whose stamp is recorded there is not read again."""
    if root.is_dir():
        _feed_folder(into, os.fspath(root), root.relative_to(base).as_posix() + "/" if root != base else "", stamps)


def _feed_folder(into: hashlib.blake2b, folder: str, prefix: str, stamps: Stamps | None) -> None:
    """:func:`feed_tree` on strings (a project of 10,000 items has 16,000 files: no Path per file)."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir(follow_symlinks=False):
            _feed_folder(into, entry.path, prefix + entry.name + "/", stamps)
        elif entry.is_file(follow_symlinks=False) or entry.is_symlink():
            into.update((prefix + entry.name).encode() + b"\0")
            try:
                if entry.is_file() and stamps is not None:
                    into.update(stamps.digest(prefix + entry.name, entry))
                elif entry.is_file():
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


def inputs_digest(project: Path, options: str, head: str, stamps: Stamps | None = None) -> str:
    """A digest of everything a build reads: sources, templates, configuration, eccpsite's own code, options, git HEAD.
    With ``stamps``, the digests of the project's files are taken from there where their stamps are unchanged (the
    caller saves them once the build they are for is done: a failed build writes nothing)."""
    into = hasher()
    into.update(f"{options}\0{head}\0".encode() + code_digest())
    for name in layout.INPUTS:
        target = project / name
        if target.is_file():
            into.update(name.encode() + b"\0" + target.read_bytes())
        else:
            feed_tree(into, target, project, stamps)
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
