"""Ingesting one entity: find its landing files, read, clean and load each new or changed one.

A file already in the ledger with the same size and modification time, or the same sha256, is
skipped; a changed file replaces what it contributed before; a file that cannot be read gets a
``failed`` ledger row (and is retried on the next run) while every other file still loads.

Files are loaded one at a time, in order, each in its own transaction; while one is written to
the warehouse, the next one is read and cleaned in a helper thread (Polars and DuckDB release
the GIL), so the two cores work at once. At most two files are in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import duckdb
import polars as pl

from pipeline.landing.cleaning import MALFORMED_RECORD, REJECTED_SCHEMA, clean_batch
from pipeline.landing.contract import Entity
from pipeline.landing.discovery import LandingFile
from pipeline.landing.readers import read_landing_file
from pipeline.landing.records import UnreadableFile
from pipeline.warehouse import FileOutcome, ledger, write_file

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    entity: Entity
    files_seen: int = 0
    files_unchanged: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return sum(getattr(o, attribute) for o in self.outcomes)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def _malformed_as_rejected(malformed: pl.DataFrame) -> pl.DataFrame:
    return malformed.select(
        "_line_number", "_raw_record", pl.lit(MALFORMED_RECORD).alias("reason"), "detail"
    ).cast(REJECTED_SCHEMA)


def ingest_files(
    con: duckdb.DuckDBPyConnection, entity: Entity, files: Iterable[LandingFile]
) -> IngestSummary:
    """Load every new or changed file; skip the unchanged ones.

    When a changed file takes back rows it had loaded, files whose copies of those rows were
    counted as duplicates are loaded again, so the rows they hold come back: a record stays in
    the warehouse as long as any landing file holds it.
    """
    summary = IngestSummary(entity)
    known = ledger(con, entity)
    files = list(files)
    to_load: list[tuple[LandingFile, str | None]] = []
    took_back_rows = False
    for landing_file in files:
        summary.files_seen += 1
        stat = landing_file.path.stat()
        previous = known.get(landing_file.relpath)
        if (
            previous is not None
            and previous.status == "loaded"
            and previous.size_bytes == stat.st_size
            and previous.modified_ns == stat.st_mtime_ns
        ):
            summary.files_unchanged += 1
            continue
        sha256 = None  # computed while the file is read, unless needed to compare
        if previous is not None and previous.status == "loaded":
            sha256 = landing_file.sha256()
            if previous.sha256 == sha256:
                summary.files_unchanged += 1
                continue
        took_back_rows |= previous is not None and previous.rows_loaded > 0
        to_load.append((landing_file, sha256))
    summary.outcomes.extend(load_files(con, entity, to_load))
    processed = {landing_file.relpath for landing_file, _ in to_load}
    if took_back_rows:
        for landing_file in files:
            previous = known.get(landing_file.relpath)
            if landing_file.relpath in processed or previous is None:
                continue
            if previous.rows_duplicate > 0:
                log.info("%s: loaded again, a file it duplicated changed", landing_file.relpath)
                summary.outcomes.append(load_file(con, entity, landing_file))
    return summary


@dataclass
class PreparedFile:
    """A landing file read and cleaned, ready to be written (no warehouse access needed)."""

    landing_file: LandingFile
    ledger_fields: dict  # path, partition_day, size_bytes, modified_ns, sha256
    clean: pl.DataFrame | None = None
    rejected: pl.DataFrame | None = None
    rows_read: int | None = None
    error: str | None = None


def prepare_file(
    entity: Entity, landing_file: LandingFile, sha256: str | None = None
) -> PreparedFile:
    """Read and clean one landing file (an unreadable file becomes an error to record)."""
    stat = landing_file.path.stat()
    ledger_fields = {
        "path": landing_file.relpath,
        "partition_day": landing_file.partition_day,
        "size_bytes": stat.st_size,
        "modified_ns": stat.st_mtime_ns,
        "sha256": sha256 or landing_file.sha256(),
    }
    try:
        batch = read_landing_file(landing_file)
    except UnreadableFile as error:
        log.warning("%s", error)
        return PreparedFile(landing_file, ledger_fields, error=str(error))
    result = clean_batch(batch.records, entity, landing_file.partition_day)
    rejected = pl.concat([_malformed_as_rejected(batch.malformed), result.rejected])
    return PreparedFile(landing_file, ledger_fields, result.clean, rejected, batch.rows_read)


def write_prepared(
    con: duckdb.DuckDBPyConnection, entity: Entity, prepared: PreparedFile
) -> FileOutcome:
    """Write a prepared file (replacing what it contributed before), in one transaction."""
    outcome = write_file(
        con,
        entity,
        clean=prepared.clean,
        rejected=prepared.rejected,
        error=prepared.error,
        rows_read=prepared.rows_read,
        **prepared.ledger_fields,
    )
    if prepared.error is None:
        log.info(
            "%s: read %d, loaded %d, duplicate %d, rejected %d",
            outcome.path,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_duplicate,
            outcome.rows_rejected,
        )
    return outcome


def load_files(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    files: list[tuple[LandingFile, str | None]],
) -> Iterator[FileOutcome]:
    """Load files in order; each next file is read and cleaned while the current one is written."""
    if not files:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read") as reader:
        upcoming: Future[PreparedFile] = reader.submit(prepare_file, entity, *files[0])
        for index in range(len(files)):
            current = upcoming
            if index + 1 < len(files):
                upcoming = reader.submit(prepare_file, entity, *files[index + 1])
            yield write_prepared(con, entity, current.result())


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing_file: LandingFile,
    sha256: str | None = None,
) -> FileOutcome:
    """Read, clean and write one landing file (replacing what it contributed before)."""
    return write_prepared(con, entity, prepare_file(entity, landing_file, sha256))


def partition_days(files: Iterable[LandingFile]) -> list[date]:
    return sorted({f.partition_day for f in files if f.partition_day is not None})
