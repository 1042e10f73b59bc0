"""Deterministic randomness: counter-based hashes (SplitMix64) of a seed, a variable and keys."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import polars as pl

from demo.constants import SPLITMIX_INCREMENT, SPLITMIX_MULTIPLIERS


def u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


_U64_MASK = (1 << 64) - 1


def _splitmix64_int(state: int) -> int:
    """SplitMix64 finaliser on a Python int (for keys known in advance)."""
    z = (state + SPLITMIX_INCREMENT) & _U64_MASK
    z = ((z ^ (z >> 30)) * SPLITMIX_MULTIPLIERS[0]) & _U64_MASK
    z = ((z ^ (z >> 27)) * SPLITMIX_MULTIPLIERS[1]) & _U64_MASK
    return z ^ (z >> 31)


def _splitmix64_series(state: pl.Series) -> pl.Series:
    """SplitMix64 finaliser on a UInt64 Series (Polars integer arithmetic wraps modulo 2^64).

    Evaluated eagerly, step by step: as one expression the reused intermediate values would
    make the expression tree grow exponentially with the number of keys.
    """
    z = state + pl.Series([SPLITMIX_INCREMENT], dtype=pl.UInt64)
    z = (z ^ (z // (1 << 30))) * pl.Series([SPLITMIX_MULTIPLIERS[0]], dtype=pl.UInt64)
    z = (z ^ (z // (1 << 27))) * pl.Series([SPLITMIX_MULTIPLIERS[1]], dtype=pl.UInt64)
    return z ^ (z // (1 << 31))


class Random:
    """Counter-based random numbers: each value is a hash of (seed, namespace, variable, keys).

    A value depends only on its keys, never on row order or on how many values were drawn
    before, so one day's snapshot can be generated without replaying earlier days.
    """

    def __init__(self, seed: int, namespace: str):
        self.seed = seed
        self.namespace = namespace

    def _salt(self, variable: str) -> int:
        text = f"{self.seed}/{self.namespace}/{variable}".encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")

    def bits(self, variable: str, *keys: pl.Expr | int) -> pl.Expr:
        """64 random bits (UInt64) for each combination of keys."""
        salt = self._salt(variable)
        columns = [key.cast(pl.UInt64) for key in keys if isinstance(key, pl.Expr)]
        if not columns:
            state = salt
            for key in keys:
                state = _splitmix64_int(state ^ int(key))
            return u64(_splitmix64_int(state))

        def hash_keys(series: Sequence[pl.Series]) -> pl.Series:
            state = pl.Series([salt], dtype=pl.UInt64)
            position = 0
            for key in keys:
                if isinstance(key, pl.Expr):
                    value = series[position]
                    position += 1
                else:
                    value = pl.Series([int(key)], dtype=pl.UInt64)
                state = _splitmix64_series(state ^ value)
            return _splitmix64_series(state)

        return pl.map_batches(columns, hash_keys, return_dtype=pl.UInt64, is_elementwise=True)

    def uniform(self, variable: str, *keys: pl.Expr | int) -> pl.Expr:
        """Uniform in [0, 1), 53 random bits."""
        return (self.bits(variable, *keys) // u64(1 << 11)).cast(pl.Float64) * 2.0**-53

    def normal(self, variable: str, *keys: pl.Expr | int) -> pl.Expr:
        """Standard normal (Box-Muller)."""
        radius = (-2.0 * (1.0 - self.uniform(f"{variable}#r", *keys)).log()).sqrt()
        return radius * (2.0 * math.pi * self.uniform(f"{variable}#a", *keys)).cos()

    def lognormal(
        self, variable: str, median: float, sigma: float, *keys: pl.Expr | int
    ) -> pl.Expr:
        return median * (sigma * self.normal(variable, *keys)).exp()

    def integers(self, variable: str, low: int, high: int, *keys: pl.Expr | int) -> pl.Expr:
        """Uniform whole numbers in [low, high]."""
        span = high - low + 1
        return (self.uniform(variable, *keys) * span).floor().cast(pl.Int64) + low

    def choice(self, variable: str, weights: Sequence[float], *keys: pl.Expr | int) -> pl.Expr:
        """Index 0..len(weights)-1 drawn with the given weights."""
        total = sum(weights)
        u = self.uniform(variable, *keys)
        thresholds = [sum(weights[: i + 1]) / total for i in range(len(weights) - 1)]
        return pl.sum_horizontal([(u >= t).cast(pl.Int64) for t in thresholds] or [pl.lit(0)])

    def pick(self, variable: str, values: Sequence[str], *keys: pl.Expr | int) -> pl.Expr:
        """One of ``values`` (as text), uniformly."""
        index = self.integers(variable, 0, len(values) - 1, *keys)
        return lookup(index, values)


def lookup(index: pl.Expr, values: Sequence[str]) -> pl.Expr:
    return index.replace_strict(dict(enumerate(values)), return_dtype=pl.String)


def lookup_float(index: pl.Expr, values: Sequence[float]) -> pl.Expr:
    return index.replace_strict(dict(enumerate(values)), return_dtype=pl.Float64)


def python_integer(seed: int, variable: str, low: int, high: int) -> int:
    """A whole number in [low, high] for a one-off choice (campaign count, id salts)."""
    text = f"{seed}/python/{variable}".encode()
    fraction = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little") / 2**64
    return low + int(fraction * (high - low + 1))


def _scramble_multiplier(modulus: int) -> int:
    """A multiplier near modulus / golden ratio, coprime to ``modulus`` (a power of 2 or 10)."""
    multiplier = int(modulus * 0.6180339887498949) | 1
    while math.gcd(multiplier, modulus) != 1:
        multiplier += 2
    return multiplier


def scramble(index: pl.Expr, modulus: int, salt: int) -> pl.Expr:
    """``(index * m + salt) mod modulus``: distinct indexes give distinct, unordered-looking
    values (a bijection on [0, modulus)). Used to make unique IDs."""
    multiplier = _scramble_multiplier(modulus)
    value = (index.cast(pl.Int128) * multiplier + salt) % modulus
    return value.cast(pl.Int64)


def scrambled_int(index: int, modulus: int, salt: int) -> int:
    return (index * _scramble_multiplier(modulus) + salt) % modulus
