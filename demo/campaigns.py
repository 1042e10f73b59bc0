"""Campaigns and campaign posts (with one post that does not exist, as in real drops)."""

from __future__ import annotations

import polars as pl

from demo.catalogues import epoch_seconds, tiktok_id_salt
from demo.constants import CAMPAIGN_BRANDS
from demo.formatting import json_member, json_object, quoted_member
from demo.randomness import Random, lookup, python_integer, scrambled_int
from demo.spec import DemoSpec


def campaign_rows(spec: DemoSpec) -> pl.DataFrame:
    """3-4 campaigns running inside the period (with day offsets for picking their posts)."""
    rng = Random(spec.seed, "campaigns")
    count = python_integer(spec.seed, "campaign_count", 3, 4)
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
            lookup(pl.col("brand_index"), [b[0] for b in CAMPAIGN_BRANDS]).alias("brand"),
            lookup(pl.col("brand_index"), [b[1] for b in CAMPAIGN_BRANDS]).alias("campaign_name"),
            lookup(pl.col("brand_index"), [b[2] for b in CAMPAIGN_BRANDS]).alias("currency"),
            pl.format("CMP-{}", (campaign + 1).cast(pl.String).str.zfill(3)).alias("campaign_id"),
        )
        .with_columns((pl.col("first_day") + pl.col("length") - 1).alias("last_day"))
        .with_columns(
            start.cast(pl.Date).dt.strftime("%Y-%m-%d").alias("start_date"),
            end.cast(pl.Date).dt.strftime("%Y-%m-%d").alias("end_date"),
        )
    )


def campaign_post_records(
    spec: DemoSpec,
    campaigns: pl.DataFrame,
    tiktok_videos: pl.DataFrame,
    instagram_media: pl.DataFrame,
) -> pl.DataFrame:
    """10-20 sponsored posts per campaign across both platforms, plus one unknown post id."""
    rng = Random(spec.seed, "campaign_posts")
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
        size = int(python_integer(spec.seed, f"campaign_size/{row['campaign']}", 10, 20))
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
    unknown_low_bits = scrambled_int(tiktok_videos.height, 2**32, tiktok_id_salt(spec))
    unknown_epoch = epoch_seconds(spec.start) + 20 * 3600
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
        quoted_member("campaign_id", pl.col("campaign_id")),
        quoted_member("platform", pl.col("platform")),
        quoted_member("post_id", pl.col("id")),
        json_member("fee", fee.cast(pl.String) + ".00"),
        quoted_member("creator_username", creator),
    ]
    return rows.select(json_object(members))
