"""Writing landing files (JSON lines, JSON arrays, CSV, Parquet) with reproducible bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO

import polars as pl

from pipeline.landing.contract import (
    ENTITIES,
    Entity,
)


def write_json_records(path: Path, records: pl.DataFrame, as_array: bool) -> None:
    """One JSON object per line (``.jsonl``), or a JSON array with one element per line."""
    with path.open("wb") as handle:
        _write_record_lines(handle, records, as_array)


def _write_record_lines(handle: IO[bytes], records: pl.DataFrame, as_array: bool) -> None:
    lines = records.select("record")
    if as_array:
        handle.write(b"[\n")
        not_last = pl.int_range(pl.len()) < pl.len() - 1
        lines = lines.select(
            pl.when(not_last).then(pl.col("record") + ",").otherwise(pl.col("record"))
        )
    # Each line is a finished JSON text without raw newlines: written as is, never quoted.
    lines.write_csv(handle, include_header=False, quote_style="never", line_terminator="\n")
    if as_array:
        handle.write(b"]\n")


def write_csv_file(path: Path, frame: pl.DataFrame) -> None:
    frame.write_csv(path, include_header=True, line_terminator="\n", quote_style="necessary")


def write_parquet_file(path: Path, frame: pl.DataFrame) -> None:
    """Fixed settings (and Parquet stores no write time), so the bytes are reproducible."""
    frame.write_parquet(
        path,
        compression="zstd",
        compression_level=3,
        statistics=True,
        row_group_size=262_144,
        use_pyarrow=False,
    )


class Tally:
    """Files and records written, per entity, in contract order."""

    def __init__(self) -> None:
        self.files = {entity.key: 0 for entity in ENTITIES}
        self.records = {entity.key: 0 for entity in ENTITIES}

    def add(self, entity: Entity, records: int) -> None:
        self.files[entity.key] += 1
        self.records[entity.key] += records


def partition_dir(landing_dir: Path, entity: Entity, day: date | None) -> Path:
    folder = landing_dir / entity.platform / entity.name
    if day is not None:
        folder = folder / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
