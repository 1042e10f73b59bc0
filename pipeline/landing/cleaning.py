"""Cleaning rules: small functions that build Polars expressions, composed per entity.

Every rule takes the name of a text column (as read by :mod:`pipeline.landing.readers`) and returns
an expression for the typed value; a separate expression gives the rejection reason (or null).
:func:`clean_batch` composes them from the entity's declarative field list and splits a file's
records into clean rows and rejected rows, each rejection with one reason code and a
human-readable detail. Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from pipeline.landing.contract import Entity, Field, Kind
from pipeline.landing.records import RAW_LINE, RAW_RECORD

# Reason codes (the ``reason`` column of ingest.rejected_records).
MALFORMED_RECORD = "malformed_record"
MISSING_REQUIRED_FIELD = "missing_required_field"
INVALID_COUNT = "invalid_count"
NEGATIVE_COUNT = "negative_count"
INVALID_TIMESTAMP = "invalid_timestamp"
INVALID_VALUE = "invalid_value"
REASONS = (
    MALFORMED_RECORD,
    MISSING_REQUIRED_FIELD,
    INVALID_COUNT,
    NEGATIVE_COUNT,
    INVALID_TIMESTAMP,
    INVALID_VALUE,
)

EARLIEST_TIMESTAMP = datetime(2005, 1, 1)
LATEST_TIMESTAMP = datetime(2100, 1, 1)  # later values are unit mistakes (ms or µs as seconds)
PLATFORMS = ("tiktok", "instagram")

_SUFFIX_MULTIPLIER = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_INT64_MAX = 2**63 - 1


def _text(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars()


def is_blank(column: str) -> pl.Expr:
    """True when the field is absent, null or only whitespace."""
    return pl.col(column).is_null() | (_text(column) == "")


# --- plain values: the common spellings, parsed by cheaper expressions --------------------------
#
# Most records spell their counts as plain digits and their timestamps in one ISO-8601 form or
# as epoch seconds. For those rows, parse_count is a cast and parse_timestamp needs one format:
# the full rules try every accepted spelling on every row, which costs ~10x more. clean_batch
# cleans the plain rows with these expressions and the rest with the full rules; the results are
# identical (tests/test_fast_paths.py checks both ways on the same records). One rule per kind
# serves both: ``parse_count(column, plain=True)`` / ``parse_timestamp(column, plain=True)``.

_PLAIN_COUNT = r"^[0-9]{1,18}$"  # fits Int64, no sign, separator or suffix
_PLAIN_ISO = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
)
_PLAIN_EPOCH = r"^[0-9]{1,10}$"
_PLAIN_TIMESTAMP = f"{_PLAIN_ISO}|{_PLAIN_EPOCH}"
# per kind: the spelling of a plain value (kinds without one are plain whatever they hold)
PLAIN_PATTERNS = {Kind.COUNT: _PLAIN_COUNT, Kind.TIMESTAMP: _PLAIN_TIMESTAMP}


# --- counts -------------------------------------------------------------------------------------


def parse_count(column: str, plain: bool = False) -> pl.Expr:
    """A count as an exact Int64 (may be negative), or null when it is not a whole number.

    Accepted: ``12345``, ``"12,345"``, ``"1.234.567"`` (groups of three digits are thousands
    separators), ``"45.3K"``, ``"1,5M"`` (with a K/M/B suffix a single ``,`` or ``.`` is the
    decimal mark), ``"2B"``, ``12.0`` (a whole decimal). Not accepted: ``"1.5"``, ``"1.2345K"``
    (= 1234.5), ``"abc"``, ``""``, booleans. ``plain``: the values match ``PLAIN_PATTERNS`` (or are
    null), for which the parse is a cast.
    """
    if plain:
        return pl.col(column).cast(pl.Int64, strict=False)
    text = _text(column).str.replace_all(r"\s+", "")
    negative = text.str.starts_with("-")
    body = text.str.strip_prefix("-").str.strip_prefix("+")
    # With a suffix: digits, optional single decimal mark and up to 9 decimals, K/M/B.
    suffixed = body.str.extract_groups(r"^(\d{1,12})(?:[.,](\d{1,9}))?([KkMmBb])$")
    whole = suffixed.struct.field("1").cast(pl.Int128, strict=False)
    decimals = suffixed.struct.field("2").fill_null("")
    multiplier = (
        suffixed.struct.field("3")
        .str.to_uppercase()
        .replace_strict(_SUFFIX_MULTIPLIER, default=None, return_dtype=pl.Int128)
    )
    scale = pl.lit(10, dtype=pl.Int128).pow(decimals.str.len_chars().cast(pl.UInt32))
    fraction = pl.when(decimals == "").then(0).otherwise(decimals.cast(pl.Int128, strict=False))
    scaled_fraction = fraction.cast(pl.Int128) * multiplier
    suffixed_value = (
        pl.when(scaled_fraction % scale == 0)
        .then(whole * multiplier + scaled_fraction // scale)
        .otherwise(None)
    )
    # Without a suffix: plain digits, thousands groups with one consistent separator, or a
    # decimal whose fraction is all zeros.
    plain = (
        pl.when(body.str.contains(r"^\d+$"))
        .then(body)
        .when(body.str.contains(r"^\d{1,3}(,\d{3})+$"))
        .then(body.str.replace_all(",", "", literal=True))
        .when(body.str.contains(r"^\d{1,3}(\.\d{3})+$"))
        .then(body.str.replace_all(".", "", literal=True))
        .when(body.str.contains(r"^\d+\.0+$"))
        .then(body.str.extract(r"^(\d+)\.", 1))
        .otherwise(None)
        .cast(pl.Int128, strict=False)
    )
    magnitude = pl.coalesce(suffixed_value, plain)
    magnitude = pl.when(magnitude <= _INT64_MAX).then(magnitude).otherwise(None).cast(pl.Int64)
    return pl.when(negative).then(-magnitude).otherwise(magnitude)


def count_reason(
    column: str, hidden_sentinel: bool = False, value: pl.Expr | None = None
) -> pl.Expr:
    """``invalid_count`` / ``negative_count`` for a present count that fails; null otherwise.

    Only null means absent: an empty string is an invalid count. With ``hidden_sentinel``
    (Instagram ``like_count``) -1 means "hidden" and is not an error. ``value`` is
    ``parse_count(column)`` when it has been computed already.
    """
    value = parse_count(column) if value is None else value
    negative = value < 0
    if hidden_sentinel:
        negative = negative & (value != -1)
    return (
        pl.when(pl.col(column).is_null())
        .then(None)
        .when(value.is_null())
        .then(pl.lit(INVALID_COUNT))
        .when(negative)
        .then(pl.lit(NEGATIVE_COUNT))
        .otherwise(None)
    )


# --- timestamps ---------------------------------------------------------------------------------

_ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
)
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


def parse_timestamp(column: str, plain: bool = False) -> pl.Expr:
    """A timestamp as naive UTC ``Datetime('us')``, or null when it cannot be parsed.

    Accepted: Unix epoch seconds (number or numeric string, decimals allowed), ISO-8601 with
    ``Z``, ``+00:00``, ``+0000`` or another offset (converted to UTC), ISO-8601 without an
    offset (taken as UTC), a date ``YYYY-MM-DD`` (midnight UTC). A space may replace the ``T``.
    ``plain``: the values match ``PLAIN_PATTERNS`` (or are null): epoch seconds or ISO-8601 with
    seconds and an offset, which the first two formats read.
    """
    if plain:
        text = pl.col(column)
        iso = text.str.replace(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) ", "${1}T").str.replace(
            r"Z$", "+00:00"
        )
        with_offset = [
            iso.str.to_datetime(
                fmt, time_unit="us", time_zone="UTC", strict=False
            ).dt.replace_time_zone(None)
            for fmt in _ISO_FORMATS[:2]
        ]
        return pl.coalesce(_from_epoch_seconds(text), *with_offset).cast(pl.Datetime("us"))
    text = _text(column)
    from_epoch = _from_epoch_seconds(text)
    iso = text.str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T").str.replace(r"[Zz]$", "+00:00")
    with_offset = [
        iso.str.to_datetime(
            fmt, time_unit="us", time_zone="UTC", strict=False
        ).dt.replace_time_zone(None)
        for fmt in _ISO_FORMATS
    ]
    naive = [iso.str.to_datetime(fmt, time_unit="us", strict=False) for fmt in _NAIVE_FORMATS]
    day_only = iso.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    only_iso_shape = iso.str.contains(r"^\d{4}-\d{2}-\d{2}")
    parsed_iso = pl.when(only_iso_shape).then(pl.coalesce(*with_offset, *naive, day_only))
    return pl.coalesce(from_epoch, parsed_iso).cast(pl.Datetime("us"))


def _from_epoch_seconds(text: pl.Expr) -> pl.Expr:
    epoch = (
        pl.when(text.str.contains(r"^\d{1,11}(\.\d+)?$"))
        .then(text.cast(pl.Float64, strict=False) * 1_000_000)
        .otherwise(None)
        .round(0)
        .cast(pl.Int64, strict=False)
    )
    return pl.from_epoch(epoch, time_unit="us")


def timestamp_reason(column: str, value: pl.Expr | None = None) -> pl.Expr:
    """``invalid_timestamp`` for a present value that does not parse or lies outside 2005-2099.

    ``value`` is ``parse_timestamp(column)`` when it has been computed already.
    """
    value = parse_timestamp(column) if value is None else value
    return (
        pl.when(pl.col(column).is_null())
        .then(None)
        .when(value.is_null())
        .then(pl.lit(INVALID_TIMESTAMP))
        .when((value < EARLIEST_TIMESTAMP) | (value >= LATEST_TIMESTAMP))
        .then(pl.lit(INVALID_TIMESTAMP))
        .otherwise(None)
    )


# --- other kinds --------------------------------------------------------------------------------


def parse_date(column: str) -> pl.Expr:
    return _text(column).str.to_date("%Y-%m-%d", strict=False)


def normalize_username(column: str) -> pl.Expr:
    """Trimmed, one leading ``@`` removed, lower-cased; null when nothing is left (``" @ "``)."""
    name = _text(column).str.strip_prefix("@").str.strip_chars().str.to_lowercase()
    return pl.when(name != "").then(name)


def normalize_code(column: str) -> pl.Expr:
    return _text(column).str.to_uppercase()


def normalize_platform(column: str) -> pl.Expr:
    return _text(column).str.to_lowercase()


def normalize_id(column: str) -> pl.Expr:
    return _text(column)


def id_reason(column: str) -> pl.Expr:
    """IDs that went through a float (``7.31e+18``, ``123.0``) have lost digits: reject them."""
    looks_like_float = _text(column).str.contains(r"^-?\d+(\.\d*)?[eE][+-]?\d+$|^-?\d+\.\d+$")
    return pl.when(looks_like_float).then(pl.lit(INVALID_VALUE)).otherwise(None)


_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")


def parse_bool(column: str) -> pl.Expr:
    text = _text(column).str.to_lowercase()
    return pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False)


def parse_money(column: str) -> pl.Expr:
    """A plain decimal (``1500``, ``1250.50``); at most 2 decimals; null when not one."""
    text = _text(column)
    return (
        pl.when(text.str.contains(r"^-?\d{1,15}(\.\d{1,2})?$"))
        .then(text)
        .otherwise(None)
        .str.to_decimal(scale=2)
        .cast(pl.Decimal(18, 2))
    )


def clean_text_list(column: str) -> pl.Expr:
    """Hashtags: each trimmed, a leading ``#`` removed, empty ones dropped."""
    tag = pl.element().str.strip_chars().str.strip_prefix("#").str.strip_chars()
    return pl.col(column).list.eval(tag.filter(tag != ""))


