"""Publishing: the marts, copied from the private warehouse to the serving file BI tools read."""

from datetime import UTC
from pathlib import Path

import dagster as dg

from pipeline.defs.dbt.assets import MART_KEYS
from pipeline.defs.failures import LOCK_RETRY, WAREHOUSE_POOL, retry_only_lock_contention
from pipeline.defs.resources import Warehouse
from pipeline.defs.serving.resources import Serving
from pipeline.serving import PUBLICATION_TABLE, publish_marts, rows_column
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
            "marts": len(publication.mart_rows),
            **{
                rows_column(mart): dg.MetadataValue.int(rows)
                for mart, rows in publication.mart_rows.items()
            },
        }
    )


serving_assets = [serving_marts]
