"""The build's clock: the moment a build is of (``--now``, ``SOURCE_DATE_EPOCH``, the clock) and the time its stages
take (``--timings``): an edge, as both read the machine's clocks or its environment."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator

from eccpsite.core.dates import parse_now
from eccpsite.core.errors import UsageError


def resolve_now(raw: str | None, tz: dt.tzinfo) -> dt.datetime:
    """The moment of the build: ``--now``, else ``SOURCE_DATE_EPOCH``, else the clock."""
    if raw:
        return parse_now(raw, tz)  # type: ignore[arg-type]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {epoch!r}") from None
    return dt.datetime.now(tz)


def takes_the_clock(raw: str | None) -> bool:
    """Whether a build's moment is the clock's (neither ``--now`` nor ``SOURCE_DATE_EPOCH`` fixes it)."""
    return not raw and not os.environ.get("SOURCE_DATE_EPOCH")


class Timings:
    """Where a build's time went (``eccpsite build --timings``): per stage, in order, the wall-clock seconds and the
    CPU seconds of the build process and of the worker processes and Pagefind runs it waited for."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, float]] = []

    @staticmethod
    def mark() -> tuple[float, float]:
        """The wall-clock and CPU time now, for :meth:`since`."""
        return time.perf_counter(), _cpu_seconds()

    def since(self, name: str, mark: tuple[float, float]) -> None:
        """Note stage ``name`` as the time from ``mark`` to now."""
        wall, cpu = mark
        self.stages.append((name, time.perf_counter() - wall, _cpu_seconds() - cpu))

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        mark = self.mark()
        try:
            yield
        finally:
            self.since(name, mark)


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that ended and were waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system
