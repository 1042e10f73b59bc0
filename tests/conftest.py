"""Shared fixtures: the dbt manifest (built once by `dbt parse`) and a pipeline run on a landing zone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
import pytest

from pipeline.cli import dbt_parse, manifest_is_fresh
from pipeline.settings import LANDING_DIR_VAR, WAREHOUSE_VAR, Settings

if TYPE_CHECKING:
    from tests.differential import CompiledProject

TESTS_DIR = Path(__file__).parent
E2E_LANDING = TESTS_DIR / "e2e_landing"

# the BI contract: the marts of schema `marts` (alphabetical, as SQL clients list them)
MARTS = (
    "campaign_performance",
    "creator_comparison",
    "creator_quality_flags",
    "instagram_creators",
    "instagram_posts",
    "niche_benchmarks",
    "platform_benchmarks",
    "tiktok_creators",
    "tiktok_trends",
    "tiktok_videos",
)


# The modules that take longest, longest first (seconds of test time per module in one
# `make test`, from its junit report on 2026-12-02: rerun 320, differential 263, bench 206,
# ui 138, serving 103, incremental 94, run_queue 90, partitions 83, cli_progress 56, then under
# 50 each). `make test` runs two workers with --dist loadfile --no-loadscope-reorder: modules
# are handed out in collection order, and longest-first keeps one long module from being started
# last while the other worker sits idle. (xdist's default reorder puts the modules with the most
# tests first: the many quick unit tests, then these.)
SLOWEST_MODULES_FIRST = (
    "test_rerun",
    "test_differential",
    "test_bench",
    "test_ui",
    "test_serving",
    "test_incremental",
    "test_run_queue",
    "test_partitions",
    "test_cli_progress",
    "test_end_to_end",
    "test_report",  # after test_end_to_end: on the same worker, they share one e2e_run
    "test_extract_pipeline",
    "test_end_to_end_signals",
    "test_serving_compat",
    "test_fast_paths",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slowest modules first (a stable sort: each module keeps its own order)."""
    rank = {name: i for i, name in enumerate(SLOWEST_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dagster-dbt loads the dbt assets from target/manifest.json: built by `make test` before
    pytest starts, else once here. Parallel workers share it: dagster-dbt's preparer holds a
    file lock while it parses, and a worker that waited finds the manifest fresh."""
    if not manifest_is_fresh():
        settings = Settings(
            landing_dir=tmp_path_factory.mktemp("landing"),
            warehouse=tmp_path_factory.mktemp("wh") / "parse.duckdb",
        )
        dbt_parse(settings)
    from pipeline.defs.dbt.project import dbt_project

    assert dbt_project.manifest_path.exists()
    return dbt_project.manifest_path


@dataclass
class PipelineRun:
    settings: Settings
    result: dg.ExecuteInProcessResult

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def run_pipeline(settings: Settings, instance: dg.DagsterInstance) -> PipelineRun:
    """Materialize every asset of the real Definitions (ingest, dbt models, checks)."""
    from pipeline.cli import run_window
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions
    from pipeline.defs.partitions import partition_range_tags

    defs = build_definitions(settings)
    result = defs.resolve_job_def(BUILD_ALL_JOB).execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags=partition_range_tags(*run_window(settings)),
    )
    return PipelineRun(settings, result)


@pytest.fixture
def landing_copy(tmp_path: Path) -> Path:
    """A private copy of the hand-written end-to-end landing zone."""
    target = tmp_path / "landing"
    shutil.copytree(E2E_LANDING, target)
    return target


def pipeline_run_over(
    source_landing: Path, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[PipelineRun]:
    """One pipeline run over a copy of ``source_landing`` (for a module- or session-scoped
    fixture). The environment names its landing zone and warehouse during the run only."""
    root = tmp_path_factory.mktemp(name)
    landing = root / "landing"
    shutil.copytree(source_landing, landing)
    settings = Settings(landing_dir=landing, warehouse=root / "warehouse.duckdb")
    # one run, read through its result: an in-memory instance (no SQLite event log to write)
    with dg.DagsterInstance.ephemeral() as instance:
        saved = {k: os.environ.get(k) for k in (LANDING_DIR_VAR, WAREHOUSE_VAR)}
        os.environ[LANDING_DIR_VAR] = str(landing)
        os.environ[WAREHOUSE_VAR] = str(settings.warehouse)
        try:
            run = run_pipeline(settings, instance)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        yield run


@pytest.fixture(scope="session")
def e2e_run(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineRun]:
    """One pipeline run over a copy of tests/e2e_landing, shared by the modules that only read
    it (test_end_to_end, test_report): built once per worker session."""
    yield from pipeline_run_over(E2E_LANDING, tmp_path_factory, "e2e")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompiledProject]:
    """The dbt project parsed and compiled once per module (the differential tests)."""
    from tests.differential import compile_project

    saved = os.environ.get(WAREHOUSE_VAR)
    try:
        yield compile_project(tmp_path_factory.mktemp("dbt"))
    finally:
        if saved is None:
            os.environ.pop(WAREHOUSE_VAR, None)
        else:
            os.environ[WAREHOUSE_VAR] = saved
