"""Parquet files: typed columns cast to text, vectorised, a bounded batch of rows at a time.

The file's metadata says how large its data is once decompressed: a file over
``ReadLimits.max_decoded_bytes`` (a decompression bomb) is not read, and the bound is enforced
again on the decoded batches in case the metadata lies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.landing.contract import Entity, Kind
from pipeline.landing.records import (
    RAW_LINE,
    RAW_RECORD,
    RawBatch,
    ReadLimits,
    UnreadableFile,
    as_text_list,
)

ARROW_BATCH_ROWS = 4096  # rows decoded at a time; batches are gathered up to batch_bytes


def read_parquet(
    handle: BinaryIO, entity: Entity, relpath: str, limits: ReadLimits
) -> Iterator[RawBatch]:
    """The file's records in batches of about ``limits.batch_bytes`` of decoded data.

    Text columns are read dictionary-encoded, so a value repeated a million times is measured
    (the sum of its lengths) before it is expanded: a file whose decoded size passes
    ``limits.max_decoded_bytes`` fails before its data is ever held in memory.
    """
    try:
        schema = pq.read_schema(handle)
        handle.seek(0)
        text_columns = [
            field.name
            for field in schema
            if pa.types.is_string(field.type)
            or pa.types.is_large_string(field.type)
            or pa.types.is_binary(field.type)
            or pa.types.is_large_binary(field.type)
        ]
        parquet = pq.ParquetFile(handle, read_dictionary=text_columns)
        metadata = parquet.metadata
        stored = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    except Exception as error:
        raise UnreadableFile(f"{relpath}: not a readable Parquet file ({error})") from None
    _check_decoded(stored, relpath, limits)
    first_line = 1
    decoded = 0
    pending: list[pa.RecordBatch] = []
    pending_bytes = 0
    batches = parquet.iter_batches(batch_size=ARROW_BATCH_ROWS)
    while True:
        try:
            arrow_batch = next(batches, None)
        except Exception as error:
            raise UnreadableFile(f"{relpath}: not a readable Parquet file ({error})") from None
        if arrow_batch is not None:
            size = _decoded_bytes(arrow_batch)
            decoded += size
            _check_decoded(decoded, relpath, limits)
            pending.append(arrow_batch)
            pending_bytes += size
            if pending_bytes < limits.batch_bytes:
                continue
        if not pending:
            return
        try:
            frame = _as_frame(pending, schema)
        except Exception as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise UnreadableFile(f"{relpath}: unsupported Parquet columns ({message})") from None
        yield RawBatch(_as_text_records(frame, entity, relpath, first_line), _no_malformed())
        first_line += frame.height
        pending, pending_bytes = [], 0
        if arrow_batch is None:
            return


def _decoded_bytes(batch: pa.RecordBatch) -> int:
    """The batch's size once every dictionary-encoded column is expanded."""
    total = 0
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            lengths = pc.binary_length(column.dictionary).take(column.indices)
            total += int(pc.sum(lengths).as_py() or 0) + 8 * len(column)
        else:
            total += column.nbytes
    return total


def _as_frame(batches: list[pa.RecordBatch], schema: pa.Schema) -> pl.DataFrame:
    """The batches as one Polars frame with the file's own column types (dictionaries expanded
    unless the file stored a dictionary type)."""
    table = pa.Table.from_batches(batches)
    plain = pa.schema(
        [
            schema.field(name) if pa.types.is_dictionary(field.type) else field
            for name, field in zip(table.schema.names, table.schema)
        ]
    )
    frame = pl.from_arrow(table.cast(plain))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _check_decoded(decoded: int, relpath: str, limits: ReadLimits) -> None:
    if decoded > limits.max_decoded_bytes:
        raise UnreadableFile(
            f"{relpath}: its data decompresses to more than {limits.max_decoded_bytes:,} bytes"
            f" (at least {decoded:,}), the limit (CREATOR_KPIS_MAX_DECODED_BYTES); not read:"
            " split the file or raise the limit"
        )


def _no_malformed() -> pl.DataFrame:
    return pl.DataFrame(schema={RAW_LINE: pl.Int64, RAW_RECORD: pl.String, "detail": pl.String})


def _as_text_records(
    frame: pl.DataFrame, entity: Entity, relpath: str, first_line: int
) -> pl.DataFrame:
    """Parquet is typed: cast each contract column to text (lists to lists of text), vectorised."""
    columns = []
    for f in entity.fields:
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
        return frame.select(
            pl.int_range(first_line, first_line + pl.len(), dtype=pl.Int64).alias(RAW_LINE),
            raw.alias(RAW_RECORD),
            *columns,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UnreadableFile(f"{relpath}: unsupported Parquet column types ({message})") from None
