"""CSV files: the exact reader (row by row) and the fast one (column by column, when it gives the
same records)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

import polars as pl

from pipeline.landing.contract import Entity, Kind
from pipeline.landing.records import (
    RAW_LINE,
    RAW_RECORD,
    Collector,
    RawBatch,
    ReadLimits,
    UnreadableFile,
    as_text_list,
)


def read_csv(
    handle: BinaryIO, entity: Entity, relpath: str, limits: ReadLimits, fast: bool = True
) -> Iterator[RawBatch]:
    """The file's records, parsed row by row as a stream, in batches of about
    ``limits.batch_bytes`` of text. Each batch is built column by column when every row has the
    header's width (:func:`csv_batch_fast`), else row by row (blank and ragged rows)."""
    # a field can be as long as the file (a long bio): lift the csv module's 128 KiB default
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_file_bytes))
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    rows = csv.reader(text)
    try:
        header = next(rows, None)
        if header is None:
            return  # empty file
        header = [h.strip() for h in header]
        missing = [name for name in entity.required_fields if name not in header]
        if missing:
            raise UnreadableFile(
                f"{relpath}: CSV header lacks required column(s) {', '.join(missing)}"
                f" (header: {', '.join(header[:20])})"
            )
        body: list[list[str]] = []
        size = 0
        first_line = 1
        for row in rows:
            body.append(row)
            size += sum(map(len, row)) + len(row)
            if size >= limits.batch_bytes:
                yield _csv_batch(header, body, entity, first_line, fast)
                first_line += len(body)
                body, size = [], 0
        if body:
            yield _csv_batch(header, body, entity, first_line, fast)
    except csv.Error as error:
        raise UnreadableFile(f"{relpath}: not a readable CSV file ({error})") from None
    finally:
        text.detach()  # the caller closes the file


def _csv_batch(
    header: list[str], body: list[list[str]], entity: Entity, first_line: int, fast: bool
) -> RawBatch:
    if fast and all(len(row) == len(header) for row in body):
        records = csv_batch_fast(header, body, entity, first_line)
        return RawBatch(records, Collector(entity).batch().malformed)
    out = Collector(entity)
    _add_csv_rows(header, body, out, first_line)
    return out.batch()


def _add_csv_rows(
    header: list[str], body: list[list[str]], out: Collector, first_line: int
) -> None:
    buffer = io.StringIO()
    # the line terminator must be set for fields holding line breaks to be quoted
    writer = csv.writer(buffer, lineterminator="\n")
    for number, row in enumerate(body, start=first_line):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        raw = buffer.getvalue().removesuffix("\n")
        if not row:
            continue  # a blank line is not a record
        if len(row) != len(header):
            out.add_malformed(
                number, raw, f"CSV row has {len(row)} fields, the header has {len(header)}"
            )
            continue
        record = {name: (cell if cell != "" else None) for name, cell in zip(header, row)}
        out.add(number, raw, record)


def read_csv_fast(text: str, entity: Entity) -> pl.DataFrame | None:
    """A CSV file's records built column by column, or None when the exact reader must read it.

    Parsed by the same ``csv`` module as the exact reader; taken when every row has the header's
    width (no blank or ragged rows) and the header has every required column. Each raw record is
    written back by the same ``csv.writer``, so it is the exact reader's text.
    """
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    width = len(header)
    if any(name not in header for name in entity.required_fields):
        return None
    if any(len(row) != width for row in body):
        return None
    return csv_batch_fast(header, body, entity, 1)


def csv_batch_fast(
    header: list[str], body: list[list[str]], entity: Entity, first_line: int
) -> pl.DataFrame:
    """Rows that all have the header's width, built into the batch's columns at once."""
    position = {name: index for index, name in enumerate(header)}  # the last one of a name wins
    cells = list(zip(*body))
    columns: dict[str, pl.Series] = {}

    def column(name: str) -> pl.Expr | None:
        if name not in position:
            return None
        if name not in columns:
            values = pl.Series(name, cells[position[name]], dtype=pl.String)
            columns[name] = values.replace("", None)
        return pl.col(name)

    values = []
    for f in entity.fields:
        sources = [c for c in (column(n) for n in (f.name, *f.aliases)) if c is not None]
        if f.kind is Kind.TEXT_LIST:
            value = pl.lit(None, dtype=pl.String) if not sources else pl.coalesce(sources)
            value = value.map_elements(as_text_list, return_dtype=pl.List(pl.String))
        elif not sources:
            value = pl.lit(None, dtype=pl.String)
        else:
            value = pl.coalesce(sources) if len(sources) > 1 else sources[0]
        values.append(value.alias(f.name))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(body)
    written = buffer.getvalue()
    raw = written.split("\n")[:-1] if "\r" not in written else None
    if raw is None or len(raw) != len(body):  # a field holds a line break: row by row
        raw = []
        for row in body:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(row)
            raw.append(buffer.getvalue().removesuffix("\n"))
    frame = pl.DataFrame(list(columns.values())) if columns else pl.DataFrame()
    return frame.select(
        pl.int_range(first_line, first_line + len(body), dtype=pl.Int64).alias(RAW_LINE)
        if columns
        else pl.Series(RAW_LINE, range(first_line, first_line + len(body)), dtype=pl.Int64),
        pl.Series(RAW_RECORD, raw, dtype=pl.String),
        *values,
    )
