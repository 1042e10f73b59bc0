"""The daily schedule: one run over yesterday..today and everything downstream, early in the
morning."""

from datetime import UTC, timedelta

import dagster as dg

from pipeline.defs.ingest.sensors import automation_on
from pipeline.defs.jobs import build_all
from pipeline.defs.partitions import daily_partitions, partition_range_tags
from pipeline.settings import current_settings


@dg.schedule(
    job=build_all,
    cron_schedule=current_settings().schedule_cron,  # CREATOR_KPIS_SCHEDULE_CRON
    execution_timezone="UTC",
    default_status=(
        dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED
    ),
    description=(
        "One run over the partitions yesterday..today (UTC; partitions are the days the records"
        " were collected): extracts today's records from the APIs into dt=today, ingests"
        " yesterday's late landing files and today's files, builds the dbt models over both"
        " days and publishes the marts."
    ),
)
def daily_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    today = context.scheduled_execution_time.astimezone(UTC).date()
    # on CREATOR_KPIS_FIRST_DAY itself there is no yesterday's partition
    first = max(today - timedelta(days=1), daily_partitions.start.date())
    tags = {**partition_range_tags(first, today), "creator_kpis/trigger": "daily_build"}
    return dg.RunRequest(run_key=f"daily:{first}..{today}", tags=tags)
