"""Freshness checks on the marts: a mart whose last update is older than the window is stale.

Dagster's last-update freshness checks look at the latest materialization of any partition, so
they work whether or not the marts are partitioned. They run in every run that builds the marts
(and pass there), and a sensor re-runs them once a mart could have become stale.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from datetime import timedelta

import dagster as dg

from pipeline.defs.ingest.sensors import automation_on
from pipeline.settings import OperatorError

FRESHNESS_HOURS_VAR = "CREATOR_KPIS_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 26.0  # a daily pipeline plus two hours of slack
FRESHNESS_SENSOR_NAME = "marts_freshness_sensor"


def freshness_window_from_env() -> timedelta:
    """``CREATOR_KPIS_FRESHNESS_HOURS`` (default 26) as a timedelta."""
    value = os.environ.get(FRESHNESS_HOURS_VAR, "").strip()
    if not value:
        return timedelta(hours=DEFAULT_FRESHNESS_HOURS)
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise OperatorError(
            f"{FRESHNESS_HOURS_VAR}={value!r} is not a positive number of hours: fix or unset it"
        )
    return timedelta(hours=hours)


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
                if automation_on()
                else dg.DefaultSensorStatus.STOPPED
            ),
        )
