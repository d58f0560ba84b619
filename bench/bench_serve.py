"""How long from a save to the browser's reload event, with ``eccpsite serve``.

    .venv/bin/python bench/bench_serve.py                 # real content and a 10,000-item site
    .venv/bin/python bench/bench_serve.py --items 1000    # a smaller generated site

For each site it starts ``eccpsite serve`` as a subprocess (as an editor
does), opens the event stream as a browser tab's script does, then saves a
file again and again and times each save until the ``reload`` event arrives:
inotify, the watcher's wait for the end of the burst (eccpsite.serve.watch), the rebuild, the
swap and the event. It writes the medians to ``bench/serve-results.md``.

The generated site comes from ``bench/generate.py`` (issue 6's deterministic
corpus, with the inline markup of the real content: issue 22), sized to
``--items`` items of every kind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - bench/generate.py, beside this file

from eccpsite.serve.live import EVENTS  # noqa: E402
from eccpsite.serve.watch import QUIET, SETTLED  # noqa: E402

NOW = "2019-09-16"
GOAL_MS = 100
NOTES = """
## Where the time goes

- **parse**: only the saved file is read and parsed again; every other file keeps its parsed item (the same
  object), so the rest of the pipeline can tell changed items from unchanged ones by identity.
- **model**: when the saved items stay in their places (same kind, slug, date, tags, place, deadlines, menu
  position, draft and publication state: `model.PLACE_FIELDS`) — a new body, title or summary, the usual
  save — the new site is the last one with the new items swapped in (`model.swap_site_items`): the parts of
  the site that do not hold them stay the same objects. Any other change (an item moved, added or deleted,
  an edition, `site.yaml`) builds the model again whole, as a clean build does.
- **render**: each page remembers the fields of the site model its code and templates read, the templates it
  loaded, its context, and the items its context holds. After a swap, a stage is patched rather than run:
  only its pages that hold a saved item, or read a field that changed, are rendered again, from their
  remembered context with the new item in it; the others are carried over without a comparison. After a
  whole model, a stage whose inputs did not change is skipped, and within a stage only the pages whose
  inputs changed are rendered.
- Nothing on a save's path walks every page: a kept stage holds its pages grouped by what they read (a few
  groups for thousands of pages) and their places, the build starts from a copy of the last one's pages, and
  the stages report what they made, so that the served pages and the link check are brought up to date from
  that alone (docs/architecture.md, "One incremental engine").
- Feeds, calendars, the e-mail editions and the sitemap are made when a browser asks for one, not after each
  save; PDF editions are not made while serving.

