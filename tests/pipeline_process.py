"""Helpers for tests that run `python -m pipeline run` as a separate process."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipeline.settings import LANDING_DIR_VAR, PROJECT_ROOT, WAREHOUSE_VAR

# Columns that record *when* something happened: they differ between runs by design.
# when a row was written, and which load wrote it (load ids follow the order of the writes)
VOLATILE_COLUMNS = {"_loaded_at", "loaded_at", "rejected_at", "published_at", "_load_id", "load_id"}


def pipeline_env(landing: Path, warehouse: Path, dagster_home: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({LANDING_DIR_VAR: str(landing), WAREHOUSE_VAR: str(warehouse)})
    env["DAGSTER_HOME"] = str(dagster_home)
    env.update(extra)
    return env


def start_run(env: dict) -> subprocess.Popen:
    """`python -m pipeline run` in its own process group (so dbt dies with it when killed)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_to_completion(env: dict, timeout: float = 600) -> tuple[int, str, float]:
    started = time.monotonic()
    process = start_run(env)
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output, time.monotonic() - started


def kill_after(env: dict, seconds: float) -> None:
    """Start a run and SIGKILL its whole process group after `seconds` (if still running)."""
    process = start_run(env)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.stdout:
            process.stdout.close()


def warehouse_snapshot(warehouse: Path, schemas: tuple[str, ...] = ("ingest", "marts")) -> dict:
    """Every table of the given schemas, rows sorted, without the when-columns."""
    snapshot = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ?"
                    " and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                if name not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            snapshot[f"{schema}.{table}"] = sorted(rows, key=repr)
    return snapshot


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file below root: proof that landing files were not touched."""
    return {
        path.relative_to(root).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
