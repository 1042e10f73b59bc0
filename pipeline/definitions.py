"""The code location: one Definitions object gathered from pipeline/defs."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipeline.defs.dbt.assets import dbt_models, dbt_project
from pipeline.defs.ingest.assets import ingest_assets, ingest_checks
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.settings import Settings

BUILD_ALL_JOB = "build_all"


def build_definitions(settings: Settings) -> dg.Definitions:
    build_all = dg.define_asset_job(
        BUILD_ALL_JOB,
        selection=dg.AssetSelection.all(include_sources=False),
        description="Ingest every landing file that is new or changed, then dbt build all models.",
    )
    return dg.Definitions(
        assets=[*ingest_assets, dbt_models],
        asset_checks=ingest_checks,
        jobs=[build_all],
        resources={
            "landing": LandingZone(path=str(settings.landing_dir)),
            "warehouse": Warehouse(path=str(settings.warehouse)),
            "dbt": DbtCliResource(project_dir=dbt_project),
        },
        # DuckDB allows one writing process: run steps one after another in the run's process
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())
