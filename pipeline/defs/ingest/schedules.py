"""The daily schedule: yesterday's partition and everything downstream, early in the morning."""

from datetime import timedelta

import dagster as dg

from pipeline.defs.ingest.sensors import automation_on
from pipeline.defs.jobs import build_all
from pipeline.settings import DEFAULT_SCHEDULE_CRON, SCHEDULE_CRON_VAR, current_settings  # noqa: F401


@dg.schedule(
    job=build_all,
    cron_schedule=current_settings().schedule_cron,  # CREATOR_KPIS_SCHEDULE_CRON
    execution_timezone="UTC",
    default_status=(
        dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED
    ),
    description="Materializes the previous day's partition (the day the records were collected).",
)
def daily_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return dg.RunRequest(
        run_key=f"daily:{day}", partition_key=day, tags={"creator_kpis/trigger": "daily_build"}
    )
