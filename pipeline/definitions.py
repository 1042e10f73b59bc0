"""The code location: one Definitions object gathered from pipeline/defs."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from pipeline.defs.dbt.assets import dbt_models, dbt_project
from pipeline.defs.ingest.assets import ingest_assets, ingest_checks
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.settings import Settings

BUILD_ALL_JOB = "build_all"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def build_definitions(settings: Settings) -> dg.Definitions:
    build_all = dg.define_asset_job(
        BUILD_ALL_JOB,
        selection=dg.AssetSelection.all(),
        description="Ingest every landing file that is new or changed, then dbt build all models.",
    )
    return dg.Definitions(
        assets=[*ingest_assets, dbt_models],
        asset_checks=ingest_checks,
        jobs=[build_all],
        resources={
            "landing": LandingZone(path=str(settings.landing_dir)),
            "warehouse": Warehouse(path=str(settings.warehouse)),
            # the dbt installed next to this interpreter, whether or not the venv is activated
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        },
        # DuckDB allows one writing process: run steps one after another in the run's process
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())
