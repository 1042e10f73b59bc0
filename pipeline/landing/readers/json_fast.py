"""The fast path for JSON: Polars parses a batch of the file (a piece of whole lines) at once,
when cheap checks prove that it gives exactly the exact readers' records."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import polars as pl

from pipeline.landing.contract import Entity, Kind
from pipeline.landing.records import LINE_BREAK, RAW_LINE, RAW_RECORD

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


def _json_array_elements(lines: pl.Series, opening: bool, closing: bool) -> _Elements | None:
    """The elements of a JSON array written one element per line, else None.

    The layout ``[`` / ``{...},`` ... ``{...}`` / ``]`` (a trailing comma allowed, as the exact
    reader allows it); anything else (several elements on a line, an element over several
    lines, text after the array) is left to the exact reader. A piece of the file (see
    :mod:`.json_array`) has the ``[`` line only if ``opening``, the ``]`` line only if
    ``closing``; without it, every element has its comma (the next element follows).
    """
    lines = lines.str.strip_chars(" \t")  # the exact reader skips only these blanks
    body = lines.filter(lines != "")
    if opening:
        if body.len() == 0 or body[0] != "[":
            return None
        body = body.slice(1)
    if closing:
        if body.len() == 0 or body[-1] != "]":
            return None
        body = body.slice(0, body.len() - 1)
    elements = pl.DataFrame([body]).select(
        pl.first().str.ends_with(",").alias("comma"),
        pl.first().str.strip_suffix(",").str.strip_chars_end(" \t").alias(RAW_RECORD),
    )
    texts = elements[RAW_RECORD]
    with_comma = elements["comma"].head(elements.height - 1) if closing else elements["comma"]
    if not with_comma.all():
        return None  # a missing comma: the exact reader reports where the array breaks
    if not (texts.str.starts_with("{") & texts.str.ends_with("}")).all():
        return None
    numbers = pl.int_range(1, texts.len() + 1, dtype=pl.Int64, eager=True).alias(RAW_LINE)
    return _Elements(numbers, texts, all_lines=False)


def json_is_array(data: bytes) -> bool | None:
    """Whether a .json file holds an array (the exact reader: text.lstrip().startswith("[")),
    decided on the bytes when the first non-blank byte is ASCII; None when it is not."""
    first = data.lstrip()[:1]
    if first == b"[":
        return True
    if first and first < b"\x80" and first not in b"\x1c\x1d\x1e\x1f":
        return False  # Python's str.lstrip would stop at this character too
    return None


def read_json_fast(
    data: bytes, entity: Entity, as_array: bool, opening: bool = True, closing: bool = True
) -> pl.DataFrame | None:
    """The records of a JSON file parsed by Polars, or None when the exact reader must read it.

    ``data`` is the file's bytes without a BOM, or a piece of whole lines of it. A JSON array's
    piece holds the opening ``[`` only if ``opening``, the closing ``]`` only if ``closing``;
    its elements are numbered from 1. Every check is conservative: a file that merely *might*
    read differently goes to the exact reader, which is slower but handles everything.
    """
    has_cr, has_escape, has_null = b"\r" in data, b"\\u" in data, b"null" in data
    if has_escape and not _surrogate_escapes_paired(data):
        return None  # lone surrogates are repaired with U+FFFD by the exact reader only
    try:
        if has_cr:  # CRLF or CR line breaks: split where the exact reader splits
            lines = pl.Series("line", LINE_BREAK.split(data.decode("utf-8")), dtype=pl.String)
        else:  # (split by Python: Polars' str.split + explode takes 5 times the memory)
            lines = pl.Series("line", data.split(b"\n"), dtype=pl.Binary).cast(pl.String)
    except (UnicodeDecodeError, pl.exceptions.PolarsError):
        return None  # invalid UTF-8: the exact reader repairs it
    if as_array:
        found = _json_array_elements(lines, opening, closing)
    else:
        found = _json_lines_elements(lines)
    del lines  # not kept while Polars parses
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
    del source
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
    # ... which misses one case: a key written with a value, then again with null (Polars keeps
    # the value, Python the null: the accounting adds up). Among the records that write a null,
    # any key written twice sends the file to the exact reader.
    if has_null and _null_keyed_duplicates(raw.filter(checks["null_keys"] > 0), rules.keys):
        return None
    columns = []
    for f in entity.fields:
        names = [f.name, *f.aliases]
        value = pl.coalesce(names) if len(names) > 1 else pl.col(f.name)
        columns.append(value.alias(f.name))
    return parsed.select(found.numbers, raw, *columns)


def _null_keyed_duplicates(records: pl.Series, keys: str) -> bool:
    """Whether any of ``records`` writes a contract key (matched by ``keys``) twice."""
    if records.len() == 0:
        return False
    names = records.str.extract_all(keys).list.eval(pl.element().str.extract(r'^"([^"]*)"'))
    return bool((names.list.n_unique() != names.list.len()).any())


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
