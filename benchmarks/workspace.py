"""Where a measured pipeline runs (landing, warehouse, serving file, Dagster home), the machine,
and the environment of the measured processes."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import python_command
from pipeline.settings import (
    LANDING_DIR_VAR,
    PROJECT_ROOT,
    SERVING_VAR,
    WAREHOUSE_VAR,
)


@dataclass
class Workspace:
    """Paths of one pipeline instance: landing, warehouse, serving file, Dagster home."""

    landing: Path
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "creator_kpis.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                LANDING_DIR_VAR: str(self.landing),
                WAREHOUSE_VAR: str(self.warehouse),
                SERVING_VAR: str(self.serving),
                "DAGSTER_HOME": str(self.dagster_home),
                "PYTHONUNBUFFERED": "1",
                **self.extra_env,
            }
        )
        return env


def machine() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for module in ("duckdb", "polars", "dagster", "dbt.version"):
        try:
            imported = __import__(module, fromlist=["__version__"])
            versions[module.split(".")[0]] = getattr(
                imported, "__version__", getattr(imported, "__version__", "")
            )
        except Exception:  # a version string is informative only
            pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_bytes": memory,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "versions": versions,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def warehouse_counts(warehouse: Path) -> dict:
    """Ingest rows per table and ledger totals, for comparing with the lower bound's rows."""
    import duckdb

    from pipeline.landing.contract import ENTITIES

    counts: dict = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for entity in ENTITIES:
            counts[entity.table] = con.execute(
                f"select count(*) from ingest.{entity.table}"
            ).fetchone()[0]
        ledger = con.execute(
            "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_duplicate),"
            " sum(rows_rejected) from ingest.files"
        ).fetchone()
        counts["ledger"] = dict(
            zip(("files", "read", "loaded", "duplicate", "rejected"), map(int, ledger))
        )
    return counts


def bytecode_cache(data_dir: Path) -> dict[str, str]:
    """Environment for the measured processes so that Python reads compiled bytecode.

    Python caches compiled modules (``__pycache__``) on first import, so a normal install pays
    compilation once. With PYTHONDONTWRITEBYTECODE set and a venv installed without bytecode
    (uv's default), every process would compile Dagster and dbt from source again, ~1-3 s each:
    the benchmark then compiles once into ``<data_dir>/pycache`` (PYTHONPYCACHEPREFIX) instead,
    and measures what a normal install costs. Returns the variables to set (or none).
    """
    import sysconfig

    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return {}
    prefix = data_dir / "pycache"
    marker = prefix / f"compiled-{sys.version_info.major}.{sys.version_info.minor}.json"
    sources = sorted({sysconfig.get_paths()[k] for k in ("purelib", "platlib")})
    sources += [str(PROJECT_ROOT / package) for package in ("pipeline", "demo", "benchmarks")]
    if not marker.exists() or json.loads(marker.read_text()).get("sources") != sources:
        print(f"compiling Python bytecode once into {prefix} ...", flush=True)
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(prefix))
        command = python_command("-m", "compileall", "-q", "-j", "0", *sources)
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"sources": sources}))
    return {"PYTHONPYCACHEPREFIX": str(prefix)}
