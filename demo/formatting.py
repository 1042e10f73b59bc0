"""Values as the landing files spell them: counts as numbers or display strings, JSON members,
timestamps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import polars as pl

from demo.constants import COMMA_STRING_SHARE
from demo.randomness import Random


def _thousands_separated(value: pl.Expr) -> pl.Expr:
    """A non-negative whole number as ``"12,345"`` / ``"1,234,567"``."""
    forms = []
    for k in (4, 3, 2, 1):  # k = number of 3-digit groups after the leading one
        groups = [
            pl.lit(",") + ((value // 1000**j) % 1000).cast(pl.String).str.zfill(3)
            for j in range(k - 1, -1, -1)
        ]
        text = pl.concat_str([(value // 1000**k).cast(pl.String), *groups])
        forms.append(pl.when(value >= 1000**k).then(text))
    return pl.coalesce(*forms, value.cast(pl.String))


def _abbreviated(value: pl.Expr) -> pl.Expr:
    """A non-negative whole number as the apps display it: ``45.3K``, ``1.23M``, ``2B``, ``812``.

    Exact: the decimals are the full remainder, so ``"45.3K"`` is written only for 45300.
    """

    def with_suffix(unit: int, suffix: str) -> pl.Expr:
        whole = (value // unit).cast(pl.String)
        decimals = (value % unit).cast(pl.String).str.zfill(len(str(unit)) - 1)
        decimals = decimals.str.strip_chars_end("0")
        return (
            pl.when(decimals == "").then(whole + suffix).otherwise(whole + "." + decimals + suffix)
        )

    return (
        pl.when(value >= 1_000_000_000)
        .then(with_suffix(1_000_000_000, "B"))
        .when(value >= 1_000_000)
        .then(with_suffix(1_000_000, "M"))
        .when(value >= 1_000)
        .then(with_suffix(1_000, "K"))
        .otherwise(value.cast(pl.String))
    )


def three_significant_digits(value: pl.Expr) -> pl.Expr:
    """Truncated to three significant digits (45_378 -> 45_300); monotone in ``value``."""
    digits = value.cast(pl.String).str.len_chars().cast(pl.Int64)
    unit = pl.when(digits > 3).then(pl.lit(10, dtype=pl.Int64).pow(digits - 3)).otherwise(1)
    return value - value % unit


def with_count_tokens(
    observed: pl.DataFrame, rng: Random, names: Sequence[str], day_index: int
) -> pl.DataFrame:
    """Add ``<name>_token``: the JSON token of each count -- a number, or a string.

    Display-scraped posts write every count as the app shows it (``"45.3K"``); other values are
    written ``"12,345"`` with probability ``COMMA_STRING_SHARE``. The string forms are built only
    for the few rows that need them and scattered into the plain tokens. Negative (``-1``) and
    absent counts stay numbers / absent.
    """
    as_string = observed.select(
        (rng.uniform(f"string_{name}", pl.col("post"), day_index) < COMMA_STRING_SHARE).alias(name)
        for name in names
    )
    display_scraped = observed["display_scraped"]
    tokens = []
    for name in names:
        value = observed[name]
        token = value.cast(pl.String)
        present = (value >= 0).fill_null(False)
        abbreviated = display_scraped & present
        grouped = as_string[name] & ~display_scraped & present
        for rows, text_form in ((abbreviated, _abbreviated), (grouped, _thousands_separated)):
            positions = rows.arg_true()
            if positions.len():
                subset = value.filter(rows).to_frame("value")
                text = subset.select(pl.lit('"') + text_form(pl.col("value")) + pl.lit('"'))
                token = token.scatter(positions, text.to_series())
        tokens.append(token.alias(f"{name}_token"))
    return observed.with_columns(tokens)


def json_member(name: str, token: pl.Expr) -> pl.Expr:
    """``"name":token`` (null, so the member is left out, when the token is null)."""
    return pl.lit(f'"{name}":') + token


def quoted_member(name: str, safe_text: pl.Expr) -> pl.Expr:
    """``"name":"text"`` for text needing no JSON escaping (digits, handles, timestamps)."""
    return pl.lit(f'"{name}":"') + safe_text + pl.lit('"')


def encoded_members(*names: str) -> pl.Expr:
    """``"a":...,"b":...`` with full JSON escaping (free text, lists)."""
    return pl.struct(names).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")


def json_object(members: Sequence[pl.Expr]) -> pl.Expr:
    body = pl.concat_str(list(members), separator=",", ignore_nulls=True)
    return (pl.lit("{") + body + pl.lit("}")).alias("record")


def fetched_at_text(day: date, second_of_day: pl.Expr, utc_z: pl.Expr) -> pl.Expr:
    """ISO-8601 UTC, ``...Z`` or ``...+00:00``."""
    moment = pl.lit(datetime(day.year, day.month, day.day)) + pl.duration(seconds=second_of_day)
    suffix = pl.when(utc_z).then(pl.lit("Z")).otherwise(pl.lit("+00:00"))
    return moment.dt.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def fetched_at_value(day: date, second_of_day: pl.Expr) -> pl.Expr:
    """A typed UTC timestamp (for Parquet)."""
    moment = pl.lit(datetime(day.year, day.month, day.day)) + pl.duration(seconds=second_of_day)
    return moment.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
