"""Re-running and resuming `python -m pipeline run` never duplicates or loses rows.

Runs the real CLI as a separate process on a copy of tests/e2e_landing plus a small generated
landing zone, so that ingestion takes long enough to be interrupted in the middle.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from pipeline.crash_points import CRASH_AT_VAR
from tests.conftest import E2E_LANDING
from tests.pipeline_process import (
    kill_after,
    pipeline_env,
    run_to_completion,
    tree_digest,
    warehouse_snapshot,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from demo import DemoSpec, write_demo_landing

    root = tmp_path_factory.mktemp("rerun") / "landing"
    write_demo_landing(root, DemoSpec(creators=60, days=12, seed=11))
    # the hand-written zone adds bad records (quarantine) and an exact duplicate
    for path in E2E_LANDING.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(E2E_LANDING)
            target = target.with_name(f"e2e-{target.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return root


@pytest.fixture(scope="module")
def baseline(landing: Path, tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict:
    """An uninterrupted run, then a second run on the unchanged landing zone."""
    root = tmp_path_factory.mktemp("baseline")
    env = pipeline_env(landing, root / "wh.duckdb", root / "dagster")
    before = tree_digest(landing)
    code, output, seconds = run_to_completion(env)
    assert code == 0, output
    first = warehouse_snapshot(root / "wh.duckdb")
    code, output, _ = run_to_completion(env)
    assert code == 0, output
    second = warehouse_snapshot(root / "wh.duckdb")
    return {
        "first": first,
        "second": second,
        "seconds": seconds,
        "landing_before": before,
        "landing_after": tree_digest(landing),
    }


def test_uninterrupted_run_loads_and_quarantines(baseline: dict) -> None:
    first = baseline["first"]
    assert len(first["ingest.tiktok_videos"]) > 1000
    assert first["ingest.rejected_records"], "the e2e files contribute rejected records"
    assert first["marts.tiktok_creators"] and first["marts.instagram_creators"]


def test_second_run_on_unchanged_landing_zone_changes_nothing(baseline: dict) -> None:
    assert baseline["second"] == baseline["first"]


def test_landing_files_are_never_modified(baseline: dict) -> None:
    assert baseline["landing_after"] == baseline["landing_before"]


@pytest.mark.parametrize(
    "crash_at",
    [
        "file_uncommitted:3",  # inside a landing file's transaction
        "file_committed:40",  # between two files, many files in
        "dbt_running",  # the dbt build started (dbt is killed with the run)
        "before_publish_rename",  # the new serving file written, not renamed
    ],
)
def test_run_killed_at_a_crash_point_resumes_to_the_same_result(
    crash_at: str, landing: Path, baseline: dict, tmp_path: Path
) -> None:
    """The run SIGKILLs its process group exactly at a crash point; the next run resumes."""
    env = pipeline_env(landing, tmp_path / "wh.duckdb", tmp_path / "dagster")
    code, output, _ = run_to_completion({**env, CRASH_AT_VAR: crash_at})
    assert code == -signal.SIGKILL, output  # it died at the crash point, not before, not after
    code, output, _ = run_to_completion(env)
    assert code == 0, output
    assert warehouse_snapshot(tmp_path / "wh.duckdb") == baseline["first"]


def test_run_killed_by_a_real_sigkill_resumes_to_the_same_result(
    landing: Path, baseline: dict, tmp_path: Path
) -> None:
    """One kill from outside, half-way through an uninterrupted run's time."""
    env = pipeline_env(landing, tmp_path / "wh.duckdb", tmp_path / "dagster")
    kill_after(env, baseline["seconds"] * 0.5)
    code, output, _ = run_to_completion(env)
    assert code == 0, output
    assert warehouse_snapshot(tmp_path / "wh.duckdb") == baseline["first"]
