"""Demo landing-zone data: realistic, messy, deterministic TikTok / Instagram / campaign drops.

:func:`write_demo_landing` writes ``spec.days`` daily partitions (from ``spec.start``) of creator
and post snapshots for ``spec.creators`` creators per platform, plus campaign reference files, in
the layout and with the API field names of :mod:`pipeline.landing.contract`::

    <landing>/tiktok/creators/dt=2026-10-01/creators.csv        .csv and .parquet on alternate days
    <landing>/tiktok/videos/dt=2026-10-01/videos-part-1.jsonl   two (or more) .jsonl files a day
    <landing>/instagram/creators/dt=2026-10-01/creators.parquet .parquet and .csv on alternate days
    <landing>/instagram/media/dt=2026-10-01/media.json          JSON array / .jsonl on alternate days
    <landing>/campaigns/campaigns/campaigns.csv
    <landing>/campaigns/campaign_posts/campaign_posts.jsonl
    <landing>/roster/creators/roster.csv                         the agency's tracked creators

Shapes. Follower counts are heavy tailed (a truncated Pareto inside each tier, with shares
falling as tiers rise) and every tier -- nano <10k, micro <50k, mid <500k, macro <1M, mega --
holds at least one creator per platform once ``creators >= 5``. Instagram likes follow
followers with an engagement rate falling from ~6 % (nano) to ~1 % (mega); TikTok views are only
weakly tied to followers (log-normal around a base) and a few videos of small creators go viral.
Each creator posts every 1-5 days (some days skipped); a post is observed once a day from its
creation day until 7-14 days later, its counts saturating towards a final value, so they never
decrease. Follower counts drift, mostly upwards. Posts from the two weeks before ``start`` are
still being observed on the first days.

Mess, as in real drops: ~5 % of Instagram posts hide their likes (``like_count`` absent, a quarter
of those written as ``-1``); ``views`` only on some reels; ~3 % of the post counts in the JSON
files are strings -- ``"12,345"`` or, for posts read off the app's display, ``"45.3K"`` /
``"1.23M"`` whose counts are then exact to three significant digits, so every string parses back
to the exact integer; ``fetched_at`` mixes ``Z`` and ``+00:00``; campaign creators are sometimes
written ``"@Mia.Bakes"``; one campaign post points at a post that does not exist. IDs exceed
2^53 and are always written as strings.

Determinism: every random value is a counter-based hash (SplitMix64 on Polars UInt64 columns) of
``spec.seed``, a variable name and the row's key (creator, post, day), so the same spec gives
byte-identical files, independent of the clock, of dict order, of ``PYTHONHASHSEED`` and of the
Polars thread count. Parquet files are written with fixed settings and carry no timestamps.

Scale: generation is vectorised (Polars expressions, no per-record Python) and one partition day
is generated and written at a time, so memory is bounded by the post catalogue (every post of
the period, static fields only) plus one day of observations. ``creators=20000, days=30`` gives
~10M records (8.8M post observations, 3.2 GB) in about a minute on two cores with ~1 GB RAM.
Existing files with the same names are overwritten; nothing else is removed.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import IO

import polars as pl

from pipeline.landing.contract import (
    CAMPAIGN_POSTS,
    CAMPAIGNS,
    ENTITIES,
    INSTAGRAM_CREATORS,
    INSTAGRAM_MEDIA,
    ROSTER_CREATORS,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
    Entity,
)


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. ``start`` is fixed (not today) so the output is deterministic."""

    creators: int = 40  # per platform
    days: int = 35  # number of daily partitions
    seed: int = 7
    start: date = date(2026, 10, 1)


@dataclass(frozen=True)
class DemoSummary:
    """Files and records written per entity (keys as ``Entity.key``: ``tiktok.videos``)."""

    landing_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    @property
    def total_files(self) -> int:
        return sum(self.files.values())

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def __str__(self) -> str:
        per_entity = ", ".join(f"{key} {count:,}" for key, count in self.records.items())
        return f"{self.total_files} files, {self.total_records:,} records ({per_entity})"


# --- domain constants ---------------------------------------------------------------------------

# (name, lower bound, upper bound, share of creators, Pareto shape inside the tier)
FOLLOWER_TIERS: tuple[tuple[str, int, int, float, float], ...] = (
    ("nano", 1_000, 10_000, 0.40, 0.6),
    ("micro", 10_000, 50_000, 0.27, 0.6),
    ("mid", 50_000, 500_000, 0.20, 0.6),
    ("macro", 500_000, 1_000_000, 0.07, 0.6),
    ("mega", 1_000_000, 150_000_000, 0.06, 1.3),
)
VERIFIED_SHARE_BY_TIER = (0.02, 0.05, 0.2, 0.6, 0.95)

PRE_PERIOD_DAYS = 14  # posts created this many days before ``start`` are still observed
OBSERVED_DAYS = (7, 14)  # a post is observed until 7-14 days after its creation day
POSTING_INTERVAL_WEIGHTS = (0.5, 0.25, 0.1, 0.1, 0.05)  # every 1, 2, 3, 4 or 5 days
SKIPPED_POST_SHARE = 0.08
SHARED_CREATOR_SHARE = 0.3  # creators with an account on both platforms

DISPLAY_SCRAPED_SHARE = 0.02  # posts whose counts come off the app display ("45.3K")
COMMA_STRING_SHARE = 0.012  # other count values written as strings ("12,345")
HIDDEN_LIKES_SHARE = 0.05
HIDDEN_AS_MINUS_ONE_SHARE = 0.25
REELS_WITH_VIEWS_SHARE = 0.8
VIRAL_SHARE_SMALL = 0.06  # TikTok videos of creators under 50k followers
VIRAL_SHARE_LARGE = 0.02

HASHTAG_COUNT_WEIGHTS = (0.1, 0.2, 0.25, 0.2, 0.15, 0.1)  # 0-5 hashtags a post

VIDEO_FILE_MAX_ROWS = 500_000

