"""Fault injection: builds killed at any moment and at each step of the swap, builds at once, full and read-only
disks, odd output folders. Each time the output is the old or the new complete site (never missing), nothing eccpsite
did not make is removed, and the next build equals a clean one.

The few cases of each kind here run in ``make test``; the long runs (50 random kills, 10 kills at each swap step,
20 pairs of builds at once) are marked ``faults``: ``.venv/bin/pytest -m faults tests/test_faults.py`` (README).
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import clean_env, snapshot
from faults import (
    add_news,
    alive,
    build,
    build_command,
    clean_build,
    descendants,
    in_mount_namespace,
    kill,
    leftovers,
    python_command,
    small_site,
    start,
    wait_for,
)

from eccpsite.edges import folder_swap


def _runs(fast: int, long: int) -> list[object]:
    """Run numbers for a parametrized test: the first ``fast`` in every run of the suite, the rest up to ``long``
    only with ``-m faults``."""
    return [*range(fast), *(pytest.param(run, marks=pytest.mark.faults) for run in range(fast, long))]


Sites = tuple[Path, Path, dict[str, bytes], dict[str, bytes]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A folder with a project built into ``out`` (the old site), and the files of clean builds before and after an edit."""
    root = tmp_path_factory.mktemp("built")
    project = small_site(root / "site")
    assert build(project, root / "out").returncode == 0
    old = clean_build(project, root / "clean-old")
    edited = root / "edited"
    shutil.copytree(project, edited, ignore=shutil.ignore_patterns(".cache"))
    add_news(edited, 1)
    new = clean_build(edited, root / "clean-new")
    assert old != new and snapshot(root / "out") == old
    return root, old, new


