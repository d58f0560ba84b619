"""Writing a build to disk atomically: the output edge of the build.

Everything is written into a staging folder beside the output; only when all
of it is written is the old output swapped out and the new one swapped in, so
a failed build leaves the previous output untouched and no stale file of
deleted content survives. A folder is only ever replaced if a build of
eccpsite made it (it holds the marker file).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from eccpsite.render import Output
from eccpsite.urls import output_path

MARKER = ".eccpsite-build"


class OutputRefused(Exception):
    """The output folder is not one eccpsite may replace."""


def check_output_folder(output: Path, project: Path) -> None:
    """Refuse an output folder that holds the project, or that eccpsite did not make."""
    output, project = output.resolve(), project.resolve()
    if output == project or output in project.parents or output in (project / "content", project / "templates"):
        raise OutputRefused(f"{output} would overwrite the project itself; choose a folder such as build/")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())):
        raise OutputRefused(f"{output} exists and was not made by eccpsite; refusing to replace it (remove it or choose another folder)")


def _target(root: Path, url: str) -> Path:
    """The file for ``url`` under ``root`` (the fresh staging folder, which holds no links: nothing but this module writes there)."""
    relative = output_path(url)
    target = os.path.normpath(os.path.join(root, relative))
    if not target.startswith(os.path.join(os.path.normpath(root), "")):
        raise OutputRefused(f"{url} would be written outside the output folder")
    return Path(target)


def write_site(
    outputs: Iterable[Output],
    assets: Iterable[tuple[str, Path]],
    output: Path,
    finish: Callable[[Path], int] | None = None,
) -> int:
    """Write every output and copy every asset, then swap the result in; returns the file count.

    ``finish`` runs on the staging folder before the swap (the search index is
    built there) and returns how many files it added; if it fails, the previous
    output stays untouched.
    """
    output = output.resolve()
    staging = output.parent / f".{output.name}.staging"
    retired = output.parent / f".{output.name}.old"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir(parents=True)
    count = 0
    try:
        for out in outputs:
            target = _target(staging, out.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out.data)
            count += 1
        for url, source in assets:
            target = _target(staging, url)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            count += 1
        if finish is not None:
            count += finish(staging)
        (staging / MARKER).write_text("made by eccpsite; this whole folder is replaced by each build\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if output.exists():
        os.replace(output, retired)
    os.replace(staging, output)
    shutil.rmtree(retired, ignore_errors=True)
    return count
