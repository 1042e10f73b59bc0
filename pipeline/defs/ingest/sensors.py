"""The landing sensor: request a run for each day whose landing files are new or changed."""

import hashlib
import json
from datetime import UTC, date, datetime

import dagster as dg

from pipeline.defs.extract.sensors import ingested_by_their_extract_run
from pipeline.defs.jobs import build_all
from pipeline.defs.partitions import daily_partitions
from pipeline.defs.resources import LandingZone
from pipeline.landing.discovery import LandingFile, discover
from pipeline.settings import AUTOMATION_VAR, current_settings  # noqa: F401


def automation_on() -> bool:
    """Sensors and schedules start stopped unless CREATOR_KPIS_AUTOMATION=on (turn them on in
    the UI otherwise): a developer's `make dev` never starts runs by itself."""
    return current_settings().automation


def fingerprint(landing_file: LandingFile) -> str:
    stat = landing_file.path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def requests_for_changes(
    changed: list[LandingFile], today: date
) -> tuple[list[dg.RunRequest], list[str]]:
    """One run request per changed day; campaign files ride with the latest changed day."""
    by_day: dict[date, list[str]] = {}
    undated = [f.relpath for f in changed if f.partition_day is None]
    for landing_file in changed:
        if landing_file.partition_day is not None:
            by_day.setdefault(landing_file.partition_day, []).append(landing_file.relpath)
    if undated and not by_day:
        by_day[today] = []
    valid = set(daily_partitions.get_partition_keys(current_time=datetime.now(UTC)))
    requests, skipped = [], []
    for day, paths in sorted(by_day.items()):
        key = day.isoformat()
        if key not in valid:
            skipped.append(f"dt={key} is outside the partitions (CREATOR_KPIS_FIRST_DAY .. today)")
            continue
        digest = hashlib.sha256("\n".join(sorted(paths + undated)).encode()).hexdigest()[:16]
        requests.append(
            dg.RunRequest(
                run_key=f"landing:{key}:{digest}",
                partition_key=key,
                tags={"creator_kpis/trigger": "landing_sensor"},
            )
        )
    return requests, skipped


@dg.sensor(
    job=build_all,
    minimum_interval_seconds=60,
    default_status=(
        dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED
    ),
    description=(
        "Watches the landing directory. Each new or changed file (by size and modification"
        " time; the cursor remembers what was seen) requests a run of its day's partition."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingZone) -> dg.SensorResult:
    if not landing.dir.is_dir():
        return dg.SensorResult(
            skip_reason=f"landing directory {landing.dir} does not exist", cursor=context.cursor
        )
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    files = discover(landing.dir).files
    current = {f.relpath: fingerprint(f) for f in files}
    changed = [f for f in files if seen.get(f.relpath) != current[f.relpath]]
    # files an extract asset wrote in a run that also ingested them: no second run
    loaded = ingested_by_their_extract_run(context.instance, changed)
    changed = [f for f in changed if f.relpath not in loaded]
    if not changed:
        return dg.SensorResult(
            skip_reason=f"no new or changed files among {len(files)} in {landing.dir}",
            cursor=json.dumps(current, sort_keys=True),
        )
    requests, skipped = requests_for_changes(changed, datetime.now(UTC).date())
    for reason in skipped:
        context.log.warning(reason)
    context.log.info(f"{len(changed)} new or changed files: {len(requests)} run(s) requested")
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))
