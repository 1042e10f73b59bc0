"""Warehouse I/O: every write to DuckDB goes through here.

Connections are opened for one unit of work and closed at once (DuckDB allows one writing
process at a time). Data goes in as Arrow, never row by row. Each landing file's rows, its
rejected records and its ledger row are written in one transaction, so a crash leaves all of
it or none of it.

Every write of a file takes a new *load id* from a sequence: the ledger row and every row the
file version contributed carry it (``ingest.files.load_id``, ``_load_id``). The load ids tell
the incremental dbt models what changed since their last build: rows with a greater load id are
new, and a stored row whose load id is no longer its file's has been taken back or corrected.
Each file's rows stay its own: the same record held by two files is in the table twice (once
per file, like the landing zone), so what a file holds never depends on the order files were
loaded in; dbt's models pick one observation per entity.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline.crash_points import crash_point
from pipeline.landing.contract import ENTITIES, Entity, ingest_columns
from pipeline.settings import WAREHOUSE_VAR, OperatorError, duckdb_memory_limit

INGEST_SCHEMA = "ingest"
MARTS_SCHEMA = "marts"  # the dbt marts (dbt_project.yml), published to the serving file

FILES_DDL = f"""
create table if not exists {INGEST_SCHEMA}.files (
    path varchar primary key,      -- relative to the landing directory
    entity varchar not null,       -- tiktok.videos, campaigns.campaign_posts, ...
    partition_day date,            -- NULL for campaign reference data
    size_bytes bigint not null,
    modified_ns bigint not null,   -- file mtime; with size_bytes, spares re-hashing unchanged files
    sha256 varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_duplicate bigint not null,
    rows_rejected bigint not null,
    status varchar not null,       -- loaded | failed
    error varchar,
    loaded_at timestamp not null,
    load_id bigint                 -- this file version's load (also _load_id of its rows)
)
"""
LOAD_SEQUENCE = f"{INGEST_SCHEMA}.load_sequence"

REJECTED_DDL = f"""
create table if not exists {INGEST_SCHEMA}.rejected_records (
    source_file varchar not null,
    line_number bigint,
    entity varchar not null,
    partition_day date,
    reason varchar not null,
    detail varchar not null,
    raw_record varchar,
    rejected_at timestamp not null
)
"""


# DuckDB settings of every warehouse connection (measured at scale M, see benchmarks/README.md).
# memory_limit (CREATOR_KPIS_DUCKDB_MEMORY_LIMIT, default 1GB): DuckDB's buffer pool would
# otherwise grow towards 80 % of the machine's RAM as the ingest tables grow; with a limit,
# memory stays flat whatever the size of the landing zone.
# checkpoint_threshold: a file's rows are written to the WAL and checkpointed into the table
# once the WAL reaches this size; at DuckDB's default (16 MB) every large file forces its own
# checkpoint, which rewrites partly filled row groups again and again (~30 % of write time).
CHECKPOINT_THRESHOLD = "128MB"


def connection_config() -> dict[str, str]:
    return {"memory_limit": duckdb_memory_limit(), "checkpoint_threshold": CHECKPOINT_THRESHOLD}


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class WarehouseLocked(OperatorError):
    """Another process holds the warehouse: transient, worth waiting for (a step retries it)."""


def _lock_error(path: Path, error: Exception) -> WarehouseLocked:
    holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(error))
    who = f"process {holder.group(2)} ({holder.group(1)})" if holder else "another process"
    return WarehouseLocked(
        f"warehouse {path} is locked by {who}: wait for it to finish or close it,"
        f" or set {WAREHOUSE_VAR} to another file"
    )


@contextmanager
def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; a lock held by another process becomes an OperatorError."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=connection_config())
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise OperatorError(
                    f"cannot open warehouse {path}: {error}; check {WAREHOUSE_VAR}"
                ) from None
            if time.monotonic() >= deadline:
                raise _lock_error(path, error) from None
            time.sleep(0.5)
    try:
        yield con
    finally:
        con.close()


def ensure_ingest_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {INGEST_SCHEMA}")
    con.execute(FILES_DDL)
    con.execute(REJECTED_DDL)
    con.execute(f"create sequence if not exists {LOAD_SEQUENCE} start 1")
    for entity in ENTITIES:
        columns = ",\n    ".join(
            f"{name} {sql_type}" for name, sql_type in ingest_columns(entity).items()
        )
        con.execute(
            f"create table if not exists {INGEST_SCHEMA}.{entity.table} (\n    {columns}\n)"
        )
    _add_load_ids(con)


def _add_load_ids(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse written before load ids: give every ledger row one and its rows the same."""
    con.execute(f"alter table {INGEST_SCHEMA}.files add column if not exists load_id bigint")
    missing = con.execute(
        f"select count(*) from {INGEST_SCHEMA}.files where load_id is null"
    ).fetchone()
    if not missing or not missing[0]:
        return
    con.execute("begin transaction")
    try:
        con.execute(
            f"update {INGEST_SCHEMA}.files set load_id = nextval('{LOAD_SEQUENCE}')"
            " where load_id is null"
        )
        for entity in ENTITIES:
            table = f"{INGEST_SCHEMA}.{entity.table}"
            con.execute(f"alter table {table} add column if not exists _load_id bigint")
            con.execute(
                f"update {table} set _load_id = files.load_id from {INGEST_SCHEMA}.files"
                f" where files.path = {table}._source_file and {table}._load_id is null"
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@dataclass(frozen=True)
class LedgerEntry:
    size_bytes: int
    modified_ns: int
    sha256: str
    status: str
    rows_loaded: int
    rows_duplicate: int


def touch_file(con: duckdb.DuckDBPyConnection, path: str, modified_ns: int) -> None:
    """A file rewritten with the same content: remember its new modification time only (its
    rows and load id stay), so the next run compares size and mtime and need not hash it."""
    con.execute(
        f"update {INGEST_SCHEMA}.files set modified_ns = ? where path = ?", [modified_ns, path]
    )


def latest_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """The greatest load id in the ledger (0 for an empty warehouse)."""
    row = con.execute(f"select coalesce(max(load_id), 0) from {INGEST_SCHEMA}.files").fetchone()
    return int(row[0]) if row else 0


# the pipeline's own state (not data): the last successful dbt build
STATE_SCHEMA = "pipeline"
DBT_BUILDS_DDL = f"""
create table if not exists {STATE_SCHEMA}.dbt_builds (
    built_through_load_id bigint not null, -- the greatest ledger load id the build saw
    project_fingerprint varchar not null,  -- digest of the dbt project's files
    built_at timestamp not null,
    run_id varchar
)
"""


@dataclass(frozen=True)
class DbtBuild:
    built_through_load_id: int
    project_fingerprint: str


def last_dbt_build(con: duckdb.DuckDBPyConnection) -> DbtBuild | None:
    """The last successful dbt build over this warehouse, if any (and if the marts exist)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'dbt_builds'",
        [STATE_SCHEMA],
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute(
        f"select built_through_load_id, project_fingerprint from {STATE_SCHEMA}.dbt_builds"
        " order by built_at desc limit 1"
    ).fetchone()
    return DbtBuild(int(row[0]), str(row[1])) if row else None


def last_dbt_build_time(con: duckdb.DuckDBPyConnection) -> float | None:
    """When the last successful dbt build finished (POSIX seconds), if any."""
    if last_dbt_build(con) is None:
        return None
    row = con.execute(f"select max(built_at) from {STATE_SCHEMA}.dbt_builds").fetchone()
    return row[0].replace(tzinfo=UTC).timestamp() if row and row[0] else None


def record_dbt_build(
    con: duckdb.DuckDBPyConnection, build: DbtBuild, run_id: str | None = None
) -> None:
    """Remember a successful dbt build (one row: the latest)."""
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(DBT_BUILDS_DDL)
    con.execute("begin transaction")
    con.execute(f"delete from {STATE_SCHEMA}.dbt_builds")
    con.execute(
        f"insert into {STATE_SCHEMA}.dbt_builds values (?, ?, ?, ?)",
        [build.built_through_load_id, build.project_fingerprint, now_utc(), run_id],
    )
    con.execute("commit")


def ledger(con: duckdb.DuckDBPyConnection, entity: Entity) -> dict[str, LedgerEntry]:
    rows = con.execute(
        f"select path, size_bytes, modified_ns, sha256, status, rows_loaded, rows_duplicate"
        f" from {INGEST_SCHEMA}.files where entity = ?",
        [entity.key],
    ).fetchall()
    return {path: LedgerEntry(*rest) for path, *rest in rows}


@dataclass(frozen=True)
class FileOutcome:
    path: str
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_rejected: int
    status: str
    error: str | None = None


def _contract_columns(entity: Entity) -> list[str]:
    return [name for name in ingest_columns(entity) if not name.startswith("_")]


def _load_id_for(con: duckdb.DuckDBPyConnection, path: str, sha256: str, failed: bool) -> int:
    """A new load id, except for a file that fails again as it failed before (same content):
    nothing changed, so the incremental models have nothing to redo."""
    if failed:
        previous = con.execute(
            f"select load_id from {INGEST_SCHEMA}.files"
            " where path = ? and status = 'failed' and sha256 = ?",
            [path, sha256],
        ).fetchone()
        if previous and previous[0] is not None:
            return int(previous[0])
    row = con.execute(f"select nextval('{LOAD_SEQUENCE}')").fetchone()
    return int(row[0]) if row else 0


# one batch of a file: (clean rows, rejected rows, rows the reader counted or None)
CleanBatch = tuple["pl.DataFrame | None", "pl.DataFrame | None", "int | None"]


def write_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    *,
    path: str,
    partition_day: date | None,
    size_bytes: int,
    modified_ns: int,
    sha256: str,
    clean: pl.DataFrame | None = None,
    rejected: pl.DataFrame | None = None,
    error: str | None = None,
    rows_read: int | None = None,
    batches: Iterable[CleanBatch] = (),
) -> FileOutcome:
    """Replace everything ``path`` contributed with its new content, in one transaction.

    The content is ``batches`` (a file read a bounded batch at a time), or ``clean`` and
    ``rejected`` as one batch. ``clean`` holds the entity's typed contract columns plus
    ``_line_number``; ``rejected`` holds ``_line_number, _raw_record, reason, detail``. Exact
    duplicates (identical in every contract column) of a record earlier in the same file are not
    inserted and are counted as ``rows_duplicate``; a record another file holds too is loaded
    (each file's rows are its own, whatever order the files come in). ``error`` marks the file
    as failed (nothing loaded). The file version gets a new load id (ledger ``load_id``, rows'
    ``_load_id``). ``rows_read`` is what the reader counted in the file; the
    ledger keeps it as counted so that rows_read = rows_loaded + rows_duplicate + rows_rejected
    is a real check. An exception raised by ``batches`` rolls the whole file back.
    """
    if clean is not None or rejected is not None:
        batches = [(clean, rejected, rows_read)]
    loaded_at = now_utc()
    con.execute("begin transaction")
    try:
        load_id = _load_id_for(con, path, sha256, failed=error is not None)
        con.execute(f"delete from {INGEST_SCHEMA}.{entity.table} where _source_file = ?", [path])
        con.execute(f"delete from {INGEST_SCHEMA}.rejected_records where source_file = ?", [path])
        con.execute(f"delete from {INGEST_SCHEMA}.files where path = ?", [path])
        rows_loaded = rows_duplicate = rows_rejected = 0
        counted: int | None = 0
        for batch_clean, batch_rejected, batch_read in batches if error is None else ():
            loaded, duplicate = _insert_clean(
                con, entity, batch_clean, path, partition_day, loaded_at, load_id, rows_loaded > 0
            )
            rejected_now = _insert_rejected(
                con, entity, batch_rejected, path, partition_day, loaded_at
            )
            rows_loaded += loaded
            rows_duplicate += duplicate
            rows_rejected += rejected_now
            counted = None if counted is None or batch_read is None else counted + batch_read
        rows_read = rows_loaded + rows_duplicate + rows_rejected if counted is None else counted
        status = "failed" if error else "loaded"
        con.execute(
            f"insert into {INGEST_SCHEMA}.files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                path,
                entity.key,
                partition_day,
                size_bytes,
                modified_ns,
                sha256,
                rows_read,
                rows_loaded,
                rows_duplicate,
                rows_rejected,
                status,
                error,
                loaded_at,
                load_id,
            ],
        )
        crash_point("file_uncommitted")
        con.execute("commit")
        crash_point("file_committed")
    except BaseException:
        con.execute("rollback")
        raise
    return FileOutcome(path, rows_read, rows_loaded, rows_duplicate, rows_rejected, status, error)


def _insert_clean(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    clean: pl.DataFrame | None,
    path: str,
    partition_day: date | None,
    loaded_at: datetime,
    load_id: int,
    earlier_rows: bool,
) -> tuple[int, int]:
    """Insert a batch's clean rows but the copies within the file; (loaded, duplicate)."""
    if clean is None or not clean.height:
        return 0, 0
    table = f"{INGEST_SCHEMA}.{entity.table}"
    columns = _contract_columns(entity)
    # Copies within the batch: the first one (by line) is a candidate, the others are
    # duplicates. Polars finds them by hashing, cheaper than a window in the insert. Copies in
    # earlier batches of the file are in the table already (same transaction, this path's rows
    # only: the file's old rows were deleted first, and other files keep their own copies).
    batch = clean.select(*columns, "_line_number")
    if not batch.get_column("_line_number").is_sorted():
        batch = batch.sort("_line_number", maintain_order=True)
    batch = batch.filter(pl.struct(columns).is_first_distinct())
    con.register("batch", batch.to_arrow())
    try:
        column_list = ", ".join(columns)
        copies_filter, copies_params = "", []
        if earlier_rows:  # a copy in an earlier batch of this file (the only rows of this path)
            same = " and ".join(f"t.{c} is not distinct from b.{c}" for c in columns)
            copies_filter = (
                f"where not exists (select 1 from {table} as t where t._source_file = ? and {same}"
            )
            copies_params = [path]
            if "fetched_at" in columns:
                # Identical records share fetched_at: only that slice can hold one. Constant
                # bounds let DuckDB skip the row groups outside them.
                fetched_at = clean.get_column("fetched_at")
                copies_filter += " and t.fetched_at between ? and ?"
                copies_params += [fetched_at.min(), fetched_at.max()]
            copies_filter += ")"
        inserted = con.execute(
            f"""
            insert into {table}
                ({column_list}, _source_file, _partition_day, _line_number, _loaded_at, _load_id)
            select {column_list}, ?, ?, _line_number, ?, ?
            from batch as b
            {copies_filter}
            order by _line_number
            """,
            [path, partition_day, loaded_at, load_id, *copies_params],
        ).fetchone()
    finally:
        con.unregister("batch")
    rows_loaded = int(inserted[0]) if inserted else 0
    return rows_loaded, clean.height - rows_loaded


def _insert_rejected(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    rejected: pl.DataFrame | None,
    path: str,
    partition_day: date | None,
    loaded_at: datetime,
) -> int:
    if rejected is None or not rejected.height:
        return 0
    con.register(
        "quarantine",
        rejected.select("_line_number", "_raw_record", "reason", "detail").to_arrow(),
    )
    try:
        con.execute(
            f"""
            insert into {INGEST_SCHEMA}.rejected_records
            select ?, _line_number, ?, ?, reason, detail, _raw_record, ?
            from quarantine order by _line_number
            """,
            [path, entity.key, partition_day, loaded_at],
        )
    finally:
        con.unregister("quarantine")
    return rejected.height


def table_row_count(con: duckdb.DuckDBPyConnection, qualified_table: str) -> int:
    row = con.execute(f"select count(*) from {qualified_table}").fetchone()
    return int(row[0]) if row else 0


# --- API extraction: attempt log and daily request counter (pipeline/extract) ---------------

EXTRACT_LOG_DDL = f"""
create table if not exists {INGEST_SCHEMA}.extract_log (
    platform varchar not null,        -- tiktok | instagram
    day date not null,                -- the partition day the records were written under
    username varchar not null,
    api varchar,                      -- display | research | graph; NULL when skipped before any
    status varchar not null,          -- ok | skipped | failed | quota
    error_code varchar,
    error_message varchar,            -- one line; never holds a secret
    requests_used bigint not null,
    records_written bigint not null,
    landing_files varchar,            -- comma-separated, relative to the landing directory
    resume_from varchar,              -- JSON: where a quota-stopped fetch continues
    run_id varchar not null,          -- the Dagster run (or cli-<timestamp>)
    attempted_at timestamp not null
)
"""

API_REQUESTS_DDL = f"""
create table if not exists {INGEST_SCHEMA}.api_requests (
    api varchar not null,             -- tiktok_research (the quota) | tiktok_oauth_display | instagram_graph
    day date not null,                -- UTC day (quotas reset at 00:00 UTC)
    requests bigint not null,
    primary key (api, day)
)
"""

EXTRACT_LOG_COLUMNS = (
    "platform",
    "day",
    "username",
    "api",
    "status",
    "error_code",
    "error_message",
    "requests_used",
    "records_written",
    "landing_files",
    "resume_from",
    "run_id",
    "attempted_at",
)


def ensure_extract_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {INGEST_SCHEMA}")
    con.execute(EXTRACT_LOG_DDL)
    con.execute(API_REQUESTS_DDL)


def record_extract_attempts(
    con: duckdb.DuckDBPyConnection, attempts: list[dict], requests: dict[tuple[str, date], int]
) -> None:
    """Append attempts to ingest.extract_log and add to the daily request counters, in one
    transaction (Arrow in)."""
    ensure_extract_schema(con)
    con.execute("begin transaction")
    try:
        if attempts:
            batch = pl.DataFrame(
                [{c: a.get(c) for c in EXTRACT_LOG_COLUMNS} for a in attempts],
                schema={
                    "platform": pl.Utf8,
                    "day": pl.Date,
                    "username": pl.Utf8,
                    "api": pl.Utf8,
                    "status": pl.Utf8,
                    "error_code": pl.Utf8,
                    "error_message": pl.Utf8,
                    "requests_used": pl.Int64,
                    "records_written": pl.Int64,
                    "landing_files": pl.Utf8,
                    "resume_from": pl.Utf8,
                    "run_id": pl.Utf8,
                    "attempted_at": pl.Datetime("us"),
                },
            )
            con.register("attempts", batch.to_arrow())
            con.execute(f"insert into {INGEST_SCHEMA}.extract_log select * from attempts")
            con.unregister("attempts")
        for (api, day), count in requests.items():
            if count:
                con.execute(
                    f"""
                    insert into {INGEST_SCHEMA}.api_requests values (?, ?, ?)
                    on conflict (api, day) do update set requests = requests + excluded.requests
                    """,
                    [api, day, count],
                )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [INGEST_SCHEMA, table],
    ).fetchone()
    return bool(row and row[0])


def api_requests_used(con: duckdb.DuckDBPyConnection, api: str, day: date) -> int:
    if not _has_table(con, "api_requests"):
        return 0
    row = con.execute(
        f"select requests from {INGEST_SCHEMA}.api_requests where api = ? and day = ?", [api, day]
    ).fetchone()
    return int(row[0]) if row else 0


def extract_status(
    con: duckdb.DuckDBPyConnection, platform: str, day: date
) -> dict[str, tuple[str, str | None]]:
    """username -> (status, resume_from) of the latest attempt for (platform, day)."""
    if not _has_table(con, "extract_log"):
        return {}
    rows = con.execute(
        f"""
        select username, status, resume_from from {INGEST_SCHEMA}.extract_log
        where platform = ? and day = ?
        qualify row_number() over (partition by username order by attempted_at desc) = 1
        """,
        [platform, day],
    ).fetchall()
    return {username: (status, resume) for username, status, resume in rows}


def creators_to_extract(con: duckdb.DuckDBPyConnection, platform: str) -> list[str]:
    """Every active roster username of ``platform`` (the latest row per creator_id: last path,
    then later line) plus every creator_username of that platform in campaign_posts."""
    usernames: set[str] = set()
    if _has_table(con, "roster_creators"):
        column = f"{platform}_username"
        rows = con.execute(
            f"""
            with latest as (
                select {column} as username, coalesce(active, true) as active
                from {INGEST_SCHEMA}.roster_creators
                qualify row_number() over (
                    partition by creator_id order by _source_file desc, _line_number desc) = 1
            )
            select username from latest where active and username is not null
            """
        ).fetchall()
        usernames |= {r[0] for r in rows}
    if _has_table(con, "campaign_posts"):
        rows = con.execute(
            f"select distinct creator_username from {INGEST_SCHEMA}.campaign_posts"
            " where platform = ? and creator_username is not null",
            [platform],
        ).fetchall()
        usernames |= {r[0] for r in rows}
    return sorted(u for u in usernames if u)


def last_extract_problems(
    con: duckdb.DuckDBPyConnection, platform: str
) -> tuple[str | None, list[tuple[str, str, str]]]:
    """(run_id, [(username, status, error_message)]) failed or skipped in the latest run."""
    if not _has_table(con, "extract_log"):
        return None, []
    row = con.execute(
        f"select run_id from {INGEST_SCHEMA}.extract_log where platform = ?"
        " order by attempted_at desc limit 1",
        [platform],
    ).fetchone()
    if not row:
        return None, []
    problems = con.execute(
        f"""
        select username, status, coalesce(error_message, '') from {INGEST_SCHEMA}.extract_log
        where platform = ? and run_id = ? and status in ('failed', 'skipped')
        order by username
        """,
        [platform, row[0]],
    ).fetchall()
    return row[0], [(u, s, m) for u, s, m in problems]
