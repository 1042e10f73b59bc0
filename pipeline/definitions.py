"""The code location: one Definitions object gathered from pipeline/defs."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipeline.defs.dbt.assets import MART_KEYS, dbt_models
from pipeline.defs.dbt.project import dbt_project
from pipeline.defs.extract.assets import extract_assets, extract_checks
from pipeline.defs.extract.resources import extract_apis
from pipeline.defs.ingest.assets import ingest_assets, ingest_checks
from pipeline.defs.ingest.schedules import daily_build
from pipeline.defs.ingest.sensors import landing_sensor
from pipeline.defs.jobs import BUILD_ALL_JOB, build_all
from pipeline.defs.ops.alerts import AlertSettings, build_run_failure_alert_sensor
from pipeline.defs.ops.freshness import (
    build_freshness_sensor,
    build_mart_freshness_checks,
    freshness_window_from_env,
)
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.defs.serving.assets import serving_assets
from pipeline.defs.serving.resources import Serving
from pipeline.extract.settings import ExtractSettings
from pipeline.settings import DBT_EXECUTABLE, Settings

__all__ = ["BUILD_ALL_JOB", "build_definitions", "defs"]


def build_definitions(settings: Settings, extract: ExtractSettings | None = None) -> dg.Definitions:
    # stale when not updated for CREATOR_KPIS_FRESHNESS_HOURS (26); checked in every build_all
    marts_freshness = build_mart_freshness_checks(MART_KEYS, freshness_window_from_env())
    return dg.Definitions(
        assets=[*extract_assets, *ingest_assets, dbt_models, *serving_assets],
        asset_checks=[*extract_checks, *ingest_checks, *marts_freshness],
        sensors=[
            landing_sensor,
            build_run_failure_alert_sensor(AlertSettings.from_env()),
            build_freshness_sensor(marts_freshness),
        ],
        jobs=[build_all],
        schedules=[daily_build],
        resources={
            "landing": LandingZone(
                path=str(settings.landing_dir),
                max_file_bytes=settings.max_file_bytes,
                max_decoded_bytes=settings.max_decoded_bytes,
            ),
            "warehouse": Warehouse(path=str(settings.warehouse)),
            "serving": Serving(path=str(settings.serving)),
            # API credentials (secrets as dg.EnvVar): CREATOR_KPIS_*, TIKTOK_*, INSTAGRAM_*
            "apis": extract_apis(extract or ExtractSettings.from_env()),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        },
        # DuckDB allows one writing process: run steps one after another in the run's process
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())
