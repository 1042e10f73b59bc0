"""The benchmark: ``python -m pipeline bench --scale tiny|S|M|L`` (``make bench``).

One benchmark run, in one process tree, on one landing zone:

1. **lower bound**: DuckDB reads every landing file into one table per entity in a single pass
   (``create table ... as select * from read_json / read_csv / read_parquet``, union by name over
   each entity's files), no cleaning, no checks;
2. **stages**: the pipeline from an empty warehouse, one stage per process (each ingest asset,
   the dbt build, the publish step, each materialized from the real ``Definitions`` for every
   day of the landing zone), for the wall time and peak memory of each;
3. **full run**: ``python -m pipeline run`` from another empty warehouse, as an operator runs it;
4. **incremental run**: the next day of the same demo spec is added to a copy of the landing
   zone (hard links plus the new day's files) and ``python -m pipeline run --first-day D+1
   --last-day D+1`` processes it on the full run's warehouse.

Every measured command runs as a child process. Wall time is the child's lifetime; memory is
the peak of the summed resident set (``VmRSS``) of the child and all its descendants (Dagster,
the dbt subprocess), sampled every 50 ms from ``/proc``, and never below the largest single
process's high-water mark (``getrusage``/``VmHWM``). The results are printed as a table with the
ratios and written as JSON to ``benchmarks/results/``.

Landing zones are generated once per scale into ``data/bench/<scale>/landing`` (git-ignored) and
reused while their marker file ``landing.json`` matches the scale's spec. A scale's spec covers
one day more than the landing zone holds: that day is the incremental run's "next day".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.settings import (
    LANDING_DIR_VAR,
    PROJECT_ROOT,
    SERVING_VAR,
    WAREHOUSE_VAR,
    OperatorError,
)

DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "bench"
DEFAULT_RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
MARKER_NAME = "landing.json"
SAMPLE_SECONDS = 0.05
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Targets of the performance issue (scale M, 2 cores); reported, never asserted.
TARGET_FULL_VS_LOWER_BOUND = 3.0
TARGET_PEAK_RSS_BYTES = 2 * 1024**3
TARGET_INCREMENTAL_VS_FULL = 0.10
TARGET_L_VS_M = 3.3


@dataclass(frozen=True)
class Scale:
    """A named benchmark size: the demo spec's creators per platform and days in the landing."""

    name: str
    creators: int
    landing_days: int  # the spec has one day more: the incremental run's day
    seed: int = 7
    about: str = ""

    def spec(self):  # -> DemoSpec (imported lazily: polars is not needed to parse arguments)
        from pipeline.demo import DemoSpec

        return DemoSpec(creators=self.creators, days=self.landing_days + 1, seed=self.seed)


# ~440 post observations per creator (both platforms together) over the 30 landing days:
# measured 1,016,057 at S, 8,807,716 with 20,000 creators, 29,880,522 at L.
SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("tiny", creators=12, landing_days=4, about="a few thousand records (CI)"),
        Scale("S", creators=2_300, landing_days=30, about="~1M post observations"),
        Scale("M", creators=22_800, landing_days=30, about="~10M post observations"),
        Scale("L", creators=68_000, landing_days=30, about="~30M post observations"),
    )
}


# --- measuring a process tree -------------------------------------------------------------------


