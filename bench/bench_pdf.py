"""How long the PDF edition takes: each edition of ``content/`` and a generated 40-page edition.

    .venv/bin/python bench/bench_pdf.py                 # 3 repeats, writes bench/pdf-results.md
    .venv/bin/python bench/bench_pdf.py --repeat 1 --no-write

Each edition is rendered from its print HTML straight through WeasyPrint (no
cache), ``--repeat`` times, after one warm-up render; the wall time and the CPU
time of this process are recorded and the medians reported, with the seconds
per 20 pages (the goal of issue 4: 3 s or less). The generated edition is made
in memory from a seeded ``random.Random`` (news items with headings, lists,
links and footnotes), so every run renders the same document. The last table
times the build's PDF stage on a copy of the project: the first run renders,
the second finds every edition in the cache.

Wall time depends on what else the machine runs (the load average is
recorded); CPU time much less so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eccpsite.core import urls  # noqa: E402
from eccpsite.core.content import parse_content  # noqa: E402
from eccpsite.core.kinds import Edition, News, SectionRef  # noqa: E402
from eccpsite.core.model import ResolvedEdition, Site, build_model  # noqa: E402
from eccpsite.edges.clock import resolve_now  # noqa: E402
from eccpsite.edges.reader import read_sources  # noqa: E402
from eccpsite.outputs.pdf import edition_pdf  # noqa: E402
from eccpsite.outputs.pdf.fetcher import Policy, ProjectFetcher  # noqa: E402
from eccpsite.outputs.render import Output, Renderer  # noqa: E402
from eccpsite.outputs.theme import make_environment  # noqa: E402

NOW = "2019-09-16"
SEED = 2019
GOAL = 3.0  # seconds per 20 pages
RESULTS = REPO / "bench" / "pdf-results.md"
WORDS = (
    "cluster organisations partnership SMEs internationalisation matchmaking innovation regional policy European "
    "strategic industrial modernisation value chains ecosystem cooperation digital transformation funding call "
    "members companies research network platform excellence managers events conference workshop support"
).split()


@dataclass(frozen=True)
class Timing:
    name: str
    pages: int
    wall: float
    cpu: float
    size: int

    @property
    def wall_per_20(self) -> float:
        return self.wall / self.pages * 20

    @property
    def cpu_per_20(self) -> float:
        return self.cpu / self.pages * 20


def load_site(project: Path) -> tuple[Site, Renderer, Policy, list[tuple[str, Path]]]:
    """The site model of a project, a renderer of its theme and the fetcher policy of its PDFs."""
    sources = read_sources(project)
    content = parse_content(sources)
    assert content.config is not None, content.errors
    site = build_model(content.config, content.items, content.editions, resolve_now(NOW, content.config.tz))
    assert isinstance(site, Site), site
    renderer = Renderer(make_environment(project / "templates"), site)
    policy = Policy(project, site.config.base_url, dict(sources.assets), site.config.pdf_allow_network)
    return site, renderer, policy, list(sources.assets)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 22))]
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, number: int) -> str:
    """A news text of about 900 words: paragraphs, a heading, a list, links and two footnotes."""
    parts = []
    for paragraph in range(9):
        text = " ".join(_sentence(rng) for _ in range(rng.randint(4, 7)))
        if paragraph == 1:
            text += f" See [the partner's report](https://example.eu/report/{number}) and the agreement[^a]."
        if paragraph == 4:
            parts.append("## What comes next")
            parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(4)))
        if paragraph == 6:
            text += " The results are public[^b]."
        parts.append(text)
    parts.append(f"[^a]: {_sentence(rng)}")
    parts.append(f"[^b]: {_sentence(rng)} https://example.eu/results/{number}")
    return "\n\n".join(parts) + "\n"


def generated_edition(site: Site, items: int) -> tuple[Site, ResolvedEdition]:
    """A site whose only edition holds ``items`` generated news items, four sections of them."""
    rng = random.Random(SEED)
    news = [
        News(
            kind="news",
            slug=f"generated-{n}",
            path=f"content/news/generated-{n}.md",
            title=f"Generated item {n}: " + " ".join(rng.choice(WORDS) for _ in range(6)),
            body=_body(rng, n),
            date=dt.date(2019, 9, 1) + dt.timedelta(days=n % 15),
            source="Benchmark",
        )
        for n in range(items)
    ]
    per = -(-items // 4)
    sections = tuple(
        SectionRef(f"Section {s + 1}", tuple(i.ref for i in news[s * per : (s + 1) * per]), 1, tuple(1 for _ in news[s * per : (s + 1) * per]))
        for s in range(4)
    )
    edition = Edition(id="bench", path="content/newsletter/bench.yaml", number=40, date=dt.date(2019, 9, 16), title="Generated edition", sections=sections)
    model = build_model(site.config, news, [edition], site.now)
    assert isinstance(model, Site), model
    return model, model.editions[0]


def print_html(renderer: Renderer, resolved: ResolvedEdition) -> str:
    printed = edition_pdf.print_edition(renderer.site, resolved)
    out = renderer.render(urls.edition_pdf_url(resolved.edition.id), edition_pdf.TEMPLATE, printed=printed, edition=resolved, title=resolved.edition.title)
    assert isinstance(out, Output), out
    return out.data.decode("utf-8")


def measure(name: str, render: Callable[[], bytes], repeat: int) -> Timing:
    """Median wall and CPU seconds of ``repeat`` renders."""
    walls, cpus, data = [], [], b""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        data = render()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    return Timing(name, pages, statistics.median(walls), statistics.median(cpus), len(data))


def bench_editions(repeat: int, items: int) -> list[Timing]:
    site, renderer, policy, _ = load_site(REPO)
    stylesheet = REPO / "templates" / edition_pdf.STYLESHEET

    def renderer_of(page: str, edition_id: str) -> Callable[[], bytes]:
        base = site.config.absolute(urls.edition_url(edition_id))
        return lambda: edition_pdf.render_pdf(page, base, stylesheet, ProjectFetcher(policy), "0" * 64)

    jobs = [(e.edition.id, print_html(renderer, e)) for e in site.editions]
    big_site, big = generated_edition(site, items)
    jobs.append((f"generated ({items} items)", print_html(Renderer(renderer.env, big_site), big)))
    renderer_of(jobs[0][1], "warm-up")()  # the first render of a process loads fonts and styles
    return [measure(name, renderer_of(page, name), repeat) for name, page in jobs]


def bench_cache() -> tuple[float, float]:
    """Seconds of the build's PDF stage on a copy of the project: rendering every edition, then all from the cache."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project"
        project.mkdir()
        for name in ("content", "templates"):
            shutil.copytree(REPO / name, project / name)
        shutil.copy2(REPO / "site.yaml", project / "site.yaml")
        times = []
        for _ in range(2):
            _, renderer, _, assets = load_site(project)
            started = time.perf_counter()
            run = edition_pdf.make_edition_pdfs(renderer, project, assets)
            times.append(time.perf_counter() - started)
            assert not run.errors, run.errors
        return times[0], times[1]


