"""The dbt project as Dagster assets (dagster-dbt): staging, intermediate and mart models, seeds,
and dbt tests as asset checks. Sources map to the ingest assets, so lineage runs unbroken.

The dbt assets share the ingest assets' daily partitions: a run passes its partition window to
dbt as the vars ``min_day``/``max_day``, and the incremental models read only that window.
"""

import json
import os
from collections.abc import Iterator, Sequence

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipeline.defs.dbt.translator import CreatorKpisTranslator
from pipeline.defs.metadata import table_metadata, text_table
from pipeline.defs.partitions import daily_partitions, partition_window_days, single_run_backfill
from pipeline.defs.resources import Warehouse
from pipeline.settings import DBT_PROJECT_DIR, WAREHOUSE_VAR
from pipeline.top_creators import TOP_CREATORS, top_creators
from pipeline.warehouse import MARTS_SCHEMA

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
translator = CreatorKpisTranslator()


# every dbt model in schema marts, as the translator keys them: ["marts", "<model name>"]
def mart_keys(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """The asset keys ``marts/<name>`` among the given assets (e.g. the dbt models)."""
    keys = {key for asset in assets for key in asset.keys if key.path[0] == MARTS_SCHEMA}
    return sorted(keys, key=lambda key: key.to_user_string())


# Each creators mart gets a preview of its top creators by the platform's KPI.
TOP_CREATORS_PREVIEW = {(MARTS_SCHEMA, spec.mart): spec for spec in TOP_CREATORS}


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from all of history


def _with_table_metadata(events: list, warehouse: Warehouse) -> Iterator:
    """Add row counts, column schemas and previews, read after dbt has released the file."""
    with warehouse.connection(read_only=True) as con:
        for event in events:
            if isinstance(event, (dg.Output, dg.AssetMaterialization)):
                key = event.asset_key if isinstance(event, dg.AssetMaterialization) else None
                name = event.output_name if isinstance(event, dg.Output) else None
                path = tuple(key.path if key else (name or "").split("__"))
                if len(path) == 2:
                    metadata = table_metadata(con, path[0], path[1])
                    if path in TOP_CREATORS_PREVIEW and metadata:
                        spec = TOP_CREATORS_PREVIEW[path]
                        metadata["top_10_creators"] = text_table(
                            spec.names, top_creators(con, spec, limit=10)
                        )
                    if metadata:
                        event = event.with_metadata({**event.metadata, **metadata})
            yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    partitions_def=daily_partitions,
    backfill_policy=single_run_backfill,
    retry_policy=dg.RetryPolicy(max_retries=1, delay=30),
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    config: DbtBuildConfig,
) -> Iterator:
    # the dbt profile reads the warehouse path from the environment of the dbt subprocess
    os.environ[WAREHOUSE_VAR] = warehouse.path
    first, last = partition_window_days(context)
    window = {"min_day": first.isoformat(), "max_day": last.isoformat()}
    # Unit tests check the models' SQL on fixed inputs, not the data: dbt recommends running them
    # in development and CI only (make test runs them), not in every production build.
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(window)]
    if config.full_refresh:
        args.append("--full-refresh")
    context.log.info(f"dbt {' '.join(args)}")
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    events = list(invocation.stream())
    yield from _with_table_metadata(events, warehouse)
    if not invocation.is_successful():
        raise dg.Failure(
            description="dbt build failed; see the dbt logs of this step for the failing node",
            metadata={"dbt_command": " ".join(invocation.process.args)},
        )


MART_KEYS = mart_keys([dbt_models])
