"""The Markdown cache file is data from the project folder, not trusted: a body poisoned by hand never reaches a page.

The file is poisoned with the sqlite3 module, as anyone who can write to
``.cache/`` (a pull request, a shared CI cache) could; the next build equals a
build without any cache, and the file holds the honest bodies again.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import NOW, snapshot, write_site

from eccpsite.build import BuildOptions
from eccpsite.core.markup import markdown as markup
from eccpsite.edges.markdown_cache import load_markdown_cache, trusted
from eccpsite.uptodate import BUILT, build_if_changed

OPTIONS = BuildOptions(now=NOW, pdf=False)
NEWS = "---\ntitle: {title}\ndate: 2019-06-0{day}\n---\n{body}\n"
POISON = '<script>alert(document.domain)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


def _site(root: Path) -> Path:
    return write_site(
        root,
        {
            "content/news/2019-06-01-first.md": NEWS.format(title="First", day=1, body="The first item, with a note.[^1]\n\n[^1]: A note."),
            "content/news/2019-06-02-second.md": NEWS.format(title="Second", day=2, body="The *second* item, with a [link](https://example.org/)."),
        },
    )


def _cache_file(site: Path) -> Path:
    (found,) = (site / ".cache/markdown").glob("*.sqlite")
    return found


def _values(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT value FROM html ORDER BY key")]


def _poison(path: Path) -> int:
    """Append the poison to every body of the cache file; returns how many were poisoned."""
    with closing(sqlite3.connect(path)) as db, db:
        return db.execute("UPDATE html SET value = value || ?", (POISON,)).rowcount


def _cold(project: Path, tmp: Path) -> dict[str, bytes]:
    copy = tmp / "cold"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache", "build"))
    assert build_if_changed(copy, copy / "build", OPTIONS).how == BUILT
    return snapshot(copy / "build")


def _pages_again(site: Path, aside: Path) -> None:
    """No output and no kept pages: the next build renders every page, reading its bodies from the cache file."""
    (site / "build").rename(aside)
    shutil.rmtree(site / ".cache/output")


def test_cache_trust_honest_bodies_are_kept_as_they_are(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS).how == BUILT

    values = _values(_cache_file(site))

    assert len(values) == 2 and [trusted(value) for value in values] == values


def test_cache_trust_a_build_keeps_only_its_own_bodies(tmp_path: Path) -> None:
    """What the process rendered before (another site, the dev server) is not written to this site's cache file."""
    other = "A body of another site, rendered earlier in this process."
    assert other in markup.render_markdown(other)
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS).how == BUILT

    values = _values(_cache_file(site))

    assert len(values) == 2 and not any(other in value for value in values)


def test_cache_trust_a_poisoned_cache_file_reaches_no_page(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS).how == BUILT
    honest = _values(_cache_file(site))
    assert _poison(_cache_file(site)) == len(honest)
    _pages_again(site, tmp_path / "previous")

    assert build_if_changed(site, site / "build", OPTIONS).how == BUILT

    built = snapshot(site / "build")
    assert [name for name, data in built.items() if b"alert(" in data] == []
    assert built == _cold(site, tmp_path)
    assert _values(_cache_file(site)) == honest  # the poisoned rows were rendered again and written over


def test_cache_trust_the_dev_server_preload_leaves_poisoned_bodies_out(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    assert build_if_changed(site, site / "build", OPTIONS).how == BUILT
    path = _cache_file(site)
    total = len(_values(path))
    with closing(sqlite3.connect(path)) as db, db:
        (key,) = db.execute("SELECT key FROM html WHERE value LIKE '%second%'").fetchone()
        db.execute("UPDATE html SET value = value || ? WHERE key = ?", (POISON, key))

    markup._rendered.clear()  # what the build rendered in this process
    try:
        assert load_markdown_cache(site) == total - 1
        assert key not in markup._rendered
        assert "alert(" not in markup.render_markdown("The *second* item, with a [link](https://example.org/).\n")
    finally:
        markup._rendered.clear()
