"""The demo landing zone gives the trend, niche, audience-quality and roster marts something to
show: a sound that ramps up across creators, bought-follower jumps, comment pods, hashtags from
the niche dictionary, roster creators on both platforms. Read from the files directly."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from demo import DemoSpec, write_demo_landing
from tests.test_demo import parse_count, read_creators, read_records

SPEC = DemoSpec(creators=40, days=35, seed=7)  # the `python -m pipeline demo` defaults
SEED_NICHES = Path(__file__).parents[1] / "dbt_project" / "seeds" / "hashtag_niches.csv"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo_signals")
    write_demo_landing(root, SPEC)
    return root


@pytest.fixture(scope="module")
def videos(landing: Path) -> list[dict]:
    """The latest observation of every TikTok video."""
    latest: dict[str, dict] = {}
    for path in sorted((landing / "tiktok" / "videos").glob("dt=*/*")):
        for record in read_records(path):
            latest[str(record["id"])] = record
    return list(latest.values())


def video_day(record: dict) -> date:
    return datetime.fromtimestamp(int(record["create_time"]), tz=UTC).date()


def test_a_sound_ramps_up_across_creators(videos: list[dict]) -> None:
    """Some sound trends by the default rule: >= 3 creators in the 7 days to a day D and at least
    twice the uses of the 7 days before."""
    uses: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for record in videos:
        if record.get("music_id"):
            uses[str(record["music_id"])].append((video_day(record), record["username"]))
    trending = set()
    for sound, used in uses.items():
        for day in {d for d, _ in used}:
            week = [u for d, u in used if day - timedelta(days=6) <= d <= day]
            before = [
                u for d, u in used if day - timedelta(days=13) <= d <= day - timedelta(days=7)
            ]
            if len(set(week)) >= 3 and len(week) >= 2 * len(before):
                trending.add(sound)
    assert len(trending) >= 3


def test_some_creators_buy_followers(landing: Path) -> None:
    """A day-to-day jump of at least 10 % and 1,000 followers (the follower_spike flag)."""
    jumps = set()
    for platform, field in (("tiktok", "follower_count"), ("instagram", "followers_count")):
        history: dict[str, list[int]] = defaultdict(list)
        for folder in sorted((landing / platform / "creators").glob("dt=*")):
            for row in read_creators(folder).iter_rows(named=True):
                history[row["username"]].append(parse_count(row[field]))
        for username, counts in history.items():
            for earlier, later in zip(counts, counts[1:], strict=False):
                if later - earlier >= max(0.1 * earlier, 1000):
                    jumps.add((platform, username))
    assert {platform for platform, _ in jumps} == {"tiktok", "instagram"}


def test_comment_pods_stand_out(videos: list[dict]) -> None:
    comments: dict[str, int] = defaultdict(int)
    likes: dict[str, int] = defaultdict(int)
    for record in videos:
        comments[record["username"]] += parse_count(record["comment_count"])
        likes[record["username"]] += parse_count(record["like_count"])
    ratios = {u: comments[u] / likes[u] for u in likes if likes[u]}
    median = statistics.median(ratios.values())
    assert sum(ratio > 3 * median for ratio in ratios.values()) >= 1


def test_hashtags_come_from_the_niche_dictionary(videos: list[dict]) -> None:
    with SEED_NICHES.open() as seed:
        dictionary = {row["hashtag"] for row in csv.DictReader(seed)}
    tagged = [r for r in videos if r.get("hashtag_names")]
    in_dictionary = [r for r in tagged if {t.lower() for t in r["hashtag_names"]} & dictionary]
    assert len(in_dictionary) >= 0.5 * len(tagged)


def test_roster_creators_on_both_platforms(landing: Path) -> None:
    roster = pl.read_csv(landing / "roster" / "creators" / "roster.csv", infer_schema=False)
    both = roster.filter(
        pl.col("tiktok_username").is_not_null() & pl.col("instagram_username").is_not_null()
    )
    assert both.height >= 5