def report(timings: list[Timing], cache: tuple[float, float], repeat: int, load: tuple[float, float, float]) -> str:
    from weasyprint import VERSION

    lines = [
        "# PDF edition: render times",
        "",
        "Made by `bench/bench_pdf.py` (issue 4). Reproduce with:",
        "",
        "    .venv/bin/python bench/bench_pdf.py --repeat 3",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, WeasyPrint {VERSION}; "
        f"load average at the start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min). "
        f"Medians of {repeat} renders after a warm-up, straight through WeasyPrint (no cache). "
        f"Goal: {GOAL:.0f} s or less per 20 pages.",
        "",
        "| edition | pages | PDF size | wall s | CPU s | wall s per 20 pages | CPU s per 20 pages | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for t in timings:
        met = "met" if t.wall_per_20 <= GOAL else ("met in CPU time" if t.cpu_per_20 <= GOAL else "not met")
        lines.append(f"| {t.name} | {t.pages} | {t.size // 1000} KB | {t.wall:.2f} | {t.cpu:.2f} | {t.wall_per_20:.2f} | {t.cpu_per_20:.2f} | {met} |")
    lines += [
        "",
        "The build's PDF stage on a copy of the project (every edition of `content/`):",
        "",
        "| run | wall s |",
        "|---|---:|",
        f"| first build: every edition rendered | {cache[0]:.2f} |",
        f"| second build: every edition from `.cache/pdf/` | {cache[1]:.2f} |",
        "",
        "Reading: WeasyPrint renders in one thread, so on an idle machine the wall time is close to the CPU time;",
        "with a load average above the number of cores, other processes take the CPU and the wall time grows with",
        "it. A real edition costs more per page than the generated one: its cover and contents (page numbers by",
        "`target-counter`, which make WeasyPrint lay the document out twice) weigh on fewer pages.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--items", type=int, default=16, help="news items of the generated edition (16 give about 40 pages)")
    parser.add_argument("--no-write", action="store_true", help="print the results without writing bench/pdf-results.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    timings = bench_editions(args.repeat, args.items)
    cache = bench_cache()
    text = report(timings, cache, args.repeat, load)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
