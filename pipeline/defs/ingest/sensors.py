"""The landing sensor: one run for the days whose landing files are new or changed."""

import hashlib
import json
from datetime import UTC, date, datetime

import dagster as dg

from pipeline.defs.extract.sensors import ingested_by_their_extract_run, written_during_a_run
from pipeline.defs.jobs import build_all
from pipeline.defs.partitions import daily_partitions, partition_range_tags
from pipeline.defs.resources import LandingZone
from pipeline.landing.discovery import LandingFile, discover
from pipeline.landing.records import UnreadableFile
from pipeline.settings import AUTOMATION_VAR, current_settings  # noqa: F401


def automation_on() -> bool:
    """Sensors and schedules start stopped unless CREATOR_KPIS_AUTOMATION=on (turn them on in
    the UI otherwise): a developer's `make dev` never starts runs by itself."""
    return current_settings().automation


def stat_fingerprint(landing_file: LandingFile) -> str:
    stat = landing_file.path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def fingerprints(
    files: list[LandingFile], seen: dict[str, str]
) -> tuple[dict[str, str], list[LandingFile]]:
    """Each file's fingerprint ``size:mtime_ns:sha256`` and the files whose content changed.

    A file whose size and mtime match the cursor keeps its sha256 without being read; any other
    file is hashed, and one touched without a change (same sha256) is not a change.
    """
    current: dict[str, str] = {}
    changed: list[LandingFile] = []
    for landing_file in files:
        stat = stat_fingerprint(landing_file)
        previous = seen.get(landing_file.relpath, "")
        previous_stat, _, previous_sha = previous.rpartition(":")
        if previous and previous_stat == stat and previous_sha:
            current[landing_file.relpath] = previous
            continue
        try:
            sha256 = landing_file.sha256()
        except (OSError, UnreadableFile):
            sha256 = "unreadable"  # changed: the run's ingest records why it cannot be read
        current[landing_file.relpath] = f"{stat}:{sha256}"
        if previous_sha != sha256:
            changed.append(landing_file)
    return current, changed


def request_for_changes(
    changed: list[LandingFile], current: dict[str, str], today: date
) -> tuple[dg.RunRequest | None, list[str]]:
    """One run for every changed day (a partition range when several), keyed by the changed
    files' content fingerprints; campaign files ride with it (alone: today's partition)."""
    valid = set(daily_partitions.get_partition_keys(current_time=datetime.now(UTC)))
    days, skipped = set(), []
    for landing_file in changed:
        day = landing_file.partition_day
        if day is None:
            continue
        if day.isoformat() in valid:
            days.add(day)
        else:
            skipped.append(
                f"not read: {landing_file.relpath}: dt={day} is outside the partitions"
                " (CREATOR_KPIS_FIRST_DAY .. today)"
            )
    undated = [f for f in changed if f.partition_day is None]
    if undated and not days:
        days.add(today)
    if not days:
        return None, skipped
    first, last = min(days), max(days)
    in_run = [f for f in changed if f.partition_day is None or f.partition_day in days]
    digest = hashlib.sha256(
        "\n".join(sorted(f"{f.relpath}:{current[f.relpath]}" for f in in_run)).encode()
    ).hexdigest()[:16]
    tags = {"creator_kpis/trigger": "landing_sensor"}
    if first == last:
        return (
            dg.RunRequest(
                run_key=f"landing:{first}:{digest}", partition_key=first.isoformat(), tags=tags
            ),
            skipped,
        )
    return (
        dg.RunRequest(
            run_key=f"landing:{first}..{last}:{digest}",
            tags=tags | partition_range_tags(first, last),
        ),
        skipped,
    )


@dg.sensor(
    job=build_all,
    minimum_interval_seconds=60,
    default_status=(
        dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED
    ),
    description=(
        "Watches the landing directory. New or changed files (size and modification time,"
        " then content: a file touched without a change is not one) request one run over their"
        " days (a partition range when several), keyed by the files' content fingerprints."
        " No run for the api- files an extract asset wrote in a run that also ingested them;"
        " api- files of a day a run in progress covers wait until that run has ended."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingZone) -> dg.SensorResult:
    if not landing.dir.is_dir():
        return dg.SensorResult(
            skip_reason=f"landing directory {landing.dir} does not exist", cursor=context.cursor
        )
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    files = discover(landing.dir).files
    current, changed = fingerprints(files, seen)
    # files an extract asset wrote in a run that also ingested them: no second run
    loaded = ingested_by_their_extract_run(context.instance, changed)
    changed = [f for f in changed if f.relpath not in loaded]
    # api- files of a day a run in progress covers: looked at again once it has ended
    pending = written_during_a_run(context.instance, changed)
    changed = [f for f in changed if f.relpath not in pending]
    for relpath in pending:
        if relpath in seen:
            current[relpath] = seen[relpath]
        else:
            del current[relpath]
    cursor = json.dumps(current, sort_keys=True)
    if not changed:
        waiting = f"; {len(pending)} written during a run in progress" if pending else ""
        return dg.SensorResult(
            skip_reason=f"no new or changed files among {len(files)} in {landing.dir}{waiting}",
            cursor=cursor,
        )
    request, skipped = request_for_changes(changed, current, datetime.now(UTC).date())
    for reason in skipped:
        context.log.warning(reason)
    if request is None:
        return dg.SensorResult(
            skip_reason=f"{len(changed)} changed files, all outside the partitions", cursor=cursor
        )
    context.log.info(f"{len(changed)} new or changed files: run {request.run_key} requested")
    return dg.SensorResult(run_requests=[request], cursor=cursor)
