"""What the output folder held when a build left it, so that the next build can tell whether it still does: an edge.

A build that finds its inputs unchanged does nothing ("up to date"), and one
that finds them unchanged since a kept build puts that build back. Both trust
the output folder only as far as it is checked: after each build the last
build's record (eccpsite.incremental.snapshot) holds every file of the output with its size, modification time,
change time and inode (:func:`listing`), and the up-to-date path compares the
folder with that record (:func:`differences`): a file deleted, added or
replaced, or written since, shows. The change time is the one field of a file
that only the kernel sets: a file edited in place keeps its size and may get
its modification time back (``touch -r``, an editor's "preserve times"), but
both the write and the restored time move its change time. A file whose
metadata moved but whose bytes are the digest the build kept of it (a
``chmod``, a copy that kept nothing) is the build's file still.

At 10,000 items (about 30,000 files) the comparison is one ``lstat`` per file;
the figures are in docs/architecture.md. The record itself (``index.json``
beside the kept files) is read here too (:func:`load_head`), so that the
up-to-date check (eccpsite.uptodate) needs nothing of the build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eccpsite.core.errors import ContentError
from eccpsite.core.layout import CACHE_OUTPUT
from eccpsite.edges.fingerprint import Stamp, digest, stamp
from eccpsite.edges.folder_swap import MARKER
from eccpsite.edges.keptfile import FileState


def walk_files(root: str) -> Iterator[tuple[str, str]]:
    """Every regular file under ``root`` but the marker, as (path relative to root, file); symbolic links are not followed."""
    for path, entry in _entries(root):
        yield path, entry.path


def _entries(root: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """:func:`walk_files` with each file's directory entry (one loop, not a generator per folder: 25,000 folders at 10,000 items)."""
    folders = [(root, "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + entry.name + "/"))
                elif entry.is_file(follow_symlinks=False) and (prefix or entry.name != MARKER):
                    yield prefix + entry.name, entry


def listing(output: str) -> dict[str, Stamp]:
    """Each file of the output folder with its :data:`Stamp`, as the last build's record keeps it (JSON)."""
    return {path: stamp(entry.stat(follow_symlinks=False)) for path, entry in _entries(output)}


@dataclass(frozen=True)
class Differences:
    """How the output folder differs from what the last build left there."""

    missing: tuple[str, ...] = ()  # files it wrote that are gone (deleted by hand, a folder removed)
    edited: tuple[str, ...] = ()  # files whose bytes are not what it wrote (or cannot be told to be)
    added: tuple[str, ...] = ()  # files it did not write
    touched: tuple[str, ...] = ()  # files whose metadata moved but whose bytes are the same

    def __bool__(self) -> bool:
        return bool(self.missing or self.edited or self.added)

    def paths(self) -> tuple[str, ...]:
        """Every file that makes the output not the build's, sorted."""
        return tuple(sorted((*self.missing, *self.edited, *self.added)))


def differences(output: str, recorded: object, kept_digest: Callable[[str], bytes | None]) -> Differences | None:
    """How ``output`` differs from the ``recorded`` :func:`listing`; None when ``recorded`` is not one (a record of
    an older build: no shortcut then). A file whose stamp differs is read and compared with ``kept_digest(path)``,
    the digest the build kept of it (None: not known, so it counts as edited)."""
    if not isinstance(recorded, dict):
        return None
    edited, added, touched = [], [], []
    present: set[str] = set()
    for path, entry in _entries(output):
        present.add(path)
        was = recorded.get(path)
        if was is None:
            added.append(path)
            continue
        found = entry.stat(follow_symlinks=False)
        if stamp(found) == was:
            continue
        known = kept_digest(path)
        if known is not None and isinstance(was, list) and found.st_size == was[0] and _digest_of(entry.path) == known:
            touched.append(path)
        else:
            edited.append(path)
    missing = [path for path in recorded if path not in present] if len(present) - len(added) != len(recorded) else []
    return Differences(tuple(sorted(missing)), tuple(edited), tuple(added), tuple(touched))


def _digest_of(file: str) -> bytes:
    with open(file, "rb") as handle:
        return digest(handle.read())


def forget_edited(cache: str, files: list[str]) -> int:
    """Remove from the folder ``cache`` every file that is one of ``files`` (the same inode): files of the output edited
    in place whose kept copies are hard links to them, so edited too, whatever their recorded size and time say.
    The caches then make those files again. The number removed."""
    edited = set()
    for file in files:
        found = os.lstat(file)
        if found.st_nlink > 1:
            edited.add((found.st_dev, found.st_ino))
    removed = 0
    if not edited or not os.path.isdir(cache):
        return removed
    for _, kept in walk_files(cache):
        found = os.lstat(kept)
        if (found.st_dev, found.st_ino) in edited:
            os.unlink(kept)
            removed += 1
    return removed


# --- the last build's record of its output (beside the kept files, eccpsite.incremental.snapshot) -------------

FORMAT = 7  # 7: the record of the output folder; 6: records of the engine (eccpsite.incremental.engine)
INDEX = "index.json"  # what restoring the whole output, or leaving it alone, needs


@dataclass(frozen=True)
class Head:
    """What the up-to-date check reads of the last build's record: when it holds, where it left its output and what
    that folder held then. The files it kept are checked only when they are needed (by
    eccpsite.incremental.snapshot.load, or one by one: :meth:`digest_of`): a build that finds nothing changed does
    not check 46,000 rows at 10,000 items."""

    root: Path
    fingerprint: str
    now: dt.datetime
    until: dt.datetime | None
    warnings: tuple[ContentError, ...]
    output: str  # the output folder the last build left these files in (resolved)
    listing: object  # each file of that folder with its stamp then (eccpsite.incremental.output_state.listing)
    rows: list[Any] = field(repr=False)  # the kept files, as the index has them (checked by :func:`load`)

    def covers(self, fingerprint: str, now: dt.datetime) -> bool:
        """Whether a build of the inputs ``fingerprint`` at ``now`` would make exactly these files: the same inputs,
        and no status change due between the last build's "now" and this one."""
        return self.fingerprint == fingerprint and self.now <= now and (self.until is None or now < self.until)

    def left_in(self, output: Path) -> bool:
        """Whether the last build left these files in ``output`` (which may have changed since: see ``listing``)."""
        return self.output == str(output.resolve())

    def digest_of(self, path: str) -> bytes | None:
        """The digest of the kept file of the output's ``path``; None when it is not one (or its row is not one this
        module wrote)."""
        row = self._rows_by_path.get(path)
        try:
            return FileState.from_row(row)[1].digest if row is not None else None
        except ValueError:
            return None

    @functools.cached_property
    def _rows_by_path(self) -> dict[str, Any]:
        return {row[0]: row for row in self.rows if isinstance(row, list) and row and isinstance(row[0], str)}


def folder(project: Path) -> Path:
    """Where the last build's output is kept, with its record."""
    return project / CACHE_OUTPUT


def load_head(project: Path) -> Head | None:
    """What the last build recorded, its kept files unchecked; None when there is none or its index is not one this
    module wrote."""
    root = folder(project)
    try:
        data = json.loads((root / INDEX).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or not isinstance(data["files"], list):
            return None
        warnings = tuple(ContentError(str(p), int(line), str(field), str(message), warning=True) for p, line, field, message in data["warnings"])
        until = dt.datetime.fromisoformat(data["until"]) if data["until"] else None
        now = dt.datetime.fromisoformat(data["now"])
        return Head(root, str(data["fingerprint"]), now, until, warnings, str(data["output"]), data["listing"], data["files"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def record_output(project: Path, output: Path) -> None:
    """Record that the kept files are what ``output`` holds now (after they were put back there, or after its files'
    times moved with their bytes unchanged), for the next build's up-to-date check."""
    root = folder(project)
    with contextlib.suppress(OSError, ValueError):
        write_index(root, json.loads((root / INDEX).read_text(encoding="utf-8")), output)


def write_index(root: Path, index: dict[str, Any], output: Path, stamps: dict[str, Stamp] | None = None) -> None:
    """Write the index with the record of ``output`` as it is now (its ``stamps``, when the caller just took them:
    :func:`listing`); the index is replaced whole, never cut short."""
    index = {**index, "output": str(output.resolve()), "listing": listing(os.fspath(output)) if stamps is None else stamps}
    temporary = root / f"{INDEX}.tmp"
    temporary.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, root / INDEX)
