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
the figures are in docs/architecture.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eccpsite.edges.fingerprint import digest
from eccpsite.edges.folder_swap import MARKER

Stamp = list[int]  # size, modification time (ns), change time (ns), inode: a list, as the record keeps it (JSON)


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


def stamp(found: os.stat_result) -> Stamp:
    """A file's :data:`Stamp`, from its ``lstat``."""
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino]


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