_EXPECTED = {
    Kind.COUNT: "a non-negative whole number (12345, 12,345, 45.3K, 1.2M)",
    Kind.TIMESTAMP: "a timestamp from 2005 on (epoch seconds or ISO-8601)",
}


@dataclass(frozen=True)
class FieldRule:
    value: pl.Expr
    reason: pl.Expr | None  # null when the value is fine; None when the kind cannot fail
    expected: str  # for the human-readable detail
    # counts and timestamps: the parse, evaluated once into the column ``parsed_column(name)``
    # that ``value`` and ``reason`` read (the parse is the costly part of the rule)
    parsed: pl.Expr | None = None


def parsed_column(name: str) -> str:
    return f"_parsed_{name}"


def field_rule(field: Field, hidden_sentinel: bool = False, plain: bool = False) -> FieldRule:
    """The cleaning rule of one field: its typed value, its rejection reason, what it expects.

    ``plain`` is for rows whose value matches the kind's ``PLAIN_PATTERNS`` (or is null): the
    same rule, with the cheaper parse that is exact for those spellings.
    """
    name = field.name
    none = pl.lit(None, dtype=pl.String)
    match field.kind:
        case Kind.COUNT:
            parsed = parse_count(name, plain)
            column = pl.col(parsed_column(name))
            # a plain count is a valid one: no check
            reason = None if plain else count_reason(name, hidden_sentinel, column)
            return FieldRule(
                column, reason, _EXPECTED[Kind.COUNT], parsed.alias(parsed_column(name))
            )
        case Kind.TIMESTAMP:
            parsed = parse_timestamp(name, plain)
            column = pl.col(parsed_column(name))
            return FieldRule(
                column,
                timestamp_reason(name, column),
                _EXPECTED[Kind.TIMESTAMP],
                parsed.alias(parsed_column(name)),
            )
        case Kind.DATE:
            value = parse_date(name)
            reason = pl.when(~is_blank(name) & value.is_null()).then(pl.lit(INVALID_VALUE))
            return FieldRule(value, reason, "a date YYYY-MM-DD")
        case Kind.BOOL:
            value = parse_bool(name)
            reason = pl.when(~is_blank(name) & value.is_null()).then(pl.lit(INVALID_VALUE))
            return FieldRule(value, reason, "true or false")
        case Kind.MONEY:
            value = parse_money(name)
            reason = (
                pl.when(is_blank(name))
                .then(none)
                .when(value.is_null() | (value < 0))
                .then(pl.lit(INVALID_VALUE))
            )
            return FieldRule(value, reason, "a non-negative decimal with at most 2 decimals")
        case Kind.PLATFORM:
            value = normalize_platform(name)
            reason = pl.when(~is_blank(name) & ~value.is_in(PLATFORMS)).then(pl.lit(INVALID_VALUE))
            return FieldRule(value, reason, "tiktok or instagram")
        case Kind.ID:
            return FieldRule(normalize_id(name), id_reason(name), "an exact id (digits as text)")
        case Kind.USERNAME:
            # empty once cleaned (" @ ") is a missing username: NULL, and for a required
            # one the record is rejected as missing_required_field (see _clean)
            return FieldRule(normalize_username(name), None, "a username")
        case Kind.CODE:
            return FieldRule(normalize_code(name), None, "a code")
        case Kind.TEXT_LIST:
            return FieldRule(clean_text_list(name), None, "a list of text")
        case Kind.TEXT:
            return FieldRule(pl.col(name), None, "text")
    raise AssertionError(f"no cleaning rule for {field.kind}")


