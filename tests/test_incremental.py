"""Daily runs equal a full rebuild: corrections in place, records taken back, nothing-new runs,
and landing days outside the partitions (issue fixes 1 and 5, the skip of an idle run).

Every expected value is written by hand from the small landing files below."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.partitions import partition_range_tags
from pipeline.landing.contract import ENTITIES
from pipeline.settings import Settings
from tests.pipeline_process import warehouse_snapshot

DAY1, DAY2 = "2026-10-01", "2026-10-02"
INGEST_TABLES = [entity.table for entity in ENTITIES]


def video(video_id: str, views: int, fetched_at: str) -> str:
    return (
        json.dumps(
            {
                "id": video_id,
                "username": "alice",
                "create_time": "2026-09-30T00:00:00Z",
                "view_count": views,
                "like_count": 10,
                "comment_count": 1,
                "share_count": 0,
                "fetched_at": fetched_at,
            }
        )
        + "\n"
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # a correction in place: make sure the mtime moves on
        stat = path.stat()
        path.write_text(text)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    else:
        path.write_text(text)
    return path


def run(settings: Settings, instance: dg.DagsterInstance, first: str, last: str):
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions

    job = build_definitions(settings).resolve_job_def(BUILD_ALL_JOB)
    tags = partition_range_tags(date.fromisoformat(first), date.fromisoformat(last))
    started = time.monotonic()
    result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    assert result.success
    return result, time.monotonic() - started


def latest_views(settings: Settings, table: str = "intermediate.int_tiktok_videos_latest"):
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return dict(con.execute(f"select video_id, views from {table} order by 1").fetchall())


@pytest.fixture(scope="module")
def corrected(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Warehouse A: both days, then day 2's file corrected in place (v1's record changed with
    the same line and fetched_at, v3's record taken back) and only day 2 run, then day 2 run
    again with nothing new. Warehouse B: a full run of the corrected landing zone."""
    root = tmp_path_factory.mktemp("incremental")
    landing = root / "landing"
    videos = landing / "tiktok" / "videos"
    write(videos / f"dt={DAY1}" / "v.jsonl", video("1", 100, "2026-10-01T10:00:00Z"))
    day2 = write(
        videos / f"dt={DAY2}" / "v.jsonl",
        video("1", 200, "2026-10-02T10:00:00Z") + video("3", 70, "2026-10-02T10:00:00Z"),
    )
    a = Settings(landing_dir=landing, warehouse=root / "a.duckdb", serving=root / "a-serve.duckdb")
    b = Settings(landing_dir=landing, warehouse=root / "b.duckdb", serving=root / "b-serve.duckdb")
    with dg.instance_for_test() as instance:
        run(a, instance, DAY1, DAY2)
        before = latest_views(a)
        write(day2, video("1", 250, "2026-10-02T10:00:00Z"))
        run(a, instance, DAY2, DAY2)
        after = latest_views(a)
        idle, idle_seconds = run(a, instance, DAY2, DAY2)
        run(b, instance, DAY1, DAY2)
    return {
        "a": a,
        "before": before,
        "after": after,
        "idle": idle,
        "idle_seconds": idle_seconds,
        "incremental": warehouse_snapshot(a.warehouse, ("ingest", "marts")),
        "full": warehouse_snapshot(b.warehouse, ("ingest", "marts")),
    }


def test_correction_in_place_wins_and_a_record_taken_back_disappears(corrected: dict) -> None:
    """Fix 1: before, v1's latest is day 2's 200 views and v3 has 70. Day 2's file is rewritten
    with v1 at 250 views (same file, line 1 and fetched_at as the stored 200) and without v3."""
    assert corrected["before"] == {"1": 200, "3": 70}
    assert corrected["after"] == {"1": 250}
    mart = {row[0]: row for row in corrected["incremental"]["marts.tiktok_videos"]}
    assert set(mart) == {"1"}
    assert mart["1"][3] == 250  # views


def test_incremental_marts_and_ingest_tables_equal_a_full_run(corrected: dict) -> None:
    incremental, full = corrected["incremental"], corrected["full"]
    assert set(incremental) == set(full)
    for table in full:
        assert incremental[table] == full[table], table


def test_a_run_with_nothing_new_builds_and_publishes_nothing(
    corrected: dict, capsys: pytest.CaptureFixture
) -> None:
    idle: dg.ExecuteInProcessResult = corrected["idle"]
    materialized = {
        event.step_key
        for event in idle.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert {f"ingest__{t}" for t in INGEST_TABLES} <= materialized
    assert not materialized & {"dbt_models", "serving__marts", "serving__report"}
    skipped = [e.step_key for e in idle.all_events if e.event_type_value == "STEP_SKIPPED"]
    assert "serving__marts" in skipped
    from pipeline.summary import print_run_summary

    print_run_summary(idle, corrected["a"])
    assert "nothing new or changed in the landing zone since the last build: no dbt build," in (
        capsys.readouterr().out
    )
    assert corrected["idle_seconds"] < 60  # in-process, on a shared 2-core machine


def test_landing_days_outside_the_partitions_are_strays_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Fix 5: a dt= folder in the future (and one before the first partition day) is reported,
    one warning line each; the window covers the other days."""
    from pipeline.cli import run_window

    landing = tmp_path / "landing"
    record = '{"username": "a", "follower_count": 1}\n'
    future = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    for day in ("2026-10-01", "2026-10-03", future, "2019-05-01"):
        write(landing / "tiktok" / "creators" / f"dt={day}" / "c.jsonl", record)
    settings = Settings(landing_dir=landing, warehouse=tmp_path / "wh.duckdb")
    assert run_window(settings) == (date(2026, 10, 1), date(2026, 10, 3))
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("warning: landing day dt=2019-05-01 is before the first partition")
    assert f"dt={future} is after today" in lines[1]
