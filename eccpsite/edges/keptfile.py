"""Files a build keeps in its cache and puts into a later output by hard link, checked before each use.

A kept file and the output's file are then one file on disk, so a file edited
in place in an output is edited in the cache too. Whoever keeps a file records
what it was (:class:`FileState`); :func:`link_kept` puts it in place only if it
still is that file. Writes never go through such a link: the writer always
makes a new file.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass

from eccpsite.edges.fingerprint import digest


@dataclass(frozen=True, slots=True)
class FileState:
    """What a file was when a build kept it: its size, modification time and digest (eccpsite.edges.fingerprint.digest)."""

    size: int
    mtime_ns: int
    digest: bytes

    @classmethod
    def from_row(cls, row: object) -> tuple[str, FileState]:
        """A ``[path, size, mtime_ns, hex digest]`` row of a cache's index; raises ValueError for any row a build could
        not have written (such an index is not trusted: a path outside the cache, values of the wrong type)."""
        if not isinstance(row, list) or len(row) != 4:
            raise ValueError("not a file row")
        path, size, mtime_ns, hex_digest = row
        if not safe_path(path) or type(size) is not int or type(mtime_ns) is not int or not isinstance(hex_digest, str):
            raise ValueError(f"not a file row: {row!r}")
        return path, cls(size, mtime_ns, bytes.fromhex(hex_digest))

    def row(self, path: str) -> list[object]:
        """The row of :meth:`from_row`."""
        return [path, self.size, self.mtime_ns, self.digest.hex()]

    @classmethod
    def of(cls, path: str) -> FileState:
        """The state of the file at ``path`` now (its bytes are read for the digest)."""
        found = os.lstat(path)
        with open(path, "rb") as file:
            return cls(found.st_size, found.st_mtime_ns, digest(file.read()))

    def describes(self, path: str) -> bool:
        """Whether the file at ``path`` is still this one: the same size and time (the usual case), or else the same
        bytes (a cache restored by copying files without their times)."""
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size != self.size:
            return False
        if found.st_mtime_ns == self.mtime_ns:
            return True
        with open(path, "rb") as file:
            return digest(file.read()) == self.digest


def safe_path(path: object) -> bool:
    """A relative path that stays inside the folder it is relative to."""
    return isinstance(path, str) and bool(path) and not path.startswith("/") and ".." not in path.split("/") and "\\" not in path and "\0" not in path


def link_kept(source: str, target: str, kept: FileState) -> bool:
    """Put the kept file ``source`` at ``target`` if it still is ``kept``: a hard link where the file system allows
    it, else a copy. False if it is not (or cannot be read)."""
    try:
        if not kept.describes(source):
            return False
        try:
            os.link(source, target)
        except OSError:  # another file system, or no hard links there
            shutil.copy2(source, target)
    except OSError:
        return False
    return True
