"""Parquet files: typed columns cast to text, vectorised."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.landing.contract import Kind
from pipeline.landing.records import (
    RAW_LINE,
    RAW_RECORD,
    Collector,
    UnreadableFile,
    as_text_list,
)


def read_parquet(path: Path, out: Collector, relpath: str) -> None:
    """Parquet is typed: cast each contract column to text (lists to lists of text), vectorised."""
    try:
        frame = pl.read_parquet(path)
    except Exception as error:
        raise UnreadableFile(f"{relpath}: not a readable Parquet file ({error})") from error
    columns = []
    for f in out.entity.fields:
        source = next((n for n in (f.name, *f.aliases) if n in frame.columns), None)
        if source is None:
            dtype = pl.List(pl.String) if f.kind is Kind.TEXT_LIST else pl.String
            columns.append(pl.lit(None, dtype=dtype).alias(f.name))
        elif f.kind is Kind.TEXT_LIST:
            column = pl.col(source)
            if isinstance(frame.schema[source], pl.List):
                columns.append(column.cast(pl.List(pl.String)).alias(f.name))
            else:
                columns.append(
                    column.cast(pl.String)
                    .map_elements(as_text_list, return_dtype=pl.List(pl.String))
                    .alias(f.name)
                )
        elif frame.schema[source] == pl.String:
            columns.append(pl.col(source).alias(f.name))
        elif frame.schema[source].is_temporal():
            columns.append(pl.col(source).dt.to_string("iso").alias(f.name))
        else:
            columns.append(pl.col(source).cast(pl.String).alias(f.name))
    # Polars cannot write binary to JSON (it panics): show binary columns as base64 instead
    shown = [
        pl.col(name).bin.encode("base64") if dtype == pl.Binary else pl.col(name)
        for name, dtype in frame.schema.items()
    ]
    raw = pl.struct(shown).struct.json_encode() if frame.width else pl.lit("{}")
    try:
        records = frame.select(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(RAW_LINE),
            raw.alias(RAW_RECORD),
            *columns,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UnreadableFile(f"{relpath}: unsupported Parquet column types ({message})") from None
    out.frames.append(records)
