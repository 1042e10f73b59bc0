"""The demo landing zone: deterministic, complete, realistic in shape, messy in the agreed ways.

The checks read the written files directly (json / polars readers and a tiny count parser of
their own), independent of the pipeline's landing readers.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from demo import DemoSpec, write_demo_landing

SPEC = DemoSpec(creators=15, days=6, seed=11)
DATED = ("tiktok/creators", "tiktok/videos", "instagram/creators", "instagram/media")
TIERS = ((10_000, "nano"), (50_000, "micro"), (500_000, "mid"), (1_000_000, "macro"))
SUFFIXES = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


def parse_count(value: int | str) -> int:
    """12345, "12,345", "45.3K", "1.23M" -> int; fails unless the value is a whole number."""
    if isinstance(value, int):
        return value
    text = value.replace(",", "")
    multiplier = SUFFIXES.get(text[-1], 1)
    number = Decimal(text.rstrip("KMB")) * multiplier
    assert number == number.to_integral_value(), f"{value!r} is not a whole number"
    return int(number)


def tier(followers: int) -> str:
    return next((name for bound, name in TIERS if followers < bound), "mega")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11 reads both "Z" and "+00:00"


def partition_days(spec: DemoSpec) -> list[date]:
    return [spec.start + timedelta(days=i) for i in range(spec.days)]


def read_records(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_creators(folder: Path) -> pl.DataFrame:
    (path,) = folder.iterdir()
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    write_demo_landing(root, SPEC)
    return root


@pytest.fixture(scope="module")
def posts(landing: Path) -> dict[str, list[dict]]:
    """Post observations per platform, each with its partition day added as ``_dt``."""
    found: dict[str, list[dict]] = {}
    for platform, entity in (("tiktok", "videos"), ("instagram", "media")):
        found[platform] = []
        for path in sorted((landing / platform / entity).glob("dt=*/*")):
            day = date.fromisoformat(path.parent.name.removeprefix("dt="))
            found[platform] += [record | {"_dt": day} for record in read_records(path)]
    return found


def test_same_spec_gives_byte_identical_files(tmp_path: Path) -> None:
    spec = DemoSpec(creators=8, days=3, seed=5)
    first, second, other_seed = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_demo_landing(first, spec)
    write_demo_landing(second, spec)
    write_demo_landing(other_seed, DemoSpec(creators=8, days=3, seed=6))

    def contents(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.*")}

    assert contents(first) == contents(second)
    assert any(p.endswith(".parquet") for p in contents(first))
    assert contents(first) != contents(other_seed)


def test_every_entity_has_files_for_every_day(landing: Path) -> None:
    for entity in DATED:
        for day in partition_days(SPEC):
            folder = landing / entity / f"dt={day.isoformat()}"
            assert [
                p for p in folder.iterdir() if p.suffix in (".jsonl", ".json", ".csv", ".parquet")
            ]
    assert (landing / "campaigns/campaigns/campaigns.csv").is_file()
    assert (landing / "campaigns/campaign_posts/campaign_posts.jsonl").is_file()
    # Mixed formats, as in real drops.
    assert {p.suffix for p in (landing / "tiktok/creators").rglob("*.*")} == {".csv", ".parquet"}
    assert {p.suffix for p in (landing / "instagram/media").rglob("*.*")} == {".json", ".jsonl"}
    assert {p.suffix for p in (landing / "tiktok/videos").rglob("*.*")} == {".jsonl"}


def test_summary_counts_match_the_files(tmp_path: Path) -> None:
    summary = write_demo_landing(tmp_path, SPEC)
    assert summary.files["tiktok.videos"] == len(list((tmp_path / "tiktok/videos").rglob("*.*")))
    assert summary.records["instagram.creators"] == SPEC.creators * SPEC.days
    media = sum(len(read_records(p)) for p in (tmp_path / "instagram/media").rglob("*.*"))
    assert summary.records["instagram.media"] == media
    assert summary.total_records == sum(summary.records.values())
    assert str(summary).startswith(f"{summary.total_files} files, ")


@pytest.mark.parametrize(
    ("platform", "followers_field"),
    [("tiktok", "follower_count"), ("instagram", "followers_count")],
)
def test_last_day_covers_every_tier(landing: Path, platform: str, followers_field: str) -> None:
    last_day = partition_days(SPEC)[-1]
    creators = read_creators(landing / platform / "creators" / f"dt={last_day.isoformat()}")
    assert creators.height == SPEC.creators
    assert creators["username"].n_unique() == SPEC.creators
    tiers = {tier(int(value)) for value in creators[followers_field]}
    assert tiers == {"nano", "micro", "mid", "macro", "mega"}


def test_post_counts_never_decrease(posts: dict[str, list[dict]]) -> None:
    count_fields = {
        "tiktok": ("view_count", "like_count", "comment_count", "share_count", "favourites_count"),
        "instagram": ("comments_count", "like_count", "views"),
    }
    strings = []
    for platform, records in posts.items():
        history: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            history[record["id"]].append(record)
        assert max(len(h) for h in history.values()) == SPEC.days  # observed every day
        for observations in history.values():
            observations.sort(key=lambda r: parse_timestamp(r["fetched_at"]))
            for field in count_fields[platform]:
                values = [parse_count(r[field]) for r in observations if field in r]
                assert values == sorted(values), (platform, field, observations[0]["id"])
                strings += [r[field] for r in observations if isinstance(r.get(field), str)]
    assert any(re.fullmatch(r"\d+(\.\d+)?[KM]", s) for s in strings)  # "45.3K"
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", s) for s in strings)  # "12,345"


def test_posts_are_fetched_after_creation_within_their_day(posts: dict[str, list[dict]]) -> None:
    suffixes = set()
    for platform, records in posts.items():
        for record in records:
            fetched = parse_timestamp(record["fetched_at"])
            if platform == "tiktok":
                created = datetime.fromtimestamp(record["create_time"], tz=UTC)
            else:
                created = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S%z")
            assert created <= fetched
            assert created.year >= 2005
            assert fetched.date() == record["_dt"]
            suffixes.add("Z" if record["fetched_at"].endswith("Z") else "+00:00")
    assert suffixes == {"Z", "+00:00"}


def test_some_instagram_likes_are_hidden(posts: dict[str, list[dict]]) -> None:
    media = posts["instagram"]
    absent = {r["id"] for r in media if "like_count" not in r}
    minus_one = {r["id"] for r in media if r.get("like_count") == -1}
    post_count = len({r["id"] for r in media})
    assert absent and minus_one
    assert 0.01 < (len(absent) + len(minus_one)) / post_count < 0.15
    assert all("views" not in r for r in media if r["media_product_type"] != "REELS")


def test_ids_are_long_digit_strings_in_the_json_text(landing: Path) -> None:
    for entity, digits in (("tiktok/videos", {19}), ("instagram/media", {17, 18})):
        lines = [
            line
            for path in (landing / entity).rglob("*.*")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip("[]")
        ]
        assert lines
        for line in lines:
            match = re.search(r'"id":"(\d+)"', line)
            assert match, line
            assert len(match.group(1)) in digits and int(match.group(1)) > 2**53
        if entity == "tiktok/videos":  # music IDs are long too, and strings as well
            assert all(re.search(r'"music_id":"\d{19}"', line) for line in lines)
    for path in (landing / "instagram/creators").rglob("*.*"):
        ids = read_creators(path.parent)["id"]
        assert ids.dtype == pl.String and all(len(i) == 17 for i in ids)


def test_small_creators_sometimes_go_viral(landing: Path, posts: dict[str, list[dict]]) -> None:
    last_day = partition_days(SPEC)[-1]
    creators = read_creators(landing / "tiktok/creators" / f"dt={last_day.isoformat()}")
    followers = {u: int(f) for u, f in creators.select("username", "follower_count").iter_rows()}
    viral = [
        r
        for r in posts["tiktok"]
        if followers[r["username"]] < 50_000
        and parse_count(r["view_count"]) > 10 * followers[r["username"]]
    ]
    assert viral


def test_campaign_files(landing: Path, posts: dict[str, list[dict]]) -> None:
    campaigns = pl.read_csv(landing / "campaigns/campaigns/campaigns.csv", infer_schema=False)
    assert 3 <= campaigns.height <= 4
    assert set(campaigns["currency"]) <= {"EUR", "USD"}
    assert all(re.fullmatch(r"CMP-\d{3}", c) for c in campaigns["campaign_id"])
    raw = (landing / "campaigns/campaign_posts/campaign_posts.jsonl").read_text(encoding="utf-8")
    assert re.findall(r'"fee":\d+\.\d\d[,}]', raw)
    rows = [json.loads(line) for line in raw.splitlines()]
    known = {r["id"] for records in posts.values() for r in records}
    assert len([r for r in rows if r["post_id"] not in known]) == 1
    assert {r["campaign_id"] for r in rows} == set(campaigns["campaign_id"])
    assert {r["platform"] for r in rows} == {"tiktok", "instagram"}
    assert any(r["creator_username"].startswith("@") for r in rows)
    per_campaign = defaultdict(int)
    for r in rows:
        per_campaign[r["campaign_id"]] += 1
    assert all(count <= 21 for count in per_campaign.values())


def test_invalid_spec_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="creators"):
        write_demo_landing(tmp_path, DemoSpec(creators=0))
