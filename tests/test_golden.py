"""The golden site: a small site whose whole build output is stored in ``tests/golden/expected/``.

A change to the output shows here as a diff to review like code. When the
change is intended, ``pytest tests/test_golden.py --regen-golden`` rewrites the
expected output from the current build; commit it with the change.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from conftest import NOW, REPO, RunCli, snapshot

GOLDEN = Path(__file__).parent / "golden"
SOURCES = GOLDEN / "site"
EXPECTED = GOLDEN / "expected"
# Left out of the comparison: files copied verbatim from templates/static/, and
# Pagefind's search index (binary, made by a third-party tool; the search has its own tests).
SKIPPED = ("static/", "pagefind/")
# PDF editions too: tests/test_edition_pdf.py checks their text, pages and outline, not their bytes.
SKIPPED_SUFFIXES = (".pdf",)
MAX_DIFF_LINES = 40


def _compared(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith(SKIPPED) and not name.endswith(SKIPPED_SUFFIXES)}


def _build_golden(tmp_path: Path, run_cli: RunCli) -> dict[str, bytes]:
    site = tmp_path / "golden"
    shutil.copytree(SOURCES, site)
    shutil.copytree(REPO / "templates", site / "templates")
    result = run_cli("build", "--now", NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "the golden site builds without warnings"
    return _compared(snapshot(site / "build"))


def _regenerate(files: dict[str, bytes]) -> None:
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in files.items():
        path = EXPECTED / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _describe(name: str, expected: bytes, actual: bytes) -> str:
    """A unified diff of one file (cut short), or a note for binary files."""
    try:
        old, new = expected.decode("utf-8").splitlines(), actual.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{name}: binary content differs ({len(expected)} → {len(actual)} bytes)"
    lines = list(difflib.unified_diff(old, new, f"expected/{name}", f"build/{name}", lineterm="", n=2))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return "\n".join(lines)


def golden_report(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """What differs between the stored and the current output, readably; '' when nothing does."""
    parts: list[str] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        parts.append("files no longer built:\n  " + "\n  ".join(missing))
    if extra:
        parts.append("files built but not expected:\n  " + "\n  ".join(extra))
    parts.extend(_describe(name, expected[name], actual[name]) for name in sorted(set(expected) & set(actual)) if expected[name] != actual[name])
    return "\n\n".join(parts)


def test_golden_site_builds_its_expected_output(tmp_path: Path, run_cli: RunCli, request: pytest.FixtureRequest) -> None:
    actual = _build_golden(tmp_path, run_cli)
    if request.config.getoption("--regen-golden"):
        _regenerate(actual)
        pytest.skip(f"regenerated {len(actual)} files in {EXPECTED.relative_to(REPO)}; review the diff with git")
    assert EXPECTED.is_dir(), "no expected output yet: run pytest tests/test_golden.py --regen-golden"
    report = golden_report(_compared(snapshot(EXPECTED)), actual)
    assert report == "", "the build differs from tests/golden/expected/ (run with --regen-golden if intended):\n\n" + report


def test_golden_report_names_missing_extra_and_changed_files() -> None:
    report = golden_report({"a.html": b"<p>one</p>\n", "gone.html": b"x"}, {"a.html": b"<p>two</p>\n", "new.html": b"y"})
    assert "files no longer built:\n  gone.html" in report
    assert "files built but not expected:\n  new.html" in report
    assert "-<p>one</p>\n+<p>two</p>" in report
    assert golden_report({"a": b"1"}, {"a": b"1"}) == ""


def test_golden_expected_output_leaves_hidden_items_out() -> None:
    text = b"".join(snapshot(EXPECTED).values()).decode("utf-8", "replace")
    assert "must not appear" not in text
    assert "Christian Rangen" in text
