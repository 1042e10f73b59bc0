"""Ingesting one entity: find its landing files, read, clean and load each new or changed one.

A file already in the ledger with the same size and modification time, or the same sha256, is
skipped (a file touched without a change gets its new modification time in the ledger, so it is
not hashed again); a changed file replaces what it contributed before, and only that (each
file's rows are its own: a record another file also holds stays loaded from that file); a file
that cannot be read gets a ``failed`` ledger row (and is retried on the next run) while every other file still loads.

Files are loaded one at a time, in order, each in its own transaction, a bounded batch of
records at a time (``ReadLimits.batch_bytes``); while one batch is written to the warehouse, the
next one is read and cleaned in a helper thread (Polars and DuckDB release the GIL), so the two
cores work at once. At most about three batches are in memory, whatever the size of a file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from queue import Full, Queue

import duckdb
import polars as pl

from pipeline.landing.cleaning import MALFORMED_RECORD, REJECTED_SCHEMA, clean_batch
from pipeline.landing.contract import Entity
from pipeline.landing.discovery import LandingFile, sha256_of
from pipeline.landing.readers import read_open_file
from pipeline.landing.records import DEFAULT_LIMITS, ReadLimits, UnreadableFile
from pipeline.warehouse import FileOutcome, ledger, touch_file, write_file

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
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    files: Iterable[LandingFile],
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IngestSummary:
    """Load every new or changed file; skip the unchanged ones."""
    summary = IngestSummary(entity)
    known = ledger(con, entity)
    files = list(files)
    to_load: list[LandingFile] = []
    for landing_file in files:
        summary.files_seen += 1
        previous = known.get(landing_file.relpath)
        if previous is not None and previous.status == "loaded":
            try:
                stat = landing_file.path.stat()
                same_stat = (previous.size_bytes, previous.modified_ns) == (
                    stat.st_size,
                    stat.st_mtime_ns,
                )
                touched = not same_stat and previous.sha256 == landing_file.sha256(
                    limits.max_file_bytes
                )
            except (OSError, UnreadableFile):
                same_stat = touched = False  # gone or replaced: reading it records why
            if touched:  # same content: remember the new mtime, so it is not hashed again
                touch_file(con, landing_file.relpath, stat.st_mtime_ns)
            if same_stat or touched:
                summary.files_unchanged += 1
                continue
        to_load.append(landing_file)
    summary.outcomes.extend(load_files(con, entity, to_load, limits))
    return summary


def _unopened_ledger_fields(landing_file: LandingFile) -> dict:
    """Ledger fields of a file that could not be opened: what discovery saw, no hash."""
    return {
        "path": landing_file.relpath,
        "partition_day": landing_file.partition_day,
        "size_bytes": landing_file.size_bytes,
        "modified_ns": 0,
        "sha256": "",  # not read
    }


def _read_files(entity: Entity, files: list[LandingFile], limits: ReadLimits) -> Iterator[tuple]:
    """For each file, in order: ``("file", ledger_fields, error)``, then its cleaned batches
    ``("batch", (clean, rejected, rows_read))``, then ``("error", message)`` if it could not be
    read to the end, then ``("end",)``. The file is opened once (hash and records come from the
    same open file) and read a bounded batch at a time."""
    for landing_file in files:
        try:
            handle = landing_file.open(limits.max_file_bytes)
        except UnreadableFile as error:
            log.warning("%s", error)
            yield ("file", _unopened_ledger_fields(landing_file), str(error))
            yield ("end",)
            continue
        with handle:
            status = os.fstat(handle.fileno())
            ledger_fields = {
                "path": landing_file.relpath,
                "partition_day": landing_file.partition_day,
                "size_bytes": status.st_size,
                "modified_ns": status.st_mtime_ns,
                "sha256": sha256_of(handle),
            }
            handle.seek(0)
            yield ("file", ledger_fields, None)
            try:
                for batch in read_open_file(landing_file, handle, True, limits):
                    result = clean_batch(batch.records, entity, landing_file.partition_day)
                    rejected = pl.concat([_malformed_as_rejected(batch.malformed), result.rejected])
                    yield ("batch", (result.clean, rejected, batch.rows_read))
            except UnreadableFile as error:
                log.warning("%s", error)
                yield ("error", str(error))
        yield ("end",)


def _in_background(items: Iterator[tuple], depth: int = 1) -> Iterator[tuple]:
    """``items``, produced by a helper thread at most ``depth`` items ahead (Polars and DuckDB
    release the GIL: the next batch is read and cleaned while this one is written)."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put(("item", item), timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("done", done))
        except BaseException as error:  # re-raised in the consuming thread
            queue.put(("raise", error))

    thread = threading.Thread(target=produce, name="ingest-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "done":
                return
            if kind == "raise":
                raise value
            yield value
    finally:
        stop.set()


def _log_outcome(outcome: FileOutcome) -> None:
    if outcome.status == "loaded":
        log.info(
            "%s: read %d, loaded %d, duplicate %d, rejected %d",
            outcome.path,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_duplicate,
            outcome.rows_rejected,
        )


def load_files(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    files: list[LandingFile],
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[FileOutcome]:
    """Load files in order, each in one transaction, a bounded batch at a time (replacing what
    each contributed before); a file that cannot be read to the end gets a ``failed`` row."""
    if not files:
        return
    items = _in_background(_read_files(entity, files, limits))
    for _ in files:
        _, ledger_fields, error = next(items)

        def batches() -> Iterator[tuple]:
            for item in items:
                if item[0] == "end":
                    return
                if item[0] == "error":
                    next(items)  # its ("end",)
                    raise UnreadableFile(item[1])
                yield item[1]

        if error is not None:
            next(items)  # its ("end",)
            outcome = write_file(con, entity, error=error, **ledger_fields)
        else:
            try:
                outcome = write_file(con, entity, batches=batches(), **ledger_fields)
            except UnreadableFile as unreadable:  # write_file rolled back what it had written
                outcome = write_file(con, entity, error=str(unreadable), **ledger_fields)
        _log_outcome(outcome)
        yield outcome


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing_file: LandingFile,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> FileOutcome:
    """Read, clean and write one landing file (replacing what it contributed before)."""
    return next(load_files(con, entity, [landing_file], limits))


def partition_days(files: Iterable[LandingFile]) -> list[date]:
    return sorted({f.partition_day for f in files if f.partition_day is not None})
