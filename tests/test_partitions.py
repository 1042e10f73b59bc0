"""Daily partitions, single-run backfills, incremental dbt models, the landing sensor and the
daily schedule."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.partitions import partition_range_tags
from pipeline.settings import Settings
from tests.conftest import E2E_LANDING
from tests.pipeline_process import warehouse_snapshot


def run_days(settings: Settings, instance: dg.DagsterInstance, first: str, last: str):
    from pipeline.definitions import BUILD_ALL_JOB, build_definitions

    job = build_definitions(settings).resolve_job_def(BUILD_ALL_JOB)
    tags = (
        {"dagster/partition": first}
        if first == last
        else partition_range_tags(date.fromisoformat(first), date.fromisoformat(last))
    )
    result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    assert result.success
    return result


@pytest.fixture(scope="module")
def incremental_and_full(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Warehouse A: days 2026-10-01..10-21 as one backfill, then day 2026-11-01 alone.
    Warehouse B: all days in one run. Both from tests/e2e_landing."""
    root = tmp_path_factory.mktemp("partitions")
    landing = root / "landing"
    shutil.copytree(E2E_LANDING, landing)
    a = Settings(landing_dir=landing, warehouse=root / "a.duckdb", serving=root / "a-serve.duckdb")
    b = Settings(landing_dir=landing, warehouse=root / "b.duckdb", serving=root / "b-serve.duckdb")
    with dg.instance_for_test() as instance:
        backfill = run_days(a, instance, "2026-10-01", "2026-10-21")
        after_backfill = warehouse_snapshot(a.warehouse, ("ingest",))
        one_day = run_days(a, instance, "2026-11-01", "2026-11-01")
        run_days(b, instance, "2026-10-01", "2026-11-01")
        runs = instance.get_runs()
    return {
        "backfill": backfill,
        "one_day": one_day,
        "after_backfill": after_backfill,
        "incremental": warehouse_snapshot(a.warehouse, ("marts",)),
        "full": warehouse_snapshot(b.warehouse, ("marts",)),
        "runs": runs,
    }


def test_backfill_of_a_range_is_one_run(incremental_and_full: dict) -> None:
    assert len(incremental_and_full["runs"]) == 3
    materialized = incremental_and_full["backfill"].asset_materializations_for_node(
        "ingest__tiktok_videos"
    )
    keys = sorted(m.partition for m in materialized)
    assert keys[0] == "2026-10-01" and keys[-1] == "2026-10-21" and len(keys) == 21


def test_a_partition_reads_only_its_days_files(incremental_and_full: dict) -> None:
    ledger = incremental_and_full["after_backfill"]["ingest.files"]
    paths = sorted(row[0] for row in ledger)
    assert paths == [
        "campaigns/campaign_posts/posts.jsonl",
        "campaigns/campaigns/campaigns.csv",
        "instagram/creators/dt=2026-10-02/creators.jsonl",
        "tiktok/creators/dt=2026-10-01/creators.csv",
        "tiktok/videos/dt=2026-10-21/videos.jsonl",
    ]
    videos = incremental_and_full["after_backfill"]["ingest.tiktok_videos"]
    assert len(videos) == 1  # the 2026-10-21 observation only; 2026-11-01 is not touched


def test_one_day_incremental_run_gives_the_same_marts_as_a_full_run(
    incremental_and_full: dict,
) -> None:
    incremental, full = incremental_and_full["incremental"], incremental_and_full["full"]
    assert set(incremental) == set(full)
    for table in full:
        assert incremental[table] == full[table], table
    # and the one-day run really updated the latest metrics (200K views, not the 1000 of 10-21)
    videos = {row[0]: row for row in full["marts.tiktok_videos"]}
    assert videos["7312345678901234567"][3] == 200_000  # views


# --- the landing sensor and the daily schedule -------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def evaluate_sensor(landing: Path, cursor: str | None) -> dg.SensorResult:
    from pipeline.defs.ingest.sensors import landing_sensor
    from pipeline.defs.resources import LandingZone

    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"landing": LandingZone(path=str(landing))}
        )
        return landing_sensor(context)


def test_sensor_requests_one_run_for_new_and_changed_days_only(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    record = json.dumps({"username": "a", "follower_count": 1}) + "\n"
    first = write(landing / "tiktok/creators/dt=2026-10-01/a.jsonl", record)
    write(landing / "tiktok/creators/dt=2026-10-03/a.jsonl", record)

    result = evaluate_sensor(landing, None)
    # two new days in one tick: one run over the range 2026-10-01..2026-10-03, not two runs
    [ranged] = result.run_requests
    assert ranged.partition_key is None
    assert ranged.partition_key_range == dg.PartitionKeyRange("2026-10-01", "2026-10-03")
    assert ranged.run_key.startswith("landing:2026-10-01..2026-10-03:")

    again = evaluate_sensor(landing, result.cursor)
    assert not again.run_requests
    assert "no new or changed files among 2 in" in again.skip_reason.skip_message

    first.write_text(record + record)  # changed: picked up again, alone
    changed = evaluate_sensor(landing, again.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["2026-10-01"]
    write(landing / "tiktok/videos/dt=2026-10-03/v.jsonl", "{}\n")  # new file, new day
    write(landing / "campaigns/campaigns/c.csv", "campaign_id\nC1\n")  # campaigns ride along
    new = evaluate_sensor(landing, changed.cursor)
    assert [r.partition_key for r in new.run_requests] == ["2026-10-03"]


def test_sensor_run_key_follows_content_and_ignores_a_touch(tmp_path: Path) -> None:
    """Fix 2: a file corrected in place gets a new run key (its content fingerprint), so Dagster
    does not skip it as an already used key; a file touched without a change requests nothing."""
    landing = tmp_path / "landing"
    path = write(landing / "tiktok/creators/dt=2026-10-01/a.jsonl", '{"username": "a"}\n')
    first = evaluate_sensor(landing, None)
    [first_request] = first.run_requests

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same content
    touched = evaluate_sensor(landing, first.cursor)
    assert not touched.run_requests

    path.write_text('{"username": "b"}\n')  # corrected in place, same size and path
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    corrected = evaluate_sensor(landing, touched.cursor)
    [second_request] = corrected.run_requests
    assert second_request.partition_key == "2026-10-01"
    assert second_request.run_key != first_request.run_key
    sha = hashlib.sha256(b'{"username": "b"}\n').hexdigest()
    assert json.loads(corrected.cursor)["tiktok/creators/dt=2026-10-01/a.jsonl"].endswith(sha)


def test_sensor_skips_when_landing_dir_is_missing(tmp_path: Path) -> None:
    result = evaluate_sensor(tmp_path / "nowhere", None)
    assert not result.run_requests
    assert "does not exist" in result.skip_reason.skip_message


def test_daily_schedule_materializes_the_previous_day() -> None:
    from pipeline.defs.ingest.schedules import daily_build

    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    )
    request = daily_build(context)
    assert request.partition_key == "2026-11-24"
    assert daily_build.cron_schedule == os.environ.get("CREATOR_KPIS_SCHEDULE_CRON", "0 5 * * *")
