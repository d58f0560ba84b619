"""One build at a time per project and per output folder: advisory locks, an edge of the build.

A build holds two ``fcntl.flock`` locks from its first read to its last write:
``.cache/build.lock`` in the project (the build cache, the Markdown cache, the
kept output; the file says which process holds it) and the folder that holds
the output folder (two projects built into one output; no file is made there,
so builds into two folders side by side take turns too). A second build waits for them with a message, or fails at
once (``--no-wait``). The kernel lets go of a lock when the last process that
holds it ends, however it ends: a lock left by a killed build is taken over
by the next one without a question. The forked workers of a build hold its
locks too (they share its open files), so a build killed with its workers
still running is only followed once they are gone. A file system without
locks (some network mounts) is used without them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

PROJECT_LOCK = "build.lock"  # in the project's cache folder


class Busy(Exception):
    """Another build holds a lock and the build was asked not to wait (``--no-wait``)."""


def output_lock(output: Path) -> Path:
    """What builds into ``output`` lock: the folder it is in (never swapped, unlike the output itself), made if missing."""
    parent = output.resolve().parent
    if parent.exists() and not parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _holder(fd: int) -> str:
    """What the lock file says of the build holding it (its process id), or ''."""
    with contextlib.suppress(OSError, ValueError):  # a folder cannot be read: ''
        text = os.pread(fd, 64, 0).decode("ascii").strip()
        return f" (process {int(text)})" if text else ""
    return ""


@contextlib.contextmanager
def _locked(path: Path, what: str, wait: bool, notice: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of ``path`` (a lock file, made if missing, or a folder) for the block; ``what`` names what it
    protects in the messages."""
    folder = path.is_dir()
    if folder:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise Busy(f"another build{holder} is running for {what}; try again when it has finished, or leave out --no-wait to wait for it") from None
            notice(f"eccpsite: waiting for another build{holder} of {what} to finish (Ctrl-C to stop waiting)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
        if not folder:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # lets go of the lock (once the workers that share the file are gone too)


@contextlib.contextmanager
def held(locks: Sequence[tuple[Path, str]], wait: bool = True, notice: Callable[[str], None] = print) -> Iterator[None]:
    """Hold every lock of ``locks`` (``(lock file, what it protects)``, always taken in the same order) for the block.

    Raises :class:`Busy` at once when one is held and ``wait`` is false; else
    says so through ``notice`` and waits.
    """
    with contextlib.ExitStack() as stack:
        for path, what in locks:
            stack.enter_context(_locked(path, what, wait, notice))
        yield
