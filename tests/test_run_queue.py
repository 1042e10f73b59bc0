"""Runs never overlap: with the dagster.yaml that `python -m pipeline` writes, a second run waits
in the queue while the first holds the DuckDB warehouse, then runs and succeeds.

A real `dagster-daemon` runs the queue; two runs of build_all (two landing days) are submitted at
once with `dagster job launch`. Takes about two minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import dagster as dg
import pytest

from pipeline.cli import DAGSTER_YAML, DAGSTER_YAML_MARKER, OLD_DAGSTER_YAMLS, ensure_dagster_home
from pipeline.settings import PROJECT_ROOT
from tests.conftest import E2E_LANDING
from tests.pipeline_process import pipeline_env

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
JOB = "build_all"
DAYS = ("2026-10-21", "2026-11-01")  # two landing days, as the landing sensor would request
TIMEOUT_SECONDS = 360
TERMINAL = {
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
}


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group (the daemon, its code server and run workers), then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
    try:  # run workers left behind in the group
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def submit(env: dict, day: str, log: IO[str]) -> tuple[str, subprocess.Popen]:
    """Start `dagster job launch` of build_all for one day: it submits the run to the queue."""
    run_id = str(uuid.uuid4())
    process = subprocess.Popen(
        [
            str(VENV_BIN / "dagster"),
            *("job", "launch", "-w", "workspace.yaml", "-j", JOB),
            *("--run-id", run_id, "--tags", json.dumps({"dagster/partition": day})),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return run_id, process


def test_dagster_yaml_limits_runs_to_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    home = ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == DAGSTER_YAML
    with dg.DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


@pytest.mark.parametrize(
    "ours",
    [
        *OLD_DAGSTER_YAMLS,  # written by an earlier version
        f"{DAGSTER_YAML_MARKER}\ntelemetry:\n  enabled: true\n",  # managed, out of date
    ],
)
def test_dagster_yaml_we_wrote_is_refreshed(
    ours: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dagster.yaml").write_text(ours)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_dagster_home()
    assert (tmp_path / "dagster.yaml").read_text() == DAGSTER_YAML


def test_users_own_dagster_yaml_is_never_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = DAGSTER_YAML.replace(DAGSTER_YAML_MARKER + "\n", "").replace(
        "max_concurrent_runs: 1", "max_concurrent_runs: 3"
    )
    (tmp_path / "dagster.yaml").write_text(own)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_dagster_home()
    assert (tmp_path / "dagster.yaml").read_text() == own


@pytest.mark.slow
def test_second_run_waits_in_the_queue(
    dbt_manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(E2E_LANDING, landing)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    home = ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == DAGSTER_YAML
    env = pipeline_env(landing, warehouse, home)
    env.pop("CREATOR_KPIS_AUTOMATION", None)  # no schedule or landing sensor runs in between

    with ExitStack() as cleanup:  # stops every process started, closes the logs
        # the instance's storage exists before the processes start (no concurrent migration)
        instance = cleanup.enter_context(dg.DagsterInstance.get())
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        instance.get_runs(limit=1)
        instance.all_instigator_state()
        daemon_log = tmp_path / "daemon.log"
        daemon = subprocess.Popen(
            [str(VENV_BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=cleanup.enter_context(daemon_log.open("w")),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        cleanup.callback(stop, daemon)
        # both runs submitted at once, while the daemon starts
        submitted = [
            submit(env, day, cleanup.enter_context((tmp_path / f"launch-{day}.log").open("w")))
            for day in DAYS
        ]
        for _, process in submitted:
            cleanup.callback(stop, process)
        run_ids = [run_id for run_id, _ in submitted]
        for day, (_, process) in zip(DAYS, submitted):
            assert process.wait(timeout=180) == 0, (tmp_path / f"launch-{day}.log").read_text()

        seen_waiting = False  # one run in progress while the other still queued
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            statuses = [instance.get_run_by_id(run_id).status for run_id in run_ids]
            if all(status in TERMINAL for status in statuses):
                break
            in_progress = {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED}
            seen_waiting |= any(s in in_progress for s in statuses) and (
                dg.DagsterRunStatus.QUEUED in statuses
            )
            assert daemon.poll() is None, daemon_log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"runs not finished: {statuses}"
            time.sleep(1)

        records = [instance.get_run_record_by_id(run_id) for run_id in run_ids]
        for record in records:
            assert record.dagster_run.status == dg.DagsterRunStatus.SUCCESS, [
                event.message
                for event in instance.all_logs(record.dagster_run.run_id)
                if event.level >= 40
            ]
        first, second = sorted(records, key=lambda record: record.start_time)
        assert first.end_time <= second.start_time, (
            f"runs overlapped: {first.start_time}..{first.end_time}"
            f" and {second.start_time}..{second.end_time}"
        )
        assert seen_waiting
