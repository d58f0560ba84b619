"""Shared helpers of the test suite: small sites written inline, and the CLI as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

# tests/browser.py: the Nu HTML checker, axe-core, a local server and screenshots (fixtures serve_dir, chromium).
pytest_plugins = ["browser"]

REPO = Path(__file__).resolve().parents[1]
NOW = "2019-09-16"

SITE_YAML = """\
title: Test Cluster Platform
short_title: TCP
tagline: A small site for the tests
description: The site the tests build.
base_url: https://test.example.org
timezone: Europe/Brussels
menu:
  - {title: News, url: /news/}
  - {title: Events, url: /events/}
"""

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite tests/golden/expected/ from the current build instead of comparing")


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``{relative path: text}`` under ``root``, making folders as needed."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def write_site(root: Path, files: Mapping[str, str | bytes] | None = None) -> Path:
    """A minimal valid site in ``root``: the repository's templates, a small site.yaml, then ``files``.

    ``files`` may replace ``site.yaml``. Returns ``root``.
    """
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    write_files(root, {"site.yaml": SITE_YAML, **(files or {})})
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI run, without a ``SOURCE_DATE_EPOCH`` leaking in from outside."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra)
    return env


def run_eccpsite(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m eccpsite ARGS`` in ``cwd`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "eccpsite", *args],
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def run_cli() -> RunCli:
    """The CLI as a subprocess: ``run_cli("build", "--now", NOW, cwd=site)``."""
    return run_eccpsite


@pytest.fixture
def listing_in_order(tmp_path: Path) -> Iterator[Path]:
    """A temporary folder on tmpfs where there is one: tmpfs lists a folder in the order its entries were made, which
    Pagefind follows (ext4 lists them by a hash of their names, so a test there cannot see a change of order)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="eccpsite-test-") as folder:
        yield Path(folder)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty but valid site in a temporary folder."""
    return write_site(tmp_path / "site")


def copy_repo_project(project: Path) -> Path:
    """Copy the repository's real content, site.yaml and templates into ``project``; returns it."""
    project.mkdir(parents=True)
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy2(REPO / "site.yaml", project / "site.yaml")
    return project


@pytest.fixture
def repo_project(tmp_path: Path) -> Path:
    """A copy of the repository's real content, site.yaml and templates."""
    return copy_repo_project(tmp_path / "project")


# For test scripts run in a fresh process (forking needs a process with one thread): records in ``pooled`` how
# many workers each pool of item pages had (eccpsite.outputs.site._render_items_in_pool), so a test can tell a pool ran.
COUNT_POOLS = """
from eccpsite.outputs import site as render_site_module
pooled = []
_render_items_in_pool = render_site_module._render_items_in_pool
def _counting(r, sink, pool, workers):
    pooled.append(workers)
    return _render_items_in_pool(r, sink, pool, workers)
render_site_module._render_items_in_pool = _counting
"""