@dataclass
class Measurement:
    """One measured command: wall time, CPU time and peak memory of its whole process tree."""

    name: str
    command: list[str]
    wall_seconds: float
    peak_rss_bytes: int  # peak of the summed RSS of the process tree (sampled), >= max_process
    max_process_rss_bytes: int  # largest single process's high-water mark (getrusage / VmHWM)
    cpu_user_seconds: float
    cpu_system_seconds: float
    processes_seen: int
    returncode: int
    log: str
    detail: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _rss_and_hwm(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes; (0, 0) when the process is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, hwm


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.parents: dict[int, int | None] = {}
        self.peak_tree_rss = 0
        self.max_hwm = 0
        self.seen: set[int] = {root_pid}
        self._stop_event = threading.Event()

    def sample(self) -> None:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        live = set(pids)
        for pid in list(self.parents):
            if pid not in live:
                del self.parents[pid]  # gone (a reused pid is looked up again)
        for pid in pids:
            if pid not in self.parents:
                self.parents[pid] = _parent_pid(pid)
        tree = {self.root_pid}
        changed = True
        while changed:  # descendants: processes whose parent is in the tree (a few levels)
            changed = False
            for pid, parent in self.parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    changed = True
        self.seen |= tree
        total = 0
        for pid in tree:
            rss, hwm = _rss_and_hwm(pid)
            total += rss
            self.max_hwm = max(self.max_hwm, hwm)
        self.peak_tree_rss = max(self.peak_tree_rss, total)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(name: str, command: Sequence[str], env: dict[str, str], log_path: Path) -> Measurement:
    """Run ``command`` as a child process (output to ``log_path``) and measure its tree."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            list(command), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    # Not usage.ru_maxrss: Linux carries a parent's high-water mark into a forked child across
    # exec, so a child of a large process would report the parent's peak. VmHWM is per process.
    max_process = sampler.max_hwm
    return Measurement(
        name=name,
        command=list(command),
        wall_seconds=round(wall, 3),
        peak_rss_bytes=max(sampler.peak_tree_rss, max_process),
        max_process_rss_bytes=max_process,
        cpu_user_seconds=round(usage.ru_utime, 3),
        cpu_system_seconds=round(usage.ru_stime, 3),
        processes_seen=len(sampler.seen),
        returncode=process.returncode,
        log=str(log_path),
    )


# --- the landing zone ---------------------------------------------------------------------------


def landing_for(scale: Scale, data_dir: Path) -> tuple[Path, dict]:
    """The scale's landing zone, generated unless a complete one with the same spec is there.

    Returns the landing directory and the marker: spec, files and records written, and the
    generation's wall time and peak memory (measured in its own process).
    """
    spec = scale.spec()
    root = data_dir / scale.name
    landing = root / "landing"
    marker_path = root / MARKER_NAME
    wanted = _spec_dict(spec) | {"landing_days": scale.landing_days}
    if marker_path.exists() and landing.is_dir():
        marker = json.loads(marker_path.read_text())
        if marker.get("spec") == wanted:
            return landing, marker | {"generated_now": False}
    marker_path.unlink(missing_ok=True)
    if landing.exists():
        shutil.rmtree(landing)
    landing.mkdir(parents=True)
    print(f"generating the {scale.name} landing zone in {landing} ...", flush=True)
    summary, measured = generate(scale, landing, range(scale.landing_days), root / "generate.log")
    marker = {
        "spec": wanted,
        "files": sum(summary["files"].values()),
        "records": summary["records"],
        "total_records": sum(summary["records"].values()),
        "bytes": sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()),
        "generation_seconds": measured.wall_seconds,
        "generation_peak_rss_bytes": measured.peak_rss_bytes,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    marker_path.write_text(json.dumps(marker, indent=2) + "\n")  # written last: complete
    return landing, marker | {"generated_now": True}


def generate(
    scale: Scale, landing: Path, day_indexes: Sequence[int], log: Path, with_campaigns=True
) -> tuple[dict, Measurement]:
    """Write days of the scale's demo spec in a measured child process; (summary, measurement)."""
    summary_path = log.with_suffix(".json")
    command = _python("-m", "pipeline.bench", "generate", scale.name, str(landing))
    command += ["--summary", str(summary_path), *map(str, day_indexes)]
    if not with_campaigns:
        command.append("--no-campaigns")
    measured = measure("generate", command, dict(os.environ), log)
    if not measured.ok:
        raise RuntimeError(f"demo generation failed: see {log}")
    summary = json.loads(summary_path.read_text())
    summary_path.unlink()
    return summary, measured


def _spec_dict(spec) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(spec).items()}


def post_observations(records: dict[str, int]) -> int:
    return records.get("tiktok.videos", 0) + records.get("instagram.media", 0)


def linked_copy(source: Path, target: Path) -> None:
    """A copy of a landing zone made of hard links (landing files are never modified)."""
    shutil.copytree(source, target, copy_function=os.link)


