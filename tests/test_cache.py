"""The build's caches never serve anything stale: after each kind of edit, a warm
build (caches of the build before, same output folder) gives exactly the output of
a cold build of the same sources, and changes only the files the edit concerns.
The Markdown cache is an SQLite file read one body at a time: a file this build did
not write (another schema, a trigger, damage) is replaced, never trusted."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import NOW, snapshot, write_site

import eccpsite
from eccpsite import markup
from eccpsite.build import BuildOptions, build_if_changed

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


def _cold(project: Path, tmp: Path) -> dict[str, bytes]:
    """A build of a copy of ``project`` without any cache."""
    copy = tmp / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache", "build"))
    result, _, _ = build_if_changed(copy, copy / "build", OPTIONS)
    assert result is not None
    return snapshot(copy / "build")


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


EDITS: dict[str, tuple[Callable[[Path], None], Callable[[str], bool]]] = {
    # edit, and which output files it may change (everything else must keep its bytes)
    "content": (_edit_body, lambda name: "second" in name or name.startswith(("feeds/", "tags/", "news/index", "index", "pagefind/", "search"))),
    "template": (_edit_template, lambda name: name.startswith(("news/", "pagefind/"))),
    "config": (_edit_config, lambda name: True),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_cache_warm_build_after_an_edit_equals_a_cold_build(kind: str, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    result, _, _ = build_if_changed(site, site / "build", OPTIONS)
    assert result is not None and (site / ".cache").is_dir()
    before = snapshot(site / "build")

    edit, may_change = EDITS[kind]
    edit(site)
    warm, _, _ = build_if_changed(site, site / "build", OPTIONS)

    assert warm is not None, "the edit was not noticed"
    after = snapshot(site / "build")
    assert after == _cold(site, tmp_path)
    changed = {name for name in after.keys() | before.keys() if after.get(name) != before.get(name)}
    assert changed, "the edit changed nothing"
    assert {name for name in changed if not may_change(name)} == set()


def test_cache_unchanged_sources_are_up_to_date_and_a_new_version_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None
    before = snapshot(site / "build")
    assert build_if_changed(site, site / "build", OPTIONS)[0] is None  # nothing changed: up to date

    monkeypatch.setattr(eccpsite, "__version__", eccpsite.__version__ + ".post1")
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None  # a new eccpsite builds again
    assert snapshot(site / "build") == before == _cold(site, tmp_path)


def test_cache_a_deadline_passing_makes_the_build_run_again(tmp_path: Path) -> None:
    call = "---\ntitle: A call\ndeadlines:\n  - {date: 2019-09-20, label: Deadline}\n---\nApply.\n"
    site = write_site(tmp_path / "site", {"content/calls/a-call.md": call})
    assert build_if_changed(site, site / "build", BuildOptions(now="2019-09-16", pdf=False))[0] is not None
    assert build_if_changed(site, site / "build", BuildOptions(now="2019-09-18", pdf=False))[0] is None
    rebuilt = build_if_changed(site, site / "build", BuildOptions(now="2019-09-21", pdf=False))[0]
    assert rebuilt is not None
    assert rebuilt.site.call_status["a-call"].key == "closed"


# --- the Markdown cache file ------------------------------------------------------------------------------------------


def _cache_file(site: Path) -> Path:
    (found,) = (site / ".cache").glob("markdown-*.sqlite")
    return found


def _keys(path: Path) -> set[bytes]:
    with closing(sqlite3.connect(path)) as db:
        return {row[0] for row in db.execute("SELECT key FROM html")}


def test_cache_bodies_are_read_from_the_file_not_kept_in_memory(tmp_path: Path) -> None:
    body = "A body rendered once and then read from the cache file, with a note.[^1]\n\n[^1]: The note."
    site = write_site(tmp_path / "site", {"content/news/2019-06-01-kept.md": NEWS.format(title="Kept", day=1, body=body)})
    key = markup._key(body + "\n", "")

    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None

    assert [p.name for p in (site / ".cache").glob("markdown-*")] == [_cache_file(site).name]  # one file, no JSON
    assert key in _keys(_cache_file(site))
    assert key not in markup._rendered  # the build read it from the file: it is not held in memory
    assert "A body rendered once" in (site / "build/news/kept/index.html").read_text()


def test_cache_entries_no_longer_used_are_dropped(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None
    before = _keys(_cache_file(site))

    _edit_body(site)
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None

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
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None
    path = _cache_file(site)
    keys = _keys(path)
    path.unlink()
    with closing(sqlite3.connect(path)) as db, db:
        for statement in FOREIGN[kind]:
            db.execute(statement)
        db.executemany("INSERT INTO html VALUES (?, ?)", [(key, "<script>alert('cache')</script>") for key in keys])
    (site / "build").rename(tmp_path / "previous")

    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None

    assert snapshot(site / "build") == _cold(site, tmp_path)
    with closing(sqlite3.connect(path)) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["html"]
        assert [row for row in db.execute("SELECT value FROM html") if "<script" in row[0]] == []


def test_cache_a_damaged_file_is_rendered_again(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None
    path = _cache_file(site)
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    (site / "build").rename(tmp_path / "previous")

    assert build_if_changed(site, site / "build", OPTIONS)[0] is not None

    assert snapshot(site / "build") == _cold(site, tmp_path)
    assert len(_keys(path)) >= 3
