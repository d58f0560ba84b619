"""Ctrl-C during ``eccpsite import``: one line, exit 130, no traceback, and nothing half-written.

A real subprocess imports a generated WordPress export of a few thousand
posts and gets SIGINT — while Python loads eccpsite, while the export is read,
and while the items are written. Each file it leaves is whole (byte for byte
the file an uninterrupted import writes), its line says how many it wrote, and
running the same import again completes the content as one run would have.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import clean_env, run_eccpsite, snapshot, write_site
from old_sites import wordpress_export

POSTS = 1200


@pytest.fixture(autouse=True)
def interruptible() -> Iterator[None]:
    """Children that can be interrupted: a shell starts a background job (``make test &``, a CI runner's) with SIGINT
    ignored, and an ignored signal stays ignored across exec; a handled one is reset to the default there."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """The export, its uploads, and the content/ an uninterrupted import of it writes."""
    root = tmp_path_factory.mktemp("wordpress")
    wordpress_export(root / "export.xml", POSTS, 10, root / "uploads")
    reference = write_site(root / "reference")
    done = run_eccpsite("import", "wordpress", str(root / "export.xml"), "--media", str(root / "uploads"), cwd=reference)
    assert done.returncode == 0, done.stderr
    return root / "export.xml", root / "uploads", snapshot(reference / "content")


def _interrupted(site: Path, export: Path, uploads: Path, when: Callable[[subprocess.Popen[str]], bool]) -> tuple[int, str]:
    """Start the import, send SIGINT to its process group (as a terminal does) once ``when`` holds; its status and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "eccpsite", "import", "wordpress", str(export), "--media", str(uploads)],
        cwd=site,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not when(process) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def _news(site: Path) -> list[Path]:
    folder = site / "content" / "news"
    return list(folder.iterdir()) if folder.is_dir() else []


def _loading(process: subprocess.Popen[str]) -> bool:
    """Whether the process has loaded nh3's library: Python is then in the middle of importing eccpsite.cli (about
    200 of its 500 imports), past the interpreter's own start (a signal there is Python's, before any code of eccpsite)."""
    try:
        return "nh3" in Path(f"/proc/{process.pid}/maps").read_text()
    except OSError:
        return False


def _reading(export: Path) -> Callable[[subprocess.Popen[str]], bool]:
    """Whether the process has the export open: the importer is reading it, nothing is written yet."""

    def check(process: subprocess.Popen[str]) -> bool:
        try:
            return any(os.readlink(fd) == str(export) for fd in Path(f"/proc/{process.pid}/fd").iterdir())
        except OSError:
            return False

    return check


MOMENTS: dict[str, Callable[[Path, Path], Callable[[subprocess.Popen[str]], bool]]] = {
    "while Python loads eccpsite": lambda site, export: _loading,
    "while the export is read": lambda site, export: _reading(export),
    "while the items are written": lambda site, export: lambda process: len(_news(site)) >= 50,
}
SAID = {
    "while Python loads eccpsite": "interrupted\n",
    "while the export is read": "interrupted; nothing was written\n",
    "while the items are written": "whole item(s)",
}

# "interrupted" alone: before the command was read (while Python loads eccpsite), nothing was done
_WROTE = re.compile(r"^eccpsite: interrupted(?:$|; nothing was written$|; wrote (\d+) whole item\(s\)(?: and (\d+) file\(s\) into content/media/)? )")


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_import_interrupt_ends_in_one_line_with_130_and_leaves_only_whole_files(
    moment: str, tmp_path: Path, export: tuple[Path, Path, dict[str, bytes]]
) -> None:
    source, uploads, reference = export
    site = write_site(tmp_path / "site")
    before = snapshot(site / "content") if (site / "content").exists() else {}

    status, stderr = _interrupted(site, source, uploads, MOMENTS[moment](site, source))

    assert status == 130, stderr
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1 and (said := _WROTE.match(stderr)) and SAID[moment] in stderr, stderr
    content = snapshot(site / "content") if (site / "content").exists() else {}
    new = {name: data for name, data in content.items() if name not in before}
    assert [name for name in new if name.rsplit("/", 1)[-1].startswith(".")] == []  # no temporary file left
    assert {name: data for name, data in new.items() if reference.get(name) != data} == {}  # every file whole
    items = [name for name in new if name.endswith(".md")]
    assert int(said.group(1) or 0) == len(items)
    assert int(said.group(2) or 0) == len(new) - len(items)
    if moment == "while the items are written":
        assert 0 < len(items) < POSTS + 10

    again = run_eccpsite("import", "wordpress", str(source), "--media", str(uploads), cwd=site)

    assert again.returncode == 0, again.stderr
    assert snapshot(site / "content") == reference


def test_import_piped_into_a_reader_that_stops_early_still_says_nothing_false(tmp_path: Path, export: tuple[Path, Path, dict[str, bytes]]) -> None:
    """``eccpsite import … | head -1``: the reader goes away before the report ends; the import is whole and nothing
    on stderr says it was not."""
    path, uploads, expected = export
    site = write_site(tmp_path / "site")
    command = f"{sys.executable} -m eccpsite import wordpress {path} --media {uploads} | head -c 1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=site, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert done.stderr == "", done.stderr
    assert done.returncode == 0
    assert snapshot(site / "content") == expected