def add_next_day(scale: Scale, landing: Path, log: Path) -> tuple[date, dict, Measurement]:
    """Write the spec's day after the landing zone's last one (new files only) into ``landing``."""
    summary, measured = generate(scale, landing, [scale.landing_days], log, with_campaigns=False)
    day = scale.spec().start + timedelta(days=scale.landing_days)
    return day, summary["records"], measured


# --- the lower bound (runs in its own process: python -m pipeline.bench lower-bound) ------------


def lower_bound_sql(landing: Path) -> dict[str, str]:
    """Per entity table: one ``create table ... as`` reading all its files, union by name."""
    from pipeline.landing.contract import ENTITIES
    from pipeline.landing.files import discover

    def quoted(paths: list[Path]) -> str:
        return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"

    files = discover(landing).files
    statements = {}
    for entity in ENTITIES:
        by_kind: dict[str, list[Path]] = {}
        for f in files:
            if f.entity == entity:
                by_kind.setdefault(f.path.suffix.lower(), []).append(f.path)
        readers = []
        if ".jsonl" in by_kind:
            readers.append(
                f"read_json({quoted(by_kind['.jsonl'])}, format='newline_delimited',"
                " union_by_name=true)"
            )
        if ".json" in by_kind:
            readers.append(f"read_json({quoted(by_kind['.json'])}, union_by_name=true)")
        if ".csv" in by_kind:
            readers.append(f"read_csv({quoted(by_kind['.csv'])}, union_by_name=true)")
        if ".parquet" in by_kind:
            readers.append(f"read_parquet({quoted(by_kind['.parquet'])}, union_by_name=true)")
        if readers:
            union = " union all by name ".join(f"select * from {r}" for r in readers)
            statements[entity.table] = f"create table {entity.table} as {union}"
    return statements


def lower_bound(landing: Path, database: Path) -> dict[str, int]:
    """Run :func:`lower_bound_sql` into a new DuckDB file; rows per table."""
    import duckdb

    database.unlink(missing_ok=True)
    rows = {}
    with duckdb.connect(str(database)) as con:
        for table, sql in lower_bound_sql(landing).items():
            con.execute(sql)
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        con.execute("checkpoint")
    return rows


# --- one pipeline stage (runs in its own process: python -m pipeline.bench stage) ---------------


def stage_selections() -> list[tuple[str, list[list[str]]]]:
    """(stage name, asset keys) in build order: each ingest asset, the dbt models, the publish."""
    from pipeline.landing.contract import ENTITIES
    from pipeline.warehouse import INGEST_SCHEMA

    stages = [(f"ingest {e.key}", [[INGEST_SCHEMA, e.table]]) for e in ENTITIES]
    return [*stages, ("dbt build", [["dbt"]]), ("publish", [["serving", "marts"]])]


def materialize_stage(keys: list[list[str]], first: date, last: date) -> bool:
    """Materialize one asset selection of the real Definitions, partition range first..last.

    ``[["dbt"]]`` stands for every dbt asset. Uses the instance in ``DAGSTER_HOME``, like
    ``python -m pipeline run``.
    """
    import dagster as dg

    from pipeline.cli import ensure_dagster_home
    from pipeline.definitions import defs
    from pipeline.defs.dbt.assets import dbt_models
    from pipeline.defs.partitions import partition_range_tags

    ensure_dagster_home()
    if keys == [["dbt"]]:
        selection = dg.AssetSelection.assets(*dbt_models.keys)
        asset_keys = list(dbt_models.keys)
    else:
        asset_keys = [dg.AssetKey(k) for k in keys]
        selection = dg.AssetSelection.assets(*asset_keys)
    job = dg.define_asset_job("bench_stage", selection=selection)
    stage_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    job_def = stage_defs.resolve_job_def("bench_stage")
    graph = stage_defs.resolve_asset_graph()
    partitioned = any(graph.get(key).partitions_def is not None for key in asset_keys)
    with dg.DagsterInstance.get() as instance:
        result = job_def.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=partition_range_tags(first, last) if partitioned else {},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    return result.success