Changes that move an item (a new date or tag) still build the model again whole and compare the inputs of
the list and tag pages, which at 10,000 items takes about as long as a save took before the swap (see the
"news date" row when present). Python's cycle collector is kept out of the path from save to reload (it
runs after the reload; the first build's values are frozen), which removed pauses of 100–300 ms at 10,000
items.
"""
TIMEOUT = 600.0  # seconds to wait for a server to start or for one reload
BUILT = re.compile(r"built .* in (\d+) ms, cpu (\d+) ms \((\d+) pages rendered, (\d+) in memory; ms: parse (\d+), model (\d+), render (\d+)\)")
PHASES = ("parse", "model", "render")


@dataclass
class Scenario:
    name: str
    path: Path
    edit: Callable[[str, int], str]  # (text, n) → the text of the n-th save


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # ms, save → reload event
    builds: list[float] = field(default_factory=list)  # ms, the server's own rebuild time
    cpu: list[float] = field(default_factory=list)  # ms of CPU time of the rebuild thread
    phases: dict[str, list[float]] = field(default_factory=lambda: {phase: [] for phase in PHASES})  # ms of each part of it
    rendered: list[int] = field(default_factory=list)


class Server:
    """``eccpsite serve`` in a subprocess, its log read in a thread, and one event stream."""

    def __init__(self, project: Path) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "eccpsite", "serve", "--port", "0", "--now", NOW],
            cwd=project,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"},
        )
        self.log: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_log, daemon=True).start()
        self.url = ""
        self.pages = 0
        self.rss = float("nan")
        while not self.url:
            line = self.log.get(timeout=TIMEOUT)
            if match := BUILT.search(line):
                self.pages = int(match.group(4))
            if line.startswith("serving "):
                self.url = line.split()[1]
            if "error" in line and not self.url:
                print(line, file=sys.stderr)
        self.startup = time.perf_counter() - started
        host, port = self.url.split("//")[1].rstrip("/").split(":")
        self.events: queue.Queue[tuple[str, dict[str, int]]] = queue.Queue()
        self.connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        self.connection.request("GET", EVENTS)
        threading.Thread(target=self._read_events, args=(self.connection.getresponse(),), daemon=True).start()
        self.generation = self.wait("hello")["generation"]

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.put(line.rstrip("\n"))

    def _read_events(self, response: http.client.HTTPResponse) -> None:
        event = ""
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.events.put((event, json.loads(line[6:])))
        except (OSError, ValueError):
            return

    def wait(self, name: str) -> dict[str, int]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            event, data = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            if event == name:
                return data
            if event == "errors" and data.get("errors"):
                raise RuntimeError(f"the edit broke the site: {data['errors']}")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status")
        if not status.exists():
            return float("nan")
        kb = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
        return kb / 1024

    def last_build(self) -> re.Match[str] | None:
        """The server's last log line about a rebuild (None if it logged none)."""
        found = None
        while not self.log.empty():
            found = BUILT.search(self.log.get_nowait()) or found
        return found

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def measure(server: Server, scenario: Scenario, saves: int, pause: float) -> Result:
    """Save ``saves`` times, each a real change, and time each save until its reload event."""
    result = Result(scenario.name)
    original = scenario.path.read_text(encoding="utf-8")
    try:
        for n in range(saves):
            text = scenario.edit(original, n)
            time.sleep(pause)  # one save at a time: no burst joins two saves
            server.last_build()
            started = time.perf_counter()
            scenario.path.write_text(text, encoding="utf-8")
            data = server.wait("reload")
            result.latencies.append((time.perf_counter() - started) * 1000)
            server.generation = data["generation"]
            time.sleep(0.05)  # let the log line arrive
            if (logged := server.last_build()) is not None:
                result.builds.append(float(logged.group(1)))
                result.cpu.append(float(logged.group(2)))
                result.rendered.append(int(logged.group(3)))
                for index, phase in enumerate(PHASES):
                    result.phases[phase].append(float(logged.group(5 + index)))
    finally:
        scenario.path.write_text(original, encoding="utf-8")
        server.wait("reload")
    return result


def _body_edit(text: str, n: int) -> str:
    return text.replace("\n---\n", f"\n---\nSaved for the {n + 1}th time. ", 1)


def _title_edit(text: str, n: int) -> str:
    return re.sub(r"^title: .*$", f'title: "A title saved {n + 1} times"', text, count=1, flags=re.M)


def _date_edit(text: str, n: int) -> str:
    """A new date at each save: the item moves in its lists, so the model is built again whole."""
    return re.sub(r"^date: .*$", f"date: 2016-01-{n % 2 + 1:02d}", text, count=1, flags=re.M)


def _template_edit(text: str, n: int) -> str:
    return text.replace("{% block kicker %}", f"{{% block kicker %}}<!-- {n} -->", 1)


def _referenced(project: Path) -> set[str]:
    """The news files an edition lists."""
    refs = set()
    for edition in (project / "content" / "newsletter").glob("*.yaml"):
        refs.update(re.findall(r"^\s*-\s*news/(\S+)\s*$", edition.read_text(encoding="utf-8"), flags=re.M))
    return refs


