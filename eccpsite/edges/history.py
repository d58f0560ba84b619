"""The git history of content files: an edge of the build, like the reader.

A calendar subscriber's client replaces an event it already has only when the
event's ``SEQUENCE`` grows, and feed readers mark an entry as updated by its
date of change; both come from the history of the event's file in git.
:func:`read_history` asks git once for the whole content (``git log -M``, so a
renamed file keeps its history) and returns plain values; only ``build.py`` calls it,
and the rendering core receives its result as an argument, so the core never
runs git and tests can hand it any history they like.

The same log tells the names a file had before a rename (``Revision.former``):
a renamed item's old address redirects to its new one (eccpsite.outputs.redirects).

Uncommitted edits do not count: a revision is a commit. Where there is no
git (a tarball, a missing ``git`` binary) every file simply has no history.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 60  # seconds, for one git command


@dataclass(frozen=True)
class Revision:
    """What git knows about one file: how often it changed, when it was added and last changed."""

    sequence: int  # commits that changed the file after the one that added it (iCalendar SEQUENCE)
    created: dt.datetime  # the commit that added it (UTC)
    modified: dt.datetime  # the latest commit that changed it (UTC)
    former: tuple[str, ...] = ()  # the names git shows the file had before, newest first (eccpsite.outputs.redirects)


History = Mapping[str, Revision]  # project-relative path (content/events/x.md) → its revision


def revision_from_times(times: Iterable[int], former: Iterable[str] = ()) -> Revision | None:
    """A revision from the commit times of a file (seconds since the epoch, any order) and its former names."""
    ordered = sorted(times)
    if not ordered:
        return None
    utc = dt.UTC
    first, last = dt.datetime.fromtimestamp(ordered[0], utc), dt.datetime.fromtimestamp(ordered[-1], utc)
    return Revision(len(ordered) - 1, first, last, tuple(former))


def _git(project: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _times_by_path(log: str) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Commit times per file from ``git log --name-status -M``, following renames to today's names, and the names
    each file had before (newest first).

    The log runs newest first, so when a commit renames ``old`` to ``new``, the
    older commits that name ``old`` belong to whatever ``new`` is called today.
    """
    times: dict[str, list[int]] = {}
    former: dict[str, list[str]] = {}
    renamed: dict[str, str] = {}  # a name in older commits -> its name today
    when = 0
    for line in log.splitlines():
        if line.startswith("\x00"):
            when = int(line[1:])
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        status, names = fields[0], fields[1:]
        today = renamed.get(names[-1], names[-1])
        times.setdefault(today, []).append(when)
        if status.startswith("R") and len(names) == 2:
            renamed[names[0]] = today
            if names[0] != today and names[0] not in former.setdefault(today, []):
                former[today].append(names[0])
    return times, former


def read_history(project: Path, paths: Iterable[str]) -> dict[str, Revision]:
    """The revision of each of ``paths`` (relative to ``project``) that git has committed at least once.

    One ``git log`` for the whole content folder, not one per file: a site of
    10,000 items would otherwise start 10,000 processes.
    """
    wanted = set(paths)
    if not wanted or _git(project, "rev-parse", "--is-inside-work-tree") is None:
        return {}
    log = _git(project, "log", "-M", "--name-status", "--format=%x00%ct", "--relative", "--", *sorted({p.split("/", 1)[0] for p in wanted}))
    if log is None:
        return {}
    history: dict[str, Revision] = {}
    times_by_path, former = _times_by_path(log)
    for path, times in times_by_path.items():
        if path in wanted:
            revision = revision_from_times(times, former.get(path, ()))
            if revision is not None:
                history[path] = revision
    return history
