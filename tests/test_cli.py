"""Operator mistakes give one clear line naming the path and the setting, and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from pipeline.cli import manifest_is_fresh
from pipeline.settings import PROJECT_ROOT
from tests.pipeline_process import pipeline_env


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_landing_dir(tmp_path: Path) -> None:
    env = pipeline_env(tmp_path / "nowhere", tmp_path / "wh.duckdb", tmp_path / "dagster")
    done = run_cli(env, "run")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(tmp_path / "nowhere") in lines[0] and "CREATOR_KPIS_LANDING_DIR" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_unwritable_warehouse_path(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = pipeline_env(tmp_path / "landing", blocker / "wh.duckdb", tmp_path / "dagster")
    done = run_cli(env, "run")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(blocker) in lines[0] and "CREATOR_KPIS_WAREHOUSE" in lines[0]


def test_warehouse_locked_by_another_process(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "ready"
        env = pipeline_env(tmp_path / "landing", warehouse, tmp_path / "dagster")
        done = run_cli(env, "run")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(warehouse) in lines[0] and f"process {holder.pid}" in lines[0]
    assert "CREATOR_KPIS_WAREHOUSE" in lines[0]
    # and the warehouse is intact
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select 1").fetchone() == (1,)


def test_manifest_is_fresh_until_a_dbt_source_changes(tmp_path: Path) -> None:
    (tmp_path / "models" / "marts").mkdir(parents=True)
    model = tmp_path / "models" / "marts" / "m.sql"
    model.write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    assert not manifest_is_fresh(tmp_path)  # no manifest yet
    (tmp_path / "target").mkdir()
    manifest = tmp_path / "target" / "manifest.json"
    manifest.write_text("{}")
    os.utime(model, ns=(1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "dbt_project.yml", ns=(1_000_000_000, 1_000_000_000))
    os.utime(manifest, ns=(2_000_000_000, 2_000_000_000))
    assert manifest_is_fresh(tmp_path)
    (tmp_path / "target" / "run_results.json").write_text("{}")  # dbt's own output: ignored
    assert manifest_is_fresh(tmp_path)
    os.utime(model, ns=(3_000_000_000, 3_000_000_000))  # a model edited after the parse
    assert not manifest_is_fresh(tmp_path)
