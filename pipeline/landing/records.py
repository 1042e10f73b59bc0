"""Raw records: every field as text, exactly as written, plus the line number and raw text;
malformed records with their reason. Shared by every reader."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import polars as pl

from pipeline.landing.contract import Entity, Kind
from pipeline.settings import DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_FILE_BYTES

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

RAW_LINE = "_line_number"
RAW_RECORD = "_raw_record"


class UnreadableFile(Exception):
    """The file as a whole cannot be read (corrupt Parquet, CSV without the required header, not
    a regular file, replaced since discovery, over a size limit): it gets a ``failed`` ledger row.
    """


# Ingesting the 30 Instagram media files of scale L (15.0M records, ~180 MB each) into a new
# warehouse: peak RSS 1,727 MiB with batches of 32 MiB, 1,563 MiB with 16 MiB (141.7 s against
# 146.6 s); 64 MiB batches peaked at 2,566 MiB in the pipeline's process (benchmarks/README.md).
# The price is time: ingesting 4 TikTok video files of L (~100 MB of JSON lines each) took 16.6 s
# in 16 MiB batches against 13.0 s in 64 MiB ones; the L full run is 3.6x the M one (target 3.3).
DEFAULT_BATCH_BYTES = 16 * 1024**2


@dataclass(frozen=True)
class ReadLimits:
    """How much of a landing file is read, and in what pieces.

    ``max_file_bytes`` (CREATOR_KPIS_MAX_FILE_BYTES): a larger file is not read. ``max_decoded_bytes``
    (CREATOR_KPIS_MAX_DECODED_BYTES): a Parquet file whose data decompresses to more is not read
    (a decompression bomb). ``batch_bytes``: files are read and cleaned in batches of about this
    much text (Parquet: of decoded data), so memory stays bounded whatever a file's size.
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    batch_bytes: int = DEFAULT_BATCH_BYTES


DEFAULT_LIMITS = ReadLimits()


@dataclass
class RawBatch:
    """A file's records as text columns (one per contract field) plus line number and raw text."""

    records: pl.DataFrame
    malformed: pl.DataFrame  # columns: _line_number, _raw_record, detail

    @property
    def rows_read(self) -> int:
        return self.records.height + self.malformed.height


def repair_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (from escapes like "\\ud83d") with U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def _as_text(value: object) -> str | None:
    """A parsed JSON/CSV value as text, exactly as written. Numbers arrive as text already."""
    if value is None:
        return None
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repair_text(json.dumps(value, ensure_ascii=False))


def as_text_list(value: object) -> list[str] | None:
    """A list field: a JSON list, a JSON-array string, or a comma-separated string."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                return [repair_text(text)]
        else:
            return [repair_text(part.strip()) for part in text.split(",") if part.strip()]
    if isinstance(value, list):
        return [t for t in (_as_text(v) for v in value) if t is not None]
    return [_as_text(value) or ""]


def loads(text: str) -> object:
    """json.loads keeping every number as its exact text."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)


class Collector:
    """Builds the text columns of a batch record by record."""

    def __init__(self, entity: Entity):
        self.entity = entity
        self.columns: dict[str, list] = {f.name: [] for f in entity.fields}
        self.line_numbers: list[int] = []
        self.raw_records: list[str] = []
        self.malformed_lines: list[int] = []
        self.malformed_raw: list[str] = []
        self.malformed_detail: list[str] = []
        self.frames: list[pl.DataFrame] = []  # already-columnar records (Parquet)

    def add(self, line_number: int, raw: str, record: dict) -> None:
        for f in self.entity.fields:
            value = record.get(f.name)
            if value is None:
                for alias in f.aliases:
                    if record.get(alias) is not None:
                        value = record[alias]
                        break
            if f.kind is Kind.TEXT_LIST:
                self.columns[f.name].append(as_text_list(value))
            else:
                self.columns[f.name].append(_as_text(value))
        self.line_numbers.append(line_number)
        self.raw_records.append(raw)

    def add_malformed(self, line_number: int, raw: str, detail: str) -> None:
        self.malformed_lines.append(line_number)
        self.malformed_raw.append(raw)
        self.malformed_detail.append(detail)

    def add_json_value(self, line_number: int, raw: str, value: object) -> None:
        if isinstance(value, dict):
            self.add(line_number, raw, value)
        else:
            self.add_malformed(
                line_number, raw, f"expected a JSON object, got {type(value).__name__}"
            )

    def batch(self) -> RawBatch:
        schema = {
            f.name: pl.List(pl.String) if f.kind is Kind.TEXT_LIST else pl.String
            for f in self.entity.fields
        }
        records = pl.DataFrame(
            {RAW_LINE: self.line_numbers, RAW_RECORD: self.raw_records} | self.columns,
            schema={RAW_LINE: pl.Int64, RAW_RECORD: pl.String} | schema,
        )
        if self.frames:
            records = pl.concat([records, *self.frames], how="vertical")
        malformed = pl.DataFrame(
            {
                RAW_LINE: self.malformed_lines,
                RAW_RECORD: self.malformed_raw,
                "detail": self.malformed_detail,
            },
            schema={RAW_LINE: pl.Int64, RAW_RECORD: pl.String, "detail": pl.String},
        )
        return RawBatch(records, malformed)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM tolerated), invalid bytes replaced with U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")
