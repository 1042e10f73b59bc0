# creator-kpis: `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION ?= 3.11
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Install compiled bytecode: every run starts several Python processes (the pipeline, dbt), and
# where PYTHONDONTWRITEBYTECODE is set each would otherwise compile dagster and dbt from source
# again (measured: importing dagster, dagster-dbt, polars and duckdb 4.8 s -> 2.4 s).
export UV_COMPILE_BYTECODE := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# the UI test drives Debian's chromium (make browser): Playwright never downloads a browser
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)

.PHONY: help run test soak dev docs bench lint sync sync-dev manifest browser clean

help:
	@echo "make run    set up, write the demo landing zone if empty, run the pipeline"
	@echo "make test   set up with dev extras and run the tests"
	@echo "make soak   the differential test's 1,200-delivery soak run (about an hour)"
	@echo "make dev    start the Dagster UI (http://localhost:3000)"
	@echo "make docs   build the dbt docs site from the built warehouse (dbt_project/target/)"
	@echo "make bench  benchmark at SCALE=M (tiny|S|M|L): lower bound, stages, full and one-day runs"
	@echo "make lint   ruff"
	@echo "make clean  remove generated data (.venv stays)"

$(TOOLS)/bin/uv:
	python$(PYTHON_VERSION) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv

.PHONY: uv
uv: $(if $(findstring $(TOOLS),$(UV)),$(TOOLS)/bin/uv)

sync: uv
	$(UV) sync --frozen --inexact --python $(PYTHON_VERSION)

sync-dev: uv
	$(UV) sync --frozen --extra dev --python $(PYTHON_VERSION)

manifest:
	$(PY) -m pipeline parse

run: sync manifest
	$(PY) -m pipeline demo --if-empty --creators 60
	$(PY) -m pipeline run

# Debian's Chromium for the UI test (tests/test_ui.py drives it with Playwright; no browser download)
browser:
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y --no-install-recommends chromium; }

# Two workers (pytest-xdist), one test module per worker at a time, the slowest modules first
# (tests/conftest.py; --no-loadscope-reorder keeps that order): a module's shared fixtures (one
# built warehouse, one baseline run) are built once. The manifest is built first, once.
PYTEST_WORKERS ?= 2

# The tests' scratch files (about 1 GB: warehouses, landing copies, Dagster instances whose
# SQLite event logs take two writes per dbt node) go to RAM when /dev/shm has room for them:
# measured, one CLI run of the end-to-end landing zone 26.7-29.1 s on disk, 24.4-25.0 s there.
# Elsewhere (a small /dev/shm, as in many containers) pytest's default temporary folder.
# Removed after a passing run; kept for inspection after a failing one.
# (one folder per checkout: two checkouts' test runs never share or remove each other's files)
TEST_TMP := $(shell python3 -c "import hashlib, shutil; print('/dev/shm/creator-kpis-tests-' + hashlib.sha1(b'$(CURDIR)').hexdigest()[:8] if shutil.disk_usage('/dev/shm').free > 4 * 2**30 else '')" 2>/dev/null)
PYTEST_TMP := $(if $(TEST_TMP),--basetemp=$(TEST_TMP)/pytest)

test: sync-dev manifest browser
	$(if $(TEST_TMP),mkdir -p $(TEST_TMP)/tmp && TMPDIR=$(TEST_TMP)/tmp) $(PY) -m pytest \
	  -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not soak" $(PYTEST_TMP)
	$(if $(TEST_TMP),rm -rf $(TEST_TMP))

# the differential test's soak run: 30 more seeds of 40 deliveries (about an hour)
soak: sync-dev manifest
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m soak tests/test_differential_slow.py

# dbt docs generate reads the built warehouse's catalog: `make run` first.
DOCS_WAREHOUSE := $(abspath $(or $(CREATOR_KPIS_WAREHOUSE),$(CURDIR)/data/warehouse.duckdb))

docs: sync
	@[ -f "$(DOCS_WAREHOUSE)" ] || { echo "make docs: no warehouse at $(DOCS_WAREHOUSE):" \
	  "run 'make run' first (dbt docs generate reads the built warehouse) or set CREATOR_KPIS_WAREHOUSE" >&2; exit 1; }
	CREATOR_KPIS_WAREHOUSE="$(DOCS_WAREHOUSE)" $(VENV)/bin/dbt docs generate --static \
	  --project-dir dbt_project --profiles-dir dbt_project
	@echo "dbt docs site: open dbt_project/target/static_index.html in a browser"

dev: sync manifest
	$(VENV)/bin/dagster dev -w workspace.yaml

# Landing zones are generated once per scale into data/bench/<scale>/ and reused; results go to
# benchmarks/results/ (see benchmarks/README.md).
SCALE ?= M

# STAGES=no skips the per-stage runs (about half of the time at L)
STAGES ?= yes
bench: sync manifest
	$(PY) -m pipeline bench --scale $(SCALE) $(if $(filter no,$(STAGES)),--no-stages)

lint: sync-dev
	$(VENV)/bin/ruff check pipeline demo benchmarks tests
	$(VENV)/bin/ruff format --check pipeline demo benchmarks tests

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
