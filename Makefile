# One command per job. Everything installs what it needs into .venv (pins from pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DISTRICT ?= Kabupaten Serang
# Where the raw public tables come from (see params/sources.yaml); override: make data SOURCE_ROOT=/path
SOURCE_ROOT ?= ../shared/data

.PHONY: install data report test lint bench bench-all clean browser lab

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP)

## data: copy + verify the raw tables, build the validated panel (does nothing when inputs are unchanged)
data: $(STAMP)
	$(BIN)/python -m analysis data --source-root "$(SOURCE_ROOT)"

## report: the main job (installs, builds the data, renders the default district)
report: data
	$(BIN)/python -m analysis report --district "$(DISTRICT)"

## test: the whole test suite (unit tests + tests on the real tables + a headless browser test)
test: data browser
	$(BIN)/python -m pytest

## browser: Debian's Chromium for the browser test (root on our machines and CI)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian) for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## lab: JupyterLab for analysts (notebooks/*.py open as notebooks through jupytext)
lab: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,lab]'
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check analysis tests
	$(BIN)/ruff format --check analysis tests

## bench: Banten three ways (naive loop, our batch, in-process floor), a few minutes
bench: data
	$(BIN)/python -m analysis bench

## bench-all: all 514 district reports + province overviews, then a warm re-run
bench-all: data
	$(BIN)/python -m analysis bench --all

clean:
	rm -rf data/processed/* build reports/*
