"""The entry point: write a whole demo landing zone, one partition day at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import polars as pl

from demo.campaigns import campaign_post_records, campaign_rows
from demo.catalogues import instagram_media_catalogue, tiktok_video_catalogue
from demo.constants import VIDEO_FILE_MAX_ROWS
from demo.creators import creator_accounts, creator_snapshot, creators_as_parquet, person_rows
from demo.observations import instagram_media_records, media_as_json_array, tiktok_video_records
from demo.roster import roster_rows
from demo.spec import DEFAULT_SPEC, DemoSpec, DemoSummary
from demo.writing import (
    Tally,
    partition_dir,
    write_csv_file,
    write_json_records,
    write_parquet_file,
)
from pipeline.landing.contract import (
    CAMPAIGN_POSTS,
    CAMPAIGNS,
    INSTAGRAM_CREATORS,
    INSTAGRAM_MEDIA,
    ROSTER_CREATORS,
    TIKTOK_CREATORS,
    TIKTOK_VIDEOS,
)


def _validate(spec: DemoSpec) -> None:
    if not 1 <= spec.creators <= 1_000_000:
        raise ValueError(f"DemoSpec.creators must be between 1 and 1,000,000, not {spec.creators}")
    if not 1 <= spec.days <= 3650:
        raise ValueError(f"DemoSpec.days must be between 1 and 3650, not {spec.days}")


def write_demo_landing(
    landing_dir: Path,
    spec: DemoSpec = DEFAULT_SPEC,
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
    persons = person_rows(spec)
    tiktok_creators = creator_accounts(spec, "tiktok", persons)
    instagram_creators = creator_accounts(spec, "instagram", persons)
    tiktok_videos = tiktok_video_catalogue(spec, tiktok_creators)
    instagram_media = instagram_media_catalogue(spec, instagram_creators)
    tally = Tally()

    for day_index in days:
        day = spec.start + timedelta(days=day_index)
        for entity, platform, creators, catalogue in (
            (TIKTOK_CREATORS, "tiktok", tiktok_creators, tiktok_videos),
            (INSTAGRAM_CREATORS, "instagram", instagram_creators, instagram_media),
        ):
            snapshot = creator_snapshot(spec, platform, creators, catalogue, day_index)
            folder = partition_dir(landing_dir, entity, day)
            if creators_as_parquet(platform, day_index):
                write_parquet_file(folder / "creators.parquet", snapshot)
            else:
                write_csv_file(folder / "creators.csv", snapshot)
            tally.add(entity, snapshot.height)

        videos = tiktok_video_records(spec, tiktok_videos, day_index)
        parts = max(2, -(-videos.height // VIDEO_FILE_MAX_ROWS))
        folder = partition_dir(landing_dir, TIKTOK_VIDEOS, day)
        for part in range(parts):
            chunk = videos.filter(pl.col("creator") % parts == part)
            write_json_records(folder / f"videos-part-{part + 1}.jsonl", chunk, as_array=False)
            tally.add(TIKTOK_VIDEOS, chunk.height)

        media = instagram_media_records(spec, instagram_media, day_index)
        folder = partition_dir(landing_dir, INSTAGRAM_MEDIA, day)
        as_array = media_as_json_array(day_index)
        name = "media.json" if as_array else "media.jsonl"
        write_json_records(folder / name, media, as_array=as_array)
        tally.add(INSTAGRAM_MEDIA, media.height)

    if not with_campaigns:
        return DemoSummary(landing_dir, dict(tally.files), dict(tally.records))
    campaigns = campaign_rows(spec)
    campaign_table = campaigns.select(
        "campaign_id", "brand", "campaign_name", "start_date", "end_date", "currency"
    )
    write_csv_file(partition_dir(landing_dir, CAMPAIGNS, None) / "campaigns.csv", campaign_table)
    tally.add(CAMPAIGNS, campaign_table.height)
    posts = campaign_post_records(spec, campaigns, tiktok_videos, instagram_media)
    folder = partition_dir(landing_dir, CAMPAIGN_POSTS, None)
    write_json_records(folder / "campaign_posts.jsonl", posts, as_array=False)
    tally.add(CAMPAIGN_POSTS, posts.height)
    roster = roster_rows(spec, tiktok_creators, instagram_creators)
    write_csv_file(partition_dir(landing_dir, ROSTER_CREATORS, None) / "roster.csv", roster)
    tally.add(ROSTER_CREATORS, roster.height)

    return DemoSummary(landing_dir, dict(tally.files), dict(tally.records))
