"""Dagster's own operational features: retries for lock contention only, one pool slot for the
steps that write the warehouse, slots of killed CLI runs released, old dbt target folders
removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipeline.cli import (
    CLI_HOST_TAG,
    CLI_PID_TAG,
    cli_run_tags,
    ensure_dagster_home,
    release_slots_of_dead_cli_runs,
)
from pipeline.defs.dbt.assets import dbt_models, remove_old_targets, target_in_use
from pipeline.defs.failures import LOCK_RETRY, WAREHOUSE_POOL, retry_only_lock_contention
from pipeline.defs.ingest.assets import ingest_assets
from pipeline.defs.serving.assets import serving_marts
from pipeline.settings import OperatorError
from pipeline.warehouse import WarehouseLocked


def attempts_of(error: Exception) -> int:
    """How many times Dagster runs a step (policy LOCK_RETRY, no delay) that raises ``error``."""
    calls: list[int] = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=LOCK_RETRY.max_retries))
    def step() -> None:
        calls.append(1)
        with retry_only_lock_contention():
            raise error

    result = dg.materialize([step], raise_on_error=False)
    assert not result.success
    return len(calls)


def test_only_lock_contention_is_retried() -> None:
    assert attempts_of(WarehouseLocked("warehouse w is locked by process 7")) == 3
    assert attempts_of(OperatorError("landing directory x does not exist")) == 1
    assert attempts_of(KeyError("a bug")) == 1


def test_deterministic_failures_keep_their_message_and_cause() -> None:
    with pytest.raises(dg.Failure) as failure:
        with retry_only_lock_contention():
            raise OperatorError("set CREATOR_KPIS_WAREHOUSE to a writable path")
    assert failure.value.description == "set CREATOR_KPIS_WAREHOUSE to a writable path"
    assert failure.value.allow_retries is False
    with pytest.raises(dg.Failure) as failure:
        with retry_only_lock_contention():
            {}["view_count"]
    assert failure.value.description == "KeyError: 'view_count'"
    assert isinstance(failure.value.__cause__, KeyError)
    assert failure.value.allow_retries is False


def test_every_warehouse_writer_is_in_the_warehouse_pool() -> None:
    writers = [*ingest_assets, dbt_models, serving_marts]
    for asset in writers:
        for spec in asset.node_def.pools if hasattr(asset.node_def, "pools") else []:
            assert spec == WAREHOUSE_POOL
        assert asset.op.pool == WAREHOUSE_POOL, asset.op.name
        assert asset.op.retry_policy == LOCK_RETRY, asset.op.name


def test_the_instance_gives_the_pool_one_slot(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        # what a step of the pool does before it claims a slot
        instance.event_log_storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        assert info.slot_count == 1


def test_the_slot_of_a_killed_cli_run_is_released(tmp_path: Path, monkeypatch) -> None:
    """A `python -m pipeline run` killed with SIGKILL leaves its run started and its pool slot
    taken: the next CLI run marks it failed and frees the slot instead of waiting forever."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_dagster_home()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    with dg.DagsterInstance.get() as instance:
        tags = {**cli_run_tags(), CLI_PID_TAG: str(dead.pid)}
        killed = instance.create_run_for_job(
            dg.GraphDefinition("g", node_defs=[]).to_job(name="build_all"), tags=tags
        )
        alive = instance.create_run_for_job(
            dg.GraphDefinition("h", node_defs=[]).to_job(name="build_all"), tags=cli_run_tags()
        )
        for run in (killed, alive):
            instance.handle_run_event(
                run.run_id,
                dg.DagsterEvent(
                    event_type_value="PIPELINE_START", job_name=run.job_name, message="started"
                ),
            )
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        claim = storage.claim_concurrency_slot(WAREHOUSE_POOL, killed.run_id, "ingest_step")
        assert claim.is_claimed
        assert storage.get_concurrency_info(WAREHOUSE_POOL).active_slot_count == 1

        assert release_slots_of_dead_cli_runs(instance) == [killed.run_id]

        assert storage.get_concurrency_info(WAREHOUSE_POOL).active_slot_count == 0
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
        assert killed.tags[CLI_HOST_TAG] == alive.tags[CLI_HOST_TAG]
        assert alive.tags[CLI_PID_TAG] == str(os.getpid())


def test_old_dbt_target_folders_are_removed(tmp_path: Path) -> None:
    """Old folders go; the kept one, one another build holds and a young one stay."""
    for name in ("dbt_models-aaa-111", "dbt_models-bbb-222", "dbt_models-ccc-333"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run_results.json").write_text("{}")
    (tmp_path / "manifest.json").write_text("{}")
    hour_ago = time.time() - 3600
    with target_in_use(tmp_path / "dbt_models-ddd-444"):  # a build of another process, running
        for name in ("dbt_models-aaa-111", "dbt_models-bbb-222", "dbt_models-ddd-444"):
            os.utime(tmp_path / name, (hour_ago, hour_ago))
        (tmp_path / "dbt_models-eee-555").mkdir()  # just created: its build may not lock it yet
        remove_old_targets(tmp_path, keep=tmp_path / "dbt_models-ccc-333")
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "dbt_models-ccc-333",
            "dbt_models-ddd-444",
            "dbt_models-eee-555",
            "manifest.json",
        ]
    os.utime(tmp_path / "dbt_models-eee-555", (hour_ago, hour_ago))
    remove_old_targets(tmp_path, keep=tmp_path / "dbt_models-ccc-333")  # the build has ended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dbt_models-ccc-333", "manifest.json"]
