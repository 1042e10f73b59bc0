"""Materialization metadata computed from the warehouse: row counts and column schemas."""

from __future__ import annotations

import re
from decimal import Decimal

import dagster as dg
import duckdb

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")


def slack_escape(text: str) -> str:
    """Text from data (file names, usernames, errors) inside a Slack mrkdwn message: ``&``, ``<``
    and ``>`` as entities, so ``<!channel>`` or ``<https://evil|click>`` show as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_escape(text: str) -> str:
    """Text from data inside Markdown shown by the Dagster UI: every character that could start
    markup (links, emphasis, code, HTML, tables) backslash-escaped; line breaks as spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def text_table(columns: list[str], rows: list[tuple]) -> dg.MetadataValue:
    """Rows as Dagster table metadata (the UI shows it as a table, nothing in it is markup)."""
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord({name: _cell(value) for name, value in zip(columns, row)})
            for row in rows
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn(name, _cell_type([row[i] for row in rows]))
                for i, name in enumerate(columns)
            ]
        ),
    )


def _cell(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _cell_type(values: list) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if present and all(isinstance(v, (int, float, Decimal)) for v in present):
        return "float"
    return "string"


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
