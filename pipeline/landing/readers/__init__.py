"""Reading landing files into raw, all-text records: one module per reader.

:func:`read_landing_file` picks the reader by the file's suffix: :mod:`.json_lines`,
:mod:`.json_array`, :mod:`.csv_file`, :mod:`.parquet_file`, with :mod:`.json_fast` (and the fast
CSV reader) in front when they give the same records. Finding the files is
:mod:`pipeline.landing.discovery`; the record columns they all build are
:mod:`pipeline.landing.records`.

Reading never interprets values: every field comes out as text (numbers keep their exact JSON
spelling, so 19-digit IDs never pass through a float), lists as lists of text. Records that
cannot be read at all (a broken JSON line, a CSV row with the wrong number of fields) come out
as *malformed* with their line number and original text; the rest of the file still loads.
Broken Unicode (invalid UTF-8 bytes, lone surrogate escapes such as ``"\\ud83d"``) is repaired
with U+FFFD so a single bad character never costs a record.

Speed: JSON files and CSV files have a *fast path* and an *exact path*. The exact path reads
record by record in Python (``json`` keeping every number's spelling, the ``csv`` module) and
handles every oddity. The fast path lets Polars parse a batch of a JSON file at once, or builds
a CSV batch's columns at once, and is taken only when cheap checks over the batch prove that it
gives exactly what the exact path would give (well-formed lines, numbers that are plain
integers, no duplicate or escaped keys, no lone surrogates, ...); otherwise, or if Polars
rejects anything, the batch is read by the exact path. Both give identical batches
(tests/test_fast_paths.py).

Memory: a file is read in batches of about ``ReadLimits.batch_bytes`` (JSON lines: whole lines;
JSON arrays: whole elements, see :mod:`.json_array`; CSV: whole rows; Parquet: rows of decoded
data), each read, cleaned and written before the next, so memory does not grow with the file;
a record larger than a batch is still read whole (a file is at most
``ReadLimits.max_file_bytes``). The fast and exact paths are chosen batch by batch, and line and
element numbers count on across batches. Every file is opened by :meth:`LandingFile.open`: only
the regular file discovery saw, no symlink followed, no larger than ``max_file_bytes``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

import polars as pl

from pipeline.landing.contract import Entity
from pipeline.landing.discovery import LandingFile
from pipeline.landing.readers.csv_file import read_csv
from pipeline.landing.readers.json_array import read_json_array
from pipeline.landing.readers.json_fast import read_json_fast
from pipeline.landing.readers.json_lines import read_json_lines
from pipeline.landing.readers.parquet_file import read_parquet
from pipeline.landing.records import (
    DEFAULT_LIMITS,
    RAW_LINE,
    Collector,
    RawBatch,
    ReadLimits,
    decode_text,
)

_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def read_landing_file(
    landing_file: LandingFile, fast: bool = True, limits: ReadLimits = DEFAULT_LIMITS
) -> RawBatch:
    """Read one landing file into text columns; raises UnreadableFile if the file cannot be read.

    ``fast=False`` always takes the exact path (the fast path gives the same batch, faster). The
    whole file in one batch: for tests and small files; the pipeline uses
    :func:`iter_landing_file`.
    """
    batches = list(iter_landing_file(landing_file, fast, limits))
    return concat_batches(landing_file.entity, batches)


def concat_batches(entity: Entity, batches: list[RawBatch]) -> RawBatch:
    if len(batches) == 1:
        return batches[0]
    empty = Collector(entity).batch()
    return RawBatch(
        pl.concat([empty.records, *(b.records for b in batches)], how="vertical"),
        pl.concat([empty.malformed, *(b.malformed for b in batches)], how="vertical"),
    )


def iter_landing_file(
    landing_file: LandingFile, fast: bool = True, limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[RawBatch]:
    """The file's records in bounded batches (see the module's docstring); UnreadableFile
    (possibly after some batches) when the file cannot be read."""
    with landing_file.open(limits.max_file_bytes) as handle:
        yield from read_open_file(landing_file, handle, fast, limits)


def read_open_file(
    landing_file: LandingFile, handle: BinaryIO, fast: bool, limits: ReadLimits
) -> Iterator[RawBatch]:
    """:func:`iter_landing_file` on a file opened by ``landing_file.open()``."""
    entity = landing_file.entity
    suffix = landing_file.path.suffix.lower()
    if suffix == ".parquet":
        yield from read_parquet(handle, entity, landing_file.relpath, limits)
        return
    if suffix == ".csv":
        yield from read_csv(handle, entity, landing_file.relpath, limits, fast)
        return
    first, opens_array = _beginning(handle, limits.batch_bytes)
    if suffix == ".json" and opens_array:
        batches = read_json_array(handle, first, entity, fast, limits, landing_file.relpath)
        del first  # the reader holds it until it is cut into pieces
        yield from batches
        return
    yield from _read_json_lines(handle, first, entity, fast, limits)


def _beginning(handle: BinaryIO, chunk_bytes: int) -> tuple[bytes, bool]:
    """The file's first ``chunk_bytes`` (more while they are all blanks), and whether its text
    starts with "[" after blanks (``str.lstrip``'s, Unicode ones too; a BOM is skipped)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    first = b""
    while more := handle.read(chunk_bytes):
        first += more
        for start in range(0, len(more), 1 << 16):  # decoded a little at a time: it stops early
            text = decoder.decode(more[start : start + (1 << 16)]).lstrip()
            if text:
                return first, text.startswith("[")
    return first, False


def _line_chunks(handle: BinaryIO, first: bytes, chunk_bytes: int) -> Iterator[bytes]:
    """The file in pieces of whole lines (cut after a ``\\n``), each about ``chunk_bytes``."""
    buffer = first
    while True:
        more = handle.read(chunk_bytes)
        if not more:
            if buffer:
                yield buffer
            return
        buffer += more
        cut = buffer.rfind(b"\n")
        if cut >= 0:
            yield buffer[: cut + 1]
            buffer = buffer[cut + 1 :]


def _read_json_lines(
    handle: BinaryIO, first: bytes, entity: Entity, fast: bool, limits: ReadLimits
) -> Iterator[RawBatch]:
    """JSON lines (or a .json file of one record per line), a piece of whole lines at a time;
    line numbers count on from piece to piece."""
    first_line = 1
    for index, chunk in enumerate(_line_chunks(handle, first, limits.batch_bytes)):
        body = chunk.removeprefix(codecs.BOM_UTF8) if index == 0 else chunk
        parsed = read_json_fast(body, entity, as_array=False) if fast else None
        if parsed is not None:
            if first_line != 1:
                parsed = parsed.with_columns(pl.col(RAW_LINE) + (first_line - 1))
            yield RawBatch(parsed, Collector(entity).batch().malformed)
        else:
            out = Collector(entity)
            text = decode_text(chunk) if index == 0 else chunk.decode("utf-8", errors="replace")
            read_json_lines(text, out, first_line)
            yield out.batch()
        first_line += len(_LINE_BREAK_BYTES.findall(chunk))
