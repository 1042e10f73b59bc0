"""Creators: the people behind the accounts, their handles and tiers, and daily snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import accumulate

import polars as pl

from demo.constants import (
    BIO_TEMPLATES,
    BOUGHT_FOLLOWERS_GAIN,
    BOUGHT_FOLLOWERS_LAST_DAYS,
    BOUGHT_FOLLOWERS_SHARE,
    CITIES,
    COMMENT_POD_SHARE,
    DAY_SECONDS,
    FIRST_NAMES,
    FOLLOWER_TIERS,
    LAST_NAMES,
    NICHES,
    SHARED_CREATOR_SHARE,
    VERIFIED_SHARE_BY_TIER,
)
from demo.formatting import fetched_at_text, fetched_at_value
from demo.randomness import Random, lookup, lookup_float, python_integer, scramble
from demo.spec import DemoSpec


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


def person_rows(spec: DemoSpec) -> pl.DataFrame:
    """The people behind the accounts: names, niche, city. Some have both accounts."""
    shared = round(SHARED_CREATOR_SHARE * spec.creators)
    rng = Random(spec.seed, "persons")
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
            lookup(pl.col("name_index"), [n[0] for n in FIRST_NAMES]).alias("first_name"),
            lookup(pl.col("name_index"), [n[1] for n in FIRST_NAMES]).alias("handle_name"),
            lookup(pl.col("niche"), [n[0] for n in NICHES]).alias("tiktok_word"),
            lookup(pl.col("niche"), [n[1] for n in NICHES]).alias("instagram_word"),
            lookup(pl.col("niche"), [n[2] for n in NICHES]).alias("topic"),
            lookup(pl.col("city_index"), [c[0] for c in CITIES]).alias("city"),
            lookup(pl.col("city_index"), [c[1] for c in CITIES]).alias("region_code"),
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


def creator_accounts(spec: DemoSpec, platform: str, persons: pl.DataFrame) -> pl.DataFrame:
    """Static creator attributes: handle, names, tier, base follower count, growth, bio."""
    n = spec.creators
    shared = round(SHARED_CREATOR_SHARE * n)
    rng = Random(spec.seed, f"{platform}/creators")
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

    low = lookup_float(pl.col("tier"), [t[1] for t in FOLLOWER_TIERS])
    high = lookup_float(pl.col("tier"), [t[2] for t in FOLLOWER_TIERS])
    alpha = lookup_float(pl.col("tier"), [t[4] for t in FOLLOWER_TIERS])
    u = rng.uniform("followers", creator)
    # Truncated Pareto on [low, high): density falls inside each tier as well.
    followers = low * (1.0 - u * (1.0 - (low / high) ** alpha)) ** (-1.0 / alpha)
    declining = rng.uniform("declining", creator) < 0.08
    growth = (
        pl.when(declining)
        .then(-0.0005 - 0.0035 * rng.uniform("decline_rate", creator))
        .otherwise((0.003 + 0.002 * rng.normal("growth", creator)).clip(0.0002, 0.012))
    )
    verified_share = lookup_float(pl.col("tier"), list(VERIFIED_SHARE_BY_TIER))
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
        *_audience_quality_signals(spec, rng, creator),
    )
    bio = lookup(pl.col("bio_index"), BIO_TEMPLATES)
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
        salt = python_integer(spec.seed, "instagram/account_id", 0, 10**11 - 1)
        account_id = pl.lit(17_841_400_000_000_000) + scramble(creator, 10**11, salt)
        frame = frame.with_columns(account_id.cast(pl.String).alias("account_id"))
    return frame


def _audience_quality_signals(spec: DemoSpec, rng: Random, creator: pl.Expr) -> list[pl.Expr]:
    """Who buys followers (the day before which their count is lower by the bought share: a
    jump the follower_spikes_30d KPI catches) and who is in a comment pod."""
    buys = (pl.col("tier") >= 1) & (rng.uniform("buys_followers", creator) < BOUGHT_FOLLOWERS_SHARE)
    last_days = min(BOUGHT_FOLLOWERS_LAST_DAYS, spec.days - 1)
    bought_day = spec.days - last_days + (rng.uniform("bought_day", creator) * (last_days - 1))
    low, high = BOUGHT_FOLLOWERS_GAIN
    return [
        pl.when(buys).then(bought_day.floor().cast(pl.Int64)).alias("bought_followers_day"),
        (low + (high - low) * rng.uniform("bought_gain", creator)).alias("bought_followers_gain"),
        (rng.uniform("comment_pod", creator) < COMMENT_POD_SHARE).alias("comment_pod"),
    ]


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


def creator_snapshot(
    spec: DemoSpec, platform: str, creators: pl.DataFrame, catalogue: pl.DataFrame, day_index: int
) -> pl.DataFrame:
    """One row per creator for the day, with the platform's field names."""
    rng = Random(spec.seed, f"{platform}/creator_snapshots")
    creator = pl.col("creator")
    day = spec.start + timedelta(days=day_index)
    posts = _posts_created_by(catalogue, day_index, spec.creators)
    wiggle = 1.0 + 0.0006 * rng.normal("wiggle", creator, day_index).clip(-4.0, 4.0)
    days_to_end = day_index - (spec.days - 1)
    followers = pl.col("followers_at_end") * (pl.col("growth") * days_to_end).exp() * wiggle
    before_purchase = pl.col("bought_followers_day").is_not_null() & (
        day_index < pl.col("bought_followers_day")
    )
    followers = (
        pl.when(before_purchase)
        .then(followers / (1.0 + pl.col("bought_followers_gain")))
        .otherwise(followers)
    )
    following = pl.col("following_base") + (pl.col("following_rate") * day_index).floor()
    second = crawl_second(spec, platform, day_index).floor()
    frame = creators.join(posts, on="creator", how="left").sort("creator")
    frame = frame.with_columns(
        followers.round().cast(pl.Int64).alias("followers"),
        following.cast(pl.Int64).alias("following"),
        (pl.col("posts_before") + pl.col("posts_so_far")).alias("post_count"),
        second.cast(pl.Int64).alias("second"),
        (rng.uniform("utc_z", creator, day_index) < 0.5).alias("utc_z"),
    )
    as_parquet = creators_as_parquet(platform, day_index)
    fetched_at = (
        fetched_at_value(day, pl.col("second"))
        if as_parquet
        else fetched_at_text(day, pl.col("second"), pl.col("utc_z"))
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


def crawl_second(spec: DemoSpec, platform: str, day_index: int) -> pl.Expr:
    """When the scraper visits the creator that day (second of the day, before 23:30).

    The profile is read at this second and the creator's posts within the next 15 minutes.
    """
    rng = Random(spec.seed, f"{platform}/crawl")
    return rng.uniform("second", pl.col("creator"), day_index) * (DAY_SECONDS - 1800)


def creators_as_parquet(platform: str, day_index: int) -> bool:
    """Creators alternate between CSV and Parquet drops (out of step between the platforms)."""
    return day_index % 2 == (1 if platform == "tiktok" else 0)
