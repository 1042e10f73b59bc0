# creator-kpis: `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION ?= 3.11
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)

.PHONY: help run test dev docs bench lint sync sync-dev manifest clean

help:
	@echo "make run    set up, write the demo landing zone if empty, run the pipeline"
	@echo "make test   set up with dev extras and run the tests"
	@echo "make dev    start the Dagster UI (http://localhost:3000)"
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
	$(PY) -m pipeline demo --if-empty
	$(PY) -m pipeline run

test: sync-dev manifest
	$(PY) -m pytest

dev: sync manifest
	$(VENV)/bin/dagster dev -w workspace.yaml

lint: sync-dev
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/ruff format --check pipeline tests

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
