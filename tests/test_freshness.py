"""Freshness policies on the marts: UNKNOWN before a build, PASS after one, FAIL once the window
(CREATOR_KPIS_FRESHNESS_HOURS) has passed, as the daemon's FreshnessDaemon evaluates them."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState, TimeWindowFreshnessPolicy
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon

from pipeline.defs.dbt.assets import mart_keys
from pipeline.settings import (
    DEFAULT_FRESHNESS_HOURS,
    FRESHNESS_HOURS_VAR,
    OperatorError,
    Settings,
)
from tests.conftest import MARTS

TIKTOK_CREATORS = dg.AssetKey(["marts", "tiktok_creators"])
TIKTOK_VIDEOS = dg.AssetKey(["marts", "tiktok_videos"])
INTERMEDIATE = dg.AssetKey(["intermediate", "int_tiktok_videos_latest"])


def test_window_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FRESHNESS_HOURS_VAR, raising=False)
    assert (
        Settings.from_env().freshness_window
        == timedelta(hours=DEFAULT_FRESHNESS_HOURS)
        == timedelta(hours=26)
    )
    monkeypatch.setenv(FRESHNESS_HOURS_VAR, "6.5")
    assert Settings.from_env().freshness_window == timedelta(hours=6, minutes=30)
    for bad in ("0", "-3", "a day", "nan"):
        monkeypatch.setenv(FRESHNESS_HOURS_VAR, bad)
        with pytest.raises(OperatorError, match=FRESHNESS_HOURS_VAR):
            Settings.from_env()


def definitions_with_window(tmp_path: Path, hours: str) -> dg.Definitions:
    from pipeline.definitions import build_definitions

    return build_definitions(
        Settings.from_env(
            {
                **os.environ,
                "CREATOR_KPIS_LANDING_DIR": str(tmp_path),
                "CREATOR_KPIS_WAREHOUSE": str(tmp_path / "wh.duckdb"),
                FRESHNESS_HOURS_VAR: hours,
            }
        )
    )


def test_every_mart_and_nothing_else_has_the_freshness_policy_of_the_settings(
    dbt_manifest: Path, tmp_path: Path
) -> None:
    from pipeline.defs.dbt.assets import dbt_models

    assert {key.path[1] for key in mart_keys([dbt_models])} == set(MARTS)
    assert all(key.path[0] == "marts" for key in mart_keys([dbt_models]))

    specs = {
        spec.key: spec for spec in definitions_with_window(tmp_path, "30").resolve_all_asset_specs()
    }
    policies = {key: spec.freshness_policy for key, spec in specs.items()}
    marts = {key for key in specs if key.path[0] == "marts"}
    assert {key.path[1] for key in marts} == set(MARTS)
    for key in marts:
        policy = policies[key]
        assert isinstance(policy, TimeWindowFreshnessPolicy), key
        assert policy.fail_window.to_timedelta() == timedelta(hours=30), key
        assert policy.warn_window is None, key  # PASS, then FAIL: see translator.py
    others = {key.to_user_string(): policies[key] for key in specs if key not in marts}
    assert INTERMEDIATE.to_user_string() in others and "ingest/tiktok_videos" in others
    assert {name: policy for name, policy in others.items() if policy is not None} == {}


def test_the_superseded_freshness_checks_and_their_sensor_are_gone(
    dbt_manifest: Path, tmp_path: Path
) -> None:
    defs = definitions_with_window(tmp_path, "26")
    graph = defs.resolve_asset_graph()
    assert not [key for key in graph.asset_check_keys if "freshness" in key.name]
    sensors = {sensor.name for sensor in defs.get_repository_def().sensor_defs}
    assert sensors == {"landing_sensor", "run_failure_alert"}


def one_minute_definitions() -> dg.Definitions:
    """The code location with the smallest window Dagster allows (one minute); loaded by the
    workspace of ``freshness_daemon_workspace`` (a function: built only when loaded)."""
    from pipeline.definitions import build_definitions

    settings = dataclasses.replace(Settings.from_env(), freshness_window=timedelta(minutes=1))
    return build_definitions(settings)


@pytest.fixture
def daemon_workspace(
    dbt_manifest: Path, tmp_path: Path
) -> Iterator[tuple[dg.DagsterInstance, WorkspaceProcessContext]]:
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            module_name=__name__,
            attribute=one_minute_definitions.__name__,
            working_directory=os.getcwd(),
        ),
        location_name="creator_kpis",
    )
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        with create_test_daemon_workspace_context(
            InProcessWorkspaceLoadTarget(origin), instance
        ) as workspace:
            yield instance, workspace


def freshness_states(
    instance: dg.DagsterInstance, workspace: WorkspaceProcessContext, now: datetime
) -> dict[str, FreshnessState]:
    """One iteration of the daemon's FreshnessDaemon at ``now``: the states it recorded."""
    with freeze_time(now):
        list(FreshnessDaemon().run_iteration(workspace))
    keys = [TIKTOK_CREATORS, TIKTOK_VIDEOS, INTERMEDIATE]
    records = instance.get_freshness_state_records(keys)
    return {key.path[1]: records[key].freshness_state for key in keys}


