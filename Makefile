# One command per job. Everything installs what it needs into .venv: `make install` installs
# requirements.lock (every package, exact version and sha256, generated from the pins in
# pyproject.toml by `make lock`), then the project itself without dependencies.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed
DISTRICT ?= Kabupaten Serang
# Where the raw public tables come from (see params/sources.yaml); override: make data SOURCE_ROOT=/path
SOURCE_ROOT ?= ../shared/data
# make lab: where JupyterLab listens (make lab HOST=0.0.0.0 PORT=9000)
HOST ?= 127.0.0.1
PORT ?= 8888
# notebooks/*.py (jupytext percent) are the reviewed sources; the paired .ipynb are generated
# from them (git-ignored) so papermill and JupyterLab get ordinary notebooks.
NOTEBOOKS := $(patsubst %.py,%.ipynb,$(wildcard notebooks/*.py))
UV_FLAGS := --python $(BIN)/python --link-mode copy --quiet

.PHONY: install notebooks data report test lint bench bench-all clean browser lab lock docs

# uv installs the lock; it comes from the lock itself, hash-checked, through the venv's pip.
$(UV):
	$(PYTHON) -m venv $(VENV)
	awk '/^uv==/ {p=1} p {print} p && !/\\$$/ {exit}' $(LOCK) > $(VENV)/uv-requirement.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r $(VENV)/uv-requirement.txt

# --compile-bytecode: the packages' .pyc are written once here. Without them every process
# (a command, a kernel) compiles what it imports again when Python may not write .pyc
# (PYTHONDONTWRITEBYTECODE): 4-5 s per start on the 2-core machine.
$(STAMP): $(LOCK) pyproject.toml | $(UV)
	$(UV) pip sync $(UV_FLAGS) --compile-bytecode --require-hashes $(LOCK)
	$(UV) pip install $(UV_FLAGS) --no-deps -e .
	@$(UV) pip check --python $(BIN)/python >/dev/null 2>&1 || { $(UV) pip check --python $(BIN)/python; \
	  echo "$(LOCK) does not match pyproject.toml: run 'make lock', then commit $(LOCK)" >&2; exit 1; }
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

## install: .venv from the lock (packages, JupyterLab, test tools), the project, the notebooks
install: $(STAMP)
	@$(BIN)/python -m compileall -q analysis >/dev/null
	@$(MAKE) --no-print-directory notebooks

## notebooks: notebooks/*.ipynb from notebooks/*.py, redone when the .py changes (outputs kept)
notebooks: $(NOTEBOOKS)
	@:

notebooks/%.ipynb: notebooks/%.py
	$(BIN)/jupytext --quiet --update --to ipynb $<
	@touch $@

## lock: regenerate requirements.lock from pyproject.toml (after adding or changing a dependency)
lock: | $(UV)
	$(UV) pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	  --generate-hashes --quiet --custom-compile-command "make lock" -o $(LOCK)

## data: copy + verify the raw tables, build the validated panel (does nothing when inputs are unchanged)
data: install
	$(BIN)/python -m analysis data --source-root "$(SOURCE_ROOT)"

## report: the main job (installs, builds the data, renders the default district)
report: data
	$(BIN)/python -m analysis report --district "$(DISTRICT)"

## test: the whole test suite (unit tests + tests on the real tables + a headless browser test)
test: data browser
	$(BIN)/python -m pytest

## browser: Debian's Chromium (browser test, PDF output) and poppler-utils (pdftotext, PDF test)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian) for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "installing poppler-utils (Debian) for the PDF test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

## lab: JupyterLab on http://$(HOST):$(PORT) for analysts (root too); prints the URL with its token
lab: install
	@if [ "$$(id -u)" = 0 ]; then ALLOW_ROOT=--allow-root; else ALLOW_ROOT=; fi; \
	exec $(BIN)/jupyter lab --no-browser $$ALLOW_ROOT --ServerApp.ip="$(HOST)" \
	  --ServerApp.port="$(PORT)" --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks

## docs: API reference from the docstrings of analysis.api -> build/docs/ (not committed)
docs: install
	$(BIN)/pdoc --docformat google --no-show-source -o build/docs analysis.api
	@echo "API reference: build/docs/analysis/api.html"

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
