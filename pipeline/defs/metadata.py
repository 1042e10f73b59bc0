"""Materialization metadata computed from the warehouse: row counts and column schemas."""

from __future__ import annotations

import dagster as dg
import duckdb


def table_metadata(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict:
    """``dagster/row_count`` and ``dagster/column_schema`` of one warehouse table (with comments)."""
    columns = con.execute(
        """
        select column_name, data_type, coalesce(comment, '')
        from duckdb_columns()
        where schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, table],
    ).fetchall()
    if not columns:
        return {}
    count = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
    return {
        "dagster/row_count": dg.MetadataValue.int(int(count[0]) if count else 0),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name=name, type=data_type, description=comment or None)
                for name, data_type, comment in columns
            ]
        ),
        "dagster/table_name": f"{schema}.{table}",
    }
