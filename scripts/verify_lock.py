"""Check that the running Python environment holds exactly the packages a lock file pins.

    .venv/bin/python scripts/verify_lock.py requirements/test.txt

Exits 0 when every pin that applies here (its marker holds) is installed at
its version and nothing else is installed (eccpsite itself and pip aside);
otherwise prints one line per difference, naming the package, and exits 1.
`scripts/setup.sh` runs it after every install, so `make test` and CI cannot
run on an environment that drifted from the lock.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

NOT_LOCKED = {"eccpsite", "pip"}  # the project itself (installed editable) and the installer


def pins(lock: Path) -> dict[str, str]:
    """The ``name==version`` pins of a pip requirements file whose markers hold in this environment."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].split(" --hash", 1)[0].strip()
        if not requirement:
            continue
        spec, _, marker = requirement.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, _, version = spec.partition("==")
        found[canonicalize_name(name.strip())] = version.strip()
    return found


def installed() -> dict[str, str]:
    """The distributions installed in this environment, by canonical name."""
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def differences(locked: dict[str, str], present: dict[str, str]) -> list[str]:
    """One line per package whose installed state differs from the lock."""
    lines = []
    for name in sorted((locked.keys() | present.keys()) - NOT_LOCKED):
        want, have = locked.get(name), present.get(name)
        if want == have:
            continue
        if have is None:
            lines.append(f"{name}: not installed, the lock pins {want}")
        elif want is None:
            lines.append(f"{name}: {have} is installed but is not in the lock")
        else:
            lines.append(f"{name}: {have} is installed, the lock pins {want}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: verify_lock.py LOCKFILE", file=sys.stderr)
        return 2
    lock = Path(argv[0])
    problems = differences(pins(lock), installed())
    for problem in problems:
        print(f"{sys.prefix}: {problem}", file=sys.stderr)
    if problems:
        print(f"the environment does not match {lock}; remove it and install again: rm -rf .venv && make test", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