def _blank_username_or_text(entity: Entity, name: str) -> pl.Expr:
    """Absent, or empty once cleaned (a username of only ``@`` and spaces is empty)."""
    if entity.field(name).kind is Kind.USERNAME:
        return normalize_username(name).is_null()
    return is_blank(name)


@dataclass
class CleanResult:
    clean: pl.DataFrame  # contract fields, typed, plus _line_number
    rejected: pl.DataFrame  # _line_number, _raw_record, reason, detail


REJECTED_SCHEMA = {
    RAW_LINE: pl.Int64,
    RAW_RECORD: pl.String,
    "reason": pl.String,
    "detail": pl.String,
}


def _show(column: str) -> pl.Expr:
    """The raw value for a detail message, quoted and shortened."""
    text = pl.col(column).cast(pl.String).fill_null("null")
    shortened = pl.when(text.str.len_chars() > 60).then(text.str.slice(0, 57) + "...")
    return pl.lit('"') + shortened.otherwise(text) + pl.lit('"')


def _plain_rows(records: pl.DataFrame, entity: Entity) -> pl.Series | None:
    """Rows whose counts and timestamps are all null or plain; None if the entity has none."""
    conditions = []
    for f in entity.fields:
        pattern = PLAIN_PATTERNS.get(f.kind)
        if pattern is not None:
            conditions.append(pl.col(f.name).is_null() | pl.col(f.name).str.contains(pattern))
    if not conditions:
        return None
    return records.select(pl.all_horizontal(conditions).fill_null(False)).to_series()