# (display first name, ASCII handle part)
FIRST_NAMES: tuple[tuple[str, str], ...] = tuple(
    (name, handle or name.lower())
    for name, handle in (
        ("Mia", ""), ("Zoë", "zoe"), ("José", "jose"), ("Léa", "lea"), ("Noah", ""),
        ("Emma", ""), ("Lukas", ""), ("Sofia", ""), ("Chloé", "chloe"), ("Björn", "bjorn"),
        ("Amara", ""), ("Kenji", ""), ("Priya", ""), ("Mateo", ""), ("Inès", "ines"),
        ("Aylin", ""), ("Finn", ""), ("Nora", ""), ("Omar", ""), ("Hana", ""),
        ("Liam", ""), ("Maja", ""), ("Elif", ""), ("Tomás", "tomas"), ("Ava", ""),
        ("Jonas", ""), ("Leila", ""), ("Ravi", ""), ("Sven", ""), ("Yuki", ""),
        ("Camille", ""), ("Diego", ""), ("Freya", ""), ("Ibrahim", ""), ("Jana", ""),
        ("Kai", ""), ("Lina", ""), ("Malik", ""), ("Nina", ""), ("Oscar", ""),
        ("Paula", ""), ("Quinn", ""), ("Rosa", ""), ("Sami", ""), ("Tara", ""),
        ("Uma", ""), ("Vera", ""), ("Wes", ""), ("Xenia", ""), ("Yara", ""),
        ("Zane", ""), ("Aisha", ""), ("Ben", ""), ("Clara", ""), ("Dario", ""),
        ("Eva", ""), ("Felix", ""), ("Greta", ""), ("Hugo", ""), ("Ida", ""),
        ("Jakob", ""), ("Kira", ""), ("Luca", ""), ("Marta", ""),
    )
)  # fmt: skip
LAST_NAMES = (
    "Fischer", "Okafor", "García", "Nguyen", "Rossi", "Kowalski", "Schmidt", "Dubois", "Silva",
    "Yilmaz", "Johansson", "Tanaka", "Patel", "Müller", "O'Brien", "Novak",
)  # fmt: skip
# (TikTok handle word, Instagram handle word, topic, hashtags)
NICHES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("dance", "dances", "dance", ("dance", "dancechallenge", "choreo")),
    ("baking", "bakes", "baking", ("baking", "sourdough", "cake")),
    ("cooking", "cooks", "food", ("recipe", "foodtok", "easyrecipe")),
    ("fitness", "lifts", "fitness", ("gym", "workout", "fitfam")),
    ("travel", "travels", "travel", ("travel", "wanderlust", "traveltips")),
    ("style", "styles", "fashion", ("ootd", "fashion", "styleinspo")),
    ("makeup", "glam", "beauty", ("makeup", "grwm", "skincare")),
    ("gaming", "plays", "gaming", ("gaming", "gamer", "setup")),
    ("tech", "tech", "tech", ("tech", "gadgets", "unboxing")),
    ("books", "reads", "books", ("booktok", "bookstagram", "reading")),
    ("garden", "grows", "gardening", ("gardening", "plants", "urbanjungle")),
    ("coffee", "brews", "coffee", ("coffee", "latteart", "barista")),
    ("yoga", "flows", "yoga", ("yoga", "mindfulness", "stretching")),
    ("pets", "pets", "pets", ("dogsoftiktok", "catsofinstagram", "puppy")),
    ("diy", "makes", "DIY", ("diy", "homedecor", "upcycling")),
    ("skate", "skates", "skateboarding", ("skate", "skateboarding", "kickflip")),
    ("music", "sings", "music", ("cover", "singing", "guitar")),
    ("comedy", "jokes", "comedy", ("comedy", "funny", "sketch")),
    ("vegan", "eats.green", "vegan food", ("vegan", "plantbased", "veganrecipes")),
    ("running", "runs", "running", ("running", "marathon", "runtok")),
)
GENERIC_HASHTAGS = ("fyp", "foryou", "viral", "trending", "explore", "reels", "fy", "foryoupage")
# (city, TikTok region code)
CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "DE"), ("Hamburg", "DE"), ("München", "DE"), ("Wien", "AT"), ("Zürich", "CH"),
    ("Paris", "FR"), ("Lyon", "FR"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Milano", "IT"),
    ("Amsterdam", "NL"), ("London", "GB"), ("Manchester", "GB"), ("New York", "US"),
    ("Los Angeles", "US"), ("Toronto", "CA"), ("São Paulo", "BR"), ("Lisboa", "PT"),
    ("Stockholm", "SE"), ("København", "DK"),
)  # fmt: skip
BIO_TEMPLATES = (
    "{topic} lover 💫 | {city}",
    'Sharing "{topic}" tips, one video at a time',
    "📍{city} · {topic}, coffee & chaos",
    "Business: {handle}@mail.example",
    "{topic} | she/her | {city}\nNew video every week",
    "{name} — {topic} from {city}. DMs open for collabs",
    "just a {topic} nerd 🤓",
)
HOOK_TEMPLATES = (
    "POV: you finally nailed the {topic} trend 😅",
    "Day {day} of learning {topic}",
    "wait for the end…",
    "3 {topic} hacks nobody talks about",
    "Replying to @{handle} — part 2!",
    'my "quick" {topic} routine, honestly',
    "{topic} in {city} hits different ✨",
    "Rating your {topic} ideas, 1-10",
    "Morgen geht's weiter mit {topic}! 🇩🇪",
    "I tried the viral {topic} thing so you don't have to",
)
CAMPAIGN_BRANDS: tuple[tuple[str, str, str], ...] = (
    ("Nordlicht Skincare", "Autumn Glow Launch", "EUR"),
    ("PeakFuel", "Black Friday Push", "USD"),
    ("Lumen Audio", "Holiday Gift Guide", "EUR"),
    ("Kaffeebar & Co.", "Winter Warmers", "EUR"),
    ("Verde Home", "Cozy Season", "USD"),
)
SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

_DAY_SECONDS = 86_400
_SPLITMIX_INCREMENT = 0x9E3779B97F4A7C15
_SPLITMIX_MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


# --- deterministic randomness -------------------------------------------------------------------


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


_U64_MASK = (1 << 64) - 1


def _splitmix64_int(state: int) -> int:
    """SplitMix64 finaliser on a Python int (for keys known in advance)."""
    z = (state + _SPLITMIX_INCREMENT) & _U64_MASK
    z = ((z ^ (z >> 30)) * _SPLITMIX_MULTIPLIERS[0]) & _U64_MASK
    z = ((z ^ (z >> 27)) * _SPLITMIX_MULTIPLIERS[1]) & _U64_MASK
    return z ^ (z >> 31)