# --- the benchmark ------------------------------------------------------------------------------


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


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _warehouse_counts(warehouse: Path) -> dict:
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


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


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
    sources.append(str(PROJECT_ROOT / "pipeline"))
    if not marker.exists() or json.loads(marker.read_text()).get("sources") != sources:
        print(f"compiling Python bytecode once into {prefix} ...", flush=True)
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(prefix))
        command = _python("-m", "compileall", "-q", "-j", "0", *sources)
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"sources": sources}))
    return {"PYTHONPYCACHEPREFIX": str(prefix)}


def run_benchmark(
    scale: Scale, data_dir: Path, results_dir: Path, keep: bool = False, profile: bool = False
) -> tuple[dict, Path]:
    """Run every measurement of the benchmark at ``scale``; returns the results and their file.

    ``profile`` adds one more full run from an empty warehouse under py-spy (sampling every
    process of the tree, dbt included), after the measured ones: its flame graph data and a
    summary of where the time goes are written next to the results; its timings are not used.
    """
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    load_before = _load()
    landing, marker = landing_for(scale, data_dir)
    spec = scale.spec()
    first = spec.start
    last = spec.start + timedelta(days=scale.landing_days - 1)
    work = data_dir / scale.name / "runs" / stamp
    work.mkdir(parents=True, exist_ok=True)
    bytecode = bytecode_cache(data_dir)
    logs = work / "logs"
    measurements: list[Measurement] = []

    def step(name: str, command: list[str], env: dict[str, str]) -> Measurement:
        print(f"  {name} ...", end="", flush=True)
        slug = name.replace(" ", "_").replace(".", "_").replace("/", "_")
        measured = measure(name, command, env, logs / f"{slug}.log")
        status = "" if measured.ok else f"  FAILED (exit {measured.returncode}, {measured.log})"
        print(
            f" {measured.wall_seconds:.1f} s, {measured.peak_rss_bytes / 2**20:,.0f} MiB{status}",
            flush=True,
        )
        measurements.append(measured)
        return measured

    print(f"benchmark {scale.name}: {marker['total_records']:,} records in {landing}", flush=True)
    lower = step(
        "lower bound",
        _python("-m", "pipeline.bench", "lower-bound", str(landing), str(work / "lower.duckdb")),
        dict(os.environ, **bytecode),
    )
    lower_rows = json.loads((work / "lower.duckdb.rows.json").read_text()) if lower.ok else {}
    (work / "lower.duckdb").unlink(missing_ok=True)
    (work / "lower.duckdb.wal").unlink(missing_ok=True)

    staged = Workspace(landing, work / "staged", bytecode)
    step("dbt parse", _python("-m", "pipeline", "parse"), staged.env())
    stages = []
    for name, keys in stage_selections():
        stages.append(
            step(
                name,
                _python(
                    "-m",
                    "pipeline.bench",
                    "stage",
                    json.dumps(keys),
                    first.isoformat(),
                    last.isoformat(),
                ),
                staged.env(),
            )
        )
    staged_counts = _warehouse_counts(staged.warehouse) if staged.warehouse.exists() else {}
    if not keep:
        shutil.rmtree(staged.root, ignore_errors=True)

    whole = Workspace(landing, work / "full", bytecode)
    full_started = time.time()
    full = step("full run", _python("-m", "pipeline", "run"), whole.env())
    full.detail = {"dbt": dbt_breakdown(full_started)}
    full_counts = _warehouse_counts(whole.warehouse) if full.ok else {}

    plus_one = work / "landing_plus_one"
    linked_copy(landing, plus_one)
    next_day, next_day_records, next_day_generation = add_next_day(
        scale, plus_one, logs / "generate_next_day.log"
    )
    incremental_space = Workspace(plus_one, whole.root, bytecode)
    incremental_started = time.time()
    incremental = step(
        "incremental run",
        _python(
            "-m",
            "pipeline",
            "run",
            "--first-day",
            next_day.isoformat(),
            "--last-day",
            next_day.isoformat(),
        ),
        incremental_space.env(),
    )
    incremental.detail = {
        "day": next_day.isoformat(),
        "records": next_day_records,
        "post_observations": post_observations(next_day_records),
        "generation_seconds": next_day_generation.wall_seconds,
        "generation_peak_rss_bytes": next_day_generation.peak_rss_bytes,
        "dbt": dbt_breakdown(incremental_started),
    }
    incremental_counts = _warehouse_counts(whole.warehouse) if incremental.ok else {}
    warehouse_bytes = whole.warehouse.stat().st_size if whole.warehouse.exists() else 0
    if not keep:
        shutil.rmtree(work / "full", ignore_errors=True)
        shutil.rmtree(plus_one, ignore_errors=True)

    profile_files = {}
    if profile:
        profiled = Workspace(landing, work / "profiled", bytecode)
        profile_files = _profiled_full_run(profiled, results_dir, scale, stamp)

    def ratio(numerator: float, denominator: float) -> float | None:
        return round(numerator / denominator, 3) if denominator else None

    stage_wall = sum(m.wall_seconds for m in stages)
    peak = max(full.peak_rss_bytes, incremental.peak_rss_bytes, *(m.peak_rss_bytes for m in stages))
    ratios = {
        "full_run_vs_lower_bound": ratio(full.wall_seconds, lower.wall_seconds),
        "stages_total_vs_lower_bound": ratio(stage_wall, lower.wall_seconds),
        "incremental_vs_full_run": ratio(incremental.wall_seconds, full.wall_seconds),
    }
    previous_m = _latest_result(results_dir, "M") if scale.name == "L" else None
    if previous_m is not None:
        ratios["full_run_vs_scale_M"] = ratio(
            full.wall_seconds, previous_m["full_run"]["wall_seconds"]
        )
    targets = {
        "full_run_vs_lower_bound <= 3": (ratios["full_run_vs_lower_bound"] or 99)
        <= TARGET_FULL_VS_LOWER_BOUND,
        "peak_rss <= 2 GiB": peak <= TARGET_PEAK_RSS_BYTES,
        "incremental_vs_full_run <= 0.10": (ratios["incremental_vs_full_run"] or 99)
        <= TARGET_INCREMENTAL_VS_FULL,
    }
    if "full_run_vs_scale_M" in ratios:
        targets["full_run_vs_scale_M <= 3.3"] = ratios["full_run_vs_scale_M"] <= TARGET_L_VS_M
    results = {
        "scale": scale.name,
        "spec": marker["spec"],
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "bytecode": (
            f"compiled once into PYTHONPYCACHEPREFIX={bytecode['PYTHONPYCACHEPREFIX']}"
            " (PYTHONDONTWRITEBYTECODE is set)"
            if bytecode
            else "Python's default __pycache__"
        ),
        "load_average": {"before": load_before, "after": _load()},
        "landing": {
            "dir": str(landing),
            "days": scale.landing_days,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "files": marker["files"],
            "bytes": marker["bytes"],
            "records": marker["records"],
            "total_records": marker["total_records"],
            "post_observations": post_observations(marker["records"]),
            "generation_seconds": marker["generation_seconds"],
            "generation_peak_rss_bytes": marker.get("generation_peak_rss_bytes"),
            "generated_now": marker["generated_now"],
        },
        "lower_bound": asdict(lower) | {"rows": lower_rows},
        "stages": [asdict(m) for m in stages],
        "stages_total_wall_seconds": round(stage_wall, 3),
        "dbt_parse": asdict(measurements[1]),
        "full_run": asdict(full),
        "incremental_run": asdict(incremental),
        "peak_rss_bytes": peak,
        "warehouse": {
            "staged": staged_counts,
            "full_run": full_counts,
            "after_incremental": incremental_counts,
            "bytes_after_incremental": warehouse_bytes,
        },
        "ratios": ratios,
        "targets": targets,
        "profile": profile_files,
        "ok": all(m.ok for m in measurements),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    result_path = results_dir / f"{scale.name}-{stamp}.json"
    result_path.write_text(json.dumps(results, indent=2) + "\n")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return results, result_path


def dbt_breakdown(since: float, top: int = 8) -> dict:
    """Where a run's dbt build spent its time, from the run_results.json dagster-dbt left in
    ``dbt_project/target/dbt_models-*/`` (the newest written after ``since``): seconds per
    resource type (models, tests, unit tests, seeds) and the slowest nodes."""
    from pipeline.settings import DBT_PROJECT_DIR

    candidates = [
        path
        for path in (DBT_PROJECT_DIR / "target").glob("dbt_models-*/run_results.json")
        if path.stat().st_mtime >= since
    ]
    if not candidates:
        return {}
    run_results = json.loads(max(candidates, key=lambda p: p.stat().st_mtime).read_text())
    by_type: dict[str, dict] = {}
    nodes = []
    for result in run_results.get("results", []):
        kind = result["unique_id"].split(".", 1)[0]
        seconds = float(result.get("execution_time") or 0.0)
        entry = by_type.setdefault(kind, {"nodes": 0, "seconds": 0.0})
        entry["nodes"] += 1
        entry["seconds"] = round(entry["seconds"] + seconds, 3)
        nodes.append((seconds, result["unique_id"]))
    nodes.sort(reverse=True)
    return {
        "elapsed_seconds": round(float(run_results.get("elapsed_time") or 0.0), 3),
        "by_type": by_type,
        "slowest": [{"node": node, "seconds": round(sec, 3)} for sec, node in nodes[:top]],
    }


def _profiled_full_run(
    workspace: Workspace, results_dir: Path, scale: Scale, stamp: str
) -> dict[str, str]:
    """``python -m pipeline run`` under py-spy; writes the raw stacks and a text summary."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("  profiled full run: py-spy is not installed (dev extras): skipped", flush=True)
        return {}
    results_dir.mkdir(parents=True, exist_ok=True)
    raw = results_dir / f"{scale.name}-{stamp}-full-run.pyspy.txt"
    summary = results_dir / f"{scale.name}-{stamp}-full-run.profile.txt"
    command = [py_spy, "record", "--rate", "50", "--subprocesses", "--format", "raw"]
    command += ["--output", str(raw), "--", *_python("-m", "pipeline", "run")]
    print("  profiled full run (py-spy, not timed) ...", end="", flush=True)
    log = workspace.root / "profiled_full_run.log"
    measured = measure("profiled full run", command, workspace.env(), log)
    print(" done" if measured.ok else f" FAILED ({measured.log})", flush=True)
    if not raw.exists():
        return {}
    summary.write_text(summarize_profile(raw))
    shutil.rmtree(workspace.root, ignore_errors=True)
    return {"raw": str(raw), "summary": str(summary)}


def summarize_profile(raw: Path, top: int = 60) -> str:
    """Inclusive share of samples per function (file) and per process, from py-spy raw output."""
    from collections import Counter

    per_function: Counter[str] = Counter()
    per_process: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        process = next((f for f in reversed(frames[:2]) if f.startswith("process ")), "?")
        per_process[process.split(":", 1)[-1][:100]] += samples
        seen = set()
        for frame in frames:
            if frame.startswith("process "):
                continue
            name, _, where = frame.partition(" (")
            key = f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})"
            if key not in seen:
                seen.add(key)
                per_function[key] += samples
    lines = [f"{total} samples at 50 Hz (all processes of the tree)", "", "per process:"]
    lines += [f"{n / total:6.1%}  {p}" for p, n in per_process.most_common()]
    lines += ["", f"top {top} functions (inclusive):"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in per_function.most_common(top)]
    return "\n".join(lines) + "\n"


def _latest_result(results_dir: Path, scale_name: str) -> dict | None:
    found = sorted(results_dir.glob(f"{scale_name}-*.json"))
    for path in reversed(found):
        results = json.loads(path.read_text())
        if results.get("ok"):
            return results
    return None


def format_table(results: dict) -> str:
    """The results as a text table with the ratios and targets."""
    rows = [("lower bound (DuckDB read only)", results["lower_bound"])]
    rows += [(f"  stage: {m['name']}", m) for m in [results["dbt_parse"], *results["stages"]]]
    rows += [
        ("full run (python -m pipeline run)", results["full_run"]),
        (f"incremental run ({results['incremental_run']['detail']['day']})", results["incremental_run"]),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    landing = results["landing"]
    lines = [
        f"scale {results['scale']}: {landing['total_records']:,} records"
        f" ({landing['post_observations']:,} post observations), {landing['files']} files,"
        f" {landing['bytes'] / 1e9:.2f} GB, {landing['days']} days",
        f"machine: {results['machine']['nproc']} cores, {results['machine']['cpu_model']},"
        f" {results['machine']['memory_bytes'] / 2**30:.1f} GiB RAM;"
        f" load average before {results['load_average']['before']},"
        f" after {results['load_average']['after']}",
        f"bytecode: {results['bytecode']}",
        "",
        f"{'step':<{width}}  {'wall s':>8}  {'peak RSS MiB':>12}  {'CPU s':>8}  status",
    ]
    for label, m in rows:
        cpu = m["cpu_user_seconds"] + m["cpu_system_seconds"]
        status = "ok" if m["returncode"] == 0 else f"FAILED ({m['returncode']})"
        lines.append(
            f"{label:<{width}}  {m['wall_seconds']:>8.1f}  {m['peak_rss_bytes'] / 2**20:>12,.0f}"
            f"  {cpu:>8.1f}  {status}"
        )
    for label, key in (("full run", "full_run"), ("incremental run", "incremental_run")):
        dbt = results[key].get("detail", {}).get("dbt")
        if dbt:
            parts = ", ".join(
                f"{kind} {entry['nodes']} in {entry['seconds']:.1f} s"
                for kind, entry in dbt["by_type"].items()
            )
            slowest = ", ".join(
                f"{n['node'].split('.')[-1]} {n['seconds']:.1f} s" for n in dbt["slowest"][:4]
            )
            lines.append(
                f"dbt in the {label}: {dbt['elapsed_seconds']:.1f} s ({parts}); slowest: {slowest}"
            )
    lines.append("")
    for name, value in results["ratios"].items():
        lines.append(f"{name}: {value}")
    lines.append(f"peak RSS of any run: {results['peak_rss_bytes'] / 2**30:.2f} GiB")
    for name, met in results["targets"].items():
        lines.append(f"target {name}: {'met' if met else 'NOT met'}")
    return "\n".join(lines)


def run_bench_command(
    scale_name: str,
    data_dir: Path | None = None,
    results_dir: Path | None = None,
    keep: bool = False,
    profile: bool = False,
) -> int:
    """``python -m pipeline bench``: run, print the table, write the JSON; 1 if a step failed."""
    scale = SCALES.get(scale_name)
    if scale is None:
        raise OperatorError(f"unknown scale {scale_name!r}: one of {', '.join(SCALES)}")
    results, path = run_benchmark(
        scale,
        (data_dir or DEFAULT_DATA_DIR).resolve(),
        (results_dir or DEFAULT_RESULTS_DIR).resolve(),
        keep=keep,
        profile=profile,
    )
    print()
    print(format_table(results))
    print(f"\nresults: {path}")
    return 0 if results["ok"] else 1


# --- entry point of the measured child processes ------------------------------------------------


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    lower = commands.add_parser("lower-bound")
    lower.add_argument("landing", type=Path)
    lower.add_argument("database", type=Path)
    stage = commands.add_parser("stage")
    stage.add_argument("keys", type=json.loads)
    stage.add_argument("first_day", type=date.fromisoformat)
    stage.add_argument("last_day", type=date.fromisoformat)
    demo = commands.add_parser("generate")
    demo.add_argument("scale", choices=list(SCALES))
    demo.add_argument("landing", type=Path)
    demo.add_argument("day_indexes", type=int, nargs="+")
    demo.add_argument("--summary", type=Path, required=True)
    demo.add_argument("--no-campaigns", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "generate":
        from pipeline.demo import write_demo_landing

        summary = write_demo_landing(
            args.landing,
            SCALES[args.scale].spec(),
            day_indexes=args.day_indexes,
            with_campaigns=not args.no_campaigns,
        )
        args.summary.write_text(json.dumps({"files": summary.files, "records": summary.records}))
        return 0
    if args.command == "lower-bound":
        rows = lower_bound(args.landing, args.database)
        Path(f"{args.database}.rows.json").write_text(json.dumps(rows))
        print(json.dumps(rows))
        return 0
    return 0 if materialize_stage(args.keys, args.first_day, args.last_day) else 1


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
