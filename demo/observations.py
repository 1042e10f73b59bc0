"""Daily post observations: counts saturating towards a final value, written as JSON records."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from demo.constants import DAY_SECONDS
from demo.creators import crawl_second
from demo.formatting import (
    encoded_members,
    fetched_at_text,
    json_member,
    json_object,
    quoted_member,
    three_significant_digits,
    with_count_tokens,
)
from demo.randomness import Random
from demo.spec import DemoSpec


def _observed_on(
    spec: DemoSpec, platform: str, catalogue: pl.DataFrame, rng: Random, day_index: int
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
        DAY_SECONDS - 1 - pl.col("created_second")
    )
    crawl = crawl_second(spec, platform, day_index)
    routine = crawl + rng.uniform("fetch", post, day_index) * 900
    second = pl.when(on_creation_day).then(after_creation).otherwise(routine).floor()
    observed = observed.with_columns(second.cast(pl.Int64).alias("second"))
    age_hours = (
        (day_index - pl.col("create_day")) * DAY_SECONDS
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
    return pl.when(pl.col("display_scraped")).then(three_significant_digits(exact)).otherwise(exact)


def _count_member(name: str) -> pl.Expr:
    """``"name":token`` from the column added by :func:`with_count_tokens`."""
    return json_member(name, pl.col(f"{name}_token"))


TIKTOK_VIDEO_COUNTS = (
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
    "favourites_count",
)
INSTAGRAM_MEDIA_COUNTS = ("comments_count", "like_count", "views")


def tiktok_video_records(spec: DemoSpec, catalogue: pl.DataFrame, day_index: int) -> pl.DataFrame:
    """The day's TikTok video observations as JSON text (column ``record``) plus ``creator``."""
    rng = Random(spec.seed, "tiktok/video_snapshots")
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
    observed = with_count_tokens(observed, rng, TIKTOK_VIDEO_COUNTS, day_index)
    members = [
        quoted_member("id", pl.col("id")),
        quoted_member("username", pl.col("username")),
        json_member("create_time", pl.col("create_epoch").cast(pl.String)),
        *(_count_member(name) for name in TIKTOK_VIDEO_COUNTS),
        encoded_members("video_description", "hashtag_names"),
        quoted_member("music_id", pl.col("music_id")),
        json_member("video_duration", pl.col("video_duration").cast(pl.String)),
        quoted_member("region_code", pl.col("region_code")),
        quoted_member("fetched_at", fetched_at_text(day, pl.col("second"), pl.col("utc_z"))),
    ]
    return observed.select("creator", json_object(members))


def instagram_media_records(
    spec: DemoSpec, catalogue: pl.DataFrame, day_index: int
) -> pl.DataFrame:
    """The day's Instagram media observations as JSON text (column ``record``)."""
    rng = Random(spec.seed, "instagram/media_snapshots")
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
    observed = with_count_tokens(observed, rng, INSTAGRAM_MEDIA_COUNTS, day_index)
    timestamp = (
        pl.from_epoch(pl.col("create_epoch"), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
        + "+0000"
    )
    members = [
        quoted_member("id", pl.col("id")),
        quoted_member("username", pl.col("username")),
        quoted_member("timestamp", timestamp),
        _count_member("comments_count"),
        _count_member("like_count"),
        quoted_member("media_type", pl.col("media_type")),
        quoted_member("media_product_type", pl.col("media_product_type")),
        encoded_members("caption", "permalink"),
        _count_member("views"),
        quoted_member("fetched_at", fetched_at_text(day, pl.col("second"), pl.col("utc_z"))),
    ]
    return observed.select("creator", json_object(members))


def media_as_json_array(day_index: int) -> bool:
    """Instagram media arrive as a JSON array on even days and as JSON lines on odd days."""
    return day_index % 2 == 0
