"""The dbt project as Dagster assets (dagster-dbt): staging, intermediate and mart models, seeds,
and dbt tests as asset checks. Sources map to the ingest assets, so lineage runs unbroken."""

import os
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipeline.defs.dbt.translator import CreatorKpisTranslator
from pipeline.defs.metadata import table_metadata
from pipeline.defs.resources import Warehouse
from pipeline.settings import DBT_PROJECT_DIR, WAREHOUSE_VAR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
translator = CreatorKpisTranslator()


def _with_table_metadata(events: list, warehouse: Warehouse) -> Iterator:
    """Add row counts and column schemas (read after dbt has released the file) to outputs."""
    with warehouse.connection(read_only=True) as con:
        for event in events:
            if isinstance(event, (dg.Output, dg.AssetMaterialization)):
                key = event.asset_key if isinstance(event, dg.AssetMaterialization) else None
                name = event.output_name if isinstance(event, dg.Output) else None
                path = key.path if key else (name or "").split("__")
                if len(path) == 2:
                    metadata = table_metadata(con, path[0], path[1])
                    if metadata:
                        event = event.with_metadata({**event.metadata, **metadata})
            yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> Iterator:
    # the dbt profile reads the warehouse path from the environment of the dbt subprocess
    os.environ[WAREHOUSE_VAR] = warehouse.path
    invocation = dbt.cli(["build"], context=context, raise_on_error=False)
    events = list(invocation.stream())
    yield from _with_table_metadata(events, warehouse)
    if not invocation.is_successful():
        raise dg.Failure(
            description="dbt build failed; see the dbt logs of this step for the failing node",
            metadata={"dbt_command": " ".join(invocation.process.args)},
        )
