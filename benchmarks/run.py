"""The benchmark: every measurement at one scale, written as JSON (``python -m pipeline bench``)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.landing import add_next_day, landing_for, linked_copy, post_observations
from benchmarks.measure import Measurement, measure, python_command
from benchmarks.report import format_table, latest_result, summarize_profile
from benchmarks.scales import (
    DEFAULT_DATA_DIR,
    DEFAULT_RESULTS_DIR,
    SCALES,
    TARGET_FULL_VS_LOWER_BOUND,
    TARGET_INCREMENTAL_VS_FULL,
    TARGET_L_VS_M,
    TARGET_PEAK_RSS_BYTES,
    TARGET_TINY_NOTHING_NEW_SECONDS,
    TARGET_TINY_ONE_DAY_SECONDS,
    Scale,
)
from benchmarks.stages import stage_selections
from benchmarks.workspace import (
    Workspace,
    bytecode_cache,
    load_average,
    machine,
    warehouse_counts,
)
from pipeline.settings import OperatorError


def run_benchmark(
    scale: Scale,
    data_dir: Path,
    results_dir: Path,
    keep: bool = False,
    profile: bool = False,
    stages: bool = True,
) -> tuple[dict, Path]:
    """Run every measurement of the benchmark at ``scale``; returns the results and their file.

    ``profile`` adds one more full run from an empty warehouse under py-spy (sampling every
    process of the tree, dbt included), after the measured ones: its flame graph data and a
    summary of where the time goes are written next to the results; its timings are not used.
    ``stages=False`` skips the per-stage materializations (half of the benchmark's time at L):
    the lower bound, the full, one-day and nothing-new runs are measured as always.
    """
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    load_before = load_average()
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
        python_command("-m", "benchmarks", "lower-bound", str(landing), str(work / "lower.duckdb")),
        dict(os.environ, **bytecode),
    )
    lower_rows = json.loads((work / "lower.duckdb.rows.json").read_text()) if lower.ok else {}
    (work / "lower.duckdb").unlink(missing_ok=True)
    (work / "lower.duckdb.wal").unlink(missing_ok=True)

    staged = Workspace(landing, work / "staged", bytecode)
    step("dbt parse", python_command("-m", "pipeline", "parse"), staged.env())
    stage_runs = []
    for name, keys in stage_selections() if stages else []:
        stage_runs.append(
            step(
                name,
                python_command(
                    "-m",
                    "benchmarks",
                    "stage",
                    json.dumps(keys),
                    first.isoformat(),
                    last.isoformat(),
                ),
                staged.env(),
            )
        )
    staged_counts = warehouse_counts(staged.warehouse) if staged.warehouse.exists() else {}
    if not keep:
        shutil.rmtree(staged.root, ignore_errors=True)

    whole = Workspace(landing, work / "full", bytecode)
    full_started = time.time()
    full = step("full run", python_command("-m", "pipeline", "run"), whole.env())
    full.detail = {"dbt": dbt_breakdown(full_started)}
    full_counts = warehouse_counts(whole.warehouse) if full.ok else {}

    plus_one = work / "landing_plus_one"
    linked_copy(landing, plus_one)
    next_day, next_day_records, next_day_generation = add_next_day(
        scale, plus_one, logs / "generate_next_day.log"
    )
    incremental_space = Workspace(plus_one, whole.root, bytecode)
    incremental_started = time.time()
    incremental = step(
        "incremental run",
        python_command(
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
    incremental_counts = warehouse_counts(whole.warehouse) if incremental.ok else {}
    # the same day again, nothing new in the landing zone: no dbt build, no publish
    nothing_new = step(
        "nothing-new run",
        python_command(
            "-m", "pipeline", "run", "--first-day", next_day.isoformat(),
            "--last-day", next_day.isoformat(),
        ),
        incremental_space.env(),
    )  # fmt: skip
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

    stage_wall = sum(m.wall_seconds for m in stage_runs)
    peak = max(
        full.peak_rss_bytes, incremental.peak_rss_bytes, *(m.peak_rss_bytes for m in stage_runs)
    )
    ratios = {
        "full_run_vs_lower_bound": ratio(full.wall_seconds, lower.wall_seconds),
        "stages_total_vs_lower_bound": ratio(stage_wall, lower.wall_seconds),
        "incremental_vs_full_run": ratio(incremental.wall_seconds, full.wall_seconds),
    }
    previous_m = latest_result(results_dir, "M") if scale.name == "L" else None
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
    if scale.name == "tiny":
        targets["tiny one-day run <= 15 s"] = (
            incremental.wall_seconds <= TARGET_TINY_ONE_DAY_SECONDS
        )
        targets["tiny nothing-new run <= 8 s"] = (
            nothing_new.wall_seconds <= TARGET_TINY_NOTHING_NEW_SECONDS
        )
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
        "load_average": {"before": load_before, "after": load_average()},
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
        "stages": [asdict(m) for m in stage_runs],
        "stages_total_wall_seconds": round(stage_wall, 3),
        "dbt_parse": asdict(measurements[1]),
        "full_run": asdict(full),
        "incremental_run": asdict(incremental),
        "nothing_new_run": asdict(nothing_new),
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
    command += ["--output", str(raw), "--", *python_command("-m", "pipeline", "run")]
    print("  profiled full run (py-spy, not timed) ...", end="", flush=True)
    log = workspace.root / "profiled_full_run.log"
    measured = measure("profiled full run", command, workspace.env(), log)
    print(" done" if measured.ok else f" FAILED ({measured.log})", flush=True)
    if not raw.exists():
        return {}
    summary.write_text(summarize_profile(raw))
    shutil.rmtree(workspace.root, ignore_errors=True)
    return {"raw": str(raw), "summary": str(summary)}


def run_bench_command(
    scale_name: str,
    data_dir: Path | None = None,
    results_dir: Path | None = None,
    keep: bool = False,
    profile: bool = False,
    stages: bool = True,
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
        stages=stages,
    )
    print()
    print(format_table(results))
    print(f"\nresults: {path}")
    return 0 if results["ok"] else 1
