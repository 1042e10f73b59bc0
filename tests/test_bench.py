"""The benchmark keeps working: ``python -m pipeline bench --scale tiny`` end to end.

A benchmark, not a timed test: nothing here asserts on speed. It checks that every measurement
is taken (positive wall times and memory for every stage), that the pipeline ran successfully
in each, that the incremental run processed one more day, and that the ratios are computed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.measure import Measurement, measure
from benchmarks.report import format_table
from benchmarks.scales import SCALES
from benchmarks.stages import stage_selections
from pipeline.settings import DBT_PROJECT_DIR, PROJECT_ROOT

# every dbt model of the project (staging, intermediate, marts): all are built by every run
DBT_MODELS = len(list((DBT_PROJECT_DIR / "models").rglob("*.sql")))


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bench")
    data_dir, results_dir = root / "data", root / "results"
    command = [sys.executable, "-m", "pipeline", "bench", "--scale", "tiny"]
    command += ["--data-dir", str(data_dir), "--results-dir", str(results_dir)]
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    (result_file,) = results_dir.glob("tiny-*.json")
    results = json.loads(result_file.read_text())
    results["_stdout"] = completed.stdout
    results["_data_dir"] = data_dir
    return results


def assert_measured(measurement: dict) -> None:
    assert measurement["returncode"] == 0, measurement
    assert measurement["wall_seconds"] > 0, measurement
    assert measurement["peak_rss_bytes"] > 0, measurement
    assert measurement["max_process_rss_bytes"] > 0, measurement
    assert measurement["peak_rss_bytes"] >= measurement["max_process_rss_bytes"]


@pytest.mark.slow
def test_every_stage_is_measured(tiny_results: dict) -> None:
    assert tiny_results["ok"] is True
    names = [stage["name"] for stage in tiny_results["stages"]]
    assert names == [name for name, _ in stage_selections()]
    for measurement in (
        tiny_results["lower_bound"],
        tiny_results["dbt_parse"],
        *tiny_results["stages"],
        tiny_results["full_run"],
        tiny_results["incremental_run"],
        tiny_results["nothing_new_run"],
    ):
        assert_measured(measurement)
    # dbt runs as a child of the Dagster process: the tree is measured, not one process
    dbt_stage = next(s for s in tiny_results["stages"] if s["name"] == "dbt build")
    assert dbt_stage["processes_seen"] >= 2
    assert tiny_results["peak_rss_bytes"] >= tiny_results["full_run"]["peak_rss_bytes"]
    # where dbt's time went, from its run_results.json: every model and test of the build
    for run in ("full_run", "incremental_run"):
        dbt = tiny_results[run]["detail"]["dbt"]
        assert dbt["by_type"]["model"]["nodes"] == DBT_MODELS
        assert dbt["by_type"]["test"]["nodes"] > 100
        assert len(dbt["slowest"]) == 8


@pytest.mark.slow
def test_lower_bound_reads_every_record_the_pipeline_reads(tiny_results: dict) -> None:
    landing = tiny_results["landing"]
    assert landing["post_observations"] > 0
    lower_rows = tiny_results["lower_bound"]["rows"]
    assert sum(lower_rows.values()) == landing["total_records"]
    ledger = tiny_results["warehouse"]["full_run"]["ledger"]
    assert ledger["read"] == landing["total_records"]
    assert ledger["read"] == ledger["loaded"] + ledger["duplicate"] + ledger["rejected"]
    # the staged run loads exactly what the whole run loads
    staged, full = tiny_results["warehouse"]["staged"], tiny_results["warehouse"]["full_run"]
    assert staged == full


@pytest.mark.slow
def test_incremental_run_adds_the_next_day(tiny_results: dict) -> None:
    scale = SCALES["tiny"]
    incremental = tiny_results["incremental_run"]
    assert incremental["detail"]["day"] == "2026-10-05"  # the day after the landing's last
    assert incremental["detail"]["post_observations"] > 0
    before = tiny_results["warehouse"]["full_run"]["ledger"]
    after = tiny_results["warehouse"]["after_incremental"]["ledger"]
    assert after["read"] - before["read"] == sum(incremental["detail"]["records"].values())
    assert after["files"] > before["files"]
    assert tiny_results["landing"]["days"] == scale.landing_days


@pytest.mark.slow
def test_ratios_and_table(tiny_results: dict) -> None:
    ratios = tiny_results["ratios"]
    for name in (
        "full_run_vs_lower_bound",
        "stages_total_vs_lower_bound",
        "incremental_vs_full_run",
    ):
        assert ratios[name] is not None and ratios[name] > 0, name
    assert set(tiny_results["targets"]) >= {
        "full_run_vs_lower_bound <= 3",
        "peak_rss <= 2 GiB",
        "incremental_vs_full_run <= 0.10",
        "tiny one-day run <= 15 s",
        "tiny nothing-new run <= 8 s",
    }
    assert "full_run_vs_lower_bound" in tiny_results["_stdout"]
    assert "nothing-new run (same day again)" in format_table(tiny_results)
    assert "incremental run (2026-10-05)" in format_table(tiny_results)
    # work files are removed; the landing zone and its marker stay for the next run
    data_dir = tiny_results["_data_dir"]
    assert (data_dir / "tiny" / "landing.json").exists()
    assert not any((data_dir / "tiny" / "runs").iterdir())


def test_measure_counts_the_whole_process_tree(tmp_path: Path) -> None:
    """A child that starts a grandchild holding ~100 MiB: the tree's peak includes it."""
    script = (
        "import subprocess, sys;"
        "subprocess.run([sys.executable, '-c',"
        " 'import time; x = bytearray(100 * 2**20); time.sleep(0.5)'], check=True)"
    )
    measured = measure("tree", [sys.executable, "-c", script], {}, tmp_path / "tree.log")
    assert isinstance(measured, Measurement)
    assert measured.ok
    assert measured.processes_seen >= 2
    assert measured.max_process_rss_bytes >= 100 * 2**20
    assert measured.peak_rss_bytes >= measured.max_process_rss_bytes
    assert measured.wall_seconds >= 0.5


def test_landing_is_reused_while_its_marker_matches(tmp_path: Path) -> None:
    from benchmarks.landing import landing_for

    first_landing, first = landing_for(SCALES["tiny"], tmp_path)
    assert first["generated_now"] and first["total_records"] > 0
    marker = json.loads((tmp_path / "tiny" / "landing.json").read_text())
    assert marker["spec"]["landing_days"] == SCALES["tiny"].landing_days
    second_landing, second = landing_for(SCALES["tiny"], tmp_path)
    assert second_landing == first_landing and not second["generated_now"]
    # the spec's last day is not in the landing zone: it is the incremental run's day
    days = sorted(p.name for p in (first_landing / "tiktok" / "videos").iterdir())
    assert days[-1] == "dt=2026-10-04"
