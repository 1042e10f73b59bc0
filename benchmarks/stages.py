"""One pipeline stage, materialized from the real Definitions
(runs in its own process: ``python -m benchmarks stage``)."""

from __future__ import annotations

from datetime import date


def stage_selections() -> list[tuple[str, list[list[str]]]]:
    """(stage name, asset keys) in build order: each ingest asset, the dbt models, the publish."""
    from pipeline.landing.contract import ENTITIES
    from pipeline.warehouse import INGEST_SCHEMA

    stages = [(f"ingest {e.key}", [[INGEST_SCHEMA, e.table]]) for e in ENTITIES]
    return [*stages, ("dbt build", [["dbt"]]), ("publish", [["serving", "marts"]])]


def materialize_stage(keys: list[list[str]], first: date, last: date) -> bool:
    """Materialize one asset selection of the real Definitions, partition range first..last.

    ``[["dbt"]]`` stands for every dbt asset. Uses the instance in ``DAGSTER_HOME``, like
    ``python -m pipeline run``.
    """
    import dagster as dg

    from pipeline.cli import ensure_dagster_home
    from pipeline.definitions import defs
    from pipeline.defs.dbt.assets import dbt_models
    from pipeline.defs.partitions import partition_range_tags

    ensure_dagster_home()
    if keys == [["dbt"]]:
        selection = dg.AssetSelection.assets(*dbt_models.keys)
        asset_keys = list(dbt_models.keys)
    else:
        asset_keys = [dg.AssetKey(k) for k in keys]
        selection = dg.AssetSelection.assets(*asset_keys)
    job = dg.define_asset_job("bench_stage", selection=selection)
    stage_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    job_def = stage_defs.resolve_job_def("bench_stage")
    graph = stage_defs.resolve_asset_graph()
    partitioned = any(graph.get(key).partitions_def is not None for key in asset_keys)
    with dg.DagsterInstance.get() as instance:
        result = job_def.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=partition_range_tags(first, last) if partitioned else {},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    return result.success
