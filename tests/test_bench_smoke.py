"""The benchmark of issue 6 at a small N: its corpus is deterministic and valid, and its runner reports.

No timing is asserted here: CI only checks that the benchmark still works.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from conftest import NOW, REPO, clean_env, run_eccpsite, snapshot

N = 30


def _load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


generate = _load_generate()


def test_generate_is_deterministic(tmp_path: Path) -> None:
    generate.generate(tmp_path / "a", N)
    generate.generate(tmp_path / "b", N)
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert len([p for p in first if p.startswith("eccpsite/content/news/")]) == N
    assert first == second
    generate.generate(tmp_path / "c", N, seed=generate.SEED + 1)
    assert snapshot(tmp_path / "c") != first


def test_generate_writes_every_kind_with_realistic_news(tmp_path: Path) -> None:
    counts = generate.generate(tmp_path, N)
    assert {"news", "events", "calls", "interviews", "pages", "editions"} <= counts.keys()
    assert min(counts.values()) >= 2
    corpus = generate.make_corpus(N)
    words = [len(re.findall(r"\w+", news.body)) for news in corpus.news]
    assert 450 <= sum(words) / len(words) <= 700
    assert {tag for news in corpus.news for tag in news.tags} <= set(generate.TAGS)
    assert len(generate.TAGS) == 30
    bodies = "".join(news.body for news in generate.make_corpus(200).news)
    assert "|---|" in bodies and "[^1]:" in bodies and "<sup>" in bodies


def _load_density() -> ModuleType:
    spec = importlib.util.spec_from_file_location("density", REPO / "bench" / "density.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_density_counts_each_kind_of_inline_markup() -> None:
    density = _load_density()
    text = 'See [the map](https://example.org/) and *this* and **that**, `code`, "a quote"[^1] and the 4<sup>th</sup> one.\n'
    found = density.density([text])
    for kind in density.TARGETED:  # one of each, per 100 words
        assert found[kind] == 100 / found["words"], kind
    assert density.density(["Plain words only.\n"])["gated paragraphs"] == 0


def test_generated_prose_has_at_least_the_real_contents_inline_markup() -> None:
    """Issue 22: the corpus's news carry each kind of inline markup at least as densely as the real content/."""
    density = _load_density()
    real = density.real_density()
    assert real["words"] > 5000 and real["links"] > 0  # the real content is there and holds markup
    corpus = generate.make_corpus(200, news_only=True, markup=generate.realistic_markup())
    made = density.density(news.body for news in corpus.news)
    for kind in density.TARGETED:
        assert made[kind] >= real[kind], (kind, made[kind], real[kind])
    plain = density.density(news.body for news in generate.make_corpus(200, news_only=True).news)
    assert made["gated paragraphs"] > plain["gated paragraphs"]


def test_gated_walks_render_the_realistic_corpus_exactly_as_python_markdown() -> None:
    """Issue 22: the inline gate, pattern by pattern, on prose with the real content's inline markup (and more)."""
    from eccpsite.core.markup.markdown import _renderer

    gated, plain = _renderer(), _renderer(gated=False)
    corpus = generate.make_corpus(150, markup=generate.markup_targets(dict.fromkeys(_load_density().TARGETED, 2.0)))
    assert len(corpus.items) > 200
    for item in corpus.items:
        gated.reset()
        plain.reset()
        assert gated.convert(item.body) == plain.convert(item.body), item.slug


def test_generate_gives_pelican_and_hugo_the_same_news(tmp_path: Path) -> None:
    generate.generate(tmp_path, N)
    slugs = {re.sub(r"^\d{4}-\d{2}-\d{2}-", "", p.stem) for p in (tmp_path / "eccpsite" / "content" / "news").glob("*.md")}
    pelican = {re.sub(r"^\d{4}-\d{2}-\d{2}-", "", p.stem) for p in (tmp_path / "pelican" / "content" / "news").glob("*.md")}
    hugo = {p.stem for p in (tmp_path / "hugo" / "content" / "news").glob("*.md")}
    assert len(slugs) == N
    assert slugs == pelican == hugo
    sample = sorted((tmp_path / "hugo" / "content" / "news").glob("*.md"))[0]
    body = sample.read_text(encoding="utf-8").split("---\n", 2)[2]
    (pelican_file,) = (tmp_path / "pelican" / "content" / "news").glob(f"*-{sample.stem}.md")
    assert pelican_file.read_text(encoding="utf-8").endswith(body)


