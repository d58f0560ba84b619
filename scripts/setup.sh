#!/usr/bin/env bash
# Install what eccpsite needs on a Debian-like machine.
#
#   scripts/setup.sh site   system libraries for WeasyPrint, fonts, .venv with the package, and the
#                           npm packages of package-lock.json (decap-cms, which the build serves at /admin/)
#   scripts/setup.sh test   all of the above, plus the test extras, Chromium, poppler-utils and
#                           a Java runtime (the npm packages hold the test tools too: vnu-jar, axe-core,
#                           ical.js, decap-server)
#
#   scripts/setup.sh python-site   only .venv with the package (no system packages: Netlify's build, where
#                                  Netlify itself runs npm install from package-lock.json first)
#
# Python packages come from the lock files in requirements/ (hash-checked); `make lock` upgrades them.
# Safe to run again: a Debian package is installed only when dpkg says it is missing,
# and pip / npm run again only when the lock or pyproject.toml / package*.json changed since the
# last install (a stamp file holds a hash of them). After every run .venv is checked against the
# lock, so a drifted environment fails instead of passing. Runs as root (CI) or through sudo.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON_MIN=(3 11)
APT_UPDATED=""

# Pango and HarfBuzz for WeasyPrint (https://doc.courtbouillon.org/weasyprint/stable/first_steps.html), and fonts.
SITE_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-liberation)
# Headless browser for axe and screenshots; pdftotext/pdftoppm to look at the PDF editions.
TEST_PACKAGES=(chromium poppler-utils)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# Run a command after logging what it does, then log how long it took.
timed() {
  local what=$1 start=$SECONDS
  shift
  log "$what"
  "$@"
  log "$what: done in $((SECONDS - start)) s"
}

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run '$*' (not root, and no sudo)"
  fi
}

# Print the Debian packages among the arguments that are not installed.
missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

# Install the given Debian packages that are missing, without questions.
install_debs() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    log "not a Debian-like system: make sure these are installed: $*"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_debs "$@")
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
  if [[ -z $APT_UPDATED ]]; then
    timed "apt-get update" as_root "${apt[@]}" update -q
    APT_UPDATED=1
  fi
  timed "apt-get install ${missing[*]}" as_root "${apt[@]}" install -y "${missing[@]}"
}

# Print the path of a Python >= 3.11 with venv, or fail.
find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c "import sys, venv, ensurepip; sys.exit(sys.version_info < (${PYTHON_MIN[0]}, ${PYTHON_MIN[1]}))" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# Make sure a working .venv exists, creating it (and Python's venv module) when needed.
ensure_venv() {
  if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    return 0
  fi
  local python
  if ! python=$(find_python); then
    install_debs python3 python3-venv
    python=$(find_python) || die "need Python >= ${PYTHON_MIN[0]}.${PYTHON_MIN[1]} with venv"
  fi
  log "creating $VENV with $("$python" --version)"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
}

# A hash of the given files' contents (missing files count as empty).
hash_of() {
  local file
  for file in "$@"; do
    printf '%s\n' "${file#"$ROOT"/}"
    cat "$file" 2>/dev/null || true
  done | sha256sum | cut -d' ' -f1
}

# True when the stamp file holds the hash of the given files.
stamp_fresh() {
  local stamp=$1
  shift
  [[ -f $stamp ]] && [[ $(<"$stamp") == "$(hash_of "$@")" ]]
}

# Install the locked Python packages into .venv, then eccpsite itself, unless the lock and
# pyproject.toml are unchanged since the last time; then check .venv against the lock.
#   site: requirements/site.txt (what the build needs)
#   test: requirements/test.txt (all of that, the test and benchmark extras and uv, which makes the lock)
# Every file is checked against the lock's hashes and nothing outside the lock is installed
# (--no-deps); eccpsite is installed editable without build isolation, with the locked setuptools.
# The test install is a superset of the site install, so its stamp also satisfies "site".
install_python_package() {
  local set=$1 done lock
  local sets=(test)
  [[ $set == site ]] && sets+=(site)
  for done in "${sets[@]}"; do
    lock="$ROOT/requirements/$done.txt"
    if stamp_fresh "$VENV/.stamp-$done" "$lock" "$ROOT/pyproject.toml"; then
      verify_lock "$lock"
      return 0
    fi
  done
  lock="$ROOT/requirements/$set.txt"
  local pip=("$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q)
  timed "pip install -r requirements/$set.txt" "${pip[@]}" --require-hashes --no-deps -r "$lock"
  timed "pip install -e ." "${pip[@]}" --no-deps --no-build-isolation -e "$ROOT"
  verify_lock "$lock"
  hash_of "$lock" "$ROOT/pyproject.toml" >"$VENV/.stamp-$set"
}

# Fail unless .venv holds exactly the packages the lock pins (scripts/verify_lock.py names each difference).
verify_lock() {
  "$VENV/bin/python" "$ROOT/scripts/verify_lock.py" "$1" || die ".venv does not match ${1#"$ROOT"/} (see above)"
}

# A Java runtime for the Nu HTML checker, unless some java is already on PATH.
ensure_java() {
  command -v java >/dev/null || install_debs default-jre-headless
}

# npm ci (with a lock file) or npm install, unless package*.json are unchanged since the last time.
install_node_modules() {
  command -v npm >/dev/null || install_debs nodejs npm
  local stamp="$ROOT/node_modules/.stamp-setup"
  local inputs=("$ROOT/package.json" "$ROOT/package-lock.json")
  if stamp_fresh "$stamp" "${inputs[@]}"; then
    return 0
  fi
  local verb=install
  [[ -f $ROOT/package-lock.json ]] && verb=ci
  timed "npm $verb" npm "$verb" --no-audit --no-fund --loglevel=error
  hash_of "${inputs[@]}" >"$stamp"
}

setup_site() {
  install_debs "${SITE_PACKAGES[@]}"
  ensure_venv
  install_python_package site
  install_node_modules  # decap-cms: the editing interface the build copies into /admin/
}

setup_test() {
  install_debs "${SITE_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_java
  ensure_venv
  install_python_package test
  install_node_modules
}

main() {
  cd "$ROOT"
  case "${1:-site}" in
    site) setup_site ;;
    test) setup_test ;;
    python-site) ensure_venv && install_python_package site ;;
    *) die "usage: scripts/setup.sh [site|test|python-site]" ;;
  esac
}

main "$@"