def _splitmix64_series(state: pl.Series) -> pl.Series:
    """SplitMix64 finaliser on a UInt64 Series (Polars integer arithmetic wraps modulo 2^64).

    Evaluated eagerly, step by step: as one expression the reused intermediate values would
    make the expression tree grow exponentially with the number of keys.
    """
    z = state + pl.Series([_SPLITMIX_INCREMENT], dtype=pl.UInt64)
    z = (z ^ (z // (1 << 30))) * pl.Series([_SPLITMIX_MULTIPLIERS[0]], dtype=pl.UInt64)
    z = (z ^ (z // (1 << 27))) * pl.Series([_SPLITMIX_MULTIPLIERS[1]], dtype=pl.UInt64)
    return z ^ (z // (1 << 31))


class _Random:
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
            return _u64(_splitmix64_int(state))

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
        return (self.bits(variable, *keys) // _u64(1 << 11)).cast(pl.Float64) * 2.0**-53

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
        return _lookup(index, values)


def _lookup(index: pl.Expr, values: Sequence[str]) -> pl.Expr:
    return index.replace_strict(dict(enumerate(values)), return_dtype=pl.String)


def _lookup_float(index: pl.Expr, values: Sequence[float]) -> pl.Expr:
    return index.replace_strict(dict(enumerate(values)), return_dtype=pl.Float64)


def _python_integer(seed: int, variable: str, low: int, high: int) -> int:
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


def _scrambled(index: pl.Expr, modulus: int, salt: int) -> pl.Expr:
    """``(index * m + salt) mod modulus``: distinct indexes give distinct, unordered-looking
    values (a bijection on [0, modulus)). Used to make unique IDs."""
    multiplier = _scramble_multiplier(modulus)
    value = (index.cast(pl.Int128) * multiplier + salt) % modulus
    return value.cast(pl.Int64)


def _scrambled_int(index: int, modulus: int, salt: int) -> int:
    return (index * _scramble_multiplier(modulus) + salt) % modulus


# --- value formatting ---------------------------------------------------------------------------


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


def _three_significant_digits(value: pl.Expr) -> pl.Expr:
    """Truncated to three significant digits (45_378 -> 45_300); monotone in ``value``."""
    digits = value.cast(pl.String).str.len_chars().cast(pl.Int64)
    unit = pl.when(digits > 3).then(pl.lit(10, dtype=pl.Int64).pow(digits - 3)).otherwise(1)
    return value - value % unit


def _with_count_tokens(
    observed: pl.DataFrame, rng: _Random, names: Sequence[str], day_index: int
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


def _member(name: str, token: pl.Expr) -> pl.Expr:
    """``"name":token`` (null, so the member is left out, when the token is null)."""
    return pl.lit(f'"{name}":') + token


def _quoted_member(name: str, safe_text: pl.Expr) -> pl.Expr:
    """``"name":"text"`` for text needing no JSON escaping (digits, handles, timestamps)."""
    return pl.lit(f'"{name}":"') + safe_text + pl.lit('"')


def _encoded_members(*names: str) -> pl.Expr:
    """``"a":...,"b":...`` with full JSON escaping (free text, lists)."""
    return pl.struct(names).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")


def _json_object(members: Sequence[pl.Expr]) -> pl.Expr:
    body = pl.concat_str(list(members), separator=",", ignore_nulls=True)
    return (pl.lit("{") + body + pl.lit("}")).alias("record")


def _fetched_at_text(day: date, second_of_day: pl.Expr, utc_z: pl.Expr) -> pl.Expr:
    """ISO-8601 UTC, ``...Z`` or ``...+00:00``."""
    moment = pl.lit(datetime(day.year, day.month, day.day)) + pl.duration(seconds=second_of_day)
    suffix = pl.when(utc_z).then(pl.lit("Z")).otherwise(pl.lit("+00:00"))
    return moment.dt.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def _fetched_at_value(day: date, second_of_day: pl.Expr) -> pl.Expr:
    """A typed UTC timestamp (for Parquet)."""
    moment = pl.lit(datetime(day.year, day.month, day.day)) + pl.duration(seconds=second_of_day)
    return moment.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


# --- writing ------------------------------------------------------------------------------------


def _write_json_records(path: Path, records: pl.DataFrame, as_array: bool) -> None:
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


def _write_csv(path: Path, frame: pl.DataFrame) -> None:
    frame.write_csv(path, include_header=True, line_terminator="\n", quote_style="necessary")


def _write_parquet(path: Path, frame: pl.DataFrame) -> None:
    """Fixed settings (and Parquet stores no write time), so the bytes are reproducible."""
    frame.write_parquet(
        path,
        compression="zstd",
        compression_level=3,
        statistics=True,
        row_group_size=262_144,
        use_pyarrow=False,
    )


class _Tally:
    """Files and records written, per entity, in contract order."""

    def __init__(self) -> None:
        self.files = {entity.key: 0 for entity in ENTITIES}
        self.records = {entity.key: 0 for entity in ENTITIES}

    def add(self, entity: Entity, records: int) -> None:
        self.files[entity.key] += 1
        self.records[entity.key] += records


def _partition_dir(landing_dir: Path, entity: Entity, day: date | None) -> Path:
    folder = landing_dir / entity.platform / entity.name
    if day is not None:
        folder = folder / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- creators -----------------------------------------------------------------------------------


def _tier_sizes(creators: int) -> list[int]:
    """Creators per tier by largest remainder; every tier gets at least one when there are 5+."""
    shares = [tier[3] for tier in FOLLOWER_TIERS]
    exact = [share * creators for share in shares]
    sizes = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (sizes[i] - exact[i], i))
    for i in by_remainder[: creators - sum(sizes)]:
        sizes[i] += 1
    if creators >= len(sizes):
        for i in range(len(sizes)):
            while sizes[i] == 0:
                donor = max(range(len(sizes)), key=lambda j: (sizes[j], -j))
                sizes[donor] -= 1
                sizes[i] += 1
    return sizes


def _persons(spec: DemoSpec) -> pl.DataFrame:
    """The people behind the accounts: names, niche, city. Some have both accounts."""
    shared = round(SHARED_CREATOR_SHARE * spec.creators)
    rng = _Random(spec.seed, "persons")
    person = pl.col("person")
    name_count, niche_count = len(FIRST_NAMES), len(NICHES)
    # A random permutation, split into (first name, niche, repeat) so (name, niche) pairs are
    # unique within each repeat and handles are unique overall.
    order = (rng.uniform("order", person).rank("ordinal") - 1).cast(pl.Int64)
    name_index = order % name_count
    niche_index = (order // name_count + 7 * name_index) % niche_count
    repeat = order // (name_count * niche_count)
    return (
        pl.DataFrame({"person": pl.int_range(2 * spec.creators - shared, eager=True)})
        .with_columns(
            name_index.alias("name_index"),
            niche_index.alias("niche"),
            repeat.alias("repeat"),
            rng.integers("tiktok_pattern", 0, 3, person).alias("tiktok_pattern"),
            rng.integers("instagram_pattern", 0, 3, person).alias("instagram_pattern"),
            rng.integers("display_style", 0, 3, person).alias("display_style"),
            rng.pick("last_name", LAST_NAMES, person).alias("last_name"),
            rng.integers("city", 0, len(CITIES) - 1, person).alias("city_index"),
            rng.integers("bio", 0, len(BIO_TEMPLATES) - 1, person).alias("bio_index"),
            (rng.uniform("no_bio", person) < 0.06).alias("no_bio"),
        )
        .with_columns(
            _lookup(pl.col("name_index"), [n[0] for n in FIRST_NAMES]).alias("first_name"),
            _lookup(pl.col("name_index"), [n[1] for n in FIRST_NAMES]).alias("handle_name"),
            _lookup(pl.col("niche"), [n[0] for n in NICHES]).alias("tiktok_word"),
            _lookup(pl.col("niche"), [n[1] for n in NICHES]).alias("instagram_word"),
            _lookup(pl.col("niche"), [n[2] for n in NICHES]).alias("topic"),
            _lookup(pl.col("city_index"), [c[0] for c in CITIES]).alias("city"),
            _lookup(pl.col("city_index"), [c[1] for c in CITIES]).alias("region_code"),
            pl.when(pl.col("repeat") > 0)
            .then((pl.col("repeat") + 1).cast(pl.String))
            .otherwise(pl.lit(""))
            .alias("handle_suffix"),
        )
    )


def _handle(pattern: pl.Expr, forms: Sequence[tuple[str, ...]]) -> pl.Expr:
    """Join the pieces of the handle form chosen by ``pattern``; pieces are column names or text."""

    def piece(p: str) -> pl.Expr:
        return pl.col(p) if p in ("handle_name", "tiktok_word", "instagram_word") else pl.lit(p)

    chosen = [
        pl.when(pattern == i).then(pl.concat_str([piece(p) for p in form]))
        for i, form in enumerate(forms)
    ]
    return pl.coalesce(chosen) + pl.col("handle_suffix")


TIKTOK_HANDLE_FORMS = (
    ("tiktok_word", ".with.", "handle_name"),  # dance.with.mia
    ("handle_name", ".", "tiktok_word"),  # mia.dance
    ("handle_name", "_", "tiktok_word"),  # mia_dance
    ("its.", "handle_name", ".", "tiktok_word"),  # its.mia.dance
)
INSTAGRAM_HANDLE_FORMS = (
    ("handle_name", ".", "instagram_word"),  # mia.bakes
    ("instagram_word", ".by.", "handle_name"),  # bakes.by.mia
    ("handle_name", "_", "instagram_word"),  # mia_bakes
    ("the.", "handle_name", ".", "instagram_word"),  # the.mia.bakes
)


def _creators(spec: DemoSpec, platform: str, persons: pl.DataFrame) -> pl.DataFrame:
    """Static creator attributes: handle, names, tier, base follower count, growth, bio."""
    n = spec.creators
    shared = round(SHARED_CREATOR_SHARE * n)
    rng = _Random(spec.seed, f"{platform}/creators")
    creator = pl.col("creator")
    if platform == "tiktok":
        person_of_creator = pl.int_range(n, eager=True)
    else:
        index = pl.int_range(n, eager=True)
        person_of_creator = pl.select(
            pl.when(index < shared).then(index).otherwise(index + n - shared)
        ).to_series()
    frame = (
        pl.DataFrame({"creator": pl.int_range(n, eager=True), "person": person_of_creator})
        .join(persons, on="person", how="left")
        .sort("creator")
    )

    boundaries = list(accumulate(_tier_sizes(n)))[:-1]
    tier_rank = (rng.uniform("tier_order", creator).rank("ordinal") - 1).cast(pl.Int64)
    tier = pl.sum_horizontal([(tier_rank >= b).cast(pl.Int64) for b in boundaries] or [pl.lit(0)])
    frame = frame.with_columns(tier.alias("tier"))

    low = _lookup_float(pl.col("tier"), [t[1] for t in FOLLOWER_TIERS])
    high = _lookup_float(pl.col("tier"), [t[2] for t in FOLLOWER_TIERS])
    alpha = _lookup_float(pl.col("tier"), [t[4] for t in FOLLOWER_TIERS])
    u = rng.uniform("followers", creator)
    # Truncated Pareto on [low, high): density falls inside each tier as well.
    followers = low * (1.0 - u * (1.0 - (low / high) ** alpha)) ** (-1.0 / alpha)
    declining = rng.uniform("declining", creator) < 0.08
    growth = (
        pl.when(declining)
        .then(-0.0005 - 0.0035 * rng.uniform("decline_rate", creator))
        .otherwise((0.003 + 0.002 * rng.normal("growth", creator)).clip(0.0002, 0.012))
    )
    verified_share = _lookup_float(pl.col("tier"), list(VERIFIED_SHARE_BY_TIER))
    display_name = (
        pl.when(pl.col("display_style") == 0)
        .then(pl.col("first_name") + " " + pl.col("last_name"))
        .when(pl.col("display_style") == 1)
        .then(pl.col("first_name") + " | " + pl.col("topic"))
        .otherwise(pl.col("first_name") + " ✨")
    )
    handle_forms = TIKTOK_HANDLE_FORMS if platform == "tiktok" else INSTAGRAM_HANDLE_FORMS
    pattern = pl.col(f"{platform}_pattern")
    frame = frame.with_columns(
        # The count on the last day, kept 1 % inside its tier so that day shows every tier.
        followers.clip(low * 1.01, high * 0.99).floor().cast(pl.Int64).alias("followers_at_end"),
        growth.alias("growth"),
        (rng.uniform("verified", creator) < verified_share).alias("is_verified"),
        _handle(pattern, handle_forms).alias("username"),
        display_name.alias("display_name"),
        rng.lognormal("following", 420.0, 1.0, creator)
        .clip(3, 7500)
        .floor()
        .cast(pl.Int64)
        .alias("following_base"),
        (rng.uniform("following_rate", creator) * 1.5).alias("following_rate"),
        rng.lognormal("likes_per_follower", 14.0, 0.7, creator).alias("likes_per_follower"),
        rng.lognormal("posts_before", 160.0, 0.9, creator)
        .floor()
        .cast(pl.Int64)
        .alias("posts_before"),
    )
    bio = _lookup(pl.col("bio_index"), BIO_TEMPLATES)
    for placeholder, column in (
        ("{topic}", "topic"),
        ("{city}", "city"),
        ("{handle}", "username"),
        ("{name}", "first_name"),
    ):
        bio = bio.str.replace_all(placeholder, pl.col(column), literal=True)
    frame = frame.with_columns(
        pl.when(pl.col("no_bio")).then(None).otherwise(bio).alias("bio"),
    )
    if platform == "instagram":
        salt = _python_integer(spec.seed, "instagram/account_id", 0, 10**11 - 1)
        account_id = pl.lit(17_841_400_000_000_000) + _scrambled(creator, 10**11, salt)
        frame = frame.with_columns(account_id.cast(pl.String).alias("account_id"))
    return frame


def _posts_created_by(catalogue: pl.DataFrame, day_index: int, creators: int) -> pl.DataFrame:
    """Per creator: posts created on or before the day (0 for creators without any)."""
    counted = (
        catalogue.filter(pl.col("create_day") <= day_index)
        .group_by("creator")
        .agg(pl.len().cast(pl.Int64).alias("posts_so_far"))
    )
    return (
        pl.DataFrame({"creator": pl.int_range(creators, eager=True)})
        .join(counted, on="creator", how="left")
        .sort("creator")
        .with_columns(pl.col("posts_so_far").fill_null(0))
    )


def _creator_snapshot(
    spec: DemoSpec, platform: str, creators: pl.DataFrame, catalogue: pl.DataFrame, day_index: int
) -> pl.DataFrame:
    """One row per creator for the day, with the platform's field names."""
    rng = _Random(spec.seed, f"{platform}/creator_snapshots")
    creator = pl.col("creator")
    day = spec.start + timedelta(days=day_index)
    posts = _posts_created_by(catalogue, day_index, spec.creators)
    wiggle = 1.0 + 0.0006 * rng.normal("wiggle", creator, day_index).clip(-4.0, 4.0)
    days_to_end = day_index - (spec.days - 1)
    followers = pl.col("followers_at_end") * (pl.col("growth") * days_to_end).exp() * wiggle
    following = pl.col("following_base") + (pl.col("following_rate") * day_index).floor()
    second = _crawl_second(spec, platform, day_index).floor()
    frame = creators.join(posts, on="creator", how="left").sort("creator")
    frame = frame.with_columns(
        followers.round().cast(pl.Int64).alias("followers"),
        following.cast(pl.Int64).alias("following"),
        (pl.col("posts_before") + pl.col("posts_so_far")).alias("post_count"),
        second.cast(pl.Int64).alias("second"),
        (rng.uniform("utc_z", creator, day_index) < 0.5).alias("utc_z"),
    )
    as_parquet = _creators_as_parquet(platform, day_index)
    fetched_at = (
        _fetched_at_value(day, pl.col("second"))
        if as_parquet
        else _fetched_at_text(day, pl.col("second"), pl.col("utc_z"))
    ).alias("fetched_at")
    if platform == "tiktok":
        likes = pl.col("followers") * pl.col("likes_per_follower") * (1 + 0.002 * day_index)
        return frame.select(
            "username",
            pl.col("followers").alias("follower_count"),
            "display_name",
            pl.col("following").alias("following_count"),
            likes.floor().cast(pl.Int64).alias("likes_count"),
            pl.col("post_count").alias("video_count"),
            "is_verified",
            pl.col("bio").alias("bio_description"),
            fetched_at,
        )
    return frame.select(
        pl.col("account_id").alias("id"),
        "username",
        pl.col("display_name").alias("name"),
        pl.col("followers").alias("followers_count"),
        pl.col("following").alias("follows_count"),
        pl.col("post_count").alias("media_count"),
        pl.col("bio").alias("biography"),
        fetched_at,
    )


def _crawl_second(spec: DemoSpec, platform: str, day_index: int) -> pl.Expr:
    """When the scraper visits the creator that day (second of the day, before 23:30).

    The profile is read at this second and the creator's posts within the next 15 minutes.
    """
    rng = _Random(spec.seed, f"{platform}/crawl")
    return rng.uniform("second", pl.col("creator"), day_index) * (_DAY_SECONDS - 1800)


def _creators_as_parquet(platform: str, day_index: int) -> bool:
    """Creators alternate between CSV and Parquet drops (out of step between the platforms)."""
    return day_index % 2 == (1 if platform == "tiktok" else 0)


# --- post catalogues ----------------------------------------------------------------------------


def _epoch(day: date) -> int:
    """Unix seconds at midnight UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _post_schedule(spec: DemoSpec, platform: str, creators: pl.DataFrame) -> pl.DataFrame:
    """Posts per creator (every 1-5 days, some skipped) from the pre-period to the last day."""
    rng = _Random(spec.seed, f"{platform}/schedule")
    creator = pl.col("creator")
    interval = rng.choice("interval", POSTING_INTERVAL_WEIGHTS, creator) + 1
    first_day = (
        -PRE_PERIOD_DAYS + (rng.uniform("phase", creator) * pl.col("interval")).floor()
    ).cast(pl.Int64)
    span = spec.days - pl.col("first_day")
    post_count = ((span + pl.col("interval") - 1) // pl.col("interval")).clip(lower_bound=0)
    schedule = (
        creators.select("creator", interval.cast(pl.Int64).alias("interval"))
        .with_columns(first_day.alias("first_day"))
        .with_columns(pl.int_ranges(0, post_count, dtype=pl.Int64).alias("nth"))
        .explode("nth")
        .drop_nulls("nth")
        .with_columns(
            (pl.col("first_day") + pl.col("nth") * pl.col("interval")).alias("create_day")
        )
    )
    skipped = rng.uniform("skipped", creator, pl.col("create_day") + PRE_PERIOD_DAYS)
    posts = schedule.filter(skipped >= SKIPPED_POST_SHARE).select("creator", "create_day")
    posts = posts.join(creators, on="creator", how="left").sort("creator", "create_day")
    posts = posts.with_row_index("post").with_columns(pl.col("post").cast(pl.Int64))
    post = pl.col("post")
    # Posting hours lean towards the evening; nothing after 23:30.
    created_second = 6 * 3600 + (rng.uniform("hour", post) ** 0.7) * (17.5 * 3600)
    start_epoch = _epoch(spec.start)
    return posts.with_columns(
        created_second.floor().cast(pl.Int64).alias("created_second"),
        rng.integers("window", OBSERVED_DAYS[0], OBSERVED_DAYS[1], post).alias("window"),
    ).with_columns(
        (start_epoch + pl.col("create_day") * _DAY_SECONDS + pl.col("created_second")).alias(
            "create_epoch"
        )
    )


# Catalogue columns kept for the daily snapshots and the campaigns (the rest is dropped).
POST_SCHEDULE_COLUMNS = (
    "post", "creator", "create_day", "created_second", "create_epoch", "window", "username",
    "followers_at_end",
)  # fmt: skip
TIKTOK_VIDEO_COLUMNS = (
    "id", "views_final", "like_rate", "comment_rate", "share_rate", "favourite_rate",
    "tau_hours", "display_scraped", "video_description", "hashtag_names", "music_id",
    "video_duration", "region_code",
)  # fmt: skip
INSTAGRAM_MEDIA_COLUMNS = (
    "id", "media_type", "media_product_type", "likes_final", "comment_rate", "views_per_like",
    "likes_hidden", "hidden_as_minus_one", "tau_hours", "display_scraped", "caption", "permalink",
)  # fmt: skip


def _post_text(
    rng: _Random, post: pl.Expr, hashtag_count: pl.Expr, caption_break: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """(hashtags list, caption) for a post, in the creator's niche with a few generic tags."""
    niche_tags = [tag for niche in NICHES for tag in niche[3]]
    all_tags = niche_tags + list(GENERIC_HASHTAGS)
    slots = []
    for slot in range(5):
        own_niche = rng.uniform(f"tag_kind_{slot}", post) < 0.6
        niche_tag = pl.col("niche") * 3 + rng.integers(f"niche_tag_{slot}", 0, 2, post)
        generic_tag = len(niche_tags) + rng.integers(
            f"generic_tag_{slot}", 0, len(GENERIC_HASHTAGS) - 1, post
        )
        index = pl.when(own_niche).then(niche_tag).otherwise(generic_tag)
        slots.append(_lookup(index, all_tags))
    hashtags = pl.concat_list(slots).list.head(hashtag_count).list.unique(maintain_order=True)
    hook = rng.pick("hook", HOOK_TEMPLATES, post)
    for placeholder, value in (
        ("{topic}", pl.col("topic")),
        ("{city}", pl.col("city")),
        ("{handle}", pl.col("username")),
        ("{day}", (rng.integers("day_number", 1, 100, post)).cast(pl.String)),
    ):
        hook = hook.str.replace_all(placeholder, value, literal=True)
    tag_text = hashtags.list.eval(pl.lit("#") + pl.element()).list.join(" ")
    separator = pl.when(caption_break).then(pl.lit("\n\n")).otherwise(pl.lit(" "))
    caption = pl.when(hashtags.list.len() > 0).then(hook + separator + tag_text).otherwise(hook)
    return hashtags, caption


def _tiktok_id(create_epoch: pl.Expr, post: pl.Expr, salt: int) -> pl.Expr:
    """A 19-digit TikTok-style ID: epoch seconds * 2^32 + scrambled post number."""
    low_bits = _scrambled(post, 2**32, salt).cast(pl.UInt64)
    return create_epoch.cast(pl.UInt64) * _u64(2**32) + low_bits


def _tiktok_id_salt(spec: DemoSpec) -> int:
    return _python_integer(spec.seed, "tiktok/video_id", 0, 2**32 - 1)


def _tiktok_video_catalogue(spec: DemoSpec, creators: pl.DataFrame) -> pl.DataFrame:
    """Every TikTok video of the period with its final counts and static fields."""
    rng = _Random(spec.seed, "tiktok/videos")
    posts = _post_schedule(spec, "tiktok", creators)
    post = pl.col("post")
    followers = pl.col("followers_at_end").cast(pl.Float64)
    small = pl.col("followers_at_end") < 50_000
    viral_share = pl.when(small).then(VIRAL_SHARE_SMALL).otherwise(VIRAL_SHARE_LARGE)
    viral = rng.uniform("viral", post) < viral_share
    viral_boost = pl.when(viral).then((3.0 + 3.0 * rng.uniform("boost", post)).exp()).otherwise(1.0)
    # Views only weakly follow followers: the For You feed decides.
    views = 3000.0 * (followers / 10_000.0) ** 0.6 * rng.lognormal("views", 1.0, 1.0, post)
    like_rate = rng.lognormal("like_rate", 0.07, 0.45, post).clip(0.005, 0.3)
    hashtags, description = _post_text(
        rng, post, rng.choice("hashtag_count", HASHTAG_COUNT_WEIGHTS, post), pl.lit(False)
    )
    # Like real TikTok IDs: creation time in the high bits; unique low bits per video.
    video_id = _tiktok_id(pl.col("create_epoch"), post, _tiktok_id_salt(spec))
    trending_sound = rng.uniform("trending_sound", post) < 0.6
    sound_index = rng.integers("sound", 0, 149, post)
    trending_id = _u64(6_900_000_000_000_000_000) + rng.bits("sound_id", sound_index) % _u64(10**17)
    original_sound_salt = _python_integer(spec.seed, "tiktok/sound_id", 0, 2**32 - 1)
    original_id = _tiktok_id(pl.col("create_epoch"), post, original_sound_salt)
    return posts.with_columns(
        video_id.cast(pl.String).alias("id"),
        (views * viral_boost).floor().alias("views_final"),
        like_rate.alias("like_rate"),
        rng.lognormal("comment_rate", 0.012, 0.6, post).clip(0.0005, 0.1).alias("comment_rate"),
        rng.lognormal("share_rate", 0.03, 0.7, post).clip(0.001, 0.5).alias("share_rate"),
        rng.lognormal("favourite_rate", 0.08, 0.5, post).clip(0.005, 0.6).alias("favourite_rate"),
        rng.lognormal("tau", 20.0, 0.5, post).alias("tau_hours"),
        (rng.uniform("display_scraped", post) < DISPLAY_SCRAPED_SHARE).alias("display_scraped"),
        hashtags.alias("hashtag_names"),
        description.alias("video_description"),
        pl.when(trending_sound)
        .then(trending_id)
        .otherwise(original_id)
        .cast(pl.String)
        .alias("music_id"),
        rng.lognormal("duration", 22.0, 0.7, post)
        .clip(5, 600)
        .floor()
        .cast(pl.Int64)
        .alias("video_duration"),
    ).select(*POST_SCHEDULE_COLUMNS, *TIKTOK_VIDEO_COLUMNS)


def _engagement_rate(followers: pl.Expr) -> pl.Expr:
    """Instagram likes per follower: ~6 % for nano creators down to ~1 % for mega creators."""
    return (0.062 * (followers / 2500.0) ** -0.25).clip(0.006, 0.12)


def _shortcode(rng: _Random, post: pl.Expr) -> pl.Expr:
    """An 11-character Instagram shortcode (base-64 alphabet)."""
    bits = rng.bits("shortcode", post)
    more = rng.bits("shortcode_tail", post)
    alphabet = pl.lit(SHORTCODE_ALPHABET)
    chars = [alphabet.str.slice((bits // _u64(64**k)) % _u64(64), 1) for k in range(10)]
    chars.append(alphabet.str.slice(more % _u64(64), 1))
    return pl.concat_str(chars)


def _instagram_media_catalogue(spec: DemoSpec, creators: pl.DataFrame) -> pl.DataFrame:
    """Every Instagram post of the period with its final counts and static fields."""
    rng = _Random(spec.seed, "instagram/media")
    posts = _post_schedule(spec, "instagram", creators)
    post = pl.col("post")
    followers = pl.col("followers_at_end").cast(pl.Float64)
    media_type_index = rng.choice("media_type", (0.40, 0.22, 0.38), post)
    media_type = _lookup(media_type_index, ("IMAGE", "CAROUSEL_ALBUM", "VIDEO"))
    is_reel = (media_type_index == 2) & (rng.uniform("feed_video", post) >= 0.08)
    likes = followers * _engagement_rate(followers) * rng.lognormal("likes", 1.0, 0.6, post)
    hidden = rng.uniform("hidden", post) < HIDDEN_LIKES_SHARE
    hidden_as_minus_one = hidden & (rng.uniform("minus_one", post) < HIDDEN_AS_MINUS_ONE_SHARE)
    with_views = is_reel & (rng.uniform("with_views", post) < REELS_WITH_VIEWS_SHARE)
    eighteen_digits = rng.uniform("id_length", post) < 0.4
    scrambled = _scrambled(
        post, 10**14, _python_integer(spec.seed, "instagram/media_id", 0, 10**14 - 1)
    )
    media_id = (
        pl.when(eighteen_digits)
        .then(pl.lit(180_000_000_000_000_000) + scrambled)
        .otherwise(pl.lit(17_900_000_000_000_000) + scrambled)
    )
    _, caption = _post_text(
        rng,
        post,
        rng.choice("hashtag_count", HASHTAG_COUNT_WEIGHTS, post),
        rng.uniform("break", post) < 0.5,
    )
    shortcode = _shortcode(rng, post)
    permalink = (
        pl.lit("https://www.instagram.com/")
        + pl.when(is_reel).then(pl.lit("reel/")).otherwise(pl.lit("p/"))
        + shortcode
        + pl.lit("/")
    )
    return posts.with_columns(
        media_id.cast(pl.String).alias("id"),
        media_type.alias("media_type"),
        pl.when(is_reel)
        .then(pl.lit("REELS"))
        .otherwise(pl.lit("FEED"))
        .alias("media_product_type"),
        likes.floor().alias("likes_final"),
        rng.lognormal("comment_rate", 0.02, 0.6, post).clip(0.001, 0.2).alias("comment_rate"),
        pl.when(with_views)
        .then(rng.lognormal("views_per_like", 14.0, 0.5, post))
        .otherwise(None)
        .alias("views_per_like"),
        hidden.alias("likes_hidden"),
        hidden_as_minus_one.alias("hidden_as_minus_one"),
        rng.lognormal("tau", 10.0, 0.5, post).alias("tau_hours"),
        (rng.uniform("display_scraped", post) < DISPLAY_SCRAPED_SHARE).alias("display_scraped"),
        caption.alias("caption"),
        permalink.alias("permalink"),
    ).select(*POST_SCHEDULE_COLUMNS, *INSTAGRAM_MEDIA_COLUMNS)


# --- daily post observations --------------------------------------------------------------------


def _observed_on(
    spec: DemoSpec, platform: str, catalogue: pl.DataFrame, rng: _Random, day_index: int
) -> pl.DataFrame:
    """The posts observed on the day, with the fetch second and the saturation reached.

    A post's counts are ``final * (1 - exp(-age / tau))``: the age at fetch grows from one day
    to the next (fetches stay inside their day), so the counts never decrease.
    """
    observed = catalogue.filter(
        (pl.col("create_day") <= day_index) & (pl.col("create_day") + pl.col("window") >= day_index)
    )
    post = pl.col("post")
    on_creation_day = pl.col("create_day") == day_index
    after_creation = pl.col("created_second") + rng.uniform("fetch", post, day_index) * (
        _DAY_SECONDS - 1 - pl.col("created_second")
    )
    crawl = _crawl_second(spec, platform, day_index)
    routine = crawl + rng.uniform("fetch", post, day_index) * 900
    second = pl.when(on_creation_day).then(after_creation).otherwise(routine).floor()
    observed = observed.with_columns(second.cast(pl.Int64).alias("second"))
    age_hours = (
        (day_index - pl.col("create_day")) * _DAY_SECONDS
        + pl.col("second")
        - pl.col("created_second")
    ) / 3600.0
    return observed.with_columns(
        (1.0 - (-age_hours / pl.col("tau_hours")).exp()).alias("saturation"),
        (rng.uniform("utc_z", post, day_index) < 0.5).alias("utc_z"),
    )


def _observed_count(final: pl.Expr) -> pl.Expr:
    """The count at this observation; display-scraped posts only show 3 significant digits."""
    exact = (final * pl.col("saturation")).floor().cast(pl.Int64)
    return (
        pl.when(pl.col("display_scraped")).then(_three_significant_digits(exact)).otherwise(exact)
    )


def _count_member(name: str) -> pl.Expr:
    """``"name":token`` from the column added by :func:`_with_count_tokens`."""
    return _member(name, pl.col(f"{name}_token"))


TIKTOK_VIDEO_COUNTS = (
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
    "favourites_count",
)
INSTAGRAM_MEDIA_COUNTS = ("comments_count", "like_count", "views")


def _tiktok_video_records(spec: DemoSpec, catalogue: pl.DataFrame, day_index: int) -> pl.DataFrame:
    """The day's TikTok video observations as JSON text (column ``record``) plus ``creator``."""
    rng = _Random(spec.seed, "tiktok/video_snapshots")
    day = spec.start + timedelta(days=day_index)
    observed = _observed_on(spec, "tiktok", catalogue, rng, day_index)
    observed = observed.with_columns(
        _observed_count(pl.col("views_final")).alias("view_count"),
        _observed_count(pl.col("views_final") * pl.col("like_rate")).alias("like_count"),
    ).with_columns(
        _observed_count(pl.col("views_final") * pl.col("like_rate") * pl.col("comment_rate")).alias(
            "comment_count"
        ),
        _observed_count(pl.col("views_final") * pl.col("like_rate") * pl.col("share_rate")).alias(
            "share_count"
        ),
        _observed_count(
            pl.col("views_final") * pl.col("like_rate") * pl.col("favourite_rate")
        ).alias("favourites_count"),
    )
    observed = _with_count_tokens(observed, rng, TIKTOK_VIDEO_COUNTS, day_index)
    members = [
        _quoted_member("id", pl.col("id")),
        _quoted_member("username", pl.col("username")),
        _member("create_time", pl.col("create_epoch").cast(pl.String)),
        *(_count_member(name) for name in TIKTOK_VIDEO_COUNTS),
        _encoded_members("video_description", "hashtag_names"),
        _quoted_member("music_id", pl.col("music_id")),
        _member("video_duration", pl.col("video_duration").cast(pl.String)),
        _quoted_member("region_code", pl.col("region_code")),
        _quoted_member("fetched_at", _fetched_at_text(day, pl.col("second"), pl.col("utc_z"))),
    ]
    return observed.select("creator", _json_object(members))


def _instagram_media_records(
    spec: DemoSpec, catalogue: pl.DataFrame, day_index: int
) -> pl.DataFrame:
    """The day's Instagram media observations as JSON text (column ``record``)."""
    rng = _Random(spec.seed, "instagram/media_snapshots")
    day = spec.start + timedelta(days=day_index)
    observed = _observed_on(spec, "instagram", catalogue, rng, day_index)
    likes = _observed_count(pl.col("likes_final"))
    observed = observed.with_columns(
        pl.when(pl.col("hidden_as_minus_one"))
        .then(pl.lit(-1, dtype=pl.Int64))
        .when(pl.col("likes_hidden"))
        .then(pl.lit(None, dtype=pl.Int64))
        .otherwise(likes)
        .alias("like_count"),
        _observed_count(pl.col("likes_final") * pl.col("comment_rate")).alias("comments_count"),
        _observed_count(pl.col("likes_final") * pl.col("views_per_like")).alias("views"),
    )
    observed = _with_count_tokens(observed, rng, INSTAGRAM_MEDIA_COUNTS, day_index)
    timestamp = (
        pl.from_epoch(pl.col("create_epoch"), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
        + "+0000"
    )
    members = [
        _quoted_member("id", pl.col("id")),
        _quoted_member("username", pl.col("username")),
        _quoted_member("timestamp", timestamp),
        _count_member("comments_count"),
        _count_member("like_count"),
        _quoted_member("media_type", pl.col("media_type")),
        _quoted_member("media_product_type", pl.col("media_product_type")),
        _encoded_members("caption", "permalink"),
        _count_member("views"),
        _quoted_member("fetched_at", _fetched_at_text(day, pl.col("second"), pl.col("utc_z"))),
    ]
    return observed.select("creator", _json_object(members))


def _media_as_json_array(day_index: int) -> bool:
    """Instagram media arrive as a JSON array on even days and as JSON lines on odd days."""
    return day_index % 2 == 0


# --- campaigns ----------------------------------------------------------------------------------


def _campaigns(spec: DemoSpec) -> pl.DataFrame:
    """3-4 campaigns running inside the period (with day offsets for picking their posts)."""
    rng = _Random(spec.seed, "campaigns")
    count = _python_integer(spec.seed, "campaign_count", 3, 4)
    campaign = pl.col("campaign")
    brand_order = rng.uniform("brand", pl.int_range(len(CAMPAIGN_BRANDS))).rank("ordinal") - 1
    brands = pl.DataFrame({"brand_index": pl.int_range(len(CAMPAIGN_BRANDS), eager=True)})
    brands = brands.with_columns(brand_order.cast(pl.Int64).alias("campaign")).sort("campaign")
    first_day = rng.integers("first_day", 0, max(0, spec.days - 7), campaign)
    length = rng.integers("length", 7, 21, campaign)
    start = pl.lit(spec.start) + pl.duration(days=pl.col("first_day"))
    end = pl.lit(spec.start) + pl.duration(days=pl.col("last_day"))
    return (
        brands.head(count)
        .with_columns(
            first_day.alias("first_day"),
            length.alias("length"),
            _lookup(pl.col("brand_index"), [b[0] for b in CAMPAIGN_BRANDS]).alias("brand"),
            _lookup(pl.col("brand_index"), [b[1] for b in CAMPAIGN_BRANDS]).alias("campaign_name"),
            _lookup(pl.col("brand_index"), [b[2] for b in CAMPAIGN_BRANDS]).alias("currency"),
            pl.format("CMP-{}", (campaign + 1).cast(pl.String).str.zfill(3)).alias("campaign_id"),
        )
        .with_columns((pl.col("first_day") + pl.col("length") - 1).alias("last_day"))
        .with_columns(
            start.cast(pl.Date).dt.strftime("%Y-%m-%d").alias("start_date"),
            end.cast(pl.Date).dt.strftime("%Y-%m-%d").alias("end_date"),
        )
    )


def _campaign_posts(
    spec: DemoSpec,
    campaigns: pl.DataFrame,
    tiktok_videos: pl.DataFrame,
    instagram_media: pl.DataFrame,
) -> pl.DataFrame:
    """10-20 sponsored posts per campaign across both platforms, plus one unknown post id."""
    rng = _Random(spec.seed, "campaign_posts")
    columns = ["post", "creator", "create_day", "id", "username", "followers_at_end"]
    candidates = pl.concat(
        [
            tiktok_videos.select(columns).with_columns(pl.lit("tiktok").alias("platform")),
            instagram_media.select(columns).with_columns(pl.lit("instagram").alias("platform")),
        ]
    ).filter(pl.col("create_day").is_between(0, spec.days - 1))
    picked: list[pl.DataFrame] = []
    taken = candidates.head(0).select("platform", "post")
    for row in campaigns.iter_rows(named=True):  # 3-4 campaigns: not a hot path
        size = int(_python_integer(spec.seed, f"campaign_size/{row['campaign']}", 10, 20))
        pool = (
            candidates.filter(pl.col("create_day").is_between(row["first_day"], row["last_day"]))
            .join(taken, on=["platform", "post"], how="anti")
            .with_columns(
                rng.uniform(
                    "pick", row["campaign"], pl.col("post"), pl.col("platform") == "tiktok"
                ).alias("pick_order")
            )
            .sort("platform", "pick_order")
        )
        tiktok_share = size // 2 + size % 2
        chosen = pl.concat(
            [
                pool.filter(pl.col("platform") == "tiktok").head(tiktok_share),
                pool.filter(pl.col("platform") == "instagram").head(size - tiktok_share),
            ]
        ).with_columns(
            pl.lit(row["campaign"]).alias("campaign"),
            pl.lit(row["campaign_id"]).alias("campaign_id"),
        )
        picked.append(chosen.drop("pick_order"))
        taken = pl.concat([taken, chosen.select("platform", "post")])
    chosen = pl.concat(picked).sort("campaign", "platform", "create_day", "post")
    # A sponsored video the creator deleted before the first crawl: its id is in no drop.
    # Post number one past the last: its scrambled low bits belong to no generated video.
    unknown_low_bits = _scrambled_int(tiktok_videos.height, 2**32, _tiktok_id_salt(spec))
    unknown_epoch = _epoch(spec.start) + 20 * 3600
    unknown_id = str(unknown_epoch * 2**32 + unknown_low_bits)
    first_creator = tiktok_videos.select("username", "followers_at_end").head(1)
    dangling = pl.DataFrame(
        {
            "campaign_id": [campaigns["campaign_id"][0]],
            "platform": ["tiktok"],
            "id": [unknown_id],
            "username": first_creator["username"].to_list() or ["unknown.creator"],
            "followers_at_end": first_creator["followers_at_end"].to_list() or [5000],
            "post": [-1],
        }
    )
    rows = pl.concat(
        [chosen.select(dangling.columns), dangling.with_columns(pl.col("post").cast(pl.Int64))],
        how="vertical_relaxed",
    )
    key = pl.col("post") + 1
    platform_code = (pl.col("platform") == "tiktok").cast(pl.Int64)
    rate = rng.lognormal("fee_rate", 10.0, 0.4, key, platform_code)  # per 1000 followers
    raw_fee = (pl.col("followers_at_end") * rate / 1000.0).clip(80, 250_000)
    step = pl.when(raw_fee >= 1000).then(50).otherwise(10)
    fee = ((raw_fee / step).round() * step).cast(pl.Int64)
    mentioned = rng.uniform("mention_style", key, platform_code) < 0.3
    creator = (
        pl.when(mentioned)
        .then(pl.lit("@") + pl.col("username").str.to_titlecase())
        .otherwise(pl.col("username"))
    )
    members = [
        _quoted_member("campaign_id", pl.col("campaign_id")),
        _quoted_member("platform", pl.col("platform")),
        _quoted_member("post_id", pl.col("id")),
        _member("fee", fee.cast(pl.String) + ".00"),
        _quoted_member("creator_username", creator),
    ]
    return rows.select(_json_object(members))


# --- the agency's roster -------------------------------------------------------------------------


def _roster(
    spec: DemoSpec, tiktok_creators: pl.DataFrame, instagram_creators: pl.DataFrame
) -> pl.DataFrame:
    """Every demo person as a roster row: the shared persons with both handles, the others with
    one. Like real agency sheets, ~20 % of the handles are written ``@Mia.Dance`` and ~5 % of the
    creators are no longer tracked (``active`` false); ``active`` is blank for most rows
    (absent means true)."""
    rng = _Random(spec.seed, "roster")
    handles = (
        tiktok_creators.select("person", "first_name", "last_name", tiktok="username")
        .join(
            instagram_creators.select(
                "person", first_name_ig="first_name", last_name_ig="last_name", instagram="username"
            ),
            on="person",
            how="full",
            coalesce=True,
        )
        .with_columns(
            pl.coalesce("first_name", "first_name_ig").alias("first_name"),
            pl.coalesce("last_name", "last_name_ig").alias("last_name"),
        )
        .sort("person")
    )
    person = pl.col("person")

    def written(column: str) -> pl.Expr:
        mention = rng.uniform(f"mention/{column}", person) < 0.2
        handle = pl.col(column)
        return pl.when(mention).then(pl.lit("@") + handle.str.to_titlecase()).otherwise(handle)

    inactive = rng.uniform("inactive", person) < 0.05
    return handles.select(
        pl.format("CR-{}", (person + 1).cast(pl.String).str.zfill(5)).alias("creator_id"),
        (pl.col("first_name") + " " + pl.col("last_name")).alias("display_name"),
        written("tiktok").alias("tiktok_username"),
        written("instagram").alias("instagram_username"),
        pl.when(inactive).then(pl.lit("false")).otherwise(pl.lit("")).alias("active"),
    )


# --- entry point --------------------------------------------------------------------------------


def _validate(spec: DemoSpec) -> None:
    if not 1 <= spec.creators <= 1_000_000:
        raise ValueError(f"DemoSpec.creators must be between 1 and 1,000,000, not {spec.creators}")
    if not 1 <= spec.days <= 3650:
        raise ValueError(f"DemoSpec.days must be between 1 and 3650, not {spec.days}")


def write_demo_landing(
    landing_dir: Path,
    spec: DemoSpec = DemoSpec(),
    day_indexes: Sequence[int] | None = None,
    with_campaigns: bool = True,
) -> DemoSummary:
    """Write the demo landing zone under ``landing_dir``; returns files and records per entity.

    ``day_indexes`` (default: every day of the spec) writes only those partition days: any
    single day of a spec is generated without replaying the days before it, and is the same
    whichever other days are written (the benchmark adds "the next day" to a landing zone this
    way). ``with_campaigns=False`` leaves the undated campaign files out.
    """
    _validate(spec)
    days = range(spec.days) if day_indexes is None else list(day_indexes)
    if any(not 0 <= day_index < spec.days for day_index in days):
        raise ValueError(f"day_indexes must lie in 0..{spec.days - 1}, not {list(days)}")
    landing_dir = Path(landing_dir)
    persons = _persons(spec)
    tiktok_creators = _creators(spec, "tiktok", persons)
    instagram_creators = _creators(spec, "instagram", persons)
    tiktok_videos = _tiktok_video_catalogue(spec, tiktok_creators)
    instagram_media = _instagram_media_catalogue(spec, instagram_creators)
    tally = _Tally()

    for day_index in days:
        day = spec.start + timedelta(days=day_index)
        for entity, platform, creators, catalogue in (
            (TIKTOK_CREATORS, "tiktok", tiktok_creators, tiktok_videos),
            (INSTAGRAM_CREATORS, "instagram", instagram_creators, instagram_media),
        ):
            snapshot = _creator_snapshot(spec, platform, creators, catalogue, day_index)
            folder = _partition_dir(landing_dir, entity, day)
            if _creators_as_parquet(platform, day_index):
                _write_parquet(folder / "creators.parquet", snapshot)
            else:
                _write_csv(folder / "creators.csv", snapshot)
            tally.add(entity, snapshot.height)

        videos = _tiktok_video_records(spec, tiktok_videos, day_index)
        parts = max(2, -(-videos.height // VIDEO_FILE_MAX_ROWS))
        folder = _partition_dir(landing_dir, TIKTOK_VIDEOS, day)
        for part in range(parts):
            chunk = videos.filter(pl.col("creator") % parts == part)
            _write_json_records(folder / f"videos-part-{part + 1}.jsonl", chunk, as_array=False)
            tally.add(TIKTOK_VIDEOS, chunk.height)

        media = _instagram_media_records(spec, instagram_media, day_index)
        folder = _partition_dir(landing_dir, INSTAGRAM_MEDIA, day)
        as_array = _media_as_json_array(day_index)
        name = "media.json" if as_array else "media.jsonl"
        _write_json_records(folder / name, media, as_array=as_array)
        tally.add(INSTAGRAM_MEDIA, media.height)

    if not with_campaigns:
        return DemoSummary(landing_dir, dict(tally.files), dict(tally.records))
    campaigns = _campaigns(spec)
    campaign_table = campaigns.select(
        "campaign_id", "brand", "campaign_name", "start_date", "end_date", "currency"
    )
    _write_csv(_partition_dir(landing_dir, CAMPAIGNS, None) / "campaigns.csv", campaign_table)
    tally.add(CAMPAIGNS, campaign_table.height)
    posts = _campaign_posts(spec, campaigns, tiktok_videos, instagram_media)
    folder = _partition_dir(landing_dir, CAMPAIGN_POSTS, None)
    _write_json_records(folder / "campaign_posts.jsonl", posts, as_array=False)
    tally.add(CAMPAIGN_POSTS, posts.height)
    roster = _roster(spec, tiktok_creators, instagram_creators)
    _write_csv(_partition_dir(landing_dir, ROSTER_CREATORS, None) / "roster.csv", roster)
    tally.add(ROSTER_CREATORS, roster.height)

    return DemoSummary(landing_dir, dict(tally.files), dict(tally.records))
