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

The log of a long history takes seconds (2.2 s for 3,340 commits of 16,645
files), and a deploy adds a commit or two, so what it said is kept in
``.cache/history.json`` with the commit it reached; the next build asks git
only for the commits since (when that one is still an ancestor of ``HEAD``: a
rewritten history is read whole again) and follows their renames back into
the kept names. The file is data, checked for shape: anything else and the
whole log is read again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from eccpsite.core import layout

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


Times = dict[str, list[int]]  # commit times per file, newest first
Former = dict[str, list[str]]  # the names each file had before, newest first


def _times_by_path(log: str, renamed: dict[str, str] | None = None) -> tuple[Times, Former]:
    """Commit times per file from ``git log --name-status -M``, following renames to today's names, and the names
    each file had before (newest first); ``renamed`` is filled with each older name and its name today.

    The log runs newest first, so when a commit renames ``old`` to ``new``, the
    older commits that name ``old`` belong to whatever ``new`` is called today.
    """
    times: Times = {}
    former: Former = {}
    renamed = {} if renamed is None else renamed  # a name in older commits -> its name today
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
    found = _log(project, sorted({p.split("/", 1)[0] for p in wanted}))
    if found is None:
        return {}
    history: dict[str, Revision] = {}
    times_by_path, former = found
    for path, times in times_by_path.items():
        if path in wanted:
            revision = revision_from_times(times, former.get(path, ()))
            if revision is not None:
                history[path] = revision
    return history


def _log(project: Path, folders: list[str]) -> tuple[Times, Former] | None:
    """What ``git log -M`` says of the files under ``folders`` up to ``HEAD`` (:func:`_times_by_path`): the kept
    account brought up to date with the commits since, or the whole log; None when git cannot say."""
    head = (_git(project, "rev-parse", "HEAD") or "").strip()
    kept_file = project / layout.CACHE_HISTORY
    kept = _kept(kept_file, folders)
    if kept is not None and kept[0] == head:
        return kept[1], kept[2]
    if not head:
        return None  # no commit yet
    # the kept account is brought up to date only when its commit is still in the history of HEAD
    since = kept if kept is not None and _git(project, "merge-base", "--is-ancestor", kept[0], head) is not None else None
    log = _git(project, "log", "-M", "--name-status", "--format=%x00%ct", "--relative", f"{since[0]}..{head}" if since else "HEAD", "--", *folders)
    if log is None:
        return None
    renamed: dict[str, str] = {}
    times, former = _times_by_path(log, renamed)
    if since is not None:
        times, former = _joined(times, former, renamed, since[1], since[2])
    with contextlib.suppress(OSError):
        kept_file.parent.mkdir(parents=True, exist_ok=True)
        kept_file.write_text(json.dumps({"head": head, "folders": folders, "times": times, "former": former}), encoding="utf-8")
    return times, former


def _joined(times: Times, former: Former, renamed: dict[str, str], old_times: Times, old_former: Former) -> tuple[Times, Former]:
    """The account of the newer commits (``times``, ``former``, and the names they ``renamed``) followed by the kept
    account of the older ones, whose files take their names of today: what the whole log would say."""
    for name, older in old_times.items():
        today = renamed.get(name, name)
        times.setdefault(today, []).extend(older)
        for one in old_former.get(name, ()):
            names = former.setdefault(today, [])
            if one != today and one not in names:
                names.append(one)
    return times, former


def _kept(path: Path, folders: list[str]) -> tuple[str, Times, Former] | None:
    """The kept account of the log of ``folders``: the commit it reached, and what it said; None when there is none
    or it is not what :func:`_log` writes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        head, times, former = data["head"], data["times"], data["former"]
        if data["folders"] != folders or not isinstance(head, str) or not isinstance(times, dict) or not isinstance(former, dict):
            return None
        if not all(isinstance(t, list) and all(type(x) is int for x in t) for t in times.values()):
            return None
        if not all(isinstance(n, list) and all(isinstance(x, str) for x in n) for n in former.values()):
            return None
        return head, times, former
    except (OSError, ValueError, KeyError, TypeError):
        return None
