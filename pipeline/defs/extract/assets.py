"""``extract/tiktok`` and ``extract/instagram``: pull the day's creators and posts from the
platforms' APIs into the landing zone, upstream of the platform's ingest assets."""

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from pipeline import warehouse as warehouse_io
from pipeline.defs.extract.keys import EXTRACT_PLATFORMS, extract_asset_key
from pipeline.defs.extract.resources import ExtractApis
from pipeline.defs.failures import WAREHOUSE_POOL
from pipeline.defs.partitions import daily_partitions, partition_window_days, single_run_backfill
from pipeline.defs.resources import LandingZone, Warehouse
from pipeline.extract.run import ExtractOutcome, run_extraction
from pipeline.landing.contract import CAMPAIGN_POSTS, ROSTER_CREATORS
from pipeline.warehouse import INGEST_SCHEMA

OWNERS = ["team:data-engineering"]
LANDING_FILES = "landing_files"  # metadata entry: the files this materialization wrote

DESCRIPTIONS = {
    "tiktok": (
        "Fetches every active roster TikTok username and every TikTok creator_username of"
        " campaign_posts: through the Display API when the creator authorized the agency"
        " (token store), else through the Research API when CREATOR_KPIS_TIKTOK_RESEARCH=on,"
        " else skipped. Writes `tiktok/creators/dt=D/api-*.jsonl` and"
        " `tiktok/videos/dt=D/api-*.jsonl`; every attempt is a row of `ingest.extract_log`."
        " Skipped (one line) without TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET."
    ),
    "instagram": (
        "Fetches every active roster Instagram username and every Instagram creator_username of"
        " campaign_posts through Graph API business discovery. Writes"
        " `instagram/creators/dt=D/api-*.jsonl` and `instagram/media/dt=D/api-*.jsonl`; every"
        " attempt is a row of `ingest.extract_log`. Skipped (one line) without"
        " INSTAGRAM_ACCESS_TOKEN and INSTAGRAM_USER_ID."
    ),
}
# dt is the day the records were collected: see not_todays_partitions
TODAY_ONLY = (
    " Fetches for today's UTC partition only (in a ranged run, when today is in the range):"
    " the APIs return current values, so any other partition is skipped with one line."
)


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey([INGEST_SCHEMA, table])


def outcome_metadata(outcome: ExtractOutcome) -> dict:
    return {
        "status": "stopped" if outcome.stopped else "done",
        "day": outcome.day.isoformat(),
        "creators": outcome.creators,
        "creators_ok": outcome.counts.get("ok", 0),
        "creators_skipped": outcome.counts.get("skipped", 0),
        "creators_failed": outcome.counts.get("failed", 0),
        "creators_quota": outcome.counts.get("quota", 0),
        "creators_done_earlier_today": outcome.already_done,
        "records_written": outcome.records_written,
        "requests": outcome.requests,
        "quota_remaining": outcome.quota_remaining if outcome.quota_remaining is not None else -1,
        "stopped": outcome.stopped or "-",
        "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in outcome.problems) or "none"),
        LANDING_FILES: dg.MetadataValue.json(outcome.files),
    }


def skipped(context: dg.AssetExecutionContext, platform: str, reason: str) -> dg.MaterializeResult:
    context.log.info(f"extract/{platform} skipped: {reason}")
    return dg.MaterializeResult(
        metadata={"status": "skipped", "reason": reason, LANDING_FILES: dg.MetadataValue.json([])}
    )


def not_todays_partitions(first: date, last: date, today: date) -> str | None:
    """Why a run of partitions first..last fetches nothing, or None when today is among them.

    ``dt`` is the day the records were collected and the APIs return current values only, so
    records are fetched for today's partition alone: a run of one past day (or a backfill of
    past days) writes nothing; a ranged run that includes today fetches for today."""
    if first <= today <= last:
        return None
    days = f"partition {first}" if first == last else f"partitions {first}..{last}"
    verb = "is not today" if first == last else "do not include today"
    return f"the APIs return current values only: {days} {verb} ({today} UTC)"


def build_extract_asset(platform: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=extract_asset_key(platform),
        group_name=f"extract_{platform}",
        description=DESCRIPTIONS[platform] + TODAY_ONLY,
        owners=OWNERS,
        kinds={"python", platform},
        tags={"platform": platform},
        partitions_def=daily_partitions,
        backfill_policy=single_run_backfill,
        deps=[_key(ROSTER_CREATORS.table), _key(CAMPAIGN_POSTS.table)],
        pool=WAREHOUSE_POOL,  # writes its accounting to the warehouse
    )
    def extract(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        apis: ExtractApis,
    ) -> dg.MaterializeResult:
        settings = apis.settings()
        missing = settings.missing(platform)
        if missing:
            return skipped(context, platform, missing)
        today = datetime.now(UTC).date()
        not_today = not_todays_partitions(*partition_window_days(context), today)
        if not_today:
            return skipped(context, platform, not_today)
        outcome = run_extraction(
            platform, today, settings, landing.dir, Path(warehouse.path), context.run_id
        )
        context.log.info(outcome.summary())
        for problem in outcome.problems:
            context.log.warning(problem)
        if outcome.stopped:
            context.log.error(f"extract/{platform} stopped: {outcome.stopped}")
        return dg.MaterializeResult(metadata=outcome_metadata(outcome))

    return extract


def build_extract_check(platform: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=extract_asset_key(platform),
        name="creators_fetched",
        description=(
            "Every creator of the last extraction run was fetched: fails naming each creator"
            " that failed or was skipped, with the reason (see ingest.extract_log)."
        ),
        blocking=False,
    )
    def creators_fetched(warehouse: Warehouse) -> dg.AssetCheckResult:
        run_id, problems = None, []
        if Path(warehouse.path).exists():
            with warehouse.connection(read_only=True) as con:
                run_id, problems = warehouse_io.last_extract_problems(con, platform)
        lines = [f"{username} {status}: {message}" for username, status, message in problems]
        return dg.AssetCheckResult(
            passed=not problems,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(lines[:20]) or None,
            metadata={
                "last_run": run_id or "-",
                "creators_failing": len(problems),
                "failing_creators": dg.MetadataValue.md(
                    "\n".join(f"- {line}" for line in lines[:100]) or "none"
                ),
            },
        )

    return creators_fetched


extract_assets = [build_extract_asset(platform) for platform in EXTRACT_PLATFORMS]
extract_checks = [build_extract_check(platform) for platform in EXTRACT_PLATFORMS]
