"""Freshness checks on the marts: a mart whose last update is older than the window is stale.

Dagster's last-update freshness checks look at the latest materialization of any partition, so
they work whether or not the marts are partitioned. They run in every run that builds the marts
(and pass there), and a sensor re-runs them once a mart could have become stale.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import timedelta

import dagster as dg

from pipeline.settings import (  # noqa: F401  (names of the setting, for callers)
    DEFAULT_FRESHNESS_HOURS,
    FRESHNESS_HOURS_VAR,
    Settings,
    current_settings,
)

FRESHNESS_SENSOR_NAME = "marts_freshness_sensor"


def freshness_window_from_env() -> timedelta:
    """``CREATOR_KPIS_FRESHNESS_HOURS`` (default 26) as a timedelta (see pipeline/settings.py)."""
    return Settings.from_env().freshness_window


def build_mart_freshness_checks(
    marts: Sequence[dg.AssetKey], window: timedelta
) -> Sequence[dg.AssetChecksDefinition]:
    """One ``freshness_check`` per mart: fails when its last update is older than ``window``."""
    with warnings.catch_warnings():
        # superseded by FreshnessPolicy (a daemon-evaluated state, not an asset check); these
        # checks are still supported, show as checks next to the dbt tests and run in build_all
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        return dg.build_last_update_freshness_checks(
            assets=list(marts),
            lower_bound_delta=window,
            severity=dg.AssetCheckSeverity.WARN,
        )


def build_freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """Re-runs a mart's freshness check once the mart could have become stale since it passed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            name=FRESHNESS_SENSOR_NAME,
            minimum_interval_seconds=600,
            # it launches (check-only) runs: on with the other automation, else turned on in the UI
            default_status=(
                dg.DefaultSensorStatus.RUNNING
                if current_settings().automation
                else dg.DefaultSensorStatus.STOPPED
            ),
        )
