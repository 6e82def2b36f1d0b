# Everything a newcomer needs: `make serve` to preview the sample site, `make quick` while working
# (lint and the fast tests, under a minute), `make test` to run every test.
# The virtual environment is created on first use; nothing needs installing by hand.

VENV    ?= .venv
PYTHON  := $(VENV)/bin/python
SITEGEN := $(VENV)/bin/sitegen
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup build serve test quick lint browsers vnu axe clean

$(STAMP): pyproject.toml
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

build: setup
	$(SITEGEN) import
	$(SITEGEN) build

serve: setup
	$(SITEGEN) import
	$(SITEGEN) serve

browsers:
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; } || \
	  echo "Chromium is not installed and apt-get is unavailable: browser tests will be skipped."

vnu:
	sh tests/tools/install-npm.sh vnu "vnu-jar@>=24 <27" vnu-jar/build/dist/vnu.jar

axe:
	sh tests/tools/install-npm.sh axe axe-core@4.10.3 axe-core/axe.min.js

lint: setup
	$(VENV)/bin/ruff check sitegen tests bench
	$(VENV)/bin/mypy sitegen

# The fast tests only: no headless browser, nothing marked slow (long builds, kill loops, load tests).
quick: lint
	$(PYTHON) -m pytest -q -m "not slow and not browser"

test: setup browsers vnu axe lint build
	$(SITEGEN) check
	$(PYTHON) -m pytest

clean:
	rm -rf public .sitegen
