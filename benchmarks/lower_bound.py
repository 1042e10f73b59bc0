"""The lower bound: DuckDB reads every landing file in one pass, no cleaning, no checks
(runs in its own process: ``python -m benchmarks lower-bound``)."""

from __future__ import annotations

from pathlib import Path


def lower_bound_sql(landing: Path) -> dict[str, str]:
    """Per entity table: one ``create table ... as`` reading all its files, union by name."""
    from pipeline.landing.contract import ENTITIES
    from pipeline.landing.discovery import discover

    def quoted(paths: list[Path]) -> str:
        return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"

    files = discover(landing).files
    statements = {}
    for entity in ENTITIES:
        by_kind: dict[str, list[Path]] = {}
        for f in files:
            if f.entity == entity:
                by_kind.setdefault(f.path.suffix.lower(), []).append(f.path)
        readers = []
        if ".jsonl" in by_kind:
            readers.append(
                f"read_json({quoted(by_kind['.jsonl'])}, format='newline_delimited',"
                " union_by_name=true)"
            )
        if ".json" in by_kind:
            readers.append(f"read_json({quoted(by_kind['.json'])}, union_by_name=true)")
        if ".csv" in by_kind:
            readers.append(f"read_csv({quoted(by_kind['.csv'])}, union_by_name=true)")
        if ".parquet" in by_kind:
            readers.append(f"read_parquet({quoted(by_kind['.parquet'])}, union_by_name=true)")
        if readers:
            union = " union all by name ".join(f"select * from {r}" for r in readers)
            statements[entity.table] = f"create table {entity.table} as {union}"
    return statements


def lower_bound(landing: Path, database: Path) -> dict[str, int]:
    """Run :func:`lower_bound_sql` into a new DuckDB file; rows per table."""
    import duckdb

    database.unlink(missing_ok=True)
    rows = {}
    with duckdb.connect(str(database)) as con:
        for table, sql in lower_bound_sql(landing).items():
            con.execute(sql)
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
        con.execute("checkpoint")
    return rows
