"""The last good build's output, kept in the cache for the builds after it: an edge, beside the writer.

After each build, ``.cache/output/`` holds the files of the output as hard
links (the bytes are stored once; copies where the cache lies on another
file system) and an index: each file's size and modification time, the
fingerprint of the inputs that made them and the moments between which that
build holds, its warnings, and the key of
each page (the engine's records, :mod:`eccpsite.incremental.engine`). The index is also the one record of what the last build left in the output
folder (its path, and each file's stamp: :func:`eccpsite.incremental.output_state.listing`).
The next build takes from it in three ways:

- **nothing changed** (same fingerprint, no status change due since) and the
  output folder is what the record says: nothing to do ("up to date");
- **nothing changed**, but the output folder is not there or not the build's:
  the whole output is linked into a staging folder and swapped in, which is
  what a deploy with a restored build cache usually finds;
- **something changed**: each page whose key is unchanged is linked into
  place instead of rendered.

A hard link is the very file of the output, so a file edited in place there
would be edited here too: every file is checked against the size and
modification time recorded when it was kept, or, when only its time differs
(a build cache restored by copying files without their times), against the
digest of its bytes; one that differs is never used (its page is rendered; a
whole restore gives way to a build). The index
is JSON, data and never code, and is checked for shape: anything unexpected
and the snapshot is ignored, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from eccpsite.core.errors import ContentError
from eccpsite.core.urls import output_path
from eccpsite.edges.fingerprint import Stamp, digest, stamp
from eccpsite.edges.keptfile import FileState
from eccpsite.incremental import output_state
from eccpsite.incremental.engine import Record
from eccpsite.incremental.output_state import FORMAT, INDEX, Head, walk_files
from eccpsite.incremental.writer import Staging, Written
from eccpsite.outputs.links import PageLinks
from eccpsite.outputs.render import Output, Reused

PAGES = "pages.json"  # what reusing single pages needs


@dataclass(frozen=True)
class Snapshot(Head):
    """The kept output of the last build: where its files are, and what they were when kept."""

    files: dict[str, FileState] = field(default_factory=dict)  # output path → what the file was when kept (its rows, checked)

    def digest_of(self, path: str) -> bytes | None:
        state = self.files.get(path)
        return state.digest if state is not None else None

    def source(self, path: str) -> str:
        """The kept file of the output's ``path`` (a string: a build asks for thousands)."""
        return os.path.join(self.root, "files", path)


def load(project: Path, head: Head | None = None) -> Snapshot | None:
    """The snapshot of the last build (from its ``head``, when it was read already), or None when there is none or
    its index is not one this module wrote."""
    head = head if head is not None else output_state.load_head(project)
    if head is None:
        return None
    try:
        files = dict(map(FileState.from_row, head.rows))  # raises ValueError for an index this module did not write
    except ValueError:
        return None
    return Snapshot(**{f.name: getattr(head, f.name) for f in fields(Head) if f.name != "rows"}, rows=[], files=files)


class Stale(Exception):
    """A kept file is not what the last build wrote (edited, or gone): the snapshot cannot stand for that build."""


def restore(snapshot: Snapshot, folder: Staging) -> int:
    """Link every kept file into the staging folder; the number of files. Raises :class:`Stale` if one changed since."""
    failed = folder.link_all(snapshot.root / "files", snapshot.files.items())
    if failed is not None:
        raise Stale(failed)
    return len(snapshot.files)


class KeptPages:
    """The engine's store in a build (eccpsite.incremental.engine.Store): the records of the last build's pages and
    whole stages, read from the snapshot, whose files are linked into the staging folder when reused."""

    def __init__(self, snapshot: Snapshot | None, folder: Staging | None) -> None:
        self._snapshot = snapshot
        self._folder = folder
        self.pages: dict[str, Record[Written]] = {}
        self.stages: dict[str, list[Record[Written]]] = {}
        self.base = b""  # the base of those records (eccpsite.incremental.engine.Fingerprints.base)
        if snapshot is not None:
            self._read(snapshot)

    def _read(self, snapshot: Snapshot) -> None:
        """The records of ``pages.json``, each with the writer's record of its file (none if it is unreadable), marked
        ``kept``: what a build yields in its place is the kept file (:meth:`reuse`)."""
        try:
            data = json.loads((snapshot.root / PAGES).read_text(encoding="utf-8"))
            strings = data["strings"]
            if not all(isinstance(s, str) for s in strings):
                raise TypeError("strings")
            pages: dict[str, Record[Written]] = {}
            stages: dict[str, list[Record[Written]]] = {}
            # what many pages share is made once: their reads (29 kinds for 29,000 pages), their reads' keys, their
            # anchors (314 kinds): 15 MB of a one-edit build at 10,000 items
            shared: dict[Any, Any] = {}
            for url, (key, reads, reads_key, size, hex_digest, indexed, hrefs, warnings, stage, ids) in data["pages"].items():
                anchors = shared.setdefault(("ids", *ids), frozenset(strings[i] for i in ids))
                links = PageLinks(tuple(strings[i] for i in hrefs), tuple((str(h), str(m)) for h, m in warnings), anchors) if hrefs is not None else None
                names = shared.setdefault(("reads", *reads), tuple(strings[i] for i in reads))
                reads_digest = shared.setdefault(reads_key, bytes.fromhex(reads_key))
                written = Written(url, size, bytes.fromhex(hex_digest), bool(indexed), links, bytes.fromhex(key), names, reads_digest, str(stage), kept=True)
                record = Record(url, written.key, names, written.reads_key, written, written.stage)
                if stage:
                    stages.setdefault(stage, []).append(record)
                else:
                    pages[url] = record
            self.pages, self.stages, self.base = pages, stages, bytes.fromhex(data["base"])
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return

    def last(self, url: str) -> Record[Written] | None:
        return self.pages.get(url)

    def last_stage(self, name: str) -> list[Record[Written]]:
        return self.stages.get(name, [])

    def reuse(self, record: Record[Written], made_of: Any = None) -> Reused | None:
        """Link the kept file of a page into the staging folder; None if it changed since it was kept."""
        if self._snapshot is None or self._folder is None:
            return None
        path = output_path(record.url)
        known = self._snapshot.files.get(path)
        if known is None or not self._folder.link(path, self._snapshot.source(path), known):
            return None
        return Reused(record.url, record.made)

    def read(self, url: str) -> bytes | None:
        """The bytes of the kept file of the page at ``url``, if they are still those it was kept with (the dev
        server's first build takes them: eccpsite.incremental.memory); None otherwise."""
        path = output_path(url)
        known = self._snapshot.files.get(path) if self._snapshot is not None else None
        if known is None or self._snapshot is None:
            return None
        try:
            with open(self._snapshot.source(path), "rb") as file:
                data = file.read()
        except OSError:
            return None
        return data if digest(data) == known.digest else None

    def keep(self, record: Record[Output], context: Any) -> Output:
        """The output with its record, which the writer keeps (``Written``) and :func:`take` saves."""
        return dataclasses.replace(record.made, key=record.key, reads=record.reads, reads_key=record.reads_key, stage=record.stage)


