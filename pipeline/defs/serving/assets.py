"""Publishing: the marts, copied from the private warehouse to the serving file BI tools read."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipeline.defs.dbt.assets import MART_KEYS
from pipeline.defs.failures import LOCK_RETRY, WAREHOUSE_POOL, retry_only_lock_contention
from pipeline.defs.resources import Warehouse
from pipeline.defs.serving.resources import Serving
from pipeline.serving import PUBLICATION_TABLE, publish_marts, rows_column
from pipeline.settings import OperatorError
from pipeline.warehouse import MARTS_SCHEMA


@dg.asset(
    key=["serving", MARTS_SCHEMA],
    deps=MART_KEYS,
    group_name="serving",
    kinds={"duckdb"},
    owners=["team:analytics"],
    pool=WAREHOUSE_POOL,  # reads the warehouse: waits while a step writes it
    retry_policy=LOCK_RETRY,
    description=(
        "The marts published for BI tools and notebooks: after every successful build, every"
        f" mart the dbt project defines (schema `{MARTS_SCHEMA}`, with table and column comments)"
        f" and `{MARTS_SCHEMA}.{PUBLICATION_TABLE}` (run id, publication time, latest data day,"
        " rows per mart) are written to a new DuckDB file, which is then renamed over the serving"
        " file (CREATOR_KPIS_SERVING). Readers never block a run and always see one complete"
        " publication. See docs/analyst-guide.md."
    ),
)
def serving_marts(
    context: dg.AssetExecutionContext, warehouse: Warehouse, serving: Serving
) -> dg.MaterializeResult:
    with retry_only_lock_contention():
        publication = publish_marts(
            Path(warehouse.path),
            serving.file,
            context.run.run_id,
            lock_wait_seconds=warehouse.lock_wait_seconds,
            storage_version=serving.storage_version,
            run_started_at=_run_started_at(context),
            marts=[key.path[1] for key in MART_KEYS],  # exactly the dbt project's marts
        )
    context.log.info(f"published {len(publication.mart_rows)} marts to {publication.path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            # published_at is naive UTC, like every timestamp in the warehouse
            "published_at": dg.MetadataValue.timestamp(
                publication.published_at.replace(tzinfo=UTC)
            ),
            "latest_data_day": str(publication.latest_data_day or "-"),
            "storage_version": serving.storage_version,
            "marts": len(publication.mart_rows),
            "rejected_records": dg.MetadataValue.int(publication.rejected_records),
            **{
                rows_column(mart): dg.MetadataValue.int(rows)
                for mart, rows in publication.mart_rows.items()
            },
        }
    )


def _run_started_at(context: dg.AssetExecutionContext) -> datetime | None:
    """When this run started (naive UTC, like the ledger's timestamps); None if unknown."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None or record.start_time is None:
        return None
    return datetime.fromtimestamp(record.start_time, UTC).replace(tzinfo=None)


@dg.asset(
    key=["serving", "report"],
    deps=[serving_marts],
    group_name="serving",
    kinds={"html", "plotly"},
    owners=["team:analytics"],
    description=(
        "The KPI report: one self-contained HTML file (charts with plotly.js inlined, no network"
        " needed) built from the serving file alone after every publish, written beside it"
        " (CREATOR_KPIS_REPORT) through a temporary file and a rename. Sections: the publication"
        " (run, data day, rows, rejected records), TikTok views against followers, Instagram"
        " engagement against followers, tier benchmarks, growth leaders, campaign costs, top"
        " creators, and any further mart. Also `python -m pipeline report`."
    ),
)
def serving_report(context: dg.AssetExecutionContext, serving: Serving) -> dg.MaterializeResult:
    from pipeline.report import write_report  # plotly is imported only when a report is built

    try:
        report = write_report(serving.file, serving.report_file)
    except OperatorError as error:
        raise dg.Failure(description=str(error)) from None
    context.log.info(f"KPI report written to {serving.report_file}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(serving.report_file)),
            "sections": dg.MetadataValue.int(len(report.sections) + 1),
            "sections_without_data": dg.MetadataValue.int(
                sum(1 for s in report.sections if s.figure is None and not s.tables)
            ),
            "publication_run_id": report.header.run_id or "-",
        }
    )


serving_assets = [serving_marts, serving_report]
