"""What the landing sensor needs to know about the extract assets' files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import dagster as dg

from pipeline.defs.extract.keys import EXTRACT_PLATFORMS, extract_asset_key
from pipeline.extract.landing import API_FILE_PREFIX
from pipeline.landing.discovery import LandingFile
from pipeline.warehouse import INGEST_SCHEMA


def ingested_by_their_extract_run(
    instance: dg.DagsterInstance, files: Iterable[LandingFile]
) -> set[str]:
    """The ``api-`` files an extract asset wrote in a run that also ingested their entity's
    partition: that run loaded them, so the sensor requests no second run for them. Files
    written by ``python -m pipeline extract`` (no Dagster run), or by a run that stopped
    before its ingest, are not in this set and do get a run."""
    candidates = _api_files(files)
    written: dict[tuple[str, str], tuple[str, set[str]]] = {}
    done: set[str] = set()
    for landing_file in candidates:
        platform, day = landing_file.entity.platform, landing_file.partition_day.isoformat()
        if (platform, day) not in written:
            written[(platform, day)] = _latest_files(instance, extract_asset_key(platform), day)
        run_id, paths = written[(platform, day)]
        if landing_file.relpath not in paths:
            continue
        ingest_key = dg.AssetKey([INGEST_SCHEMA, landing_file.entity.table])
        ingest_run, _ = _latest_files(instance, ingest_key, day)
        if ingest_run == run_id:
            done.add(landing_file.relpath)
    return done


IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def written_during_a_run(instance: dg.DagsterInstance, files: Iterable[LandingFile]) -> set[str]:
    """The ``api-`` files of a day that a run still in progress covers. That run may be the one
    writing them (an extract asset lands its files creator batch by creator batch, and records
    them in its materialization only at the end, then the ingest loads them): the sensor looks at
    them again once the run has ended, instead of requesting a second run now."""
    candidates = _api_files(files)
    if not candidates:
        return set()
    windows = [
        window
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS))
        if (window := _run_days(run.tags)) is not None
    ]
    return {
        f.relpath
        for f in candidates
        if any(first <= f.partition_day.isoformat() <= last for first, last in windows)
    }


def _api_files(files: Iterable[LandingFile]) -> list[LandingFile]:
    return [
        f
        for f in files
        if f.path.name.startswith(API_FILE_PREFIX)
        and f.entity.platform in EXTRACT_PLATFORMS
        and f.partition_day is not None
    ]


def _run_days(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """First and last partition key (ISO days) of a run, from its tags; None if unpartitioned."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return tags[RANGE_START_TAG], tags[RANGE_END_TAG]
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG], tags[PARTITION_TAG]
    return None


def _latest_files(instance: dg.DagsterInstance, key: dg.AssetKey, day: str) -> tuple[str, set[str]]:
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[day]), limit=1
    )
    if not result.records:
        return "", set()
    record = result.records[0]
    materialization = record.asset_materialization
    entry = materialization.metadata.get("landing_files") if materialization else None
    paths = set(entry.value) if entry is not None and isinstance(entry.value, list) else set()
    return record.run_id, paths
