"""reader.py: what read_sources and read_file read, list, refuse and warn about, from one scan of each folder."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import write_files

from eccpsite.core.errors import ContentError
from eccpsite.core.source import Source
from eccpsite.edges.reader import read_file, read_sources

ITEM = "---\ntitle: x\ndate: 2019-06-01\n---\n"


def _project(root: Path, files: dict[str, str | bytes]) -> Path:
    write_files(root, {"site.yaml": "title: T\nbase_url: https://t.example.org\n", **files})
    return root


def _paths(sources: tuple[Source, ...]) -> list[str]:
    return [s.path for s in sources]


def test_read_sources_reads_text_as_read_text_does(tmp_path: Path) -> None:
    project = _project(tmp_path, {"content/news/crlf.md": b"---\r\ntitle: a\r\n---\r\nOne\rTwo\r\n", "content/news/bom.md": b"\xef\xbb\xbf" + ITEM.encode()})
    sources = read_sources(project)
    assert [s.text for s in sources.items["news"]] == ["\ufeff" + ITEM, "---\ntitle: a\n---\nOne\nTwo\n"]
    assert sources.items["news"] == tuple(Source(s.path, (project / s.path).read_text(encoding="utf-8")) for s in sources.items["news"])


def test_read_sources_lists_visible_files_by_name(tmp_path: Path) -> None:
    project = _project(tmp_path, {f"content/news/{name}": ITEM for name in ("b.md", "A.md", "a.md", ".hidden.md", "é.md")})
    (project / "content/news/folder.md").mkdir()
    (project / "content/events").mkdir()
    sources = read_sources(project)
    assert _paths(sources.items["news"]) == ["content/news/A.md", "content/news/a.md", "content/news/b.md", "content/news/é.md"]
    assert sources.items["events"] == () and sources.items["pages"] == ()
    assert sources.errors == ()


def test_read_sources_warns_about_files_that_are_not_markdown(tmp_path: Path) -> None:
    project = _project(tmp_path, {"content/news/a.md": ITEM, "content/news/notes.txt": "x", "content/news/B.MD": ITEM, "content/newsletter/x.yml": "a: 1"})
    sources = read_sources(project)
    message = "only Markdown files ending in .md are read in this folder"
    assert sources.errors == tuple(ContentError(f"content/news/{name}", 0, "", message, warning=True) for name in ("B.MD", "notes.txt"))
    assert sources.editions == ()


def test_read_sources_reports_files_that_are_too_large_or_not_utf8(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"content/news/big.md": b"x" * 1_000_001, "content/news/latin1.md": b"---\ntitle: caf\xe9\n"}
    project = _project(tmp_path, {**files, "content/news/limit.md": b"x" * 1_000_000})
    sources = read_sources(project)
    assert [str(e) for e in sources.errors] == [
        "content/news/big.md: the file is 1000001 bytes, over the limit of 1000000; split it into smaller items",
        "content/news/latin1.md: is not UTF-8 text (invalid continuation byte at byte 14); save it as UTF-8",
    ]
    assert _paths(sources.items["news"]) == ["content/news/limit.md"]


def test_read_sources_follows_links_inside_the_project_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_files(outside, {"x.md": ITEM, "events/e.md": ITEM})
    project = _project(tmp_path / "project", {"content/news/a.md": ITEM, "content/elsewhere/e.md": ITEM})
    news = project / "content/news"
    os.symlink(outside / "x.md", news / "out.md")
    os.symlink(news / "a.md", news / "in.md")
    os.symlink(news / "gone.md", news / "dangling.md")
    os.symlink(news / "loop.md", news / "loop.md")
    os.symlink(outside / "events", project / "content/events")  # a whole folder outside
    os.symlink(project / "content/elsewhere", project / "content/pages")  # a folder inside
    sources = read_sources(project)
    assert _paths(sources.items["news"]) == ["content/news/a.md", "content/news/in.md"]
    assert _paths(sources.items["pages"]) == ["content/pages/e.md"]
    assert [str(e) for e in sources.errors] == [
        "content/news/out.md: is a link to a file outside the project; copy the file into content/ instead",
        "content/events/e.md: is a link to a file outside the project; copy the file into content/ instead",
    ]


def test_read_file_reads_what_read_sources_reads(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"content/news/a.md": b"---\r\ntitle: a\r\n---\r\n", "content/news/bad.md": b"\xff"}
    project = _project(tmp_path, {**files, "content/newsletter/2019-07.yaml": "number: 1\n"})
    sources = read_sources(project)
    assert read_file(project, project / "content/news/a.md") == (sources.items["news"][0], [])
    assert read_file(project, project / "content/newsletter/2019-07.yaml") == (sources.editions[0], [])
    assert read_file(project, project / "site.yaml") == (sources.config, [])
    assert read_file(project, project / "content/news/bad.md") == (None, list(sources.errors))
