"""Post catalogues: every post of the period with its static fields (ids, text, creation time)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from demo.constants import (
    CATALOGUE_SOUND_SHARE,
    COMMENT_POD_MULTIPLIER,
    DAY_SECONDS,
    DISPLAY_SCRAPED_SHARE,
    GENERIC_HASHTAGS,
    HASHTAG_COUNT_WEIGHTS,
    HIDDEN_AS_MINUS_ONE_SHARE,
    HIDDEN_LIKES_SHARE,
    HOOK_TEMPLATES,
    HOT_SOUND_SHARE_BY_WEEKDAY,
    NICHES,
    OBSERVED_DAYS,
    POSTING_INTERVAL_WEIGHTS,
    PRE_PERIOD_DAYS,
    REELS_WITH_VIEWS_SHARE,
    SHORTCODE_ALPHABET,
    SKIPPED_POST_SHARE,
    VIRAL_SHARE_LARGE,
    VIRAL_SHARE_SMALL,
)
from demo.randomness import Random, lookup, lookup_float, python_integer, scramble, u64
from demo.spec import DemoSpec


def epoch_seconds(day: date) -> int:
    """Unix seconds at midnight UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _post_schedule(spec: DemoSpec, platform: str, creators: pl.DataFrame) -> pl.DataFrame:
    """Posts per creator (every 1-5 days, some skipped) from the pre-period to the last day."""
    rng = Random(spec.seed, f"{platform}/schedule")
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
    start_epoch = epoch_seconds(spec.start)
    return posts.with_columns(
        created_second.floor().cast(pl.Int64).alias("created_second"),
        rng.integers("window", OBSERVED_DAYS[0], OBSERVED_DAYS[1], post).alias("window"),
    ).with_columns(
        (start_epoch + pl.col("create_day") * DAY_SECONDS + pl.col("created_second")).alias(
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
    rng: Random, post: pl.Expr, hashtag_count: pl.Expr, caption_break: pl.Expr
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
        slots.append(lookup(index, all_tags))
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
    low_bits = scramble(post, 2**32, salt).cast(pl.UInt64)
    return create_epoch.cast(pl.UInt64) * u64(2**32) + low_bits


def tiktok_id_salt(spec: DemoSpec) -> int:
    return python_integer(spec.seed, "tiktok/video_id", 0, 2**32 - 1)


def tiktok_video_catalogue(spec: DemoSpec, creators: pl.DataFrame) -> pl.DataFrame:
    """Every TikTok video of the period with its final counts and static fields."""
    rng = Random(spec.seed, "tiktok/videos")
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
    video_id = _tiktok_id(pl.col("create_epoch"), post, tiktok_id_salt(spec))
    # The week's hot sound ramps up across creators day by day (a trend); otherwise one of 150
    # catalogue sounds, else the creator's original sound.
    shifted_day = pl.col("create_day") + 7 * PRE_PERIOD_DAYS  # >= 0 from the pre-period on
    week = shifted_day // 7
    hot_share = lookup_float(shifted_day % 7, list(HOT_SOUND_SHARE_BY_WEEKDAY))
    hot_sound = rng.uniform("hot_sound", post) < hot_share
    trending_sound = hot_sound | (rng.uniform("trending_sound", post) < CATALOGUE_SOUND_SHARE)
    sound_index = (
        pl.when(hot_sound).then(1000 + week).otherwise(rng.integers("sound", 0, 149, post))
    )
    trending_id = u64(6_900_000_000_000_000_000) + rng.bits("sound_id", sound_index) % u64(10**17)
    original_sound_salt = python_integer(spec.seed, "tiktok/sound_id", 0, 2**32 - 1)
    original_id = _tiktok_id(pl.col("create_epoch"), post, original_sound_salt)
    return posts.with_columns(
        video_id.cast(pl.String).alias("id"),
        (views * viral_boost).floor().alias("views_final"),
        like_rate.alias("like_rate"),
        (
            rng.lognormal("comment_rate", 0.012, 0.6, post).clip(0.0005, 0.1)
            * pl.when(pl.col("comment_pod")).then(COMMENT_POD_MULTIPLIER).otherwise(1.0)
        ).alias("comment_rate"),
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


def _shortcode(rng: Random, post: pl.Expr) -> pl.Expr:
    """An 11-character Instagram shortcode (base-64 alphabet)."""
    bits = rng.bits("shortcode", post)
    more = rng.bits("shortcode_tail", post)
    alphabet = pl.lit(SHORTCODE_ALPHABET)
    chars = [alphabet.str.slice((bits // u64(64**k)) % u64(64), 1) for k in range(10)]
    chars.append(alphabet.str.slice(more % u64(64), 1))
    return pl.concat_str(chars)


def instagram_media_catalogue(spec: DemoSpec, creators: pl.DataFrame) -> pl.DataFrame:
    """Every Instagram post of the period with its final counts and static fields."""
    rng = Random(spec.seed, "instagram/media")
    posts = _post_schedule(spec, "instagram", creators)
    post = pl.col("post")
    followers = pl.col("followers_at_end").cast(pl.Float64)
    media_type_index = rng.choice("media_type", (0.40, 0.22, 0.38), post)
    media_type = lookup(media_type_index, ("IMAGE", "CAROUSEL_ALBUM", "VIDEO"))
    is_reel = (media_type_index == 2) & (rng.uniform("feed_video", post) >= 0.08)
    likes = followers * _engagement_rate(followers) * rng.lognormal("likes", 1.0, 0.6, post)
    hidden = rng.uniform("hidden", post) < HIDDEN_LIKES_SHARE
    hidden_as_minus_one = hidden & (rng.uniform("minus_one", post) < HIDDEN_AS_MINUS_ONE_SHARE)
    with_views = is_reel & (rng.uniform("with_views", post) < REELS_WITH_VIEWS_SHARE)
    eighteen_digits = rng.uniform("id_length", post) < 0.4
    scrambled = scramble(
        post, 10**14, python_integer(spec.seed, "instagram/media_id", 0, 10**14 - 1)
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
        (
            rng.lognormal("comment_rate", 0.02, 0.6, post).clip(0.001, 0.2)
            * pl.when(pl.col("comment_pod")).then(COMMENT_POD_MULTIPLIER).otherwise(1.0)
        ).alias("comment_rate"),
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
