"""``eccpsite build``: nothing to do when the output is what a build would make, the kept output put back when the
inputs are those of the last build, and a build (eccpsite.build) otherwise.

The check is what a deploy that changed nothing runs, so it imports only what it needs: the fingerprints, the
last build's record and the output folder's edge; the build's stages are imported when there is one to run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eccpsite.core import layout
from eccpsite.core.config import SiteConfig, parse_config
from eccpsite.core.errors import ContentError
from eccpsite.core.layout import CACHE
from eccpsite.core.options import BuildOptions
from eccpsite.core.source import load_yaml
from eccpsite.edges import buildlock, fingerprint
from eccpsite.edges.clock import Timings, resolve_now
from eccpsite.edges.folder_swap import MARKER, check_output_folder
from eccpsite.incremental import output_state

if TYPE_CHECKING:
    from eccpsite.build import WrittenSite
    from eccpsite.incremental.snapshot import Snapshot

UP_TO_DATE, RESTORED, BUILT = "up to date", "restored", "built"


@dataclass(frozen=True)
class Built:
    """What :func:`build_if_changed` did: nothing (the output is up to date), restored the last build's output
    from the cache (nothing changed since it), or built."""

    how: str  # UP_TO_DATE | RESTORED | BUILT
    files: int
    seconds: float
    warnings: tuple[ContentError, ...]
    result: WrittenSite | None = None  # what the build kept, when it built
    timings: Timings | None = None  # where the time went, stage by stage
    repaired: tuple[str, ...] = ()  # files of the output removed, added or edited since the last build, now its own again


def _git_head(project: Path) -> str:
    """The commit checked out (calendars' SEQUENCE follows git history), or '' outside git."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _record_now(project: Path, options: BuildOptions) -> dt.datetime | None:
    """The build's "now" as the check against the last build's record needs it (None when site.yaml cannot be read: no shortcut then)."""
    try:
        meta = load_yaml("site.yaml", (project / "site.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    config = parse_config("site.yaml", meta) if not isinstance(meta, ContentError) else None
    return resolve_now(options.now, config.tz) if isinstance(config, SiteConfig) else None


def build_if_changed(project: Path, output: Path, options: BuildOptions, wait: bool = True, notice: Callable[[str], None] = print) -> Built:
    """:func:`build_when_changed` holding the build locks of ``project`` and ``output`` (eccpsite.edges.buildlock): a build
    that finds them held waits, saying so through ``notice``, or raises buildlock.Busy at once when not ``wait``."""
    check_output_folder(output, project)
    locks = [(project / CACHE / buildlock.PROJECT_LOCK, f"the project {project.resolve()}"), (buildlock.output_lock(output), str(output.resolve()))]
    with buildlock.held(locks, wait, notice):
        return build_when_changed(project, output, options)


def build_when_changed(project: Path, output: Path, options: BuildOptions) -> Built:
    """Build, unless the output already is what this build would make, or the cache holds it.

    The last build's output is what this build would make when every input
    (sources, templates, site.yaml, eccpsite's code, the options, the git
    commit) is unchanged since and no moment at which the site changes by
    itself (a deadline, an event's end, a 'publish_at') lies between that
    build's "now" and this one's. Then nothing is done if ``output`` is that
    output, and otherwise the files kept in the cache (eccpsite.incremental.snapshot) are
    put in place. Any other build reuses the kept pages whose inputs did not change.
    """
    started = time.perf_counter()
    clock = Timings()
    check_output_folder(output, project)
    with clock.stage("compare the inputs with the last build's"):
        now = _record_now(project, options)
        stamps = fingerprint.Stamps(project / layout.CACHE_INPUTS)  # saved below, once the output is this build's
        inputs = fingerprint.inputs_digest(project, f"{options.drafts}|{options.strict}|{options.pdf}", _git_head(project), stamps)
        stamps.settle()
        head = output_state.load_head(project)
    repaired: tuple[str, ...] = ()
    covered = now is not None and head is not None and head.covers(inputs, now)
    if head is not None and covered and head.left_in(output) and (output / MARKER).exists():
        with clock.stage("compare the output with the last build's"):
            found = _differences(project, output, head)
        if found is not None and not found:
            if found.touched:  # the same bytes: note their new times, not to read them again next time
                output_state.record_output(project, output)
            stamps.save()
            return Built(UP_TO_DATE, 0, time.perf_counter() - started, (), timings=clock)
        repaired = found.paths() if found is not None else ()
    from eccpsite.build import build  # a build, or a restore, is to be made: the stages, the writer, the snapshot
    from eccpsite.incremental import snapshot

    kept = snapshot.load(project, head) if head is not None else None  # its kept files, checked now
    del head  # its rows are the kept files now
    if covered and kept is not None:
        with clock.stage("put the kept output in place"):
            count = _restore(kept, output)
        if count is not None:
            output_state.record_output(project, output)
            stamps.save()
            return Built(RESTORED, count, time.perf_counter() - started, kept.warnings, timings=clock, repaired=repaired)
    if kept is not None:  # the output's listing served above; a build makes a new one (10 MB at 10,000 items)
        kept = dataclasses.replace(kept, listing=None)
    result, count, _ = build(project, output, options, kept, clock)
    # The output is built: if keeping it fails, the next build only has less to take from.
    with clock.stage("keep the output for the next build"), contextlib.suppress(OSError):
        snapshot.take(project, output, result.records, result.key_base, inputs, result.now, result.until, result.warnings, kept)
        stamps.save()
    return Built(BUILT, count, time.perf_counter() - started, result.warnings, result, clock, repaired)


def _differences(project: Path, output: Path, kept: output_state.Head) -> output_state.Differences | None:
    """How ``output`` differs from what the last build left there (None: that build did not say). Files edited in
    place are removed from the caches too (their kept copies are the same files), so that they are made again."""
    found = output_state.differences(os.fspath(output), kept.listing, kept.digest_of)
    if found is not None and found.edited:
        output_state.forget_edited(os.fspath(project / CACHE), [os.path.join(output, path) for path in found.edited])
    return found


def _restore(kept: Snapshot, output: Path) -> int | None:
    """Put the kept output in place of ``output``; its file count, or None (and ``output`` untouched) if a kept file changed."""
    from eccpsite.incremental import snapshot
    from eccpsite.incremental.writer import staging

    try:
        with staging(output) as folder:
            return snapshot.restore(kept, folder)
    except snapshot.Stale:
        return None
