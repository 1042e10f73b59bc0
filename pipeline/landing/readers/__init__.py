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
handles every oddity. The fast path lets Polars parse a whole JSON file, or builds a CSV file's
columns at once, and is taken only when cheap checks over the file prove that it gives exactly
what the exact path would give (well-formed lines, numbers that are plain integers, no
duplicate or escaped keys, no lone surrogates, ...); otherwise, or if Polars rejects anything,
the file is read by the exact path. Both give identical batches (tests/test_fast_paths.py).
"""

from __future__ import annotations

import codecs

from pipeline.landing.discovery import LandingFile
from pipeline.landing.readers.csv_file import read_csv, read_csv_fast
from pipeline.landing.readers.json_array import read_json_array
from pipeline.landing.readers.json_fast import json_is_array, read_json_fast
from pipeline.landing.readers.json_lines import read_json_lines
from pipeline.landing.readers.parquet_file import read_parquet
from pipeline.landing.records import Collector, RawBatch, decode_text


def read_landing_file(landing_file: LandingFile, fast: bool = True) -> RawBatch:
    """Read one landing file into text columns; raises UnreadableFile if the file cannot be read.

    ``fast=False`` always takes the exact path (the fast path gives the same batch, faster).
    """
    out = Collector(landing_file.entity)
    suffix = landing_file.path.suffix.lower()
    if suffix == ".parquet":
        read_parquet(landing_file.path, out, landing_file.relpath)
        return out.batch()
    data = landing_file.path.read_bytes()
    if suffix != ".csv" and fast:
        body = data.removeprefix(codecs.BOM_UTF8)
        as_array = json_is_array(body) if suffix == ".json" else False
        parsed = read_json_fast(body, out.entity, as_array) if as_array is not None else None
        if parsed is not None:
            out.frames.append(parsed)
            return out.batch()
    text = decode_text(data)
    if suffix == ".csv":
        parsed = read_csv_fast(text, out.entity) if fast else None
        if parsed is not None:
            out.frames.append(parsed)
        else:
            read_csv(text, out, landing_file.relpath)
    elif suffix == ".json" and text.lstrip().startswith("["):
        read_json_array(text, out)
    else:  # .jsonl, or .json holding one record per line
        read_json_lines(text, out)
    return out.batch()
