"""What the landing sensor needs to know about the extract assets' files."""

from __future__ import annotations

from collections.abc import Iterable

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
    candidates = [
        f
        for f in files
        if f.path.name.startswith(API_FILE_PREFIX)
        and f.entity.platform in EXTRACT_PLATFORMS
        and f.partition_day is not None
    ]
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