_ROW = "_clean_row"  # the row's position in the batch, while plain and other rows are apart


# fetched_at may lie at most this far after the end of its partition day, and at most this far
# in the future when the file is loaded (clock skew); later values are rejected (a scraper with a
# wrong clock would otherwise hold the latest observation forever).
FETCHED_AT_TOLERANCE = timedelta(days=1)


def clean_batch(
    records: pl.DataFrame,
    entity: Entity,
    partition_day: date | None,
    loaded_at: datetime | None = None,
) -> CleanResult:
    """Split a file's text records into typed clean rows and rejected rows (reason + detail).

    ``loaded_at`` (naive UTC, default now) bounds fetched_at: at most FETCHED_AT_TOLERANCE ahead.
    """
    if loaded_at is None:
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
    plain = _plain_rows(records, entity)
    if plain is None or plain.all():
        return _clean(records, entity, partition_day, plain is not None, loaded_at)
    if not plain.any():
        return _clean(records, entity, partition_day, False, loaded_at)
    indexed = records.with_row_index(_ROW)
    parts = [
        _clean(indexed.filter(plain), entity, partition_day, True, loaded_at),
        _clean(indexed.filter(~plain), entity, partition_day, False, loaded_at),
    ]
    return CleanResult(
        pl.concat([part.clean for part in parts]).sort(_ROW).drop(_ROW),
        pl.concat([part.rejected for part in parts]).sort(_ROW).drop(_ROW),
    )


