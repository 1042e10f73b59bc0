"""The code location: one Definitions object gathered from pipeline/defs."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipeline.defs.dbt.assets import build_dbt_models
from pipeline.defs.dbt.project import VenvDbtCli, dbt_project
from pipeline.defs.extract.assets import extract_assets, extract_checks
from pipeline.defs.extract.resources import extract_apis
from pipeline.defs.ingest.assets import ingest_assets, ingest_checks
from pipeline.defs.ingest.schedules import daily_build
from pipeline.defs.ingest.sensors import landing_sensor
from pipeline.defs.jobs import BUILD_ALL_JOB, build_all
from pipeline.defs.ops.alerts import AlertSettings, build_run_failure_alert_sensor
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.defs.serving.assets import serving_assets
from pipeline.defs.serving.resources import Serving
from pipeline.settings import (
    DBT_EXECUTABLE,
    LANDING_DIR_VAR,
    SERVING_VAR,
    WAREHOUSE_VAR,
    Settings,
)

__all__ = ["BUILD_ALL_JOB", "build_definitions", "defs"]


def env_var_or(variable: str, path: Path | None) -> str | dg.EnvVar:
    """``dg.EnvVar(variable)`` when the setting came from that variable as an absolute path (the
    UI then shows where the value comes from), else the path as set or defaulted."""
    value = os.environ.get(variable, "")
    if value and Path(value).is_absolute() and Path(value).resolve() == path:
        return dg.EnvVar(variable)
    return str(path)


def build_definitions(settings: Settings) -> dg.Definitions:
    # every mart FAILs its freshness policy when not materialized for CREATOR_KPIS_FRESHNESS_HOURS
    # (26); the daemon evaluates it (dagster.yaml: freshness: enabled)
    dbt_models = build_dbt_models(settings.freshness_window)
    return dg.Definitions(
        assets=[*extract_assets, *ingest_assets, dbt_models, *serving_assets],
        asset_checks=[*extract_checks, *ingest_checks],
        sensors=[
            landing_sensor,
            build_run_failure_alert_sensor(AlertSettings.from_settings(settings)),
        ],
        jobs=[build_all],
        schedules=[daily_build],
        resources={
            "landing": LandingZone(
                path=env_var_or(LANDING_DIR_VAR, settings.landing_dir),
                max_file_bytes=settings.max_file_bytes,
                max_decoded_bytes=settings.max_decoded_bytes,
            ),
            "warehouse": Warehouse(path=env_var_or(WAREHOUSE_VAR, settings.warehouse)),
            "serving": Serving(
                path=env_var_or(SERVING_VAR, settings.serving),
                storage_version=settings.serving_storage_version,
                report_path=str(settings.report),
            ),
            # API credentials (secrets as dg.EnvVar): CREATOR_KPIS_*, TIKTOK_*, INSTAGRAM_*
            "apis": extract_apis(settings.apis),
            "dbt": VenvDbtCli(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        },
        # DuckDB allows one writing process: run steps one after another in the run's process
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())
