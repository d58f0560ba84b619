"""Watching the project for saves: watchdog's events, gathered into bursts.

An editor's save is often several events (truncate, write, close; or write a
temporary file and rename it), and ``git checkout`` is hundreds. The watcher
collects the project-relative paths of a burst — until no event came for
:data:`QUIET` seconds, or :data:`LONGEST` seconds after its first event — and
hands them to one callback, from one thread, one burst at a time; events that
arrive while the callback runs make the next burst.

A file whose writer has closed it (or that was renamed into place, or deleted)
is complete: when every path of a burst is, the burst ends after only
:data:`SETTLED` seconds without an event, which takes most of the wait out of
an ordinary save.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from eccpsite.core.layout import OTHER, classify, watched
from eccpsite.serve.rebuild import relative

QUIET = 0.02  # seconds without an event that end a burst
SETTLED = 0.003  # the same, once every file of the burst is complete (closed, renamed or deleted)
LONGEST = 0.25  # a burst never waits longer than this after its first event
_IGNORED_EVENTS = {"opened", "closed_no_write"}
_WRITING = {"created", "modified", "attrib"}  # the file may still be being written


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED_EVENTS or (event.is_directory and event.event_type == "modified"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                writing = event.event_type in _WRITING and not event.is_directory and raw == event.src_path
                self.watcher.notice(raw if isinstance(raw, str) else raw.decode(), writing)


class Watcher:
    """Calls ``on_changes(paths)`` after each burst of changes to content/, templates/ or site.yaml."""

    def __init__(self, project: Path, on_changes: Callable[[set[str]], None], quiet: float = QUIET, longest: float = LONGEST) -> None:
        self.project = project.resolve()
        self.on_changes = on_changes
        self.quiet = quiet
        self.longest = longest
        self._pending: set[str] = set()
        self._writing: set[str] = set()  # pending paths whose last event left them possibly half-written
        self._first = 0.0
        self._last = 0.0
        self._wake = threading.Condition()
        self._stopping = False
        self._observer = Observer()
        self._thread = threading.Thread(target=self._run, name="eccpsite-rebuild", daemon=True)

    def notice(self, path: str, writing: bool = True) -> None:
        """Take one event's path (absolute), and whether the file may still be being written.

        Paths the build never reads are dropped here.
        """
        rel = relative(self.project, path)
        if rel is None or classify(rel) == OTHER:
            return
        with self._wake:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.add(rel)
            (self._writing.add if writing else self._writing.discard)(rel)
            self._last = now
            self._wake.notify()

    def start(self) -> None:
        for folder, recursive in watched(self.project):
            if folder.is_dir():
                self._observer.schedule(_Handler(self), str(folder), recursive=recursive)
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _next_burst(self) -> set[str] | None:
        """Wait for a burst to end; None when stopping."""
        with self._wake:
            while not self._stopping:
                if self._pending:
                    now = time.monotonic()
                    quiet = self.quiet if self._writing else min(self.quiet, SETTLED)
                    ends = min(self._last + quiet, self._first + self.longest)
                    if now >= ends:
                        burst, self._pending, self._writing = self._pending, set(), set()
                        return burst
                    self._wake.wait(ends - now)
                else:
                    self._wake.wait()
        return None

    def _run(self) -> None:
        while (burst := self._next_burst()) is not None:
            self.on_changes(burst)
