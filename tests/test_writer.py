"""The disk build writes each output where it is made (forked workers write the pages they render) and keeps only a
record of it; it must give the bytes of the in-memory build, whether or not workers render, with a cold or a warm
cache, and a failure found after pages were written (a broken link) must leave the previous output untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COUNT_POOLS, snapshot, write_site

from eccpsite.core.urls import output_path
from eccpsite.incremental.writer import OutputRefused, Staging, staging
from eccpsite.incremental.writer import write_site as write_outputs
from eccpsite.outputs.render import Output

SCRIPT = (
    """
import json, sys
from pathlib import Path
from eccpsite import build as build_module
from eccpsite.outputs import site as render_site_module
from eccpsite.build import BuildOptions, build, build_outputs
from eccpsite.core.errors import BuildFailed
from eccpsite.core.urls import output_path

project, output, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
render_site_module.PARALLEL_ITEMS = int(sys.argv[4])
"""
    + COUNT_POOLS
    + """
options = BuildOptions(now="2019-09-16", pdf=False)
report = {}
if mode == "memory":
    for out in build_outputs(project, options).outputs:
        target = output / output_path(out.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out.data)
elif mode == "disk":
    build(project, output, options)
else:  # a build that fails on its links: were the pages already in the staging folder when they were checked?
    checked = build_module.check_links
    def spying(records, assets, sources):
        folder, = output.parent.glob(f".{output.name}.staging-*")  # the build's own staging folder
        report["staged"] = sorted(r.url for r in records if (folder / output_path(r.url)).is_file())
        return checked(records, assets, sources)
    build_module.check_links = spying
    try:
        build(project, output, options)
    except BuildFailed as failed:
        report["errors"] = [str(e) for e in failed.errors]
report["pool"] = bool(pooled)
print(json.dumps(report))
"""
)

NEWS = "---\ntitle: News number {n}\ndate: 2019-06-{day:02d}\ntags: [t{tag}]\n---\nItem {n}, with a note.[^1] See [the list](/news/).\n\n[^1]: The note.\n"
EVENT = "---\ntitle: Cluster days {n}\nstart: 2019-10-{n:02d}T09:30\nlocation: {{city: Bucharest, country: RO}}\ntags: [t1]\n---\nMeetings.\n"
EDITION = "number: 1\ndate: 2019-07-01\ntitle: July 2019\nsections:\n  - title: News\n    items: [news/n1, news/n2]\n"
BROKEN = "---\ntitle: A broken link\ndate: 2019-06-30\n---\nRead [the report](/news/no-such-report/).\n"
THRESHOLDS = {"one process": 10_000, "forked workers": 1}


def _site(root: Path, news: int = 40) -> Path:
    files = {f"content/news/2019-06-{n % 28 + 1:02d}-n{n}.md": NEWS.format(n=n, day=n % 28 + 1, tag=n % 3) for n in range(news)}
    files |= {f"content/events/days-{n}.md": EVENT.format(n=n) for n in range(1, 6)}
    files |= {"content/newsletter/2019-07.yaml": EDITION, "content/media/pixel.png": b"\x89PNG\r\n\x1a\n"}
    return write_site(root, files)


def _run(project: Path, output: Path, mode: str, threshold: int) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(project), str(output), mode, str(threshold)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    assert report["pool"] == (threshold == 1)
    return report


def _pages(folder: Path) -> dict[str, bytes]:
    """What a build made, without what only a disk build adds (the search bundle, static files and media, the marker)."""
    return {name: data for name, data in snapshot(folder).items() if not name.startswith(("pagefind/", "static/", "media/", ".eccpsite"))}


@pytest.mark.parametrize("how", sorted(THRESHOLDS))
def test_writer_disk_build_gives_the_bytes_of_the_in_memory_build(how: str, tmp_path: Path) -> None:
    project = _site(tmp_path / "site")
    threshold = THRESHOLDS[how]

    _run(project, tmp_path / "cold", "disk", threshold)  # no cache yet
    _run(project, tmp_path / "warm", "disk", threshold)  # bodies read from the cache file (by the workers too)
    _run(project, tmp_path / "memory", "memory", threshold)

    cold, warm = snapshot(tmp_path / "cold"), snapshot(tmp_path / "warm")
    assert cold == warm
    assert _pages(tmp_path / "cold") == snapshot(tmp_path / "memory")
    assert "news/n39/index.html" in cold and "events/days-5/event.ics" in cold and "sitemap.xml" in cold
    assert cold["media/pixel.png"] == (project / "content/media/pixel.png").read_bytes()
    assert any(name.startswith("pagefind/") for name in cold)


def test_writer_pages_written_by_workers_give_the_bytes_of_one_process(listing_in_order: Path) -> None:
    """The search index too: Pagefind reads the pages in the order of the stages, not in the order workers wrote them
    (150 items: several slices of items, written by both workers at once)."""
    project = _site(listing_in_order / "site", news=150)
    _run(project, listing_in_order / "serial", "disk", THRESHOLDS["one process"])
    (project / ".cache").rename(listing_in_order / "cache-of-serial")  # the pool build indexes afresh
    _run(project, listing_in_order / "pool", "disk", THRESHOLDS["forked workers"])

    assert snapshot(listing_in_order / "pool") == snapshot(listing_in_order / "serial")


@pytest.mark.parametrize("how", sorted(THRESHOLDS))
def test_writer_broken_link_found_after_the_pages_were_written_leaves_the_previous_output(how: str, tmp_path: Path) -> None:
    project = _site(tmp_path / "site")
    output = tmp_path / "out"
    _run(project, output, "disk", THRESHOLDS[how])
    before = snapshot(output)
    (project / "content/news/2019-06-30-broken.md").write_text(BROKEN, encoding="utf-8")

    report = _run(project, output, "broken", THRESHOLDS[how])

    assert report["errors"] == ["content/news/2019-06-30-broken.md:5: the link to /news/no-such-report/ leads to no page of the site"]
    staged = report["staged"]
    assert isinstance(staged, list) and "/news/broken/" in staged and "/news/n39/" in staged  # written before the check
    assert snapshot(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no staging folder left behind


def test_writer_refuses_an_output_outside_the_folder_and_keeps_the_previous_one(tmp_path: Path) -> None:
    output = tmp_path / "build"
    write_outputs([Output("/a/", b"old")], [], output)

    with pytest.raises(OutputRefused), staging(output) as folder:
        folder.put(Output("/b/", b"new"))
        folder.put(Output("/../../escaped.html", b"<p>out</p>"))

    assert snapshot(output) == {".eccpsite-build": (output / ".eccpsite-build").read_bytes(), "a/index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_writer_staging_keeps_a_record_not_the_bytes(tmp_path: Path) -> None:
    folder = Staging(tmp_path)
    page = Output("/news/x/", b'<article data-pagefind-body><a href="/news/">News</a> <a href="#">here</a></article>')

    record = folder.put(page)
    feed = folder.put(Output("/feeds/news.xml", b"<rss/>"))

    assert (tmp_path / output_path("/news/x/")).read_bytes() == page.data
    assert (record.url, record.size, record.indexed) == ("/news/x/", len(page.data), True)
    assert record.links is not None and record.links.hrefs == ("/news/",) and len(record.links.warnings) == 1
    assert record.digest != feed.digest and len(record.digest) == 20
    assert (feed.indexed, feed.links) == (False, None)
    assert not hasattr(record, "data")
