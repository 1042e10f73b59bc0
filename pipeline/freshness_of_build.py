"""Whether a run would find anything to do: the landing files of its days against the ledger,
and the last dbt build against the ledger's latest load and the dbt project's files.

Light on purpose (no Dagster import): ``python -m pipeline run`` asks it first, so a run with
nothing new finishes in about a second instead of starting Dagster and dbt.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from pipeline import warehouse
from pipeline.landing.discovery import discover
from pipeline.settings import DBT_PROJECT_DIR, Settings

# what the dbt build depends on besides the data: a change to any of these forces a build
DBT_PROJECT_PARTS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
DBT_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")


def dbt_project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """A digest of every file of the dbt project that a build reads."""
    digest = hashlib.sha256()
    paths = [project_dir / name for name in DBT_PROJECT_FILES]
    for part in DBT_PROJECT_PARTS:
        paths += sorted(p for p in (project_dir / part).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def nothing_new(settings: Settings, first: date, last: date) -> bool:
    """True when every landing file of the days first..last (and every campaign file) is in the
    ledger as loaded with the same size and modification time, the last dbt build saw the
    ledger's latest load with the current dbt project, and the serving file was published
    after it. Anything else (a new, changed, touched or failed file, no build yet): False."""
    if not settings.warehouse.exists() or not settings.serving or not settings.serving.exists():
        return False
    files = [
        f
        for f in discover(settings.landing_dir).files
        if f.partition_day is None or first <= f.partition_day <= last
    ]
    with warehouse.connect(settings.warehouse, read_only=True) as con:
        build = warehouse.last_dbt_build(con)
        if build is None:
            return False
        rows = con.execute(
            f"select path, size_bytes, modified_ns, status from {warehouse.INGEST_SCHEMA}.files"
        ).fetchall()
        latest = warehouse.latest_load_id(con)
        built_at = warehouse.last_dbt_build_time(con)
    ledger = {path: (size, mtime, status) for path, size, mtime, status in rows}
    for landing_file in files:
        stat = landing_file.path.stat()
        if ledger.get(landing_file.relpath) != (stat.st_size, stat.st_mtime_ns, "loaded"):
            return False
    published = settings.serving.stat().st_mtime
    return (
        build == warehouse.DbtBuild(latest, dbt_project_fingerprint())
        and built_at is not None
        and published >= built_at
    )