def scenarios(project: Path, with_template: bool) -> list[Scenario]:
    news = sorted((project / "content" / "news").glob("*.md"))
    listed = _referenced(project)
    slug = re.compile(r"^\d{4}-\d{2}-\d{2}-")
    in_edition = [p for p in news if slug.sub("", p.stem) in listed]
    alone = [p for p in news if slug.sub("", p.stem) not in listed]
    found = []
    if alone:
        found.append(Scenario("news text (item in no edition)", alone[len(alone) // 2], _body_edit))
    if in_edition:
        found.append(Scenario("news text (item in an edition)", in_edition[len(in_edition) // 2], _body_edit))
    found.append(Scenario("news title (lists and tag pages change)", (alone or in_edition)[len(alone or in_edition) // 3], _title_edit))
    found.append(Scenario("news date (the item moves: whole model)", (alone or in_edition)[len(alone or in_edition) // 4], _date_edit))
    if with_template:
        found.append(Scenario("template news.html (every news page)", project / "templates" / "news.html", _template_edit))
    return found


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "–"


def run(label: str, project: Path, saves: int, pause: float, with_template: bool) -> tuple[str, list[Result], Server]:
    items = sum(1 for _ in (project / "content").rglob("*.md"))
    print(f"{label}: {items} items; starting the server …", file=sys.stderr, flush=True)
    server = Server(project)
    print(f"  served after {server.startup:.1f} s", file=sys.stderr, flush=True)
    results = []
    try:
        for scenario in scenarios(project, with_template):
            results.append(measure(server, scenario, saves, pause))
            r = results[-1]
            print(f"  {r.name}: median {_fmt(r.latencies)} ms (server {_fmt(r.builds)} ms)", file=sys.stderr, flush=True)
    finally:
        server.rss = server.rss_mb()
        server.stop()
    return f"{label} ({items:,} items, {server.pages:,} outputs in memory)", results, server


def report(runs: list[tuple[str, list[Result], Server]], command: str, saves: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# `eccpsite serve`: save → reload latency",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load:.1f} at the end. Reproduce with:",
        "",
        "```",
        command,
        "```",
        "",
        f"Each row: {saves} saves of one file, one at a time; **latency** is from the write to the `reload` event on an open",
        f"event stream. It includes inotify, the watcher's wait for the end of a burst ({SETTLED * 1000:.0f} ms once the file is",
        f"closed, else {QUIET * 1000:.0f} ms), the rebuild, the swap and the event. **rebuild** is the server's own time for the",
        "rebuild, as it logs it, split into reading and parsing the changed files, building the site model, and rendering",
        "(finding what changed, rendering that); **rebuild CPU** is the CPU time of that thread: the rebuild's cost on an",
        "idle machine, as other processes on a busy one stretch the wall-clock times (this machine is shared, and its",
        "speed drifts by 30 % or more between runs). **pages** is how many pages it rendered again (the others were",
        "reused). Medians; min–max in brackets.",
        "",
        "| site | change | latency ms | rebuild ms | rebuild CPU ms | parse | model | render | pages rendered |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, results, _ in runs:
        for r in results:
            spread = f" ({min(r.latencies):.0f}–{max(r.latencies):.0f})" if r.latencies else ""
            rendered = f"{statistics.median(r.rendered):.0f}" if r.rendered else "–"
            phases = " | ".join(_fmt(r.phases[phase]) for phase in PHASES)
            lines.append(f"| {label} | {r.name} | **{_fmt(r.latencies)}**{spread} | {_fmt(r.builds)} | {_fmt(r.cpu)} | {phases} | {rendered} |")
    lines += ["", "| site | server start (first build) | memory (RSS) |", "|---|---|---|"]
    for label, _, server in runs:
        lines.append(f"| {label} | {server.startup:.1f} s | {server.rss:.0f} MB |")
    largest = runs[-1][1]
    if largest and largest[0].latencies:
        median = statistics.median(largest[0].latencies)
        verdict = "meets it" if median <= GOAL_MS else f"misses it by {median - GOAL_MS:.0f} ms"
        lines += ["", f"**Goal**: a save shows within {GOAL_MS} ms on the largest site. This run {verdict}: {median:.0f} ms (median, first row)."]
    return "\n".join(lines) + "\n" + NOTES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="items of the generated site (default 10,000; 0 skips it)")
    parser.add_argument("--saves", type=int, default=15, help="saves per change (default 15)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between saves (default 0.3)")
    parser.add_argument("--work", type=Path, default=BENCH / "work" / "serve", help="where the sites are written")
    parser.add_argument("--output", type=Path, default=BENCH / "serve-results.md")
    args = parser.parse_args(argv)
    real = args.work / "real"
    if args.work.exists():
        shutil.rmtree(args.work)
    real.mkdir(parents=True)
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, real / name)
    shutil.copy(REPO / "site.yaml", real / "site.yaml")
    runs = [run("real content", real, args.saves, args.pause, with_template=True)]
    if args.items:
        ratio = 1 + generate.EVENTS_PER_NEWS + generate.CALLS_PER_NEWS + generate.INTERVIEWS_PER_NEWS
        corpus = generate.make_corpus(round((args.items - 2) / ratio), markup=generate.realistic_markup())  # the real content's inline markup
        generate.write_eccpsite(args.work / "generated", corpus)
        runs.append(run("generated", args.work / "generated", args.saves, args.pause, with_template=False))
    command = "python bench/bench_serve.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    args.output.write_text(report(runs, command, args.saves), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
