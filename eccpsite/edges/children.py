"""Child processes that end with the build: Pagefind runs and forked workers, however the build ends.

A build that ends normally or with an error waits for its children; one that
is killed (SIGKILL leaves it no time to clean up) must not leave them
running, writing into folders the next build then finds half full. On Linux
each child asks the kernel for SIGKILL when its parent goes
(``PR_SET_PDEATHSIG``): a forked worker asks in its initializer
(:func:`die_with_parent`), and a program such as Pagefind is started through
``setpriv --pdeathsig KILL`` (util-linux), which asks and then runs it, so no
Python code runs between fork and exec in a build with threads. Without
``setpriv`` or on another system the program is started directly, and the
build lock (eccpsite.edges.buildlock) keeps the next build from starting while a
forked worker still runs; Ctrl-C reaches every process of the terminal's
process group, the children included.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import TypeVar

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker process (a pool's initializer): be killed when the process ``parent`` ends, and leave Ctrl-C and
    SIGTERM to it (it ends its workers; they would print a traceback each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):  # not Linux: the build ends its pool on every exit it can see
        return
    if os.getppid() != parent:  # the build ended before the request was made
        os._exit(1)


T = TypeVar("T")
R = TypeVar("R")


def map_on_cores(work: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
    """``work`` of each chunk, in order, on every core: a pool of workers that die with this process, forked (the
    fastest) unless this process runs other threads (the dev server), which makes forking unsafe."""
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(work, chunks)


@lru_cache(maxsize=1)
def _setpriv() -> str | None:
    """``setpriv``, if it is there and knows ``--pdeathsig`` (util-linux 2.33 and later)."""
    found = shutil.which("setpriv")
    if found is None:
        return None
    try:
        done = subprocess.run([found, "--pdeathsig", "KILL", "--", "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return found if done.returncode == 0 else None


def command(argv: Sequence[str]) -> list[str]:
    """``argv`` as a command that is killed when the process that starts it ends (see the module's docstring)."""
    setpriv = _setpriv()
    return [setpriv, "--pdeathsig", "KILL", "--", *argv] if setpriv else list(argv)
