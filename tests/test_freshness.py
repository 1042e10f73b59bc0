"""Freshness checks on the marts: fresh after a build, stale once the window has passed."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.dbt.assets import mart_keys
from pipeline.defs.ops.freshness import (
    DEFAULT_FRESHNESS_HOURS,
    FRESHNESS_HOURS_VAR,
    FRESHNESS_SENSOR_NAME,
    build_mart_freshness_checks,
    freshness_window_from_env,
)
from pipeline.settings import OperatorError, Settings
from tests.conftest import MARTS

DAY = "2026-11-01"


def test_window_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FRESHNESS_HOURS_VAR, raising=False)
    assert (
        freshness_window_from_env()
        == timedelta(hours=DEFAULT_FRESHNESS_HOURS)
        == timedelta(hours=26)
    )
    monkeypatch.setenv(FRESHNESS_HOURS_VAR, "6.5")
    assert freshness_window_from_env() == timedelta(hours=6, minutes=30)
    for bad in ("0", "-3", "a day", "nan"):
        monkeypatch.setenv(FRESHNESS_HOURS_VAR, bad)
        with pytest.raises(OperatorError, match=FRESHNESS_HOURS_VAR):
            freshness_window_from_env()


def test_every_mart_has_a_freshness_check_in_build_all(
    dbt_manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions
    from pipeline.defs.dbt.assets import dbt_models

    assert {key.path[1] for key in mart_keys([dbt_models])} == set(MARTS)
    assert all(key.path[0] == "marts" for key in mart_keys([dbt_models]))

    monkeypatch.setenv(FRESHNESS_HOURS_VAR, "30")
    defs = build_definitions(
        Settings.from_env(
            {
                **os.environ,
                "CREATOR_KPIS_LANDING_DIR": str(tmp_path),
                "CREATOR_KPIS_WAREHOUSE": str(tmp_path / "wh.duckdb"),
            }
        )
    )
    freshness = {
        key for key in defs.resolve_asset_graph().asset_check_keys if key.name == "freshness_check"
    }
    assert {key.asset_key.path[1] for key in freshness} == set(MARTS)
    job = defs.resolve_job_def(BUILD_ALL_JOB)
    assert freshness <= set(job.asset_layer.asset_graph.asset_check_keys)
    spec = next(iter(defs.resolve_asset_graph().get_check_spec(k) for k in freshness))
    assert spec.metadata["dagster/freshness_params"].value["lower_bound_delta_seconds"] == 30 * 3600
    sensor = defs.resolve_sensor_def(FRESHNESS_SENSOR_NAME)
    assert {
        key.name for key in sensor.asset_selection.resolve_checks(defs.resolve_asset_graph())
    } == {"freshness_check"}


@dg.asset(key=["marts", "tiktok_creators"])
def unpartitioned_mart() -> None:
    pass


@dg.asset(
    key=["marts", "tiktok_videos"],
    partitions_def=dg.DailyPartitionsDefinition(start_date="2026-10-01"),
)
def daily_mart() -> None:
    pass


def evaluate(instance: dg.DagsterInstance, window: timedelta) -> dict[str, dg.AssetCheckEvaluation]:
    """Run the freshness checks of both marts alone (no materialization) and return them."""
    checks = build_mart_freshness_checks(mart_keys([unpartitioned_mart, daily_mart]), window)
    result = dg.materialize(
        [unpartitioned_mart, daily_mart, *checks],
        instance=instance,
        selection=dg.AssetSelection.checks(*checks),
    )
    return {
        evaluation.asset_key.path[1]: evaluation
        for evaluation in result.get_asset_check_evaluations()
    }


def test_fresh_after_an_update_partitioned_or_not_and_stale_after_the_window() -> None:
    with dg.instance_for_test() as instance:
        never = evaluate(instance, timedelta(hours=26))
        assert not any(e.passed for e in never.values())
        assert never["tiktok_creators"].description == "Asset has never been observed/materialized."

        dg.materialize([unpartitioned_mart], instance=instance)
        dg.materialize([daily_mart], instance=instance, partition_key=DAY)
        fresh = evaluate(instance, timedelta(hours=26))
        assert {name: e.passed for name, e in fresh.items()} == {
            "tiktok_creators": True,
            "tiktok_videos": True,  # any partition's update counts
        }

        time.sleep(0.2)
        stale = evaluate(instance, timedelta(milliseconds=100))
        assert not any(e.passed for e in stale.values())
        assert all(e.severity == dg.AssetCheckSeverity.WARN for e in stale.values())
        assert "overdue" in stale["tiktok_videos"].description
