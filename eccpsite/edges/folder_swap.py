"""Folders a build makes beside its output, and the swap that puts a finished one in place: an edge, under the writer.

Every folder a build makes carries the marker file from the moment it is made,
and a name no other build uses (``.OUT.staging-<random>``); a folder without
the marker is never removed, whatever its name (rsync and dpkg never delete
what they did not create). A marked folder is removed with its marker last, so
a removal cut short by a kill still says who made what is left.

The swap is one step where the system allows it: ``renameat2`` with
``RENAME_EXCHANGE`` (Linux 3.15, glibc 2.28; ext4, tmpfs, XFS, Btrfs ...)
exchanges the finished folder and the output at once, so the output is never
missing. Elsewhere (another system, a file system without it, such as some
network mounts) two renames are the fallback: the output is moved aside to
``.OUT.old-<random>``, the new folder renamed in. A kill between the two
leaves the output missing until the next build, which puts the old one back
before it starts (:func:`clear_leftovers`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

from eccpsite.core import layout

MARKER = ".eccpsite-build"
MARKER_TEXT = "made by eccpsite; this whole folder is replaced by each build\n"
STAGING, RETIRED = "staging", "old"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def is_made(folder: Path) -> bool:
    """Whether ``folder`` is a folder (not a link to one) that a build of eccpsite made: it holds the marker file."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def _sibling(output: Path, kind: str, tag: str) -> Path:
    return output.parent / f".{output.name}.{kind}-{tag}"


def make_folder(output: Path, kind: str = STAGING) -> Path:
    """A new empty folder beside ``output`` with a name of its own (``.OUT.<kind>-<random>``), marked as eccpsite's."""
    output.parent.mkdir(parents=True, exist_ok=True)
    while True:
        folder = _sibling(output, kind, os.urandom(6).hex())
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        break
    try:
        (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except BaseException:
        folder.rmdir()
        raise
    return folder


def remove_made(folder: Path) -> None:
    """Remove ``folder`` if eccpsite made it: everything in it, then the marker, then the folder. A folder without
    the marker is only removed when it is empty (one a build made and was killed before it marked it)."""
    if not is_made(folder):
        with contextlib.suppress(OSError):
            folder.rmdir()
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    (folder / MARKER).unlink()
    folder.rmdir()


def leftovers(output: Path, kind: str) -> list[Path]:
    """The folders of ``kind`` that builds into ``output`` made and left behind (killed before they cleaned up)."""
    pattern = os.path.join(glob.escape(os.fspath(output.parent)), glob.escape(f".{output.name}.{kind}-") + "*")
    return sorted(Path(found) for found in glob.glob(pattern, include_hidden=True))


def clear_leftovers(output: Path) -> None:
    """Before a build (which holds the build lock, so no other build is using them): put back an output a kill left
    moved aside, and remove the staging and old folders earlier builds made and left. Unmarked folders stay."""
    retired = [folder for folder in leftovers(output, RETIRED) if is_made(folder)]
    if retired and not os.path.lexists(output):
        os.rename(retired.pop(), output)  # killed between the two renames of the fallback: the old output goes back
    for folder in [*leftovers(output, STAGING), *retired]:
        with contextlib.suppress(OSError):  # best effort: what is left is removed by the next build
            remove_made(folder)


@lru_cache(maxsize=1)
def _renameat2() -> Any:
    """libc's ``renameat2``, or None where there is none (not Linux, or a C library older than glibc 2.28)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Exchange two folders in one atomic step; False where the system or the file system cannot (nothing is done then)."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # no such call, or not on this file system
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def put_in_place(folder: Path, output: Path) -> None:
    """Make the finished ``folder`` the ``output``, in one step where the system allows it, and remove the old output.

    On failure nothing has moved (the caller removes ``folder``). Once the new
    output is in place, the old one is removed; a failure there is left to the
    next build (:func:`clear_leftovers`).
    """
    if not os.path.lexists(output):
        os.rename(folder, output)
        return
    if exchange(folder, output):
        retired = folder  # it now holds the old output
    else:
        retired = _sibling(output, RETIRED, os.urandom(6).hex())
        os.rename(output, retired)
        try:
            os.rename(folder, output)
        except BaseException:
            os.rename(retired, output)
            raise
    with contextlib.suppress(OSError):
        remove_made(retired)


class OutputRefused(Exception):
    """The output folder is not one eccpsite may replace."""


# Folders of a project an output may never be in: the build reads them, or keeps its cache there.
SOURCE_FOLDERS = (layout.CONTENT, layout.TEMPLATES, "static", ".git", layout.CACHE)


def check_output_folder(output: Path, project: Path) -> None:
    """Refuse an output folder that holds the project or lies inside one of its source folders, or that eccpsite did not make."""
    output, project = output.resolve(), project.resolve()
    if output == project or output in project.parents:
        raise OutputRefused(f"{output} would overwrite the project itself; choose a folder such as build/")
    for name in SOURCE_FOLDERS:
        source = project / name
        if output == source or source in output.parents:
            raise OutputRefused(f"{output} is inside the project's {name}/ folder, which the build reads; choose a folder such as build/")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())):
        raise OutputRefused(f"{output} exists and was not made by eccpsite; refusing to replace it (remove it or choose another folder)")
