"""Invalid sites: each must fail with exactly the error lines in its ``expected.txt``.

Each folder of ``tests/invalid/`` holds the files of one small invalid site
(added to the minimal site of ``write_site``) and ``expected.txt``, the exact
lines ``eccpsite build`` must print on stderr. A previous build must survive
the failed one byte for byte. Inputs too large to keep in the repository are
made by ``GENERATED``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NOW, RunCli, snapshot, write_site

from eccpsite.build import BuildOptions, build
from eccpsite.core.source import MAX_FILE_BYTES

CASES = Path(__file__).parent / "invalid"


def _write_oversized(site: Path) -> None:
    path = site / "content" / "news" / "huge.md"
    path.write_text("---\ntitle: Huge\ndate: 2019-06-07\n---\n" + "x" * MAX_FILE_BYTES, encoding="utf-8")


GENERATED: dict[str, Callable[[Path], None]] = {"file-too-large": _write_oversized}


def _cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").is_file())


def _copy_case(case: Path, site: Path) -> None:
    for source in sorted(case.rglob("*")):
        if source.is_file() and source.name != "expected.txt":
            target = site / source.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def test_invalid_cases_cover_the_spine() -> None:
    required = {
        "malformed-yaml", "missing-required-field", "event-ends-before-start", "impossible-date", "unknown-key", "bad-country",
        "duplicate-slug", "dangling-edition-reference", "unclosed-front-matter", "python-tag", "slug-with-dots", "alias-bomb",
        "file-too-large", "several-errors",
    }  # fmt: skip
    assert required <= set(_cases())


@pytest.mark.parametrize("name", _cases())
def test_invalid_site_prints_its_errors_and_keeps_the_previous_build(name: str, tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site")
    build(site, site / "build", BuildOptions(now=NOW))
    before = snapshot(site / "build")
    assert "index.html" in before
    _copy_case(CASES / name, site)
    if name in GENERATED:
        GENERATED[name](site)

    result = run_cli("build", "--now", NOW, cwd=site)

    expected = (CASES / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.stderr.splitlines() == expected
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(site / "build") == before
    assert not [p.name for p in site.iterdir() if p.name.startswith(".") and p.name != ".cache"], "a staging folder was left behind"


@pytest.mark.parametrize("name", _cases())
def test_invalid_site_fails_check_with_the_same_errors(name: str, tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site")
    _copy_case(CASES / name, site)
    if name in GENERATED:
        GENERATED[name](site)

    result = run_cli("check", "--now", NOW, cwd=site)

    assert result.returncode == 1
    assert result.stderr.splitlines() == (CASES / name / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert not (site / "build").exists()


def test_invalid_python_tag_runs_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site")
    marker = tmp_path / "pwned"
    (site / "content" / "news").mkdir(parents=True)
    (site / "content" / "news" / "x.md").write_text(f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\ndate: 2019-06-07\n---\n')
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 1
    assert not marker.exists()