def _fetched_at_bounds(
    partition_day: date | None, loaded_at: datetime
) -> list[tuple[pl.Expr, pl.Expr]]:
    """(reason, detail) checks: fetched_at too far after its partition day or in the future."""
    # values outside 2005-2099 are rejected by timestamp_reason already: one detail is enough
    parsed = pl.col(parsed_column("fetched_at"))
    fetched = pl.when(parsed < LATEST_TIMESTAMP).then(parsed)
    shown = fetched.dt.to_string("%Y-%m-%dT%H:%M:%SZ")
    checks = []
    if partition_day is not None:
        day_end = datetime.combine(partition_day, datetime.min.time()) + timedelta(days=1)
        checks.append(
            (
                pl.when(fetched > day_end + FETCHED_AT_TOLERANCE).then(pl.lit(INVALID_TIMESTAMP)),
                pl.format(
                    "fetched_at={} is more than one day after the end of partition day {}",
                    shown,
                    pl.lit(partition_day.isoformat()),
                ),
            )
        )
    checks.append(
        (
            pl.when(fetched > loaded_at + FETCHED_AT_TOLERANCE).then(pl.lit(INVALID_TIMESTAMP)),
            pl.format("fetched_at={} is more than one day in the future at load time", shown),
        )
    )
    return checks


