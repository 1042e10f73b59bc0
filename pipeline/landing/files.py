"""Finding landing files and reading them into raw, all-text records.

Reading never interprets values: every field comes out as text (numbers keep their exact JSON
spelling, so 19-digit IDs never pass through a float), lists as lists of text. Records that
cannot be read at all (a broken JSON line, a CSV row with the wrong number of fields) come out
as *malformed* with their line number and original text; the rest of the file still loads.
Broken Unicode (invalid UTF-8 bytes, lone surrogate escapes such as ``"\\ud83d"``) is repaired
with U+FFFD so a single bad character never costs a record.

Speed: JSON files and CSV files have a *fast path* and an *exact path*. The exact path reads
record by record in Python (``json`` keeping every number's spelling, the ``csv`` module) and
handles every oddity. The fast path lets Polars parse a whole JSON file, or builds a CSV file's
columns at once, and is taken only when cheap checks over the file prove that it gives exactly
what the exact path would give (well-formed lines, numbers that are plain integers, no
duplicate or escaped keys, no lone surrogates, ...); otherwise, or if Polars rejects anything,
the file is read by the exact path. Both give identical batches (tests/test_fast_paths.py).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
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
                found.strays.append(
                    StrayFile(relpath, f"{entity.platform.rstrip('s')} files are not partitioned")
                )
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


def _read_csv_fast(text: str, entity: Entity) -> pl.DataFrame | None:
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
            value = value.map_elements(_as_text_list, return_dtype=pl.List(pl.String))
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
        pl.int_range(1, len(body) + 1, dtype=pl.Int64).alias(RAW_LINE)
        if columns
        else pl.Series(RAW_LINE, range(1, len(body) + 1), dtype=pl.Int64),
        pl.Series(RAW_RECORD, raw, dtype=pl.String),
        *values,
    )


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


# --- fast path for JSON: Polars parses the whole file --------------------------------------------

_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
# Python's json gives up at ~1000 levels, Polars at 1024: records nested deeper than this
# (counting every opening bracket) take the exact path.
_FAST_MAX_OPENINGS = 200


@dataclass(frozen=True)
class _FastJsonRules:
    """Per entity: the Polars schema of the fast path and the regexes of its checks."""

    schema: dict[str, pl.DataType]
    unsafe: str  # a contract value Polars would not spell as Python does, or an escaped key
    keys: str  # any contract key (for duplicates)
    null_keys: str  # any contract key with the value null
    list_keys: str  # a list field's key
    list_safe: str  # a list field holding null or a list of strings only


@cache
def _fast_json_rules(entity: Entity) -> _FastJsonRules:
    schema: dict[str, pl.DataType] = {}
    scalar_keys, list_keys = [], []
    for f in entity.fields:
        for name in (f.name, *f.aliases):
            is_list = f.kind is Kind.TEXT_LIST
            schema[name] = pl.List(pl.String) if is_list else pl.String
            (list_keys if is_list else scalar_keys).append(re.escape(name))
    scalar = "|".join(scalar_keys)
    lists = "|".join(list_keys) or r"[^\s\S]"  # no list field: matches nothing
    # Polars spells integers exactly (up to 19 digits, 18 when negative) but not decimals,
    # exponents or -0, and writes nested values in its own way; keys with escapes could hide
    # duplicates. Any of these in a record sends the file to the exact path.
    unsafe = (
        rf'"(?:{scalar})"\s*:\s*(?:[\[{{]|-?[0-9]+[.eE]|-0(?:[^0-9]|$)|[0-9]{{20}}|-[0-9]{{19}})'
        r'|[{,]\s*"[^"]*\\'
    )
    return _FastJsonRules(
        schema=schema,
        unsafe=unsafe,
        keys=rf'"(?:{scalar}|{lists})"\s*:',
        null_keys=rf'"(?:{scalar}|{lists})"\s*:\s*null',
        list_keys=rf'"(?:{lists})"\s*:',
        list_safe=(
            rf'"(?:{lists})"\s*:\s*(?:null|\[\s*(?:{_JSON_STRING}\s*'
            rf"(?:,\s*{_JSON_STRING}\s*)*)?\])"
        ),
    )


@dataclass
class _Elements:
    numbers: pl.Series  # line numbers (JSON lines) or element numbers (JSON array), from 1
    texts: pl.Series  # each record's text
    all_lines: bool  # the records are all the lines of the file but an empty last one


def _json_lines_elements(lines: pl.Series) -> _Elements:
    """The non-blank lines of a JSON-lines file, with their line numbers.

    Polars' notion of blank is a subset of Python's (str.strip), which the exact reader uses: a
    line blank for Python only (e.g. U+001C) stays a record here, and Polars then fails to parse
    it, which sends the file to the exact reader.
    """
    numbered = pl.DataFrame([lines.alias(RAW_RECORD)]).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(RAW_LINE)
    )
    records = numbered.filter(pl.col(RAW_RECORD).str.strip_chars() != "")
    all_lines = records.height == lines.len() or (
        records.height == lines.len() - 1 and lines[-1] == ""
    )
    return _Elements(records[RAW_LINE], records[RAW_RECORD], all_lines)


def _json_array_elements(lines: pl.Series) -> _Elements | None:
    """The elements of a JSON array written one element per line, else None.

    The layout ``[`` / ``{...},`` ... ``{...}`` / ``]`` (a trailing comma allowed, as the exact
    reader allows it); anything else (several elements on a line, an element over several
    lines, text after the array) is left to the exact reader.
    """
    lines = lines.str.strip_chars(" \t")  # the exact reader skips only these blanks
    body = lines.filter(lines != "")
    if body.len() < 2 or body[0] != "[" or body[-1] != "]":
        return None
    elements = pl.DataFrame([body.slice(1, body.len() - 2)]).select(
        pl.first().str.ends_with(",").alias("comma"),
        pl.first().str.strip_suffix(",").str.strip_chars_end(" \t").alias(RAW_RECORD),
    )
    texts = elements[RAW_RECORD]
    if not elements["comma"].head(elements.height - 1).all():
        return None  # a missing comma: the exact reader reports where the array breaks
    if not (texts.str.starts_with("{") & texts.str.ends_with("}")).all():
        return None
    numbers = pl.int_range(1, texts.len() + 1, dtype=pl.Int64, eager=True).alias(RAW_LINE)
    return _Elements(numbers, texts, all_lines=False)


def _json_is_array(data: bytes) -> bool | None:
    """Whether a .json file holds an array (the exact reader: text.lstrip().startswith("[")),
    decided on the bytes when the first non-blank byte is ASCII; None when it is not."""
    first = data.lstrip()[:1]
    if first == b"[":
        return True
    if first and first < b"\x80" and first not in b"\x1c\x1d\x1e\x1f":
        return False  # Python's str.lstrip would stop at this character too
    return None


def _read_json_fast(data: bytes, entity: Entity, as_array: bool) -> pl.DataFrame | None:
    """The records of a JSON file parsed by Polars, or None when the exact reader must read it.

    ``data`` is the file's bytes without a BOM. Every check is conservative: a file that merely
    *might* read differently goes to the exact reader, which is slower but handles everything.
    """
    whole = pl.Series("text", [data], dtype=pl.Binary)
    has_cr, has_escape, has_null = (
        pl.DataFrame([whole])
        .select(
            pl.first().bin.contains(b"\r").alias("cr"),
            pl.first().bin.contains(b"\\u").alias("escape"),
            pl.first().bin.contains(b"null").alias("null"),
        )
        .row(0)
    )
    if has_escape and not _surrogate_escapes_paired(data):
        return None  # lone surrogates are repaired with U+FFFD by the exact reader only
    try:
        if has_cr:  # CRLF or CR line breaks: split where the exact reader splits
            lines = pl.Series("line", _LINE_BREAK.split(data.decode("utf-8")), dtype=pl.String)
        else:
            lines = whole.cast(pl.String).str.split("\n").explode()
    except (UnicodeDecodeError, pl.exceptions.PolarsError):
        return None  # invalid UTF-8: the exact reader repairs it
    found = _json_array_elements(lines) if as_array else _json_lines_elements(lines)
    if found is None or found.texts.len() == 0:
        return None
    rules = _fast_json_rules(entity)
    raw = found.texts
    record = pl.col(RAW_RECORD)
    checks = pl.DataFrame([raw]).select(  # evaluated in parallel
        record.str.contains(rules.unsafe).any().alias("unsafe"),
        record.str.count_matches(r"[\[{]").max().alias("openings"),
        record.str.count_matches(rules.list_keys).sum().alias("list_keys"),
        record.str.count_matches(rules.list_safe).sum().alias("list_safe"),
        record.str.count_matches(rules.keys).alias("keys"),
        (
            record.str.count_matches(rules.null_keys)
            if has_null
            else pl.repeat(0, pl.len(), dtype=pl.UInt32)
        ).alias("null_keys"),
    )
    unsafe, openings, list_keys, list_safe = checks.select(
        pl.first("unsafe", "openings", "list_keys", "list_safe")
    ).row(0)
    if unsafe or openings > _FAST_MAX_OPENINGS or list_keys != list_safe:
        return None
    if found.all_lines and not has_cr:
        source = data
    else:
        source = raw.str.join("\n").cast(pl.Binary).item()
    try:
        parsed = pl.read_ndjson(io.BytesIO(source), schema=rules.schema, ignore_errors=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, ValueError):
        return None
    if parsed.height != raw.len():
        return None
    # Duplicate keys (Python keeps the last value, Polars the first): every contract key written
    # in a record is one of its non-null values or one written with null, unless one is repeated.
    keys_accounted = (
        parsed.select(pl.sum_horizontal(pl.all().is_not_null().cast(pl.UInt32))).to_series()
        + checks["null_keys"]
    )
    if (checks["keys"] != keys_accounted).any():
        return None
    columns = []
    for f in entity.fields:
        names = [f.name, *f.aliases]
        value = pl.coalesce(names) if len(names) > 1 else pl.col(f.name)
        columns.append(value.alias(f.name))
    return parsed.select(found.numbers, raw, *columns)


_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_PAIR_BYTES = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _surrogate_escapes_paired(data: bytes) -> bool:
    """True when every surrogate escape is half of a well-formed pair (and none is escaped)."""
    escapes = len(_SURROGATE_ESCAPE_BYTES.findall(data))
    if not escapes:
        return True
    if b"\\\\" in data:
        return False  # an escaped backslash could make "\\ud83d" text, not an escape
    return 2 * len(_SURROGATE_PAIR_BYTES.findall(data)) == escapes


def read_landing_file(landing_file: LandingFile, fast: bool = True) -> RawBatch:
    """Read one landing file into text columns; raises UnreadableFile if the file cannot be read.

    ``fast=False`` always takes the exact path (the fast path gives the same batch, faster).
    """
    out = _Collector(landing_file.entity)
    suffix = landing_file.path.suffix.lower()
    if suffix == ".parquet":
        _read_parquet(landing_file.path, out, landing_file.relpath)
        return out.batch()
    data = landing_file.path.read_bytes()
    if suffix != ".csv" and fast:
        body = data.removeprefix(codecs.BOM_UTF8)
        as_array = _json_is_array(body) if suffix == ".json" else False
        parsed = _read_json_fast(body, out.entity, as_array) if as_array is not None else None
        if parsed is not None:
            out.frames.append(parsed)
            return out.batch()
    text = _decode(data)
    if suffix == ".csv":
        parsed = _read_csv_fast(text, out.entity) if fast else None
        if parsed is not None:
            out.frames.append(parsed)
        else:
            _read_csv(text, out, landing_file.relpath)
    elif suffix == ".json" and text.lstrip().startswith("["):
        _read_json_array(text, out)
    else:  # .jsonl, or .json holding one record per line
        _read_json_lines(text, out)
    return out.batch()
