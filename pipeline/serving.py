"""Publishing the marts to the serving file that BI tools and notebooks read.

DuckDB lets one process write a file or many processes read it, never both. So the warehouse
stays private to the pipeline, and after every successful build the marts are published to a
separate serving file (``CREATOR_KPIS_SERVING``):

1. a new DuckDB file is written next to it (``<serving>.tmp-<run id>``), attached in the storage
   format of ``CREATOR_KPIS_SERVING_STORAGE_VERSION`` (default v1.1.0, which every DuckDB from 1.1 on and
   2.x client reads): schema ``marts`` with a copy of every table of the warehouse's ``marts``
   schema (the warehouse attached READ_ONLY), their table and column comments, and the one-row
   ``marts.publication`` table;
2. the new file is checkpointed and closed (no WAL left), then made read-only (mode 0444);
3. it is renamed over the serving file with ``os.replace``, atomic on POSIX.

The pipeline never opens the serving file itself, so readers can neither block nor break a
publish. A reader that already has the old file open keeps reading it: its open file descriptor
still points at the old inode, a complete, consistent publication. A connection opened after the
rename gets the new file. A publish that fails removes its temporary file and leaves the
previous serving file untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipeline.crash_points import crash_point
from pipeline.settings import (
    DEFAULT_SERVING_STORAGE_VERSION,
    SERVING_FILE_NAME,
    SERVING_STORAGE_VERSION_VAR,
    SERVING_VAR,
    WAREHOUSE_VAR,
    OperatorError,
    make_folder,
)
from pipeline.warehouse import INGEST_SCHEMA, MARTS_SCHEMA

PUBLICATION_TABLE = "publication"
REJECTIONS_TABLE = "publication_rejections"  # the ledger's summary of the publishing run
WAREHOUSE_ALIAS = "publish_source"  # the warehouse, attached to the new file's connection
PUBLISHED_ALIAS = "publication_file"  # the new file, attached in the serving storage format
OLDEST_STORAGE_VERSION = (1, 0, 0)  # DuckDB writes format 64 for anything older: say so instead
PARTITION_DAY_COLUMN = "_partition_day"  # lineage column of every dated ingest table

PUBLICATION_COMMENT = (
    "One row describing this publication of the marts: the pipeline run that published it, when,"
    " the latest day of data it contains, and the row count of every mart (column <mart>_rows)."
    " Read it in the same query as the marts to know which publication you are looking at."
)
REJECTIONS_COMMENT = (
    "Records the pipeline run that published this file rejected (quarantined) while reading the"
    " landing zone, per entity and reason, from the warehouse's ingest ledger"
    " (ingest.rejected_records). No rows: that run rejected nothing (or read no new file)."
)
REJECTIONS_COLUMN_COMMENTS = {
    "run_id": "Dagster run id of the pipeline run that published this file.",
    "entity": "Landing entity of the rejected records (tiktok.videos, instagram.posts, ...).",
    "reason": "Why the records were rejected (the quarantine reason code).",
    "records": "Records of this entity rejected for this reason by the run.",
}
PUBLICATION_COLUMN_COMMENTS = {
    "run_id": "Dagster run id of the pipeline run that published this file.",
    "published_at": "When this file was published (UTC).",
    "latest_data_day": (
        "Latest landing partition day (dt=) of any TikTok or Instagram record in the warehouse"
        " at publication; NULL when there is none."
    ),
}


@dataclass(frozen=True)
class Publication:
    """What one publish wrote."""

    path: Path
    run_id: str
    published_at: datetime
    latest_data_day: date | None
    mart_rows: dict[str, int]
    rejected_records: int = 0  # by the publishing run (marts.publication_rejections)


def quote_identifier(name: str) -> str:
    """A SQL identifier in double quotes (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A SQL string literal in single quotes (embedded quotes doubled). COMMENT ON takes no
    parameters, so comment texts go through here and never into SQL unescaped."""
    return "'" + text.replace("'", "''") + "'"


def rows_column(mart: str) -> str:
    """The ``marts.publication`` column that holds a mart's row count."""
    return f"{mart}_rows"


def duckdb_catalog_name(path: Path) -> str:
    """The name DuckDB gives a database file's catalog: the file name up to its first dot."""
    return path.name.split(".", 1)[0]


def staging_path(serving: Path, run_id: str) -> Path:
    """Where a publish writes the new file before renaming it over ``serving``."""
    safe_run_id = re.sub(r"[^A-Za-z0-9_-]", "_", run_id) or "run"
    return serving.with_name(f"{serving.name}.tmp-{safe_run_id}")


def check_storage_version(version: str) -> str:
    """``version`` if DuckDB can write the serving file in it, else one OperatorError line."""
    known = True
    with closing(duckdb.connect()) as con:
        try:
            con.execute(f"attach ':memory:' as probe (storage_version {quote_literal(version)})")
        except duckdb.Error:
            known = False
    match = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", version)
    too_old = match is not None and tuple(map(int, match.groups())) < OLDEST_STORAGE_VERSION
    if not known or too_old or (match is None and version != "latest"):
        raise OperatorError(
            f"{SERVING_STORAGE_VERSION_VAR}={version!r} is not a DuckDB storage version the"
            f" serving file can be written in: use {DEFAULT_SERVING_STORAGE_VERSION} (read by"
            " DuckDB 1.1 and later), a later DuckDB release such as v1.2.0, or latest"
        )
    return version


def publish_marts(
    warehouse: Path,
    serving: Path,
    run_id: str,
    *,
    lock_wait_seconds: float = 0,
    storage_version: str = DEFAULT_SERVING_STORAGE_VERSION,
    run_started_at: datetime | None = None,
    marts: Sequence[str] | None = None,
) -> Publication:
    """Copy ``marts`` (the marts the dbt project defines; default: every table of the
    warehouse's ``marts`` schema) to a new file in the storage format of ``storage_version``,
    then rename it over ``serving``. A table left in the warehouse by a dropped or renamed model
    is not published. On any failure the temporary file is removed and ``serving`` is
    unchanged. Records the ledger rejected from ``run_started_at`` (naive UTC) on are summarised
    in ``marts.publication_rejections``."""
    _check_paths(warehouse, serving)
    check_storage_version(storage_version)
    staging = staging_path(serving, run_id)
    _remove_database_files(staging)
    try:
        with closing(duckdb.connect()) as con:
            con.execute(
                f"attach {quote_literal(str(staging))} as {PUBLISHED_ALIAS}"
                f" (storage_version {quote_literal(storage_version)})"
            )
            con.execute(f"use {PUBLISHED_ALIAS}")
            _attach_read_only(con, warehouse, lock_wait_seconds)
            present = _warehouse_marts(con)
            missing = sorted(set(marts or ()) - set(present))
            if missing:
                raise OperatorError(
                    f"warehouse {warehouse} lacks the mart(s) {', '.join(missing)} of the dbt"
                    " project: build them first (python -m pipeline run)"
                )
            marts = sorted(marts) if marts is not None else present
            if not marts:
                raise OperatorError(
                    f"warehouse {warehouse} has no tables in schema {MARTS_SCHEMA}: nothing to"
                    " publish; build the marts first (python -m pipeline run)"
                )
            for reserved in (PUBLICATION_TABLE, REJECTIONS_TABLE):
                if reserved in marts:
                    raise OperatorError(
                        f"warehouse {warehouse} has a mart named {reserved!r}, the name of a"
                        " publication table of the serving file: rename the model"
                    )
            con.execute(f"create schema {MARTS_SCHEMA}")
            mart_rows = {mart: _copy_mart(con, mart) for mart in marts}
            latest_data_day = _latest_data_day(con)
            published_at = datetime.now(UTC).replace(tzinfo=None)
            _write_publication(con, run_id, published_at, latest_data_day, mart_rows)
            rejected = _write_rejections(con, run_id, run_started_at or published_at)
            con.execute(f"detach {WAREHOUSE_ALIAS}")
            con.execute(f"checkpoint {PUBLISHED_ALIAS}")
            con.execute("use memory")
            con.execute(f"detach {PUBLISHED_ALIAS}")
        wal = staging.with_name(staging.name + ".wal")
        if wal.exists():  # everything must be in the one file that is renamed
            raise RuntimeError(f"{wal} left after checkpoint and close")
        staging.chmod(0o444)  # readers only: a read-write open (which would lock) fails at once
        crash_point("before_publish_rename")
        os.replace(staging, serving)
    except BaseException:
        _remove_database_files(staging)
        raise
    _sync_folder(serving.parent)
    return Publication(serving, run_id, published_at, latest_data_day, mart_rows, rejected)


def _check_paths(warehouse: Path, serving: Path) -> None:
    if not warehouse.is_file():
        raise OperatorError(
            f"warehouse {warehouse} does not exist: nothing to publish; run the pipeline first"
            f" or set {WAREHOUSE_VAR}"
        )
    if duckdb_catalog_name(serving).lower() == MARTS_SCHEMA:
        raise OperatorError(
            f"serving file {serving}: DuckDB would name its catalog {MARTS_SCHEMA!r}, which makes"
            f" every {MARTS_SCHEMA}.<table> reference ambiguous; set {SERVING_VAR} to a file whose"
            f" name does not start with '{MARTS_SCHEMA}.' (e.g. {SERVING_FILE_NAME})"
        )
    folder = serving.parent
    make_folder(folder, "serving", SERVING_VAR)
    if not os.access(folder, os.W_OK):
        raise OperatorError(
            f"serving folder {folder} is not writable: fix its permissions or set {SERVING_VAR}"
        )


def _attach_read_only(
    con: duckdb.DuckDBPyConnection, warehouse: Path, lock_wait_seconds: float
) -> None:
    """Attach the warehouse READ_ONLY, waiting out a brief write lock held by another process."""
    deadline = time.monotonic() + lock_wait_seconds
    while True:
        try:
            con.execute(f"attach {quote_literal(str(warehouse))} as {WAREHOUSE_ALIAS} (read_only)")
            return
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                first_line = str(error).splitlines()[0][:160]
                raise OperatorError(
                    f"cannot read warehouse {warehouse} to publish the marts ({first_line}):"
                    " wait for the process holding it to finish, or close it"
                ) from None
            time.sleep(0.5)


def _warehouse_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """
        select table_name from duckdb_tables()
        where database_name = ? and schema_name = ? and not temporary
        order by table_name
        """,
        [WAREHOUSE_ALIAS, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _copy_mart(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    """Copy one mart (rows in their order, column names and types, comments); its row count."""
    target = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
    source = f"{WAREHOUSE_ALIAS}.{MARTS_SCHEMA}.{quote_identifier(mart)}"
    con.execute(f"create table {target} as select * from {source}")
    _copy_comments(con, mart)
    count = con.execute(f"select count(*) from {target}").fetchone()
    return int(count[0]) if count else 0


def _copy_comments(con: duckdb.DuckDBPyConnection, mart: str) -> None:
    """The warehouse's table and column comments (dbt persist_docs) onto the copy."""
    table = con.execute(
        """
        select comment from duckdb_tables()
        where database_name = ? and schema_name = ? and table_name = ?
        """,
        [WAREHOUSE_ALIAS, MARTS_SCHEMA, mart],
    ).fetchone()
    columns = con.execute(
        """
        select column_name, comment from duckdb_columns()
        where database_name = ? and schema_name = ? and table_name = ? and comment is not null
        order by column_index
        """,
        [WAREHOUSE_ALIAS, MARTS_SCHEMA, mart],
    ).fetchall()
    _comment(con, mart, table[0] if table else None, dict(columns))


def _comment(
    con: duckdb.DuckDBPyConnection, table: str, description: str | None, columns: dict[str, str]
) -> None:
    qualified = f"{MARTS_SCHEMA}.{quote_identifier(table)}"
    if description:
        con.execute(f"comment on table {qualified} is {quote_literal(description)}")
    for column, text in columns.items():
        if text:
            con.execute(
                f"comment on column {qualified}.{quote_identifier(column)} is {quote_literal(text)}"
            )


def _latest_data_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The greatest partition day of any record in the warehouse's dated ingest tables."""
    tables = con.execute(
        """
        select table_name from duckdb_columns()
        where database_name = ? and schema_name = ? and column_name = ?
        order by table_name
        """,
        [WAREHOUSE_ALIAS, INGEST_SCHEMA, PARTITION_DAY_COLUMN],
    ).fetchall()
    if not tables:
        return None
    maxima = " union all ".join(
        f"select max({PARTITION_DAY_COLUMN}) as day"
        f" from {WAREHOUSE_ALIAS}.{INGEST_SCHEMA}.{quote_identifier(table)}"
        for (table,) in tables
    )
    row = con.execute(f"select max(day) from ({maxima})").fetchone()
    return row[0] if row else None


def _write_publication(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    published_at: datetime,
    latest_data_day: date | None,
    mart_rows: dict[str, int],
) -> None:
    marts: Sequence[str] = sorted(mart_rows)
    columns = ["run_id varchar", "published_at timestamp", "latest_data_day date"]
    columns += [f"{quote_identifier(rows_column(mart))} bigint" for mart in marts]
    table = f"{MARTS_SCHEMA}.{PUBLICATION_TABLE}"
    con.execute(f"create table {table} ({', '.join(columns)})")
    placeholders = ", ".join("?" for _ in range(3 + len(marts)))
    con.execute(
        f"insert into {table} values ({placeholders})",
        [run_id, published_at, latest_data_day, *(mart_rows[mart] for mart in marts)],
    )
    column_comments = dict(PUBLICATION_COLUMN_COMMENTS)
    for mart in marts:
        column_comments[rows_column(mart)] = f"Rows in {MARTS_SCHEMA}.{mart} in this publication."
    _comment(con, PUBLICATION_TABLE, PUBLICATION_COMMENT, column_comments)


def _write_rejections(con: duckdb.DuckDBPyConnection, run_id: str, since: datetime) -> int:
    """``marts.publication_rejections``: the ledger's rejected records from ``since`` on, per
    entity and reason; the total."""
    table = f"{MARTS_SCHEMA}.{REJECTIONS_TABLE}"
    con.execute(
        f"create table {table} (run_id varchar, entity varchar, reason varchar, records bigint)"
    )
    has_ledger = con.execute(
        """
        select count(*) from duckdb_tables()
        where database_name = ? and schema_name = ? and table_name = 'rejected_records'
        """,
        [WAREHOUSE_ALIAS, INGEST_SCHEMA],
    ).fetchone()
    if has_ledger and has_ledger[0]:
        con.execute(
            f"""
            insert into {table}
            select ?, entity, reason, count(*)
            from {WAREHOUSE_ALIAS}.{INGEST_SCHEMA}.rejected_records
            where rejected_at >= ?
            group by entity, reason
            order by entity, reason
            """,
            [run_id, since],
        )
    _comment(con, REJECTIONS_TABLE, REJECTIONS_COMMENT, REJECTIONS_COLUMN_COMMENTS)
    total = con.execute(f"select coalesce(sum(records), 0) from {table}").fetchone()
    return int(total[0]) if total else 0


def _remove_database_files(path: Path) -> None:
    """A DuckDB file with its WAL and spill folder, if present."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
