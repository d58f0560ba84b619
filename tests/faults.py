"""Helpers of the fault-injection tests: small sites, builds run as real processes, kills, private mounts.

Nothing here is mocked: a kill is a SIGKILL of the build process, a full
disk is a small tmpfs mounted in a private mount namespace (``unshare -m``
as root, ``unshare -rm`` in a user namespace otherwise), a read-only folder
is that tmpfs remounted read-only.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import NOW, clean_env, snapshot, write_site

NEWS = "---\ntitle: News {n}\ndate: 2019-06-{day:02d}\ntags: [t{tag}]\n---\nA body for the search index, number {n}, with *some* words.\n"


def small_site(root: Path, news: int = 12) -> Path:
    """A valid site with ``news`` items (their pages go into the search index)."""
    files = {f"content/news/2019-06-{n % 28 + 1:02d}-n{n}.md": NEWS.format(n=n, day=n % 28 + 1, tag=n % 3) for n in range(news)}
    return write_site(root, files)


def add_news(project: Path, n: int) -> None:
    """One more news item: the next build makes a different site."""
    path = project / f"content/news/2019-07-01-extra{n}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NEWS.format(n=1000 + n, day=1, tag=0), encoding="utf-8")


def build_command(project: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "eccpsite", "--project", str(project), "build", "--no-pdf", "--now", NOW, "--output", str(output), *extra]


def build(project: Path, output: Path, *extra: str, prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """``eccpsite build`` of ``project`` into ``output`` as a process of its own (``prefix``: a command to run it under)."""
    command = [*prefix, *build_command(project, output, *extra)]
    return subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=300, check=False)


def start(project: Path, output: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A build started in a process group of its own (so a test can signal it as a terminal would)."""
    command = build_command(project, output, *extra)
    return subprocess.Popen(command, env=env or clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def clean_build(project: Path, folder: Path) -> dict[str, bytes]:
    """The files of a build of ``project`` from nothing (a copy without its cache), built in ``folder``."""
    copy = folder / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache"))
    done = build(copy, folder / "out")
    assert done.returncode == 0, done.stderr
    return snapshot(folder / "out")


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` and by them, as /proc lists them now."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_for(condition: object, timeout: float = 60.0) -> bool:
    """Poll ``condition()`` every 10 ms until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL the build (its children are left to end by themselves, as after an out-of-memory kill)."""
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


def leftovers(output: Path) -> list[str]:
    """What builds left beside ``output`` (staging or old folders)."""
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


def _namespace_prefix() -> list[str] | None:
    """How to run a command in a private mount namespace where it may mount a tmpfs, or None where it cannot."""
    unshare = shutil.which("unshare")
    if unshare is None or sys.platform != "linux":
        return None
    for prefix in ([unshare, "-m"], [unshare, "-rm"]) if os.geteuid() == 0 else ([unshare, "-rm"],):
        probe = subprocess.run([*prefix, "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True, check=False)
        if probe.returncode == 0:
            return prefix
    return None


def in_mount_namespace(script: str) -> subprocess.CompletedProcess[str]:
    """Run the shell ``script`` in a private mount namespace (its mounts vanish with it); skips where there is none."""
    prefix = _namespace_prefix()
    if prefix is None:
        pytest.skip("no private mount namespace here (unshare -m needs root or user namespaces)")
    return subprocess.run([*prefix, "sh", "-euc", script], env=clean_env(), capture_output=True, text=True, timeout=300, check=False)


def python_command(project: Path, output: Path) -> str:
    """The build command of :func:`build_command` for a shell script, quoted."""
    return " ".join(f"'{part}'" for part in build_command(project, output))
