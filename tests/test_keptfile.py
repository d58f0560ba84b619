"""keptfile.py: a kept file is linked into an output only while it is the file that was kept, and its index rows are checked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from eccpsite.edges.keptfile import FileState, link_kept


def test_keptfile_row_round_trips() -> None:
    state = FileState(12, 1_700_000_000_123_456_789, bytes.fromhex("ab" * 16))
    assert FileState.from_row(state.row("pagefind/index/en_1.pf_index")) == ("pagefind/index/en_1.pf_index", state)


@pytest.mark.parametrize(
    "row",
    [
        ["../outside", 1, 2, "ab"],
        ["/etc/passwd", 1, 2, "ab"],
        ["a\\b", 1, 2, "ab"],
        ["", 1, 2, "ab"],
        ["a", "1", 2, "ab"],
        ["a", 1, 2.5, "ab"],
        ["a", 1, 2, "not hex"],
        ["a", 1, 2],
        {"path": "a"},
    ],
)
def test_keptfile_a_row_no_build_could_write_is_refused(row: object) -> None:
    with pytest.raises(ValueError):
        FileState.from_row(row)


def test_keptfile_links_the_kept_file_and_refuses_a_changed_one(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(b"the bytes a build kept")
    state = FileState.of(os.fspath(kept))

    assert link_kept(os.fspath(kept), os.fspath(tmp_path / "out"), state)
    assert (tmp_path / "out").stat().st_ino == kept.stat().st_ino

    with open(tmp_path / "out", "r+b") as file:  # edited in place through the output: the kept file changes too
        file.write(b"THE")
    assert not link_kept(os.fspath(kept), os.fspath(tmp_path / "again"), state)
    assert not (tmp_path / "again").exists()


def test_keptfile_a_copy_without_its_time_is_checked_by_its_bytes(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(b"the bytes a build kept")
    state = FileState.of(os.fspath(kept))
    copied = tmp_path / "copied"
    shutil.copyfile(kept, copied)
    os.utime(copied, ns=(0, 0))

    assert state.describes(os.fspath(copied))
    copied.write_bytes(b"the bytes a build KEPT")  # same size, other bytes
    os.utime(copied, ns=(0, 0))
    assert not state.describes(os.fspath(copied))
