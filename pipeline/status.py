"""``python -m pipeline status``: the state of the pipeline for ops who live in a terminal.

The last run (from the Dagster instance), the newest data day per entity, records rejected in
the last 7 days by reason and failed files (from the warehouse's ingest ledger, opened
read-only), and how long ago each mart was last materialized (from the Dagster instance). Reads
only; while a run holds the warehouse, the ledger part says so instead of waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.settings import Settings

REJECTED_DAYS = 7
FAILED_FILES_SHOWN = 20


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def last_run_lines(instance: dg.DagsterInstance) -> list[str]:
    records = instance.get_run_records(limit=1)
    if not records:
        return ["last run: none recorded in this Dagster instance"]
    record = records[0]
    run = record.dagster_run
    started = record.start_time or record.create_timestamp.timestamp()
    when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    ended = record.end_time
    duration = f"{ended - started:.0f} s" if ended else "still running"
    return [
        f"last run: {run.run_id} {run.status.value} (job {run.job_name}),"
        f" started {when}, {duration}"
    ]


def ledger_lines(warehouse: Path, now: datetime) -> list[str]:
    if not warehouse.is_file():
        return [f"warehouse {warehouse}: not built yet (python -m pipeline run)"]
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0][:160]
        return [f"warehouse {warehouse}: cannot be read now ({first_line}); try again later"]
    try:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "files" not in tables:
            return ["ingest ledger: empty (nothing ingested yet)"]
        lines = ["\nnewest data day per entity:"]
        for entity, day, files in con.execute(
            "select entity, max(partition_day), count(*) from ingest.files"
            " where status = 'loaded' group by entity order by entity"
        ).fetchall():
            lines.append(f"  {entity:<28} {str(day or '-'):<12} {files:>6,} files loaded")
        since = now - timedelta(days=REJECTED_DAYS)
        rejected = con.execute(
            "select entity, reason, count(*) from ingest.rejected_records"
            " where rejected_at >= ? group by entity, reason order by 3 desc, 1, 2",
            [since],
        ).fetchall()
        lines.append(f"\nrecords rejected in the last {REJECTED_DAYS} days:")
        lines += [f"  {e:<28} {r:<24} {n:>9,}" for e, r, n in rejected] or ["  none"]
        failed = con.execute(
            "select path, coalesce(error, '') from ingest.files where status = 'failed'"
            " order by loaded_at desc, path"
        ).fetchall()
        lines.append(f"\nfailed files: {len(failed)}")
        lines += [f"  {path}: {error[:140]}" for path, error in failed[:FAILED_FILES_SHOWN]]
        if len(failed) > FAILED_FILES_SHOWN:
            lines.append(f"  ... and {len(failed) - FAILED_FILES_SHOWN} more")
        return lines
    finally:
        con.close()


def mart_freshness_lines(
    instance: dg.DagsterInstance, mart_keys: list[dg.AssetKey], stale_hours: float, now: datetime
) -> list[str]:
    lines = [f"\nmarts (stale after {stale_hours:g} h):"]
    for key in mart_keys:
        event = instance.get_latest_materialization_event(key)
        if event is None:
            lines.append(f"  {key.to_user_string():<36} never materialized")
            continue
        age = now.timestamp() - event.timestamp
        state = "STALE" if age > stale_hours * 3600 else "fresh"
        lines.append(f"  {key.to_user_string():<36} {state:<6} {_age(age)}")
    return lines


def status_lines(
    settings: Settings,
    instance: dg.DagsterInstance,
    mart_keys: list[dg.AssetKey],
    stale_hours: float,
    now: datetime | None = None,
) -> list[str]:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    lines = last_run_lines(instance)
    lines += ledger_lines(settings.warehouse, now)
    lines += mart_freshness_lines(instance, mart_keys, stale_hours, now.replace(tzinfo=UTC))
    if settings.report is not None and settings.report.exists():
        lines.append(f"\nKPI report: {settings.report}")
    return lines
