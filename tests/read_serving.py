"""Read a serving file the way an analyst's client does, with whatever DuckDB runs this script.

Run by tests/test_serving_compat.py with DuckDB 1.x's own Python package in an isolated venv
(and with the project's DuckDB 2.x), so it imports nothing but duckdb and the standard library.
Prints one JSON document: the DuckDB version, and for every table of schema ``marts`` its
comment, its columns (name, type, comment) and all its rows (values as text).

    python tests/read_serving.py /path/to/creator_kpis.duckdb
"""

import json
import sys

import duckdb


def read(path: str) -> dict:
    con = duckdb.connect(path, read_only=True)
    try:
        tables = con.execute(
            "select table_name, comment from duckdb_tables()"
            " where schema_name = 'marts' order by table_name"
        ).fetchall()
        result = {"duckdb": duckdb.__version__, "tables": {}}
        for table, comment in tables:
            columns = con.execute(
                "select column_name, data_type, comment from duckdb_columns()"
                " where schema_name = 'marts' and table_name = ? order by column_index",
                [table],
            ).fetchall()
            rows = con.execute(f'select * from marts."{table}" order by all').fetchall()
            result["tables"][table] = {
                "comment": comment,
                "columns": [list(column) for column in columns],
                "rows": [[None if v is None else str(v) for v in row] for row in rows],
            }
        return result
    finally:
        con.close()


if __name__ == "__main__":
    json.dump(read(sys.argv[1]), sys.stdout)
