"""The git history of content files, read from a real repository: what the kept log (``.cache/history.json``)
gives is what the whole log gives, it is brought up to date with the commits since, and it is read whole again
when the history was rewritten or the kept file is not one eccpsite wrote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import write_files

from eccpsite.core import layout
from eccpsite.edges.history import Revision, read_history

WANTED = ["content/news/a.md", "content/news/d.md", "content/events/e.md", "content/news/gone.md"]


def git(project: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=project, check=True, capture_output=True, text=True).stdout


def _commit(project: Path, message: str, when: int) -> None:
    git(project, "add", "-A")
    stamp = f"@{when} +0000"
    subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "-qm", message],
        cwd=project,
        check=True,
        capture_output=True,
        env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "PATH": "/usr/bin:/bin", "HOME": str(project)},
    )


def _repository(tmp_path: Path) -> Path:
    project = tmp_path / "p"
    write_files(project, {"content/news/a.md": "A\n", "content/news/b.md": "B\n", "content/news/gone.md": "G\n"})
    git(project, "init", "-q")
    _commit(project, "first", 1_560_000_000)
    return project


def _whole(project: Path) -> dict[str, Revision]:
    """What a build without the kept log reads."""
    (project / layout.CACHE_HISTORY).unlink(missing_ok=True)
    return read_history(project, WANTED)


def _later_commits(project: Path) -> None:
    write_files(project, {"content/news/a.md": "A, again\n"})
    _commit(project, "edit a", 1_560_100_000)
    git(project, "mv", "content/news/b.md", "content/news/c.md")
    _commit(project, "b is c", 1_560_200_000)
    (project / "content/events").mkdir()
    git(project, "mv", "content/news/c.md", "content/events/e.md")
    git(project, "rm", "-q", "content/news/gone.md")
    write_files(project, {"content/news/d.md": "D\n"})
    _commit(project, "c is e, d is new, gone is gone", 1_560_300_000)


def test_history_the_kept_log_and_the_commits_since_give_what_the_whole_log_gives(tmp_path: Path) -> None:
    project = _repository(tmp_path)
    first = read_history(project, WANTED)
    assert set(first) == {"content/news/a.md", "content/news/gone.md"}
    _later_commits(project)

    since = read_history(project, WANTED)

    kept = json.loads((project / layout.CACHE_HISTORY).read_text(encoding="utf-8"))
    assert kept["head"] == git(project, "rev-parse", "HEAD").strip()
    assert since == _whole(project)
    assert since["content/events/e.md"].former == ("content/news/c.md", "content/news/b.md")
    assert since["content/events/e.md"].sequence == 2 and since["content/news/a.md"].sequence == 1
    assert read_history(project, WANTED) == since  # nothing new: the kept log as it is


def test_history_the_kept_log_is_used_and_read_whole_again_once_history_is_rewritten(tmp_path: Path) -> None:
    project = _repository(tmp_path)
    read_history(project, WANTED)
    kept_file = project / layout.CACHE_HISTORY
    kept = json.loads(kept_file.read_text(encoding="utf-8"))
    kept["times"]["content/news/a.md"].append(1_000_000_000)  # a commit the log does not have: seen only if kept
    kept_file.write_text(json.dumps(kept), encoding="utf-8")
    write_files(project, {"content/news/a.md": "A, again\n"})
    _commit(project, "edit a", 1_560_100_000)

    assert read_history(project, WANTED)["content/news/a.md"].created.year == 2001  # the commits before were not read again

    git(project, "commit", "-q", "--amend", "-m", "edit a, reworded")  # the kept commit is no ancestor of HEAD now
    assert read_history(project, WANTED)["content/news/a.md"].created.year == 2019


def test_history_a_kept_log_of_another_shape_is_read_whole_again(tmp_path: Path) -> None:
    project = _repository(tmp_path)
    read_history(project, WANTED)
    _later_commits(project)
    whole = _whole(project)
    kept_file = project / layout.CACHE_HISTORY
    head = git(project, "rev-parse", "HEAD~1").strip()
    for damaged in ("not json", json.dumps({"head": head, "folders": ["content"], "times": {"content/news/a.md": ["soon"]}, "former": {}}), "[]"):
        kept_file.write_text(damaged, encoding="utf-8")
        assert read_history(project, WANTED) == whole
