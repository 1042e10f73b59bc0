"""One asset per landing entity: landing files -> Polars cleaning -> ``ingest.<table>`` in DuckDB."""

from collections.abc import Mapping
from datetime import date

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from pipeline.defs.extract.keys import extract_deps
from pipeline.defs.failures import LOCK_RETRY, WAREHOUSE_POOL, retry_only_lock_contention
from pipeline.defs.metadata import markdown_escape, table_metadata, text_table
from pipeline.defs.partitions import daily_partitions, single_run_backfill
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.ingest import ingest_files, partition_days
from pipeline.landing.contract import ENTITIES, Entity
from pipeline.landing.discovery import discover
from pipeline.progress_events import file_progress
from pipeline.warehouse import INGEST_SCHEMA, ensure_ingest_schema

OWNERS = ["team:data-engineering"]


def ingest_asset_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey([INGEST_SCHEMA, entity.table])


def _description(entity: Entity) -> str:
    folder = f"{entity.platform}/{entity.name}/" + ("dt=YYYY-MM-DD/" if entity.dated else "")
    required = ", ".join(entity.required_fields)
    return (
        f"Landing files under `{folder}` (jsonl, json, csv, parquet), cleaned with Polars and"
        f" loaded into `{INGEST_SCHEMA}.{entity.table}` with their lineage (source file,"
        f" partition day, line). Required fields: {required}. Records that fail the contract go"
        f" to `{INGEST_SCHEMA}.rejected_records` with a reason; every file gets a row in"
        f" `{INGEST_SCHEMA}.files`."
    )


def build_ingest_asset(entity: Entity) -> dg.AssetsDefinition:
    @dg.asset(
        key=ingest_asset_key(entity),
        group_name="ingest",
        description=_description(entity),
        owners=OWNERS,
        kinds={"polars", "duckdb"},
        tags={"platform": entity.platform},
        partitions_def=daily_partitions if entity.dated else None,
        backfill_policy=single_run_backfill if entity.dated else None,
        retry_policy=LOCK_RETRY,  # lock contention only: see pipeline/defs/failures.py
        pool=WAREHOUSE_POOL,
        deps=extract_deps(entity.platform, entity.dated),  # extract/<platform> writes first
    )
    def ingest_entity(
        context: dg.AssetExecutionContext, landing: LandingZone, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        discovery = discover(landing.dir)
        for stray in discovery.strays:
            context.log.warning(f"not read: {stray.relpath}: {stray.reason}")
        days = None
        if entity.dated:  # only the files of the partitions being materialized
            days = {date.fromisoformat(key) for key in context.partition_keys}
        files = discovery.for_entity(entity, days)
        with retry_only_lock_contention(), warehouse.connection() as con:
            ensure_ingest_schema(con)
            summary = ingest_files(
                con,
                entity,
                files,
                landing.limits,
                on_file=lambda done, total, rows: context.log.info(
                    file_progress(done, total, rows)
                ),
            )
            metadata = table_metadata(con, INGEST_SCHEMA, entity.table)
        for failed in summary.failed:
            context.log.error(f"unreadable file {failed.path}: {failed.error}")
        loaded_days = partition_days(files)
        return dg.MaterializeResult(
            metadata={
                **metadata,
                "partition_files": len(files),
                "files_processed": len(summary.outcomes),
                "files_unchanged": summary.files_unchanged,
                "files_failed": len(summary.failed),
                "rows_read": summary.total("rows_read"),
                "rows_loaded": summary.total("rows_loaded"),
                "rows_duplicate": summary.total("rows_duplicate"),
                "rows_rejected": summary.total("rows_rejected"),
                "landing_days": (
                    f"{loaded_days[0]} .. {loaded_days[-1]} ({len(loaded_days)} days)"
                    if loaded_days
                    else "-"
                ),
            }
        )

    return ingest_entity


def run_partition_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The first and last partition day a run materializes (from its tags); None if it has no
    partitions."""
    first = tags.get(ASSET_PARTITION_RANGE_START_TAG) or tags.get(PARTITION_NAME_TAG)
    last = tags.get(ASSET_PARTITION_RANGE_END_TAG) or tags.get(PARTITION_NAME_TAG)
    if not first or not last:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def build_ingest_checks(entity: Entity) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=ingest_asset_key(entity),
        name="files_reconcile",
        description=(
            "Every landing file of this entity in the partitions the run materialized (all of"
            " them for campaign files or a run without partitions) was read and accounted for:"
            " status `loaded`, and rows_read = rows_loaded + rows_duplicate + rows_rejected."
            " Fails naming each unreadable or unbalanced file (see ingest.files)."
        ),
        blocking=False,
    )
    def files_reconcile(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse
    ) -> dg.AssetCheckResult:
        window = run_partition_days(context.run.tags) if entity.dated else None
        days = "" if window is None else " and partition_day between ? and ?"
        params = [entity.key, *(window or ())]
        with warehouse.connection(read_only=True) as con:
            bad = con.execute(
                f"""
                select path, status, coalesce(error, ''), rows_read,
                       rows_loaded + rows_duplicate + rows_rejected
                from {INGEST_SCHEMA}.files
                where entity = ?{days}
                  and (status <> 'loaded'
                       or rows_read <> rows_loaded + rows_duplicate + rows_rejected)
                order by path
                """,
                params,
            ).fetchall()
            checked = con.execute(
                f"select count(*) from {INGEST_SCHEMA}.files where entity = ?{days}", params
            ).fetchone()
        problems = [
            (
                path,
                f"{path}: {error}" if status != "loaded" else f"{path}: read {read} != {accounted}",
            )
            for path, status, error, read, accounted in bad
        ]
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            # shown as Markdown: file names and errors come from the landing zone
            description=markdown_escape("; ".join(p for _, p in problems[:20])) or None,
            metadata={
                "files_checked": int(checked[0]) if checked else 0,
                "files_failing": len(problems),
                "failing_files": text_table(["path", "problem"], problems[:50]),
            },
        )

    return files_reconcile


ingest_assets = [build_ingest_asset(entity) for entity in ENTITIES]
ingest_checks = [build_ingest_checks(entity) for entity in ENTITIES]
