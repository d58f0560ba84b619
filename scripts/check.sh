#!/usr/bin/env bash
# Run every check of `make test` (ruff, mypy, import-linter, pytest), even after one
# fails, and exit non-zero if any failed. Arguments are passed on to pytest.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/.venv/bin"
failed=()

# Run one check; remember its name when it fails.
run_check() {
  local name=$1
  shift
  printf '==> %s\n' "$name" >&2
  "$@" || failed+=("$name")
}

cd "$ROOT" || exit 1
run_check "ruff check" "$BIN/ruff" check .
run_check "mypy" "$BIN/mypy"
run_check "lint-imports" "$BIN/lint-imports"
run_check "pytest" "$BIN/pytest" "$@"

if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'make test: these checks failed: %s\n' "${failed[*]}" >&2
  exit 1
fi
