# Two commands on a fresh Debian-like machine (see README.md):
#   make site   install what the build needs, then build the site into build/
#   make test   install what the tests need too, then run ruff, mypy, import-linter and pytest
#   make lock   upgrade the Python lock files (requirements/*.txt), install them, run every test
# The install steps live in scripts/setup.sh and are quick when everything is already there.

.PHONY: site test lock setup-site setup-test

site: setup-site
	.venv/bin/eccpsite build

test: setup-test
	bash scripts/check.sh $(PYTEST_ARGS)

lock:
	bash scripts/lock.sh $(LOCK_ARGS)

setup-site:
	bash scripts/setup.sh site

setup-test:
	bash scripts/setup.sh test
