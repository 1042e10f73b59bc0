"""Finding landing files and reading them into raw, all-text records.

Reading never interprets values: every field comes out as text (numbers keep their exact JSON
spelling, so 19-digit IDs never pass through a float), lists as lists of text. Records that
cannot be read at all (a broken JSON line, a CSV row with the wrong number of fields) come out
as *malformed* with their line number and original text; the rest of the file still loads.
Broken Unicode (invalid UTF-8 bytes, lone surrogate escapes such as ``"\\ud83d"``) is repaired
with U+FFFD so a single bad character never costs a record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipeline.landing.contract import ENTITIES, FILE_SUFFIXES, Entity, Kind

_PARTITION_DIR = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
# JSON text holds no raw CR/LF, but may hold U+2028, U+0085, ...: str.splitlines() would split there
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

RAW_LINE = "_line_number"
RAW_RECORD = "_raw_record"


class UnreadableFile(Exception):
    """The file as a whole cannot be read (corrupt Parquet, CSV without the required header)."""


@dataclass(frozen=True)
class LandingFile:
    entity: Entity
    path: Path  # absolute
    relpath: str  # relative to the landing directory, with forward slashes
    partition_day: date | None
    size_bytes: int

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


@dataclass(frozen=True)
class StrayFile:
    """A file under the landing directory that does not fit the layout; reported, never read."""

    relpath: str
    reason: str


@dataclass
class Discovery:
    files: list[LandingFile] = field(default_factory=list)
    strays: list[StrayFile] = field(default_factory=list)

    def for_entity(self, entity: Entity, days: set[date] | None = None) -> list[LandingFile]:
        return [
            f
            for f in self.files
            if f.entity == entity and (days is None or f.partition_day in days)
        ]


def discover(landing_dir: Path) -> Discovery:
    """Every landing file, sorted by path. Symlinks that leave the landing directory are strays."""
    root = landing_dir.resolve()
    found = Discovery()
    for entity in ENTITIES:
        entity_dir = root / entity.platform / entity.name
        if not entity_dir.is_dir():
            continue
        for path in sorted(entity_dir.rglob("*")):
            relpath = path.relative_to(root).as_posix()
            if path.name.startswith("."):
                continue  # hidden files (editor swap files, .DS_Store) are not data
            if not path.resolve().is_relative_to(root):
                found.strays.append(StrayFile(relpath, "symlink pointing outside the landing dir"))
                continue
            if path.is_dir():
                continue
            if not path.exists():
                found.strays.append(StrayFile(relpath, "broken symlink"))
                continue
            if path.suffix.lower() not in FILE_SUFFIXES:
                found.strays.append(StrayFile(relpath, f"unsupported file type {path.suffix!r}"))
                continue
            parts = path.relative_to(entity_dir).parts
            partition_day = None
            if entity.dated:
                match = _PARTITION_DIR.match(parts[0]) if len(parts) == 2 else None
                if match is None:
                    found.strays.append(
                        StrayFile(relpath, "not inside a dt=YYYY-MM-DD partition folder")
                    )
                    continue
                try:
                    partition_day = date.fromisoformat(match.group(1))
                except ValueError:
                    found.strays.append(StrayFile(relpath, f"invalid partition day {parts[0]!r}"))
                    continue
            elif len(parts) != 1:
                found.strays.append(StrayFile(relpath, "campaign files are not partitioned"))
                continue
            found.files.append(
                LandingFile(entity, path, relpath, partition_day, path.stat().st_size)
            )
    return found


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


def _as_text_list(value: object) -> list[str] | None:
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


def _loads(text: str) -> object:
    """json.loads keeping every number as its exact text."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)


class _Collector:
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
                self.columns[f.name].append(_as_text_list(value))
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


def _decode(data: bytes) -> str:
    """UTF-8 (BOM tolerated), invalid bytes replaced with U+FFFD."""
    return data.decode("utf-8-sig", errors="replace")


def _read_json_lines(text: str, out: _Collector) -> None:
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue  # blank lines are not records
        try:
            value = _loads(line)
        except json.JSONDecodeError as error:
            out.add_malformed(
                number, repair_text(line), f"invalid JSON: {error.msg} at column {error.colno}"
            )
            continue
        except RecursionError:
            out.add_malformed(number, repair_text(line[:10_000]), "invalid JSON: nested too deeply")
            continue
        out.add_json_value(number, repair_text(line), value)


def _read_json_array(text: str, out: _Collector) -> None:
    """A JSON array, element by element, so one broken element keeps the ones before it."""
    decoder = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
    position = text.index("[") + 1
    element = 0
    length = len(text)

    def end_of_array(closing: int) -> None:
        rest = text[closing + 1 :].strip()
        if rest:  # e.g. two exports concatenated: never drop the second one silently
            out.add_malformed(
                element + 1,
                repair_text(rest[:10_000]),
                "unexpected content after the end of the JSON array",
            )

    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position < length and text[position] == "]":
            end_of_array(position)
            return
        element += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as error:
            message = getattr(error, "msg", "nested too deeply")
            out.add_malformed(
                element,
                repair_text(text[position : position + 10_000]),
                f"invalid JSON array element: {message}; the rest of the file is unreadable",
            )
            return
        out.add_json_value(element, repair_text(text[position:end]), value)
        position = end
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position < length and text[position] == ",":
            position += 1
        elif position < length and text[position] == "]":
            end_of_array(position)
            return
        else:
            if position < length or element:
                out.add_malformed(
                    element + 1,
                    repair_text(text[position : position + 10_000]),
                    "invalid JSON array: expected ',' or ']'; the rest of the file is unreadable",
                )
            return


def _read_csv(text: str, out: _Collector, relpath: str) -> None:
    # a field can be as long as the file (a long bio): lift the csv module's 128 KiB default
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    try:
        _read_csv_rows(text, out, relpath)
    except csv.Error as error:
        raise UnreadableFile(f"{relpath}: not a readable CSV file ({error})") from error


def _read_csv_rows(text: str, out: _Collector, relpath: str) -> None:
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None:
        return  # empty file
    header = [h.strip() for h in header]
    missing = [name for name in out.entity.required_fields if name not in header]
    if missing:
        raise UnreadableFile(
            f"{relpath}: CSV header lacks required column(s) {', '.join(missing)}"
            f" (header: {', '.join(header[:20])})"
        )
    buffer = io.StringIO()
    # the line terminator must be set for fields holding line breaks to be quoted
    writer = csv.writer(buffer, lineterminator="\n")
    for number, row in enumerate(rows, start=1):
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


def _read_parquet(path: Path, out: _Collector, relpath: str) -> None:
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
                    .map_elements(_as_text_list, return_dtype=pl.List(pl.String))
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


def read_landing_file(landing_file: LandingFile) -> RawBatch:
    """Read one landing file into text columns; raises UnreadableFile if the file cannot be read."""
    out = _Collector(landing_file.entity)
    suffix = landing_file.path.suffix.lower()
    if suffix == ".parquet":
        _read_parquet(landing_file.path, out, landing_file.relpath)
        return out.batch()
    text = _decode(landing_file.path.read_bytes())
    if suffix == ".csv":
        _read_csv(text, out, landing_file.relpath)
    elif suffix == ".json" and text.lstrip().startswith("["):
        _read_json_array(text, out)
    else:  # .jsonl, or .json holding one record per line
        _read_json_lines(text, out)
    return out.batch()