def materialize(instance: dg.DagsterInstance, key: dg.AssetKey, at: datetime) -> None:
    """A materialization of the mart (not partitioned: built from all days), recorded at ``at``."""
    with freeze_time(at):
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    event = instance.get_latest_materialization_event(key)
    assert event is not None and event.timestamp == at.timestamp()


def test_unknown_before_a_materialization_pass_after_fail_once_the_window_passed(
    daemon_workspace: tuple[dg.DagsterInstance, WorkspaceProcessContext],
) -> None:
    instance, workspace = daemon_workspace
    start = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert freshness_states(instance, workspace, start) == {
        "tiktok_creators": FreshnessState.UNKNOWN,  # never materialized
        "tiktok_videos": FreshnessState.UNKNOWN,
        "int_tiktok_videos_latest": FreshnessState.NOT_APPLICABLE,  # no policy
    }

    built = start + timedelta(seconds=10)
    materialize(instance, TIKTOK_CREATORS, built)
    materialize(instance, TIKTOK_VIDEOS, built)
    assert freshness_states(instance, workspace, built + timedelta(seconds=59)) == {
        "tiktok_creators": FreshnessState.PASS,
        "tiktok_videos": FreshnessState.PASS,
        "int_tiktok_videos_latest": FreshnessState.NOT_APPLICABLE,
    }

    # 30 s later tiktok_creators alone is built again: 60 s after the first build only
    # tiktok_videos has reached the one-minute window
    materialize(instance, TIKTOK_CREATORS, built + timedelta(seconds=30))
    assert freshness_states(instance, workspace, built + timedelta(seconds=60)) == {
        "tiktok_creators": FreshnessState.PASS,  # 30 s old
        "tiktok_videos": FreshnessState.FAIL,  # 60 s old
        "int_tiktok_videos_latest": FreshnessState.NOT_APPLICABLE,
    }
    assert freshness_states(instance, workspace, built + timedelta(seconds=90)) == {
        "tiktok_creators": FreshnessState.FAIL,
        "tiktok_videos": FreshnessState.FAIL,
        "int_tiktok_videos_latest": FreshnessState.NOT_APPLICABLE,
    }

    # the next build makes both fresh again
    materialize(instance, TIKTOK_CREATORS, built + timedelta(hours=1))
    materialize(instance, TIKTOK_VIDEOS, built + timedelta(hours=1))
    assert freshness_states(instance, workspace, built + timedelta(hours=1, seconds=1)) == {
        "tiktok_creators": FreshnessState.PASS,
        "tiktok_videos": FreshnessState.PASS,
        "int_tiktok_videos_latest": FreshnessState.NOT_APPLICABLE,
    }


def test_dagster_yaml_turns_the_freshness_daemon_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.cli import ensure_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        assert instance.get_settings("freshness") == {"enabled": True}
        assert FreshnessDaemon.daemon_type() in instance.get_required_daemon_types()