@pytest.fixture
def sites(built: tuple[Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path) -> Sites:
    """A project already built into ``out`` (the old site; its cache too) and edited since (the new site), with the
    files of both sites' clean builds."""
    root, old, new = built
    for name in ("site", "out"):
        shutil.copytree(root / name, tmp_path / name, symlinks=True)
    project, output = tmp_path / "site", tmp_path / "out"
    add_news(project, 1)
    return project, output, old, new


# --- never delete what eccpsite did not make ---


def test_faults_folders_without_the_marker_beside_the_output_survive(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    home = tmp_path / "home"
    theirs = {".site.old/photos/p1.jpg": b"photo", ".site.staging/notes.txt": b"notes", ".site.staging-0123456789ab/x": b"x", ".site.old-0123456789ab/y": b"y"}
    for name, data in theirs.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_bytes(data)

    for now in ("2019-09-16", "2019-10-01"):  # a first build, then one that replaces it
        done = build(project, home / "site", "--now", now)
        assert done.returncode == 0, done.stderr

    assert {name: (home / name).read_bytes() for name in theirs} == theirs
    assert (home / "site/index.html").is_file()


def test_faults_a_marked_leftover_of_a_killed_build_is_removed_an_unmarked_one_kept(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    output = tmp_path / "out"
    made = folder_swap.make_folder(output)  # as a build killed before its swap leaves it
    (made / "news").mkdir()
    (made / "news/index.html").write_bytes(b"half")
    empty = output.parent / ".out.staging-00000000aaaa"  # killed between making its folder and marking it
    empty.mkdir()
    theirs = output.parent / ".out.staging-ffffffffffff"
    theirs.mkdir()
    (theirs / "keep.txt").write_bytes(b"mine")

    assert build(project, output).returncode == 0

    assert leftovers(output) == [theirs.name]
    assert (theirs / "keep.txt").read_bytes() == b"mine"


@pytest.mark.parametrize("inside", ["content/out", "content/media/out", "templates/static/out", "static/out", ".git/out", "."])
def test_faults_an_output_inside_the_project_sources_is_refused(tmp_path: Path, inside: str) -> None:
    project = small_site(tmp_path / "site")
    before = snapshot(project)

    done = build(project, project / inside)

    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and str(project / inside).rstrip("/.") in done.stderr, done.stderr
    assert snapshot(project) == before


# --- clear errors at the edges ---


def test_faults_an_output_whose_parent_is_a_file_gives_one_line(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    (tmp_path / "afile").write_bytes(b"not a folder")

    done = build(project, tmp_path / "afile" / "out")

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"eccpsite: {tmp_path / 'afile'}: Not a directory (a part of that path is a file, not a folder: choose another --output); "
        "nothing was written, the previous output is unchanged."
    ]


def _one_line(done: subprocess.CompletedProcess[str], path: Path, cause: str) -> None:
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 1 and str(path) in lines[0] and cause in lines[0], done.stderr
    assert "bug of eccpsite" not in done.stderr and "Traceback" not in done.stderr


def test_faults_a_full_disk_gives_one_line_and_keeps_the_previous_output(tmp_path: Path) -> None:
    """The output on a 1.5 MB tmpfs: a first build fits; with 1 MB of media more, the staging folder does not."""
    project = small_site(tmp_path / "site")
    disk = tmp_path / "disk"
    disk.mkdir()
    output = disk / "out"
    (tmp_path / "big.pdf").write_bytes(os.urandom(1_000_000))
    script = f"""
mount -t tmpfs -o size=1500k tmpfs '{disk}'
{python_command(project, output)} > /dev/null
cp -r '{disk}' '{tmp_path}/before'
mkdir -p '{project}/content/media' && cp '{tmp_path}/big.pdf' '{project}/content/media/big.pdf'
{python_command(project, output)} 2> '{tmp_path}/stderr' && exit 9
ls -a '{disk}' > '{tmp_path}/after.txt'
diff -r '{disk}' '{tmp_path}/before' && echo same
"""
    done = in_mount_namespace(script)

    assert done.returncode == 0 and done.stdout.strip().endswith("same"), done.stdout + done.stderr
    _one_line(subprocess.CompletedProcess([], 1, "", (tmp_path / "stderr").read_text()), disk, "No space left on device")
    assert (tmp_path / "after.txt").read_text().split() == [".", "..", "out"]  # no staging folder left


def test_faults_a_read_only_output_folder_gives_one_line(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    disk = tmp_path / "disk"
    disk.mkdir()
    output = disk / "out"
    add_news(tmp_path, 1)  # into tmp_path/content/news: moved into the project between the builds
    script = f"""
mount -t tmpfs -o size=20m tmpfs '{disk}'
{python_command(project, output)} > /dev/null
mount -o remount,ro '{disk}'
mv '{tmp_path}'/content/news/* '{project}/content/news/'
{python_command(project, output)} 2> '{tmp_path}/stderr' && exit 9
ls -a '{disk}'
"""
    done = in_mount_namespace(script)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == [".", "..", "out"]
    _one_line(subprocess.CompletedProcess([], 1, "", (tmp_path / "stderr").read_text()), disk, "Read-only file system")


def test_faults_an_output_on_a_mount_point_gives_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    output = tmp_path / "out"
    output.mkdir()
    script = f"""
mount -t tmpfs -o size=20m tmpfs '{output}'
{python_command(project, output)} 2> '{tmp_path}/stderr' && exit 9
ls -a '{tmp_path}' '{output}'
"""
    done = in_mount_namespace(script)

    assert done.returncode == 0, done.stdout + done.stderr
    assert ".out.staging" not in done.stdout and "index.html" not in done.stdout, done.stdout
    _one_line(subprocess.CompletedProcess([], 1, "", (tmp_path / "stderr").read_text()), output, "busy")


def test_faults_a_folder_without_permission_gives_one_line(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    parent = tmp_path / "locked"
    parent.mkdir()
    assert build(project, parent / "out").returncode == 0
    before = snapshot(parent / "out")
    add_news(project, 1)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root may write anywhere: build as nobody, with the project and the output nobody's
        for path in [tmp_path, *tmp_path.rglob("*")]:
            os.lchown(path, 65534, 65534)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    parent.chmod(0o555)
    try:
        done = build(project, parent / "out", prefix=prefix)
    finally:
        parent.chmod(0o755)

    _one_line(done, parent, "Permission denied")
    assert snapshot(parent / "out") == before
    assert leftovers(parent / "out") == []


def test_faults_ctrl_c_ends_the_build_in_one_line_with_130(sites: Sites) -> None:
    project, output, old, new = sites
    process = start(project, output)
    assert wait_for(lambda: leftovers(output))  # the build has made its staging folder
    time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)  # as the terminal sends it: to the build and its children
    _, stderr = process.communicate(timeout=60)

    assert process.returncode in (0, 130), stderr  # 0: the build had finished
    if process.returncode == 130:
        assert stderr.splitlines() == ["eccpsite: interrupted; the output folder holds the last complete build"]
    _complete(output, old, new)  # old if interrupted before the swap, new after it (while it kept the output)
    assert leftovers(output) == []


@pytest.mark.parametrize("run", _runs(3, 20))
def test_faults_ctrl_c_as_the_build_exits_leaves_its_status(sites: Sites, run: int) -> None:
    project, output, _, new = sites
    buffered = {k: v for k, v in clean_env().items() if k != "PYTHONUNBUFFERED"}
    process = start(project, output, env=buffered)
    assert process.stdout is not None
    line = process.stdout.readline()  # stdout is a buffered pipe: Python writes the summary out as it exits
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert line.startswith("built ") and process.returncode == 0, (process.returncode, stderr)
    assert stderr == "" and snapshot(output) == new


def test_faults_sigterm_ends_the_build_as_ctrl_c_does(sites: Sites) -> None:
    project, output, old, _ = sites
    process = start(project, output)
    assert wait_for(lambda: leftovers(output))
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1
    assert snapshot(output) == old and leftovers(output) == []


# --- one build at a time ---


def _hold(lock: Path) -> int:
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    return fd


def test_faults_no_wait_fails_at_once_while_another_build_holds_the_lock(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    fd = _hold(project / ".cache/build.lock")
    try:
        started = time.monotonic()
        done = build(project, tmp_path / "out", "--no-wait")
    finally:
        os.close(fd)

    assert done.returncode == 3 and time.monotonic() - started < 30
    assert done.stderr.splitlines() == [
        f"eccpsite: another build (process 4242) is running for the project {project}; try again when it has finished, or leave out --no-wait to wait for it"
    ]
    assert not (tmp_path / "out").exists()


def test_faults_a_build_waits_for_the_lock_with_a_message(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    fd = _hold(project / ".cache/build.lock")
    try:
        process = start(project, tmp_path / "out")
        assert process.stderr is not None
        line = process.stderr.readline()
        time.sleep(0.5)
        assert process.poll() is None and not (tmp_path / "out").exists()  # it waits, having said so
    finally:
        os.close(fd)
    _, err = process.communicate(timeout=120)

    assert line.startswith("eccpsite: waiting for another build (process 4242) of the project") and process.returncode == 0, err
    assert (tmp_path / "out/index.html").is_file()


def test_faults_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    project = small_site(tmp_path / "site")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import fcntl, os, time; fd = os.open({str(project / '.cache/build.lock')!r}, os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'1\\n'); print(flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    (project / ".cache").mkdir(exist_ok=True)
    assert holder.stdout is not None and holder.stdout.readline() == "\n"
    holder.kill()
    holder.wait()

    done = build(project, tmp_path / "out", "--no-wait")

    assert done.returncode == 0, done.stderr


def _pair(project: Path, output: Path, delay: float) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    first = start(project, output)
    time.sleep(delay)
    return first, start(project, output)


@pytest.mark.parametrize("run", _runs(2, 20))
def test_faults_builds_at_once_take_turns(sites: Sites, run: int) -> None:
    project, output, _, new = sites
    first, second = _pair(project, output, random.Random(run).uniform(0, 1.5))
    results = [p.communicate(timeout=240) for p in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], results
    assert snapshot(output) == new
    assert leftovers(output) == []


# --- kills ---

KILL_AT = """
import os, shutil, signal, sys
from eccpsite import cli
from eccpsite.edges import folder_swap

step = sys.argv[1]
real_exchange, real_rename, real_rmtree, real_remove = folder_swap.exchange, os.rename, shutil.rmtree, folder_swap.remove_made
armed = []

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def exchange(a, b):
    if step == "before exchange":
        die()
    if step.startswith("fallback"):
        armed.append(1)
        return False
    done = real_exchange(a, b)
    armed.append(1)
    if step == "after exchange":
        die()
    return done

def rename(a, b, **kwargs):
    if armed and step == "fallback between renames":
        armed.append(1)
        if len(armed) == 3:
            die()
    return real_rename(a, b, **kwargs)

def rmtree(path, *args, **kwargs):
    if armed and step.endswith("removing the old output"):
        armed.append(1)
        if len(armed) == 3:
            die()
    return real_rmtree(path, *args, **kwargs)

def remove_made(folder):
    real_remove(folder)
    if armed and step.endswith("after removing the old output"):
        die()

folder_swap.exchange, os.rename, shutil.rmtree, folder_swap.remove_made = exchange, rename, rmtree, remove_made
sys.exit(cli.main(sys.argv[2:]))
"""

SWAP_STEPS = [
    "before exchange",
    "after exchange",
    "removing the old output",
    "after removing the old output",
    "fallback between renames",
    "fallback removing the old output",
    "fallback after removing the old output",
]


def _complete(output: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    found = snapshot(output)
    assert found in (old, new), sorted(set(found) ^ set(new))[:10]
    return "new" if found == new else "old"


@pytest.mark.parametrize("run", _runs(1, 10))
@pytest.mark.parametrize("step", SWAP_STEPS)
def test_faults_a_kill_at_each_step_of_the_swap(sites: Sites, step: str, run: int) -> None:
    project, output, old, new = sites
    command = [sys.executable, "-c", KILL_AT, step, *build_command(project, output)[3:]]
    done = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr

    if step.startswith("fallback between"):
        assert not output.exists()  # the gap of the fallback: the old output moved aside, the new one not yet in
    else:
        assert _complete(output, old, new) == ("old" if step == "before exchange" else "new")
    again = build(project, output)
    assert again.returncode == 0, again.stderr
    assert snapshot(output) == new
    assert leftovers(output) == []


def _kill_at_random(project: Path, output: Path, old: dict[str, bytes], new: dict[str, bytes], delay: float) -> None:
    process = start(project, output)
    time.sleep(delay)
    children = descendants(process.pid)
    kill(process)
    assert wait_for(lambda: not any(alive(child) for child in children), timeout=5), "a child outlived the killed build"
    if output.exists():
        _complete(output, old, new)
    again = build(project, output)
    assert again.returncode == 0, again.stderr
    assert snapshot(output) == new
    assert leftovers(output) == []


@pytest.mark.parametrize("run", _runs(3, 50))
def test_faults_a_kill_at_a_random_moment(sites: Sites, run: int) -> None:
    project, output, old, new = sites
    _kill_at_random(project, output, old, new, random.Random(run).uniform(0.05, 2.0))


def test_faults_a_kill_during_the_search_index_takes_pagefind_with_it(sites: Sites) -> None:
    project, output, old, new = sites
    process = start(project, output)

    def command_line(pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:  # it ended since it was listed (setpriv's probe, a worker)
            return ""

    def pagefind() -> list[int]:
        return [pid for pid in descendants(process.pid) if "pagefind" in command_line(pid)]

    assert wait_for(pagefind), "Pagefind never ran"
    running = pagefind()
    kill(process)

    assert wait_for(lambda: not any(alive(pid) for pid in running), timeout=2), "Pagefind outlived the killed build"
    assert snapshot(output) == old
    again = build(project, output)
    assert again.returncode == 0 and snapshot(output) == new, again.stderr
    assert leftovers(output) == []


# --- the same bytes on every file system ---


def test_faults_one_tree_built_on_two_file_systems_gives_the_same_bytes(tmp_path: Path, listing_in_order: Path) -> None:
    """ext4 lists a folder by a hash of its names seeded per file system, tmpfs in the order its entries were made:
    Pagefind, which numbers pages in the order it reads them, is handed them in the build's order instead."""
    if os.stat(tmp_path).st_dev == os.stat(listing_in_order).st_dev:
        pytest.skip("no second file system (/dev/shm) here")
    disk = small_site(tmp_path / "site", news=60)
    memory = listing_in_order / "site"
    shutil.copytree(disk, memory)

    for project in (disk, memory):
        done = build(project, project.parent / "out")
        assert done.returncode == 0, done.stderr

    on_disk, in_memory = snapshot(tmp_path / "out"), snapshot(listing_in_order / "out")
    assert any(name.startswith("pagefind/fragment/") for name in on_disk)
    assert sorted(name for name in on_disk.keys() | in_memory.keys() if on_disk.get(name) != in_memory.get(name)) == []
