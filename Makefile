# CS-EDC: `make run` serves the demo app; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck audit install system-packages runtime-packages browser messages bench clean

$(PY):
	python3 -m venv $(VENV)

# The virtualenv's own tools are upgraded too: `python -m venv` seeds the setuptools bundled
# with the interpreter (65.5.0 with 3.11, CVE-2022-40897), which nothing else would replace.
# tests/quality/test_virtualenv.py holds the floor.
$(STAMP): pyproject.toml Makefile | $(PY)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The compiled catalogues (.mo files, not committed), rebuilt when their catalogue changes;
# msgfmt is Debian's gettext. locale/pending/ holds other branches' fragments, not compiled.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "Install Debian's gettext (apt-get install gettext)"; exit 1; }
	msgfmt --check-format -o $@ $<

install: $(STAMP) $(MO)

# Debian packages beyond Python. bin/system-packages checks each cheaply (silent when all are
# there) and installs the missing ones as root; otherwise it prints the apt-get command.
#   gettext                            msgfmt, for compilemessages (the zh_Hans catalogue)
#   libpango-1.0-0 libpangoft2-1.0-0   WeasyPrint's text layout, for the PDF outputs
#   fonts-noto-cjk                     Chinese glyphs in those PDFs
#   chromium                           the browser tests: Playwright cannot download its own here
# The image installs the runtime ones too (Dockerfile; tests/deploy holds the two together).
RUNTIME_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
TEST_PACKAGES := chromium

system-packages:
	@CHROMIUM=$(CHROMIUM) bin/system-packages $(RUNTIME_PACKAGES) $(TEST_PACKAGES)

browser: system-packages

# `make run` must work on a fresh laptop without root: a missing package is reported, not fatal
# (the pages work; the Chinese catalogue and the PDFs are what need them).
runtime-packages:
	@bin/system-packages --warn $(RUNTIME_PACKAGES)

run: install runtime-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py recompute_derived --stale
	$(PY) manage.py seed_demo
	bin/serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy

# Known vulnerabilities in the installed dependencies, from PyPI's advisory data. --strict
# fails when a dependency could not be audited: an advisory service out of reach is a failure,
# never a silent pass. Not in `make test`: this machine's package mirror does not serve the
# per-release data that pip-audit reads (README, "Dependency audit").
audit: install
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

# Two workers: the machine has two cores; each worker gets its own test database.
test: install system-packages lint typecheck
	$(VENV)/bin/pytest -n 2

# Load benchmark, not part of `make test`: gunicorn on PostgreSQL at 10,000 and 100,000
# synthetic participants (BENCH_SIZES), 20 locust users each; then the export against COPY.
# See bench/README.md.
bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	bench/run_load.sh

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=tests \
	  --ignore=bench --ignore=static

clean:
	rm -rf $(VENV) var