def _clean(
    records: pl.DataFrame,
    entity: Entity,
    partition_day: date | None,
    plain_rows: bool,
    loaded_at: datetime | None = None,
) -> CleanResult:
    """clean_batch for rows that are all plain (``plain_rows``) or any rows (the full rules).

    Counts and timestamps are parsed once, into columns; the checks read those columns, and the
    detail messages are written for the rejected rows only.
    """
    parsed: list[pl.Expr] = []  # counts and timestamps, parsed once
    problems: list[tuple[pl.Expr, pl.Expr]] = []  # (reason, detail) per check, in field order
    values: list[pl.Expr] = []
    for f in entity.fields:
        hidden_sentinel = f.name in entity.hidden_sentinel_fields
        rule = field_rule(f, hidden_sentinel=hidden_sentinel, plain=plain_rows)
        if rule.parsed is not None:
            parsed.append(rule.parsed)
        if f.required:
            problems.append(
                (
                    pl.when(
                        pl.col(f.name).is_null()
                        if f.kind is Kind.TEXT_LIST
                        else normalize_username(f.name).is_null()
                        if f.kind is Kind.USERNAME
                        else is_blank(f.name)
                    ).then(pl.lit(MISSING_REQUIRED_FIELD)),
                    pl.lit(f"{f.name} is required but missing or empty"),
                )
            )
        if rule.reason is not None:
            problems.append(
                (
                    rule.reason,
                    pl.format(
                        "{}={} is not {}", pl.lit(f.name), _show(f.name), pl.lit(rule.expected)
                    ),
                )
            )
        value = rule.value if f.default is None else rule.value.fill_null(f.default)
        values.append(value.alias(f.name))

    if entity.required_one_of:
        fields = entity.required_one_of
        problems.append(
            (
                pl.when(pl.all_horizontal(_blank_username_or_text(entity, n) for n in fields)).then(
                    pl.lit(MISSING_REQUIRED_FIELD)
                ),
                pl.lit(f"one of {', '.join(fields)} is required but all are missing or empty"),
            )
        )

    if entity.timestamp_field is not None:
        created = pl.col(parsed_column(entity.timestamp_field))
        observed = pl.col(parsed_column("fetched_at"))
        if partition_day is not None:
            observed = observed.fill_null(pl.lit(partition_day).cast(pl.Datetime("us")))
        too_late = created > observed + pl.duration(days=1)
        problems.append(
            (
                pl.when(too_late).then(pl.lit(INVALID_TIMESTAMP)),
                pl.format(
                    "{}={} is more than one day after fetched_at={}",
                    pl.lit(entity.timestamp_field),
                    created.dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                    observed.dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
                ),
            )
        )

    if any(f.name == "fetched_at" for f in entity.fields):
        if loaded_at is None:
            loaded_at = datetime.now(UTC).replace(tzinfo=None)
        problems.extend(_fetched_at_bounds(partition_day, loaded_at))

    # Each check is evaluated once into its own column: nesting the checks into both the reason
    # and the detail expressions made Polars plan every check twice (~3x slower per file).
    checks = [f"_check_{i}" for i in range(len(problems))]
    reason = pl.coalesce(*checks) if checks else pl.lit(None, dtype=pl.String)
    details = [pl.when(pl.col(c).is_not_null()).then(d) for c, (_, d) in zip(checks, problems)]
    detail = pl.concat_str(details, separator="; ", ignore_nulls=True)
    checked = (
        records.with_columns(parsed)
        .with_columns(*(r.alias(c) for c, (r, _) in zip(checks, problems)))
        .with_columns(reason.alias("reason"))
    )
    row = [_ROW] if _ROW in records.columns else []
    rejected = (
        checked.filter(pl.col("reason").is_not_null())
        .with_columns(detail.alias("detail"))  # written for the rejected rows only
        .select(*REJECTED_SCHEMA, *row)
    )
    accepted = checked.filter(pl.col("reason").is_null())
    clean = accepted.select(pl.col(RAW_LINE), *values, *row)
    if "fetched_at" in clean.columns:
        default = (
            None if partition_day is None else datetime.combine(partition_day, datetime.min.time())
        )
        clean = clean.with_columns(pl.col("fetched_at").fill_null(default))
    for name in entity.hidden_sentinel_fields:
        clean = clean.with_columns(
            (pl.col(name).is_null() | (pl.col(name) == -1)).alias("likes_hidden"),
            pl.when(pl.col(name) == -1).then(None).otherwise(pl.col(name)).alias(name),
        )
    return CleanResult(clean, rejected)