def _remove(root: str, path: str) -> None:
    """Remove the file ``path`` under ``root``, and its folders that it leaves empty (never ``root`` itself)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(root, path))
    folder = os.path.dirname(path)
    while folder:
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:  # not empty (or gone)
            return
        folder = os.path.dirname(folder)


def _pages_json(records: Sequence[Written], base: bytes) -> dict[str, Any]:
    strings: dict[str, int] = {}
    pages: dict[str, list[Any]] = {}
    for w in records:
        if not w.key:
            continue
        hrefs = [strings.setdefault(h, len(strings)) for h in w.links.hrefs] if w.links is not None else None
        reads = [strings.setdefault(name, len(strings)) for name in w.reads]
        warnings = [list(pair) for pair in w.links.warnings] if w.links is not None else []
        ids = [strings.setdefault(i, len(strings)) for i in sorted(w.links.ids)] if w.links is not None else []
        pages[w.url] = [w.key.hex(), reads, w.reads_key.hex(), w.size, w.digest.hex(), w.indexed, hrefs, warnings, w.stage, ids]
    return {"format": FORMAT, "base": base.hex(), "strings": list(strings), "pages": pages}


def take(
    project: Path,
    output: Path,
    records: Sequence[Written],
    base: bytes,
    fingerprint: str,
    now: dt.datetime,
    until: dt.datetime | None,
    warnings: Sequence[ContentError],
    last: Snapshot | None,
) -> None:
    """Keep the output just built (``output``) as the snapshot, in place of the last one (``last``, as :func:`load`
    read it before the build: the build lock kept other builds away since).

    The snapshot is brought up to date in place: its index is removed first
    and written last, so a snapshot cut short is never used. A file that is
    already the very file of the output (a page the build took from the
    snapshot) is left as it is; the others are linked anew, and those the
    output no longer has are removed.
    """
    root = output_state.folder(project)
    (root / INDEX).unlink(missing_ok=True)
    if last is None:
        shutil.rmtree(root, ignore_errors=True)  # unknown or no index: start afresh
    kept = os.path.join(root, "files")
    made: set[str] = set()
    known = {output_path(record.url): record.digest for record in records}  # the digests the writer took of what it wrote
    was = last.files if last is not None else {}
    # the pages the build took from here (KeptPages.reuse): their kept files are left as they are, unlooked at
    linked = {output_path(record.url) for record in records if record.kept}
    files: dict[str, FileState] = {}
    stamps: dict[str, Stamp] = {}  # the output's listing (output_state.listing), from the same lstat calls
    for path, source in walk_files(os.fspath(output)):
        found = os.lstat(source)
        if path in linked and path in was:
            files[path] = FileState(found.st_size, found.st_mtime_ns, was[path].digest)
            stamps[path] = stamp(found)
            continue
        target = os.path.join(kept, path)
        try:
            there = os.lstat(target)
            if path in was and there.st_ino == found.st_ino and there.st_dev == found.st_dev:
                files[path] = FileState(found.st_size, found.st_mtime_ns, was[path].digest)
                stamps[path] = stamp(found)
                continue
            os.unlink(target)
        except FileNotFoundError:
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
        try:
            os.link(source, target)
            found = os.lstat(source)  # a new link moves the file's change time
            copy = found
        except OSError:  # another file system: the snapshot holds a copy, with the same modification time
            shutil.copy2(source, target)
            copy = os.lstat(target)
        stamps[path] = stamp(found)
        written = known.get(path)  # None: not a record's (the search index, static files), so it is read
        files[path] = FileState(copy.st_size, copy.st_mtime_ns, written) if written is not None else FileState.of(target)
    for gone in was.keys() - files.keys():
        _remove(kept, gone)
    root.mkdir(parents=True, exist_ok=True)
    (root / PAGES).write_text(json.dumps(_pages_json(records, base), separators=(",", ":")), encoding="utf-8")
    index = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "now": now.isoformat(),
        "until": until.isoformat() if until else None,
        "warnings": [[w.path, w.line, w.field, w.message] for w in warnings],
        "files": [state.row(path) for path, state in files.items()],
    }
    output_state.write_index(root, index, output, stamps)
