#!/usr/bin/env bash
# Upgrade the lock files to the newest releases pyproject.toml allows, install them, run every test.
#
#   make lock                     (or: bash scripts/lock.sh)
#   make lock LOCK_ARGS="--upgrade-package weasyprint"   to move one package only
#
# requirements/test.txt pins everything (runtime, test and benchmark extras, the build tools of
# requirements/build.in); requirements/site.txt pins what the build needs, at the same versions.
# Both are resolved for every platform and Python >= 3.11 (--universal), with the hashes of every
# file, so pip installs them with --require-hashes. uv makes them; pip alone installs them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh test  # uv comes from the current lock
UV=(.venv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes)
upgrade=("${@:---upgrade}")
"${UV[@]}" "${upgrade[@]}" --extra test --extra bench pyproject.toml requirements/build.in -o requirements/test.txt
"${UV[@]}" pyproject.toml requirements/build.in --constraint requirements/test.txt -o requirements/site.txt
bash scripts/setup.sh test
bash scripts/check.sh
git --no-pager diff --stat -- requirements/
