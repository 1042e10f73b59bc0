"""The whole pipeline on tests/e2e_signals_landing: earned media value, median rates, niches,
TikTok trends, audience-quality flags, the roster comparison and campaign EMV.

The landing zone is hand-written (see the comments for how every expected value follows from it):

- TikTok: creators t01 .. t20 with 20,000 followers (tier micro) and solo with 5,000 (nano). Every
  video of t<i> has 1,000 views, 100 x i likes, 10 x i comments and no shares, so each video's
  and each creator's interaction rate is 0.11 x i and its comment/like ratio 0.1; except t07 (a
  comment pod): 385 likes and 385 comments (rate 0.77 = 0.11 x 7, ratio 1.0). t<i>'s first video
  is created on 2026-10-<i> 12:00 UTC.
- A sound `snd-ramp` used by t02 (10-14), then t03, t04, t05 (10-21, 10-22, 10-23) and t06
  (10-25): it trends from 10-23.
- t01's followers went 10,000 (09-20) -> 17,000 (10-29) -> 20,000 (10-30) -> 20,000 (11-01).
- Niche hashtags: t08 Food + recipe, t09 baking (food), t10 gym (fitness), t11 food and a second
  video with travel, t12 pets on 1 of its 4 videos.
- solo: videos of 1,000 views / 100 likes, 1,000 / 300 and 100,000 / 50,000 (no comments).
- Instagram: gina (20,000 followers) with 4 posts, one hiding its likes; hank whose followers went
  18,000 -> 20,000 in 24 hours, with one post.
- Campaigns CMP-E (USD: t05's trend video, fee 200; an untracked video, fee 100; gina's first
  post, fee 208) and CMP-X (EUR: t20's video, fee 100).
- Roster: R1 = t05 + gina; R2 = an unknown TikTok handle + hank; R3 = @T20 only, inactive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import TESTS_DIR, PipelineRun, pipeline_run_over

SIGNALS_LANDING = TESTS_DIR / "e2e_signals_landing"
ANALYST_GUIDE = TESTS_DIR.parent / "docs" / "analyst-guide.md"
# the analyst guide's section whose questions need this landing zone (trends, roster, flags)
SIGNALS_SECTION = "More example questions: value, niches, trends and audience quality"
APPROX = pytest.approx


@pytest.fixture(scope="module")
def signals_run(
    dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PipelineRun]:
    yield from pipeline_run_over(SIGNALS_LANDING, tmp_path_factory, "e2e_signals")


def by_key(run: PipelineRun, sql: str, key: str) -> dict:
    return {row[key]: row for row in run.rows(sql)}


def test_run_succeeds_with_every_check_passing(signals_run: PipelineRun) -> None:
    assert signals_run.result.success
    evaluations = signals_run.result.get_asset_check_evaluations()
    assert [e.asset_check_key.to_user_string() for e in evaluations if not e.passed] == []
    assert signals_run.query("select count(*) from ingest.rejected_records") == [(0,)]


def test_emv_of_videos_posts_and_creators(signals_run: PipelineRun) -> None:
    videos = by_key(signals_run, "select * from marts.tiktok_videos", "video_id")
    # t01's video: 1,000 x 0.00689 + 100 x 0.09 + 10 x 3.52 + 0 x 1.72 = 6.89 + 9 + 35.2
    assert videos["7400000000000000001"]["emv"] == APPROX(51.09)
    # t07: 6.89 + 385 x 0.09 + 385 x 3.52 = 6.89 + 34.65 + 1355.2
    assert videos["7400000000000000007"]["emv"] == APPROX(1396.74)
    creators = by_key(signals_run, "select * from marts.tiktok_creators", "username")
    # t05: two videos of 6.89 + 450 x 0.09 ... = 6.89 + 45 + 176 = 227.89 each
    assert creators["t05"]["emv_recent"] == APPROX(455.78)
    # solo: (6.89 + 9) + (6.89 + 27) + (689 + 4,500)
    assert creators["solo"]["emv_recent"] == APPROX(5238.78)

    posts = by_key(signals_run, "select * from marts.instagram_posts", "post_id")
    assert posts["17900000000000101"]["emv"] == APPROX(416.0)  # 1,000 x 0.07 + 100 x 3.46
    assert posts["17900000000000102"]["emv"] == APPROX(173.0)  # hidden likes count 0: 50 x 3.46
    gina = signals_run.rows("select * from marts.instagram_creators where username = 'gina'")[0]
    assert gina["emv_recent"] == APPROX(416 + 173 + 556 + 35)  # 3,000 likes + 100; 500 likes


def test_median_rates(signals_run: PipelineRun) -> None:
    solo = signals_run.rows("select * from marts.tiktok_creators where username = 'solo'")[0]
    # per-video rates 0.1, 0.3, 0.5: the median ignores the viral video's weight ...
    assert solo["median_interaction_rate"] == APPROX(0.3)
    # ... which dominates the views-weighted rate: 50,400 / 102,000
    assert solo["interaction_rate"] == APPROX(50_400 / 102_000)
    gina = signals_run.rows("select * from marts.instagram_creators where username = 'gina'")[0]
    # visible-likes posts engage 1,100, 3,100 and 500: median 1,100 / 20,000 (mean 1,566.67)
    assert gina["median_engagement_rate"] == APPROX(0.055)
    assert gina["engagement_rate"] == APPROX(4_700 / 3 / 20_000)


def test_niches_and_niche_benchmarks(signals_run: PipelineRun) -> None:
    creators = by_key(signals_run, "select * from marts.tiktok_creators", "username")
    assert (creators["t08"]["niche"], creators["t08"]["niche_share"]) == ("food", 1.0)
    assert (creators["t10"]["niche"], creators["t10"]["niche_share"]) == ("fitness", 1.0)
    # food and travel tie at 1 of 2 videos: food by name
    assert (creators["t11"]["niche"], creators["t11"]["niche_share"]) == ("food", 0.5)
    # pets on 1 of 4 videos: below 0.3, the share is still reported
    assert (creators["t12"]["niche"], creators["t12"]["niche_share"]) == (None, 0.25)
    assert (creators["t13"]["niche"], creators["t13"]["niche_share"]) == (None, None)
    instagram = by_key(signals_run, "select * from marts.instagram_creators", "username")
    # gina: #Food and #foodie (2 of 4 posts) against #travel (1); #café_au_lait, #日本 unknown
    assert (instagram["gina"]["niche"], instagram["gina"]["niche_share"]) == ("food", 0.5)
    assert (instagram["hank"]["niche"], instagram["hank"]["niche_share"]) == ("fitness", 1.0)

    rows = signals_run.rows(
        "select * from marts.niche_benchmarks order by platform, niche, follower_tier"
    )
    assert [(r["platform"], r["niche"], r["follower_tier"], r["creators"]) for r in rows] == [
        ("instagram", "fitness", "micro", 1),
        ("instagram", "food", "micro", 1),
        ("tiktok", "fitness", "micro", 1),
        ("tiktok", "food", "micro", 3),
    ]
    food = rows[3]  # t08 0.88, t09 0.99, t11 1.21
    assert food["median_rate"] == APPROX(0.99)
    assert food["p25_rate"] == APPROX(0.935)  # 0.88 + 0.5 x 0.11
    assert food["p75_rate"] == APPROX(1.1)  # 0.99 + 0.5 x 0.22
    assert rows[1]["median_rate"] == APPROX(4_700 / 3 / 20_000)  # gina alone


def test_tiktok_trends_and_participation(signals_run: PipelineRun) -> None:
    trends = signals_run.query(
        "select item_type, item, cast(day as varchar), uses_7d, uses_prev_7d, creators_7d,"
        " cast(first_trending_day as varchar) from marts.tiktok_trends order by day"
    )
    # 10-23: t03, t04, t05 in 10-17 .. 10-23 (3 creators) against t02 in 10-10 .. 10-16 (1)
    # 10-25: t03 .. t06 in 10-19 .. 10-25 against t02 in 10-12 .. 10-18; 10-21 and 10-22 have
    # fewer than 3 creators; t02's 10-14 has 1
    assert trends == [
        ("sound", "snd-ramp", "2026-10-23", 3, 1, 3, "2026-10-23"),
        ("sound", "snd-ramp", "2026-10-25", 4, 1, 4, "2026-10-23"),
    ]
    joined = signals_run.query(
        "select username, trend_lag_days from marts.tiktok_videos where joins_trend order by 1"
    )
    assert joined == [("t05", 0), ("t06", 2)]
    creators = by_key(signals_run, "select * from marts.tiktok_creators", "username")
    for username, lag in (("t05", 0.0), ("t06", 2.0)):
        creator = creators[username]
        assert creator["trend_videos"] == 1
        assert creator["trend_participation_rate"] == APPROX(0.5)  # 1 of 2 videos
        assert creator["avg_trend_lag_days"] == APPROX(lag)
    assert creators["t03"]["trend_videos"] == 0 and creators["t03"]["avg_trend_lag_days"] is None


def test_audience_quality_flags(signals_run: PipelineRun) -> None:
    creators = by_key(signals_run, "select * from marts.tiktok_creators", "username")
    # 17,000 -> 20,000 within 24 h, 2 days before the latest observation: +3,000, +17.6 %
    assert creators["t01"]["follower_spikes_30d"] == 1
    assert creators["t02"]["follower_spikes_30d"] == 0
    # 20 micro creators with rates 0.11 x i: percent_rank (i - 1) / 19
    assert creators["t05"]["rate_percentile"] == APPROX(4 / 19)
    assert creators["t20"]["rate_percentile"] == APPROX(1.0)
    assert creators["solo"]["rate_percentile"] == APPROX(0.0)  # alone in nano
    assert creators["t01"]["quality_flags"] == ["follower_spike", "rate_outlier_low"]
    assert creators["t07"]["quality_flags"] == ["comment_like_high"]
    assert creators["t20"]["quality_flags"] == ["rate_outlier_high"]
    assert creators["t10"]["quality_flags"] == []
    assert creators["solo"]["rate_outlier"] is None  # 1 nano creator < 20
    assert creators["t07"]["comment_like_ratio"] == APPROX(1.0)

    flags = signals_run.query(
        "select platform, username, flag, value, threshold, follower_tier"
        " from marts.creator_quality_flags order by platform, username, flag"
    )
    assert flags == [
        ("instagram", "hank", "follower_spike", 1.0, 1.0, "micro"),
        ("tiktok", "t01", "follower_spike", 1.0, 1.0, "micro"),
        # p5 of 0.11 .. 2.2: position 19 x 0.05 = 0.95 -> 0.11 + 0.95 x 0.11 = 0.2145
        ("tiktok", "t01", "rate_outlier_low", APPROX(0.11), APPROX(0.2145), "micro"),
        # p95 of nineteen 0.1 and one 1.0: position 18.05 -> 0.1 + 0.05 x 0.9 = 0.145
        ("tiktok", "t07", "comment_like_high", APPROX(1.0), APPROX(0.145), "micro"),
        # p95 of 0.11 .. 2.2: 2.09 + 0.05 x 0.11 = 2.0955
        ("tiktok", "t20", "rate_outlier_high", APPROX(2.2), APPROX(2.0955), "micro"),
    ]


def test_creator_comparison(signals_run: PipelineRun) -> None:
    rows = by_key(signals_run, "select * from marts.creator_comparison", "creator_id")
    assert sorted(rows) == ["R1", "R2", "R3"]
    r1 = rows["R1"]
    assert (r1["tiktok_username"], r1["instagram_username"], r1["active"]) == ("t05", "gina", True)
    assert r1["tiktok_interaction_rate"] == APPROX(0.55)
    assert r1["tiktok_rate_percentile"] == APPROX(4 / 19)
    assert r1["instagram_rate_percentile"] == APPROX(1.0)  # gina above hank in micro
    assert r1["total_followers"] == 40_000
    assert r1["emv_recent_total"] == APPROX(455.78 + 1180)
    assert r1["stronger_platform"] == "instagram"
    r2 = rows["R2"]  # its TikTok handle has no profile record
    assert r2["tiktok_followers"] is None and r2["tiktok_rate_percentile"] is None
    assert (r2["instagram_followers"], r2["total_followers"]) == (20_000, 20_000)
    assert r2["emv_recent_total"] == APPROX(83.2)  # 200 x 0.07 + 20 x 3.46
    assert r2["stronger_platform"] is None
    r3 = rows["R3"]  # "@T20" in the roster
    assert (r3["tiktok_username"], r3["active"], r3["instagram_username"]) == ("t20", False, None)
    assert r3["emv_recent_total"] == APPROX(890.89)  # 6.89 + 2,000 x 0.09 + 200 x 3.52


def test_campaign_emv(signals_run: PipelineRun) -> None:
    rows = {
        (r["campaign_id"], r["platform"]): r
        for r in signals_run.rows("select * from marts.campaign_performance")
    }
    tiktok = rows[("CMP-E", "tiktok")]  # the untracked video adds neither EMV nor fee_found
    assert tiktok["emv"] == APPROX(227.89)
    assert tiktok["emv_to_fee"] == APPROX(227.89 / 200)
    instagram = rows[("CMP-E", "instagram")]
    assert (instagram["emv"], instagram["emv_to_fee"]) == (APPROX(416.0), APPROX(2.0))
    euro = rows[("CMP-X", "tiktok")]  # EUR fee, USD rates: no ratio
    assert euro["emv"] == APPROX(890.89) and euro["emv_to_fee"] is None


def test_dbt_tests_of_the_new_marts_ran_as_asset_checks(signals_run: PipelineRun) -> None:
    checked = {
        e.asset_check_key.asset_key.path[-1]
        for e in signals_run.result.get_asset_check_evaluations()
    }
    assert {"tiktok_trends", "niche_benchmarks", "creator_comparison"} <= checked
    assert "creator_quality_flags" in checked


def signals_examples() -> list[tuple[str, str]]:
    """(heading, sql) of the ```sql blocks of the analyst guide's SIGNALS_SECTION."""
    examples: list[tuple[str, str]] = []
    section, heading, sql = "", "", None
    for line in ANALYST_GUIDE.read_text().splitlines():
        if sql is not None:
            if line.strip() == "```":
                if section == SIGNALS_SECTION:
                    examples.append((heading, "\n".join(sql)))
                sql = None
            else:
                sql.append(line)
        elif line.startswith("## "):
            section = heading = line[3:].strip()
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```sql":
            sql = []
    return examples


SIGNALS_EXAMPLES = signals_examples()


def test_the_guide_has_at_least_five_signals_questions() -> None:
    assert len(SIGNALS_EXAMPLES) >= 5
    for heading, sql in SIGNALS_EXAMPLES:
        assert heading.endswith("?"), heading
        assert re.search(r"\bmarts\.", sql), heading


@pytest.mark.parametrize(("heading", "sql"), SIGNALS_EXAMPLES, ids=[h for h, _ in SIGNALS_EXAMPLES])
def test_signals_example_returns_rows(signals_run: PipelineRun, heading: str, sql: str) -> None:
    """Each question runs as written against the published serving file of this landing zone."""
    with duckdb.connect(str(signals_run.settings.serving), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"{heading}: no rows"


def test_run_summary_highlights(signals_run: PipelineRun) -> None:
    """What `python -m pipeline run` prints about trends, flags and the roster."""
    from pipeline.signal_highlights import flag_counts, stronger_platform_counts, top_trends

    with duckdb.connect(str(signals_run.settings.warehouse), read_only=True) as con:
        assert [row[:3] for row in top_trends(con)] == [("sound", "snd-ramp", 4)]
        assert str(top_trends(con)[0][3]) == "2026-10-23"
        assert flag_counts(con) == [
            ("instagram", "follower_spike", 1),
            ("tiktok", "comment_like_high", 1),
            ("tiktok", "follower_spike", 1),
            ("tiktok", "rate_outlier_high", 1),
            ("tiktok", "rate_outlier_low", 1),
        ]
        # R1 instagram; R2 undecided (no TikTok profile); R3 is inactive
        assert stronger_platform_counts(con) == [("instagram", 1), ("undecided", 1)]
