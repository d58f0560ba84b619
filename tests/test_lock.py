"""The lock files: they cover every dependency, agree with each other, and the environment equals them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
VERIFY = ROOT / "scripts" / "verify_lock.py"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in _PIN.findall((LOCKS / lock).read_text(encoding="utf-8"))}


def _entries(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Each pin's version and hashes, by package (markers aside: they may differ where only one lock needs a package)."""
    text = (LOCKS / lock).read_text(encoding="utf-8")
    entries = {}
    for entry in re.finditer(r"^([A-Za-z0-9][\w.-]*)==(\S+)(?:[^\n]*\\\n)*[^\n]*", text, re.MULTILINE):
        entries[canonicalize_name(entry.group(1))] = (entry.group(2), frozenset(re.findall(r"--hash=(sha256:\w+)", entry.group(0))))
    return entries


def _declared() -> tuple[set[str], set[str]]:
    """The packages pyproject.toml names: for the build, and for the tests and benchmark."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extras = {canonicalize_name(Requirement(r).name) for group in project["optional-dependencies"].values() for r in group}
    return runtime, extras


def _verify(lock: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(VERIFY), str(lock)], capture_output=True, text=True, check=False)


def test_the_locks_pin_every_dependency_pyproject_names() -> None:
    runtime, extras = _declared()
    assert runtime - _pins("site.txt").keys() == set(), "run `make lock` after adding a dependency"
    assert (runtime | extras) - _pins("test.txt").keys() == set(), "run `make lock` after adding a dependency"


def test_the_site_lock_pins_the_test_lock_s_versions_with_the_same_hashes() -> None:
    site, test = _entries("site.txt"), _entries("test.txt")
    assert site and all(site[name] == test.get(name) for name in site), [name for name in site if site[name] != test.get(name)]


def test_every_pin_carries_hashes() -> None:
    for lock in ("site.txt", "test.txt"):
        assert all(hashes for _, hashes in _entries(lock).values()), lock


def test_the_environment_the_tests_run_in_equals_the_lock() -> None:
    result = _verify(LOCKS / "test.txt")
    assert (result.returncode, result.stderr) == (0, "")


def test_a_pin_changed_by_hand_fails_the_check_naming_the_package(tmp_path: Path) -> None:
    version = _pins("test.txt")["jinja2"]
    lock = tmp_path / "test.txt"
    lock.write_text((LOCKS / "test.txt").read_text(encoding="utf-8").replace(f"\njinja2=={version} ", "\njinja2==3.0.0 "), encoding="utf-8")

    result = _verify(lock)

    assert result.returncode == 1
    assert f"jinja2: {version} is installed, the lock pins 3.0.0" in result.stderr
    assert "rm -rf .venv && make test" in result.stderr
