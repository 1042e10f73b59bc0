"""Daily partitions keyed by the landing ``dt``: the day the records were collected."""

import warnings
from datetime import date, timedelta

import dagster as dg

from pipeline.settings import DEFAULT_FIRST_DAY, FIRST_DAY_VAR, current_settings  # noqa: F401

# end_offset=1: today's partition exists, so a dt=<today> folder can be loaded the same day
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=current_settings().first_day.isoformat(),  # CREATOR_KPIS_FIRST_DAY
    end_offset=1,
    timezone="UTC",
)

# BackfillPolicy is marked beta in Dagster 1.13; it is the documented way to get single-run backfills
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy`", category=dg.BetaWarning)

# A backfill of many days is one run (one process), not one run per day.
single_run_backfill = dg.BackfillPolicy.single_run()


def partition_window_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last day (inclusive) of the partitions this run materializes."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    """Run tags that make one run materialize the partition range first..last."""
    return {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
