# CS-EDC: `make run` serves the demo app; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck install browser messages bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Playwright drives Debian's Chromium (it cannot download its own browser here).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bin/serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

test: install browser lint typecheck
	$(VENV)/bin/pytest

bench: install
	@echo "Benchmarks live under bench/ (see README)."

messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var
