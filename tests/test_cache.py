"""The build's caches never serve anything stale: after each kind of edit, a warm
build (caches of the build before, same output folder) gives exactly the output of
a cold build of the same sources, and changes only the files the edit concerns.
The Markdown cache is an SQLite file read one body at a time: a file this build did
not write (another schema, a trigger, damage) is replaced, never trusted."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import NOW, run_eccpsite, snapshot, write_site

import eccpsite
from eccpsite.build import BuildOptions, build_outputs, moment_of
from eccpsite.core import layout
from eccpsite.core.markup import markdown as markup
from eccpsite.core.model import Site
from eccpsite.edges.fingerprint import Stamps, code_digest
from eccpsite.incremental import snapshot as kept_output
from eccpsite.uptodate import BUILT, RESTORED, UP_TO_DATE, Built, build_if_changed

OPTIONS = BuildOptions(now=NOW, pdf=False)
NEWS = "---\ntitle: {title}\ndate: 2019-06-0{day}\ntags: [matchmaking]\n---\n{body}\n"
EVENT = "---\ntitle: Cluster days\nstart: 2019-10-02\nend: 2019-10-03\nlocation: {city: Bucharest, country: RO}\n---\nTwo days of meetings.\n"


def _site(root: Path) -> Path:
    return write_site(
        root,
        {
            "content/news/2019-06-01-first.md": NEWS.format(title="First", day=1, body="The first item, with a note.[^1]\n\n[^1]: A note."),
            "content/news/2019-06-02-second.md": NEWS.format(title="Second", day=2, body="The second item."),
            "content/events/cluster-days.md": EVENT,
        },
    )


def _cold(project: Path, tmp: Path, options: BuildOptions = OPTIONS) -> dict[str, bytes]:
    """A build of a copy of ``project`` without any cache."""
    copy = tmp / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache", "build"))
    assert build_if_changed(copy, copy / "build", options).how == BUILT
    return snapshot(copy / "build")


def _build(site: Path, options: BuildOptions = OPTIONS, output: str = "build") -> Built:
    return build_if_changed(site, site / output, options)


def _edit_body(site: Path) -> None:
    path = site / "content/news/2019-06-02-second.md"
    path.write_text(path.read_text().replace("The second item.", "The second item, now longer."))


def _edit_template(site: Path) -> None:
    path = site / "templates/news.html"
    path.write_text(path.read_text().replace("{% block kicker %}News{% endblock %}", "{% block kicker %}Cluster news{% endblock %}"))


def _edit_config(site: Path) -> None:
    path = site / "site.yaml"
    text = path.read_text()
    assert "tagline: A small site for the tests" in text
    path.write_text(text.replace("tagline: A small site for the tests", "tagline: Clusters, connected"))


def _move_event(site: Path) -> None:
    path = site / "content/events/cluster-days.md"
    path.write_text(path.read_text().replace("city: Bucharest, country: RO", "city: Sofia, country: BG"))


def _add_news(site: Path) -> None:
    (site / "content/news/2019-06-03-third.md").write_text(NEWS.format(title="Third", day=3, body="A third item."))


def _delete_news(site: Path) -> None:
    (site / "content/news/2019-06-01-first.md").unlink()


EDITS: dict[str, tuple[Callable[[Path], None], Callable[[str], bool]]] = {
    # edit, and which output files it may change (everything else must keep its bytes)
    "content": (_edit_body, lambda name: "second" in name or name.startswith(("feeds/", "tags/", "news/index", "index", "pagefind/", "search"))),
    "template": (_edit_template, lambda name: name.startswith(("news/", "pagefind/"))),
    "config": (_edit_config, lambda name: True),
    # the event's page and every page that shows the event filters (all event pages and lists) change
    "event": (_move_event, lambda name: name.startswith(("events/", "calendar/", "feeds/", "index", "pagefind/", "search", "tags/", "sitemap"))),
    "new item": (_add_news, lambda name: True),
    "deleted item": (_delete_news, lambda name: True),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_cache_warm_build_after_an_edit_equals_a_cold_build(kind: str, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT and (site / ".cache").is_dir()
    before = snapshot(site / "build")

    edit, may_change = EDITS[kind]
    edit(site)
    warm = _build(site)

    assert warm.how == BUILT, "the edit was not noticed"
    after = snapshot(site / "build")
    assert after == _cold(site, tmp_path)
    changed = {name for name in after.keys() | before.keys() if after.get(name) != before.get(name)}
    assert changed, "the edit changed nothing"
    assert {name for name in changed if not may_change(name)} == set()


def test_cache_unchanged_sources_are_up_to_date_and_a_new_version_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = snapshot(site / "build")
    assert _build(site).how == UP_TO_DATE  # nothing changed

    monkeypatch.setattr(eccpsite, "__version__", eccpsite.__version__ + ".post1")
    code_digest.cache_clear()  # the digest is made once per process; a new eccpsite is a new process
    rebuilt = _build(site)  # a new eccpsite builds again, and renders every page
    cold = _cold(site, tmp_path)
    monkeypatch.undo()
    code_digest.cache_clear()  # back to this eccpsite's digest for the tests that follow
    assert rebuilt.how == BUILT and rebuilt.result is not None and rebuilt.result.reused == 0
    assert snapshot(site / "build") == before == cold


# --- the kept output (eccpsite.incremental.snapshot) and the page cache (eccpsite.incremental.pagecache) --------------------------------------


def _inodes(folder: Path) -> dict[str, int]:
    return {name: (folder / name).stat().st_ino for name in snapshot(folder)}


def test_cache_a_fresh_output_folder_gets_the_kept_output_when_nothing_changed(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    shutil.rmtree(site / "build")  # a deploy: the build cache is restored, the output folder is new

    restored = _build(site)

    assert restored.how == RESTORED and restored.files == len(snapshot(site / "build")) - 1  # all but the marker
    assert snapshot(site / "build") == _cold(site, tmp_path)
    assert _build(site).how == UP_TO_DATE


# --- up to date means the output is there (issue 21, item 6) ---------------------------------------------------------


def _remove_pages(site: Path) -> None:
    (site / "build/index.html").unlink()
    shutil.rmtree(site / "build/news")


def _edit_in_place(site: Path) -> None:
    """The same number of bytes, written into the kept page itself, its modification time put back."""
    page = site / "build/news/first/index.html"
    times = page.stat()
    with open(page, "r+b") as file:
        data = file.read()
        file.seek(0)
        file.write(data.replace(b"The first item", b"The FIRST item"))
    os.utime(page, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert page.stat().st_mtime_ns == times.st_mtime_ns and page.stat().st_size == times.st_size


def _replace_search_file(site: Path) -> None:
    entry = site / "build/pagefind/pagefind-entry.json"
    times = entry.stat()
    with open(entry, "r+b") as file:
        file.write(b"[")
    os.utime(entry, ns=(times.st_atime_ns, times.st_mtime_ns))


def _add_a_file(site: Path) -> None:
    (site / "build/news/first/notes.txt").write_text("someone's notes")


DAMAGE = {"pages deleted": _remove_pages, "a page edited in place": _edit_in_place, "a search file edited": _replace_search_file, "a file added": _add_a_file}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_cache_an_output_changed_by_hand_is_not_up_to_date(kind: str, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    cold = _cold(site, tmp_path)
    DAMAGE[kind](site)

    done = _build(site)

    assert done.how in (RESTORED, BUILT) and done.repaired, "the damage was not seen"
    assert snapshot(site / "build") == cold
    assert _build(site).how == UP_TO_DATE
    assert _build(site, output="elsewhere").how == RESTORED  # the kept output is whole again
    assert snapshot(site / "elsewhere") == cold


def test_cache_an_output_whose_files_only_got_new_times_is_up_to_date(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = snapshot(site / "build")
    for name in ("index.html", "news/first/index.html", "pagefind/pagefind-entry.json"):
        (site / "build" / name).chmod(0o600)  # its change time moves; its bytes stay

    assert _build(site).how == UP_TO_DATE
    assert snapshot(site / "build") == before
    assert json.loads((site / ".cache/output/index.json").read_text())["listing"]["index.html"][2] == (site / "build/index.html").stat().st_ctime_ns


def test_cache_the_cli_names_the_files_it_put_back(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    _remove_pages(site)

    done = run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=site)

    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert re.fullmatch(r"\d+ file\(s\) of build were removed, added or edited since the last build \(index\.html, news/.+ and \d+ more\): built again", first)
    assert second.startswith("nothing changed since the last build: its ")


def test_cache_a_cache_copied_without_its_file_times_is_still_used(tmp_path: Path) -> None:
    """Netlify restores the build cache by copying it: the kept files are then checked by their bytes."""
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    moved = tmp_path / "restored-cache"
    shutil.copytree(site / ".cache", moved, copy_function=shutil.copyfile)  # new files, new times
    shutil.rmtree(site / ".cache")
    shutil.rmtree(site / "build")
    moved.rename(site / ".cache")

    assert _build(site).how == RESTORED
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_a_kept_file_edited_in_place_is_never_served(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    page = site / "build/news/second/index.html"
    page.write_text(page.read_text().replace("The second item.", "Tampered."))  # the kept file is the same file
    shutil.rmtree(site / "build/feeds")

    done = _build(site, output="elsewhere")  # the kept output no longer stands for the last build: build

    assert done.how == BUILT and done.result is not None and done.result.reused > 0
    assert snapshot(site / "elsewhere") == _cold(site, tmp_path)
    assert "Tampered" not in (site / ".cache/output/files/news/second/index.html").read_text()


def test_cache_search_files_are_linked_and_one_edited_in_place_is_made_again(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    entry = site / "build/pagefind/pagefind-entry.json"
    [kept] = site.glob(".cache/search/*/pagefind-entry.json")
    assert entry.stat().st_ino == kept.stat().st_ino, "the bundle is linked from the cache, not copied"
    with open(entry, "r+b") as file:  # edited in place: the cached bundle's file is the same file
        file.write(b"[")

    done = _build(site, output="elsewhere")  # the kept output no longer stands for the last build: build

    assert done.how == BUILT
    assert snapshot(site / "elsewhere") == _cold(site, tmp_path)
    [remade] = site.glob(".cache/search/*/pagefind-entry.json")
    assert remade.read_bytes() == (site / "elsewhere/pagefind/pagefind-entry.json").read_bytes()
    assert not remade.read_bytes().startswith(b"[")


def test_cache_pages_whose_inputs_did_not_change_are_linked_not_rendered(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = _inodes(site / "build")
    _edit_body(site)

    done = _build(site)

    assert done.how == BUILT and done.result is not None
    after = _inodes(site / "build")
    linked = {name for name in after if before.get(name) == after[name]}
    assert done.result.reused == len(linked) > 0
    # the edited item's page and every list that shows it are rendered; pages that hold neither are linked
    assert {"news/second/index.html", "news/index.html", "index.html", "tags/matchmaking/index.html"}.isdisjoint(linked)
    assert {"news/first/index.html", "events/cluster-days/index.html", "404.html", "robots.txt"} <= linked
    # the calendars read no news: the stage is kept whole
    assert {"events/calendar.ics", "events/cluster-days/event.ics", "calls/deadlines.ics"} <= linked
    assert snapshot(site / "build") == _cold(site, tmp_path)

    _move_event(site)  # the calendars' own input: the stage runs again
    done = _build(site)
    assert done.how == BUILT and "events/calendar.ics" not in {name for name, inode in _inodes(site / "build").items() if after.get(name) == inode}
    assert "Sofia" in (site / "build/events/calendar.ics").read_text()
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_an_item_page_is_made_again_when_what_its_context_read_changed(tmp_path: Path) -> None:
    # An item's page is keyed by its item, editions and git revision, not by its context (pages.item_context):
    # a profile's page lists the items that name it, which the profile itself does not say.
    site = _site(tmp_path / "site")
    (site / "content/clusters").mkdir(exist_ok=True)
    (site / "content/clusters/clustero.md").write_text("---\ntitle: Clustero\ncountry: RO\n---\nA cluster of clusters.\n")
    assert _build(site).how == BUILT
    before = _inodes(site / "build")
    assert "Second" not in (site / "build/clusters/clustero/index.html").read_text()
    path = site / "content/news/2019-06-02-second.md"
    path.write_text(path.read_text().replace("tags: [matchmaking]", "tags: [matchmaking]\nclusters: [clustero]"))

    assert _build(site).how == BUILT

    after = _inodes(site / "build")
    assert after["clusters/clustero/index.html"] != before["clusters/clustero/index.html"]
    assert "Second" in (site / "build/clusters/clustero/index.html").read_text()
    assert after["news/first/index.html"] == before["news/first/index.html"]  # read nothing that changed: linked
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_a_page_that_does_not_show_the_build_moment_is_kept_when_the_clock_moves(tmp_path: Path) -> None:
    # A build without --now takes the clock, which moves between builds: a page made again whenever "now" moves
    # would make every deploy render it. A news page's dates are capped at the build's moment, so they are the
    # page's inputs (pages.item_dates), not "now" itself.
    site = _site(tmp_path / "site")
    assert _build(site, BuildOptions(now="2019-09-16T10:00:00+00:00", pdf=False)).how == BUILT
    before = _inodes(site / "build")
    _edit_body(site)

    assert _build(site, BuildOptions(now="2019-09-16T11:00:00+00:00", pdf=False)).how == BUILT

    after = _inodes(site / "build")
    assert after["news/first/index.html"] == before["news/first/index.html"]
    assert after["news/second/index.html"] != before["news/second/index.html"]


def test_cache_a_build_on_the_clock_keeps_the_last_moment_while_the_site_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without --now a build takes the clock, which moves between deploys; the pages that read "now" (an event's
    # status) would all be made again by every one. The last build's moment is kept while it makes the same site.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site = _site(tmp_path / "site")
    on_the_clock = BuildOptions(pdf=False)
    first = _build(site, on_the_clock)
    assert first.how == BUILT and first.result is not None
    before = _inodes(site / "build")
    _edit_body(site)

    second = _build(site, on_the_clock)

    assert second.how == BUILT and second.result is not None
    if second.result.now != first.result.now and dt.datetime.now(first.result.now.tzinfo).date() != first.result.now.date():
        pytest.skip("midnight came between the two builds")
    assert second.result.now == first.result.now
    after = _inodes(site / "build")
    assert after["events/cluster-days/index.html"] == before["events/cluster-days/index.html"]
    assert after["news/second/index.html"] != before["news/second/index.html"]
    at_that_moment = BuildOptions(now=first.result.now.replace(tzinfo=None).isoformat(), pdf=False)  # in the site's zone
    copy = tmp_path / "at-that-moment"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".cache", "build"))
    assert _build(copy, at_that_moment).how == BUILT
    assert snapshot(site / "build") == snapshot(copy / "build")


@pytest.mark.parametrize(
    ("steady", "clock", "kept"),
    [
        ("2019-09-16T10:00:00+00:00", "2019-09-16T11:00:00+00:00", True),  # the same day, no status changes between
        ("2019-10-01T10:00:00+00:00", "2019-10-05T10:00:00+00:00", False),  # the event ended between
        ("2019-09-16T10:00:00+00:00", "2019-09-17T10:00:00+00:00", False),  # another day: the calendar's own month may move
        ("2019-09-16T12:00:00+00:00", "2019-09-16T11:00:00+00:00", False),  # a moment after the clock is never taken
    ],
)
def test_cache_the_last_moment_is_kept_only_while_it_makes_the_same_site(steady: str, clock: str, kept: bool, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")

    def model(now: dt.datetime) -> Site:
        return build_outputs(site, BuildOptions(now=now.isoformat(), pdf=False)).site

    made = moment_of(model, dt.datetime.fromisoformat(clock), dt.datetime.fromisoformat(steady))

    assert not isinstance(made, list)
    assert made.now == dt.datetime.fromisoformat(steady if kept else clock)


def test_cache_a_feed_is_made_again_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = _inodes(site / "build")
    _move_event(site)  # shown by the feeds of events and of everything, not by those of the news or of a tag

    assert _build(site).how == BUILT

    after = _inodes(site / "build")
    linked = {name for name in after if before.get(name) == after[name]}
    assert {f"feeds/news.{ext}" for ext in ("xml", "atom", "json")} | {"tags/matchmaking/feed.xml"} <= linked
    assert {f"feeds/{name}.{ext}" for name in ("events", "all") for ext in ("xml", "atom", "json")}.isdisjoint(linked)
    assert "Sofia" in (site / "build/feeds/events.xml").read_text()
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_a_template_edit_renders_only_the_pages_that_loaded_it(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = _inodes(site / "build")
    _edit_template(site)  # templates/news.html: only news items' pages load it

    done = _build(site)

    assert done.how == BUILT
    after = _inodes(site / "build")
    rendered = {name for name in after if name.endswith(".html") and before.get(name) != after[name]}
    assert {"news/first/index.html", "news/second/index.html"} <= rendered
    assert not {name for name in rendered if not name.startswith("news/") or name == "news/index.html"}, rendered
    assert "Cluster news" in (site / "build/news/first/index.html").read_text()
    assert snapshot(site / "build") == _cold(site, tmp_path)

    base = site / "templates/base.html"  # every page loads the base template: every page is rendered again
    base.write_text(base.read_text().replace("</footer>", "<p>Edited.</p></footer>", 1))
    assert _build(site).how == BUILT
    again = _inodes(site / "build")
    pages = {name for name in after if name.endswith(".html")}
    showing = {name for name in pages if "<p>Edited.</p>" in (site / "build" / name).read_text()}
    assert len(showing) > 10 and {name for name in pages if again[name] != after[name]} == showing
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_a_deadline_passing_makes_the_build_run_again(tmp_path: Path) -> None:
    call = "---\ntitle: A call\ndeadlines:\n  - {date: 2019-09-20, label: Deadline}\n---\nApply.\n"
    site = write_site(tmp_path / "site", {"content/calls/a-call.md": call})
    assert _build(site, BuildOptions(now="2019-09-16", pdf=False)).how == BUILT
    assert _build(site, BuildOptions(now="2019-09-18", pdf=False)).how == UP_TO_DATE
    assert _build(site, BuildOptions(now="2019-09-18", pdf=False), "elsewhere").how == RESTORED
    rebuilt = _build(site, BuildOptions(now="2019-09-21", pdf=False))
    assert rebuilt.how == BUILT and rebuilt.result is not None
    assert rebuilt.result.reused > 0  # the pages that show no call
    assert "Closed" in (site / "build/calls/a-call/index.html").read_text()
    assert _build(site, BuildOptions(now="2019-09-21", pdf=False), "elsewhere").how == RESTORED
    assert snapshot(site / "elsewhere") == snapshot(site / "build")


def test_cache_a_new_month_makes_the_build_run_again(tmp_path: Path) -> None:
    # The event calendar's own page (/events/calendar/) shows the month of the build's "now": a build that found
    # nothing changed would leave it on the month before, though no status changes in between.
    event = "---\ntitle: Winter forum\nstart: 2019-12-02\nend: 2019-12-03\nlocation: {city: Sofia, country: BG}\n---\nA forum.\n"
    site = write_site(tmp_path / "site", {"content/events/winter-forum.md": event})
    assert _build(site, BuildOptions(now="2019-09-20", pdf=False)).how == BUILT
    assert _build(site, BuildOptions(now="2019-09-30T23:00:00+02:00", pdf=False)).how == UP_TO_DATE
    assert "September 2019" in (site / "build/events/calendar/index.html").read_text()
    assert _build(site, BuildOptions(now="2019-10-01T00:30:00+02:00", pdf=False)).how == BUILT
    assert "October 2019" in (site / "build/events/calendar/index.html").read_text()
    assert snapshot(site / "build") == _cold(site, tmp_path, BuildOptions(now="2019-10-01T00:30:00+02:00", pdf=False))


# --- the Markdown cache file ------------------------------------------------------------------------------------------


def _cache_file(site: Path) -> Path:
    (found,) = (site / ".cache/markdown").glob("*.sqlite")
    return found


def _keys(path: Path) -> set[bytes]:
    with closing(sqlite3.connect(path)) as db:
        return {row[0] for row in db.execute("SELECT key FROM html")}


def test_cache_files_of_other_versions_and_older_layouts_are_removed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-06-01-kept.md": NEWS.format(title="Kept", day=1, body="A body.")})
    cache = site / ".cache"
    stale = [cache / "markdown" / f"{'0' * 24}.sqlite", cache / "parsed" / f"{'0' * 24}.sqlite"]
    legacy = [cache / f"markdown-{'1' * 24}.sqlite", cache / f"parsed-{'1' * 24}.sqlite", cache / f"markdown-{'1' * 24}.sqlite-journal"]
    for file in (*stale, *legacy):
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"from another version")

    assert _build(site).how == BUILT

    assert [f for f in (*stale, *legacy) if f.exists()] == []
    assert [p.name for p in (cache / "markdown").iterdir()] == [_cache_file(site).name]
    assert len(list((cache / "parsed").iterdir())) == 1


def test_cache_bodies_are_read_from_the_file_not_kept_in_memory(tmp_path: Path) -> None:
    body = "A body rendered once and then read from the cache file, with a note.[^1]\n\n[^1]: The note."
    site = write_site(tmp_path / "site", {"content/news/2019-06-01-kept.md": NEWS.format(title="Kept", day=1, body=body)})
    key = markup._key(body + "\n", "")

    assert _build(site).how == BUILT

    assert [p.name for p in (site / ".cache/markdown").iterdir()] == [_cache_file(site).name]  # one file, no JSON
    assert key in _keys(_cache_file(site))
    assert key not in markup._rendered  # the build read it from the file: it is not held in memory
    assert "A body rendered once" in (site / "build/news/kept/index.html").read_text()


def test_cache_entries_no_longer_used_are_dropped(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    before = _keys(_cache_file(site))

    _edit_body(site)
    assert _build(site).how == BUILT

    after = _keys(_cache_file(site))
    assert len(after - before) == 1 and len(before - after) == 1  # the new body in, the old one out


FOREIGN = {
    "another schema": ["CREATE TABLE html (key BLOB PRIMARY KEY, value TEXT NOT NULL)", "CREATE TABLE extra (x)"],
    "a trigger": [
        "CREATE TABLE html (key BLOB PRIMARY KEY, value TEXT NOT NULL) STRICT",
        "CREATE TABLE log (x)",
        "CREATE TRIGGER t AFTER INSERT ON html BEGIN INSERT INTO log VALUES (new.value); END",
    ],
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_cache_a_file_of_another_schema_is_replaced_unread(kind: str, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    path = _cache_file(site)
    keys = _keys(path)
    path.unlink()
    with closing(sqlite3.connect(path)) as db, db:
        for statement in FOREIGN[kind]:
            db.execute(statement)
        db.executemany("INSERT INTO html VALUES (?, ?)", [(key, "<script>alert('cache')</script>") for key in keys])
    (site / "build").rename(tmp_path / "previous")
    shutil.rmtree(site / ".cache/output")  # no kept output to take from: the pages are rendered

    assert _build(site).how == BUILT

    assert snapshot(site / "build") == _cold(site, tmp_path)
    with closing(sqlite3.connect(path)) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["html"]
        assert [row for row in db.execute("SELECT value FROM html") if "<script" in row[0]] == []


def test_cache_a_damaged_file_is_rendered_again(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    path = _cache_file(site)
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    (site / "build").rename(tmp_path / "previous")
    shutil.rmtree(site / ".cache/output")  # no kept output to take from: the pages are rendered

    assert _build(site).how == BUILT

    assert snapshot(site / "build") == _cold(site, tmp_path)
    assert len(_keys(path)) >= 3


def test_cache_a_kept_index_is_checked_not_trusted(tmp_path: Path) -> None:
    """A hand-made index cannot make a build link a file from outside the kept output, nor break the build."""
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    index_path = site / ".cache/output/index.json"
    index = json.loads(index_path.read_text())
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site")
    found = secret.stat()
    index["files"].append(["../../../secret.txt", found.st_size, found.st_mtime_ns, "00" * 20])
    index["files"].append(["/etc/hostname", 1, 1, "00" * 20])
    index_path.write_text(json.dumps(index))
    (site / ".cache/output/pages.json").write_text('{"format": 3, "base": "zz", "strings": [1], "pages": {"/": []}}')
    shutil.rmtree(site / "build")

    assert kept_output.load(site) is None  # not an index a build wrote: nothing of it is used
    assert _build(site).how == BUILT
    assert snapshot(site / "build") == _cold(site, tmp_path)
    assert _build(site, output="elsewhere").how == RESTORED  # the new kept output

    index_path.write_text("{not json")
    shutil.rmtree(site / "build")
    assert _build(site).how == BUILT
    assert _build(site, output="elsewhere").how == RESTORED


# --- the digests of the sources, kept by their stamps (eccpsite.edges.fingerprint.Stamps) ------------------------


def _stamps_record(site: Path) -> dict[str, list[object]]:
    files: dict[str, list[object]] = json.loads((site / layout.CACHE_INPUTS).read_text(encoding="utf-8"))["files"]
    return files


def test_cache_an_unchanged_source_is_not_read_again_and_one_edited_in_place_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Stamps, "RECENT_NS", 0)  # the files were written just now: record them all the same
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    record = _stamps_record(site)
    second = "content/news/2019-06-02-second.md"
    assert second in record and len(record[second]) == 5

    forged = {**record, second: [*record[second][:4], "00" * 20]}  # the same stamp, another digest
    (site / layout.CACHE_INPUTS).write_text(json.dumps({"format": 1, "files": forged}), encoding="utf-8")
    assert _build(site).how != UP_TO_DATE  # the record was believed: the file was not read again
    assert _build(site).how == UP_TO_DATE  # and the build recorded the true digest

    path = site / second
    before = path.stat()
    path.write_text(path.read_text().replace("second", "SECOND"))  # the same size ...
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ... and modification time: only the change time moved
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert _build(site).how == BUILT
    assert snapshot(site / "build") == _cold(site, tmp_path)


def test_cache_a_damaged_stamps_record_is_read_as_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Stamps, "RECENT_NS", 0)
    site = _site(tmp_path / "site")
    assert _build(site).how == BUILT
    for damage in ("not json", '{"format": 1, "files": []}', '{"format": 1, "files": {"site.yaml": [1, 2, 3, 4, "zz"]}}', '{"format": 2}'):
        (site / layout.CACHE_INPUTS).write_text(damage, encoding="utf-8")
        assert _build(site).how == UP_TO_DATE  # every file read again: the same digest as the last build's
        assert len(_stamps_record(site)) == len(_project_files(site))


def _project_files(site: Path) -> list[str]:
    """The project's files that the inputs' digest reads (site.yaml is read whole, never recorded)."""
    return [p.relative_to(site).as_posix() for name in ("content", "templates") for p in (site / name).rglob("*") if p.is_file()]


def test_cache_the_dev_server_keeps_the_markdown_it_rendered(tmp_path: Path) -> None:
    from eccpsite.serve.rebuild import Rebuilder

    site = _site(tmp_path / "site")
    Rebuilder(site, OPTIONS, keep_going=True).rebuild()  # no cache yet: it renders every body
    kept = _keys(_cache_file(site))
    copy = shutil.copytree(site, tmp_path / "cold", ignore=shutil.ignore_patterns(".cache"))
    assert _build(copy).how == BUILT
    assert kept == _keys(_cache_file(copy)) and kept, "what a cold build would keep: the next build renders no body"
