"""Writing the imported items: each into ``content/<kind>/``, checked by the build's parser, never over a file, nothing twice.

An item whose old address the project holds already (an alias, or an
item's address) was imported before and is skipped, so a second run writes
nothing; a file the build would refuse is never written, and the reasons go
to the :class:`~eccpsite.importers.common.Report`. Apart from the mapping of
values (:mod:`front_matter`) because this is the only part that touches
the project.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eccpsite.core import urls
from eccpsite.core.content import parse_content, parse_file
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.source import Source
from eccpsite.edges.reader import read_sources
from eccpsite.importers.common import Found, Report
from eccpsite.importers.front_matter import front_matter, item_text
from eccpsite.outputs.redirects import page_url


@dataclass
class Existing:
    """What the project holds already: each old address (an alias or an item's address) and each file's slug."""

    addresses: dict[str, str] = field(default_factory=dict)  # page url of an address → the file that has it
    files: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, project: Path) -> Existing:
        found = cls()
        content = parse_content(read_sources(project))
        for item in content.items:
            found.add(item)
        if (project / "content").is_dir():
            found.files.update(p.relative_to(project).as_posix() for p in (project / "content").rglob("*.md"))
        return found

    def add(self, item: Item) -> None:
        self.addresses.setdefault(page_url(urls.item_url(item.kind, item.slug)), item.path)
        for alias in item.aliases:
            self.addresses.setdefault(page_url(alias.path), item.path)


def _claimed(item: Found, existing: Existing) -> str | None:
    """The file of the project that has an old address of ``item`` already (it was imported before), or None."""
    for address in [item.old, *item.aliases]:
        if address and page_url(address) in existing.addresses:
            return existing.addresses[page_url(address)]
    return None


def file_name(kind: str, slug: str, when: dt.date | dt.datetime | None) -> str:
    """``content/news/2019-05-14-<slug>.md`` for news (as the site's own news are named), ``content/<kind>/<slug>.md`` else."""
    day = when.date() if isinstance(when, dt.datetime) else when
    prefix = f"{day.isoformat()}-" if kind == "news" and day is not None else ""
    return f"content/{kind}/{prefix}{slug}.md"


def _free_slug(item: Found, existing: Existing) -> str | None:
    """A slug no file and no address of the project has: the item's, else with -2, -3 … (None: take none, for an
    item without an old address, whose slug is all that tells a second run it is there)."""
    for n in range(1, 100):
        slug = item.slug if n == 1 else f"{item.slug}-{n}"
        path = file_name(item.kind, slug, item.when)
        if path not in existing.files and page_url(urls.item_url(item.kind, slug)) not in existing.addresses:
            return slug
        if item.old is None:
            return None
    return None


class ImportInterrupted(Exception):
    """Ctrl-C (or SIGTERM) stopped the import while it wrote: what it wrote by then (each file whole) is in ``report``."""

    def __init__(self, report: Report) -> None:
        super().__init__("interrupted")
        self.report = report

    def line(self) -> str:
        """What the command says: what was written, and how to finish."""
        if not self.report.written and not self.report.media:
            return "nothing was written"
        media = f" and {len(self.report.media)} file(s) into content/media/" if self.report.media else ""
        return f"wrote {len(self.report.written)} whole item(s){media} before it stopped; run the same import again to add the rest (nothing is imported twice)"


def write_items(project: Path, found: Iterable[Found], report: Report) -> Report:
    """Write each item into ``content/<kind>/<slug>.md``, never over a file; an item already imported (its old
    address is an alias or an address of the project) is skipped, so a second run writes nothing. Interrupted, it
    raises :class:`ImportInterrupted` with what it wrote: each file is whole (see :func:`_create`)."""
    try:
        return _write_all(project, found, report)
    except KeyboardInterrupt:
        raise ImportInterrupted(report) from None


def _write_all(project: Path, found: Iterable[Found], report: Report) -> Report:
    existing = Existing.of(project)
    for item in found:
        holder = _claimed(item, existing)
        if holder is not None:
            report.already.append((item.origin, holder))
            continue
        slug = _free_slug(item, existing)
        if slug is None:
            why = f"an item with its address (/{item.kind}/{item.slug}/) is there already; it has no old address to tell them apart"
            report.skipped.append((item.origin, why))
            continue
        item.slug = slug
        written = _write(project, item, report)
        if written is not None:
            existing.add(written)
            existing.files.add(written.path)
    return report


def _write(project: Path, item: Found, report: Report) -> Item | None:
    """Write one item after the build's parser has read it; the parsed item, or None (skipped, with the errors)."""
    rel = file_name(item.kind, item.slug, item.when)
    meta, common = front_matter(item)
    text = item_text(meta, item.body)
    parsed = parse_file(item.kind, Source(rel, text))
    if not isinstance(parsed, Item):
        errors: list[ContentError] = parsed[0]
        report.skipped.append((item.origin, "the build would refuse it: " + "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors)))
        return None
    target = project / rel
    if target.exists():
        report.skipped.append((item.origin, f"{rel} exists already"))
        return None
    for name, source in item.media.items():  # the pictures first: an item is never written without them
        with _whole():
            if _create(project / name, functools.partial(shutil.copyfile, source)):
                report.media.append(name)
    with _whole():
        created = _create(target, lambda temporary: temporary.write_text(text, encoding="utf-8"))  # never over a file, even one made since the check
        if created:
            report.written.append(rel)
    if not created:
        report.skipped.append((item.origin, f"{rel} exists already"))
        return None
    if item.extra:
        report.unmapped.append((rel, sorted(item.extra)))
    report.notes.extend((rel, note) for note in item.notes)
    for note in common:
        report.common.setdefault(note, []).append(rel)
    return parsed


@contextmanager
def _whole() -> Iterator[None]:
    """Ctrl-C waits for the end of the block: a file, its temporary file's removal and the report of it happen
    together or not at all (an interrupt between two of them left a hidden ``.importing`` file, or a file the
    report did not name). Only where Ctrl-C raises KeyboardInterrupt: in the main thread, under Python's own
    handler (a process started with SIGINT ignored goes on ignoring it)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


def _create(target: Path, write: Callable[[Path], object]) -> bool:
    """Make ``target`` whole or not at all, and never over a file: ``write`` fills a hidden temporary file beside it
    (the reader skips hidden files), which is then linked to its name — one step, which fails when a file has it.
    False when ``target`` exists. A file system without hard links gets the temporary file renamed instead."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.importing")
    try:
        write(temporary)
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK) or target.exists():
                raise
            os.rename(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return True