def test_generate_builds_without_errors(tmp_path: Path) -> None:
    generate.generate(tmp_path, N)
    project = tmp_path / "eccpsite"
    done = run_eccpsite("--project", str(project), "build", "--now", NOW, "--strict", "--output", str(tmp_path / "out"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower()
    news = [p for p in (tmp_path / "out" / "news").iterdir() if (p / "index.html").is_file()]
    assert len(news) == N


def test_run_smoke_writes_results(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--tools", "eccpsite", "--work", str(tmp_path / "work"), "--results", str(results)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = results.read_text(encoding="utf-8")
    # cold, warm, one edit, no-op; then the peers alone and with Pagefind, not run here
    assert re.search(r"^\| 50 \| ([\d.]+ s, \d+ MB \| ){4}(not run \| ){3}not run \|$", report, re.M), report
    assert "## The goals of issues 6 and 22" in report
    # the prose's inline markup: the real content's and the generated news', per 100 words
    assert re.search(r"^\| links \| [\d.]+ \| [\d.]+ \|$", report, re.M), report
    # every run: the largest process, then the process tree's PSS (shared pages once) and RSS sums
    assert re.search(r"^\| 50 \| eccpsite \| warm \| 1 \| [\d.]+ s \| [\d.]+ s \| \d+ MB \| \d+ MB \| \d+ MB \| [\d,]+ \|", report, re.M), report
    assert re.search(r"^\| 50 \| eccpsite \| edit \| 1 \| [\d.]+ s \|", report, re.M), report
    assert "*process tree (PSS)*" in report
    # the cold and one-edit builds' own account of their stages (eccpsite build --timings)
    assert "## Where eccpsite's time goes" in report
    assert re.search(r"^\| make the search index \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \|$", report, re.M), report
    assert "python bench/run.py --smoke" in report
    assert not (tmp_path / "work" / "n50").exists()  # the corpus is removed after the run


def test_generate_hugo_news_build_unchanged_as_news(tmp_path: Path) -> None:
    """Issue 15: news as `hugo new` writes them (datetimes with offsets, slug:, quoted display-case tags) build as they are."""
    generate.generate(tmp_path, N, news_only=True, hugo_news=True)
    project = tmp_path / "eccpsite"
    sample = next(p for p in sorted((project / "content" / "news").glob("*.md")) if "+09:00" in p.read_text(encoding="utf-8"))
    front = sample.read_text(encoding="utf-8").split("---\n")[1]
    assert re.search(r"^date: \d{4}-\d\d-\d\dT\d\d:\d\d:00\+09:00$", front, re.M) and re.search(r'^tags: \["', front, re.M)
    assert re.search(r'^slug: "', front, re.M) and not re.match(r"\d{4}-", sample.name)
    done = run_eccpsite("--project", str(project), "build", "--now", NOW, "--strict", "--no-pdf", "--output", str(tmp_path / "out"), cwd=project)
    assert done.returncode == 0, done.stderr
    news = [p for p in (tmp_path / "out" / "news").iterdir() if (p / "index.html").is_file()]
    assert len(news) == N
    tags = {tag for facts in generate.make_corpus(N, news_only=True).news for tag in facts.tags}
    tag = next(t for t in generate.TAG_NAMES if t in tags)
    assert f"Tagged “{generate.TAG_NAMES[tag]}”" in (tmp_path / "out" / "tags" / tag / "index.html").read_text(encoding="utf-8")
    # the day is the day in Brussels: 2015-08-30T17:06+09:00 is 10:06 the same day there, 03:00+09:00 the day before
    written = re.search(r"^date: (\S+)$", front, re.M)
    assert written is not None
    when = dt.datetime.fromisoformat(written.group(1)).astimezone(ZoneInfo("Europe/Brussels"))
    slug = re.search(r'^slug: "(.+)"$', front, re.M)
    assert slug is not None
    page = (tmp_path / "out" / "news" / slug.group(1) / "index.html").read_text(encoding="utf-8")
    assert f'datetime="{when.date().isoformat()}"' in page
