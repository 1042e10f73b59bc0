"""The short summary printed after ``python -m pipeline run``."""

from __future__ import annotations

import dagster as dg

from pipeline import warehouse
from pipeline.settings import Settings
from pipeline.signal_highlights import print_signal_highlights
from pipeline.top_creators import TOP_CREATORS, top_creators
from pipeline.warehouse import MARTS_SCHEMA


def _step_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    failures = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error if event.event_specific_data else None
            message = error.message.strip().splitlines()[0] if error else ""
            failures.append(f"{event.step_key}: {message}")
    return failures


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failed = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation is not None and not evaluation.passed:
                key = evaluation.asset_check_key
                description = evaluation.description or ""
                failed.append(f"{key.asset_key.to_user_string()}:{key.name} {description}".strip())
    return failed


def _dbt_materialized(result: dg.ExecuteInProcessResult) -> bool:
    """Whether the run's dbt step materialized anything (it skips when nothing is new)."""
    return any(
        event.event_type_value == "ASSET_MATERIALIZATION" and event.step_key == "dbt_models"
        for event in result.all_events
    )


def _extract_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per extract asset: skipped (and why), or what it fetched."""
    lines = []
    for platform in ("tiktok", "instagram"):
        materialized = result.asset_materializations_for_node(f"extract__{platform}")
        if not materialized:
            continue
        meta = {k: v.value for k, v in materialized[-1].metadata.items()}
        if meta.get("status") == "skipped":
            lines.append(f"extract/{platform} skipped: {meta.get('reason')}")
        else:
            lines.append(
                f"extract/{platform}: {meta.get('creators_ok')} of {meta.get('creators')} creators"
                f" ok, {meta.get('records_written')} records"
                + (f"; {meta['stopped']}" if meta.get("stopped", "-") != "-" else "")
            )
    return lines


def print_run_summary(result: dg.ExecuteInProcessResult, settings: Settings) -> None:
    status = "succeeded" if result.success else "FAILED"
    print(f"\nrun {result.run_id} {status} (Dagster job {result.job_def.name})")
    if result.success and not _dbt_materialized(result):
        print(
            "nothing new or changed in the landing zone since the last build:"
            " no dbt build, no publish (--rebuild to force one)"
        )
    for line in _extract_lines(result):
        print(f"  {line}")
    for failure in _step_failures(result):
        print(f"  failed step {failure}")
    for check in _failed_checks(result):
        print(f"  failed check {check}")
    if not settings.warehouse.exists():
        return
    with warehouse.connect(settings.warehouse, read_only=True) as con:
        marts = con.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
        if not marts:
            return
        print(f"\nmarts in {settings.warehouse}:")
        for (table,) in marts:
            count = warehouse.table_row_count(con, f"{MARTS_SCHEMA}.{table}")
            print(f"  {MARTS_SCHEMA}.{table:<28} {count:>9,} rows")
        tables = {t for (t,) in marts}
        for spec in TOP_CREATORS:
            if spec.mart not in tables:
                continue
            print(f"\ntop 5 {spec.title}:")
            for username, tier, follower_count, *_, value in top_creators(con, spec, limit=5):
                print(f"  {username:<28} {tier:<6} {follower_count:>12,} followers  {value:8.2%}")
        print_signal_highlights(con, tables)
