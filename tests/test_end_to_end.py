"""The whole pipeline on the hand-written landing zone in tests/e2e_landing.

Every expected value below is computed by hand from those files (see the comments)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, WAREHOUSE_VAR
from tests.conftest import MARTS, PipelineRun

APPROX = pytest.approx


def one(run: PipelineRun, sql: str, params: list | None = None) -> dict:
    rows = run.rows(sql, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_run_succeeds_and_every_check_passes_except_none(e2e_run: PipelineRun) -> None:
    assert e2e_run.result.success
    evaluations = e2e_run.result.get_asset_check_evaluations()
    assert evaluations, "dbt tests and reconciliation checks run as asset checks"
    failed = [e.asset_check_key.to_user_string() for e in evaluations if not e.passed]
    assert failed == []


def test_ledger_accounts_for_every_record(e2e_run: PipelineRun) -> None:
    ledger = {
        r["path"]: r
        for r in e2e_run.rows(
            "select path, entity, partition_day, rows_read, rows_loaded, rows_duplicate,"
            " rows_rejected, status from ingest.files"
        )
    }
    assert len(ledger) == 9
    videos = ledger["tiktok/videos/dt=2026-11-01/videos.jsonl"]
    # 6 lines: v1, v2, v3 load; a second identical v3 is a duplicate; "lots" views and a
    # truncated line are rejected
    assert (videos["rows_read"], videos["rows_loaded"], videos["rows_duplicate"]) == (6, 3, 1)
    assert videos["rows_rejected"] == 2
    posts = ledger["campaigns/campaign_posts/posts.jsonl"]
    assert (
        posts["entity"],
        posts["partition_day"],
        posts["rows_loaded"],
        posts["rows_rejected"],
    ) == (
        "campaigns.campaign_posts",
        None,
        5,
        1,
    )
    for row in ledger.values():
        assert row["status"] == "loaded"
        assert row["rows_read"] == row["rows_loaded"] + row["rows_duplicate"] + row["rows_rejected"]


def test_quarantine_holds_reasons_and_raw_text(e2e_run: PipelineRun) -> None:
    rejected = e2e_run.query(
        "select source_file, line_number, entity, reason, raw_record from ingest.rejected_records"
        " order by source_file, line_number"
    )
    assert [(r[0], r[1], r[2], r[3]) for r in rejected] == [
        ("campaigns/campaign_posts/posts.jsonl", 6, "campaigns.campaign_posts", "invalid_value"),
        ("tiktok/videos/dt=2026-11-01/videos.jsonl", 4, "tiktok.videos", "invalid_count"),
        ("tiktok/videos/dt=2026-11-01/videos.jsonl", 6, "tiktok.videos", "malformed_record"),
    ]
    assert '"view_count": "lots"' in rejected[1][4]
    assert rejected[2][4] == '{"id": "7312345678901234571", "username": "carol"'


def test_tiktok_videos_mart(e2e_run: PipelineRun) -> None:
    # v1: latest observation is 2026-11-01 (200K views), not the 2026-10-21 one (1000 views);
    # followers at post = alice's 2026-11-01T08:00 observation ("12K"), the latest at or before
    # the metrics' fetched_at 2026-11-01T09:00.
    v1 = one(e2e_run, "select * from marts.tiktok_videos where video_id = '7312345678901234567'")
    assert v1["username"] == "alice"
    assert v1["created_at"] == datetime(2026, 10, 20)
    assert (v1["views"], v1["likes"], v1["comments"], v1["shares"]) == (
        200_000,
        15_000,
        3_000,
        2_000,
    )
    assert v1["saves"] == 700
    assert v1["followers"] == 12_000
    assert v1["interaction_rate"] == APPROX(0.1)  # (15000 + 3000 + 2000) / 200000
    assert v1["share_rate"] == APPROX(0.01)  # 2000 / 200000
    assert v1["views_per_follower"] == APPROX(200_000 / 12_000)
    assert v1["is_viral"] is True  # 200000 >= greatest(100000, 1.0 * 12000)
    assert v1["metrics_fetched_at"] == datetime(2026, 11, 1, 9)

    v2 = one(e2e_run, "select * from marts.tiktok_videos where video_id = '7312345678901234568'")
    assert v2["is_viral"] is False  # 50000 < 100000
    assert v2["interaction_rate"] == APPROX(0.1)  # 5000 / 50000

    # carol has no profile record: followers NULL, viral against the absolute threshold only
    v3 = one(e2e_run, "select * from marts.tiktok_videos where video_id = '7312345678901234569'")
    assert v3["followers"] is None and v3["views_per_follower"] is None
    assert v3["is_viral"] is True  # 150000 >= greatest(100000, 0)
    assert e2e_run.query("select count(*) from marts.tiktok_videos") == [(3,)]


def test_tiktok_creators_mart(e2e_run: PipelineRun) -> None:
    alice = one(e2e_run, "select * from marts.tiktok_creators where username = 'alice'")
    assert alice["followers"] == 12_000 and alice["follower_tier"] == "micro"
    assert alice["videos_tracked"] == 2
    assert alice["avg_views"] == APPROX(125_000)  # (200000 + 50000) / 2
    assert alice["median_views"] == APPROX(125_000)  # continuous median of two values
    assert alice["interaction_rate"] == APPROX(0.1)  # (20000 + 5000) / 250000
    assert alice["share_rate"] == APPROX(0.01)  # 2500 / 250000
    assert alice["views_per_follower"] == APPROX(125_000 / 12_000)
    assert alice["viral_videos"] == 1 and alice["viral_rate"] == APPROX(0.5)
    assert alice["follower_growth_30d"] == APPROX(0.25)  # (12000 - 9600) / 9600, 31 days apart

    bob = one(e2e_run, "select * from marts.tiktok_creators where username = 'bob'")
    assert bob["followers"] == 30_000 and bob["videos_tracked"] == 0
    assert bob["interaction_rate"] is None and bob["viral_rate"] is None
    assert bob["follower_growth_30d"] == APPROX(0.5)  # (30000 - 20000) / 20000
    # carol posted but has no profile record: not a row of the creators mart
    assert e2e_run.query("select username from marts.tiktok_creators order by 1") == [
        ("alice",),
        ("bob",),
    ]


def test_instagram_posts_mart(e2e_run: PipelineRun) -> None:
    posts = {
        r["post_id"]: r
        for r in e2e_run.rows("select * from marts.instagram_posts order by post_id")
    }
    assert list(posts) == [f"1790000000000000{i}" for i in range(1, 5)]
    p1, p2, p3, p4 = posts.values()
    assert p1["followers"] == 40_000 and p1["engagement_rate"] == APPROX(0.06)  # 2400 / 40000
    # -1 from a scraper and an absent like_count both mean hidden: NULL, never 0
    for hidden in (p2, p3):
        assert hidden["likes"] is None and hidden["likes_hidden"] is True
        assert hidden["engagement_rate"] is None
    assert p4["likes"] == 1_200 and p4["likes_hidden"] is False  # "1.2K"
    assert p4["engagement_rate"] == APPROX(0.03)
    assert p1["created_at"] == datetime(2026, 10, 28, 18, 10)
    assert p2["media_product_type"] == "REELS"


def test_instagram_creators_mart(e2e_run: PipelineRun) -> None:
    dana = one(e2e_run, "select * from marts.instagram_creators where username = 'dana'")
    assert dana["followers"] == 40_000 and dana["follower_tier"] == "micro"
    assert dana["posts_tracked"] == 4
    assert dana["avg_likes"] == APPROX(1_600)  # visible likes only: (2000 + 1200) / 2
    assert dana["avg_comments"] == APPROX(175)  # (400 + 100 + 200 + 0) / 4
    assert dana["engagement_rate"] == APPROX(0.045)  # mean(2400, 1200) / 40000
    # the 2026-10-02T07:00 observation is exactly 30 x 24 h before the latest: it counts
    assert dana["follower_growth_30d"] == APPROX(-0.2)  # (40000 - 50000) / 50000


def test_platform_benchmarks_mart(e2e_run: PipelineRun) -> None:
    rows = e2e_run.rows(
        "select platform, follower_tier, creators, median_engagement_rate, p25_engagement_rate,"
        " p75_engagement_rate, median_views_per_follower from marts.platform_benchmarks"
        " order by platform, follower_tier"
    )
    assert [(r["platform"], r["follower_tier"], r["creators"]) for r in rows] == [
        ("instagram", "micro", 1),
        ("tiktok", "micro", 2),
    ]
    instagram, tiktok = rows
    assert instagram["median_engagement_rate"] == APPROX(0.045)
    assert instagram["median_views_per_follower"] is None
    # bob's NULL interaction rate is ignored; alice's 0.1 is every percentile
    assert tiktok["p25_engagement_rate"] == APPROX(0.1)
    assert tiktok["median_engagement_rate"] == APPROX(0.1)
    assert tiktok["p75_engagement_rate"] == APPROX(0.1)
    assert tiktok["median_views_per_follower"] == APPROX(125_000 / 12_000)


def test_campaign_performance_mart(e2e_run: PipelineRun) -> None:
    rows = {
        r["platform"]: r
        for r in e2e_run.rows(
            "select * from marts.campaign_performance where campaign_id = 'CMP-1'"
        )
    }
    tiktok, instagram = rows["tiktok"], rows["instagram"]
    assert (tiktok["brand"], tiktok["campaign_name"], tiktok["currency"]) == (
        "Acme",
        "Launch",
        "EUR",
    )
    # three posts (one, id 999, not in the data), creators alice and ghost
    assert (tiktok["posts"], tiktok["creators"]) == (3, 2)
    assert Decimal(str(tiktok["total_fee"])) == Decimal("1750")
    assert (tiktok["views"], tiktok["likes"], tiktok["comments"], tiktok["shares"]) == (
        250_000,
        19_000,
        3_500,
        2_500,
    )
    assert tiktok["engagements"] == 25_000
    # the costs divide the fee of the found posts only (1000 + 500), not id 999's 250
    assert (tiktok["posts_found"], tiktok["posts_with_views"]) == (2, 2)
    assert Decimal(str(tiktok["fee_found"])) == Decimal("1500")
    assert Decimal(str(tiktok["fee_with_views"])) == Decimal("1500")
    assert tiktok["cpm"] == APPROX(6.0)  # 1500 / 250000 * 1000
    assert tiktok["cpv"] == APPROX(0.006)
    assert tiktok["cpe"] == APPROX(0.06)  # 1500 / 25000

    assert (instagram["posts"], instagram["creators"]) == (2, 1)
    assert Decimal(str(instagram["total_fee"])) == Decimal("1000")
    assert instagram["views"] is None and instagram["shares"] is None
    assert instagram["likes"] == 2_000  # the second post hides its likes
    assert instagram["comments"] == 500
    assert instagram["engagements"] == 2_500
    assert instagram["cpm"] is None and instagram["cpv"] is None
    assert (instagram["posts_with_views"], instagram["fee_with_views"]) == (0, None)
    assert Decimal(str(instagram["fee_found"])) == Decimal("1000")
    assert instagram["cpe"] == APPROX(0.4)  # 1000 / 2500


def test_ids_survive_exactly_and_text_is_repaired(e2e_run: PipelineRun) -> None:
    # 7312345678901234567 > 2^53: through a float it would become 7312345678901234688
    assert float(7312345678901234567) != 7312345678901234567
    ids = e2e_run.query("select id from ingest.tiktok_videos where username = 'alice' order by 1")
    assert ids == [("7312345678901234567",), ("7312345678901234567",), ("7312345678901234568",)]
    caption = e2e_run.query(
        "select caption from ingest.instagram_media where id = '17900000000000004'"
    )
    assert caption == [("café \ufffd",)]


def test_lineage_columns(e2e_run: PipelineRun) -> None:
    rows = e2e_run.query(
        "select _source_file, _partition_day, _line_number from ingest.tiktok_creators"
        " where username = 'bob' order by _partition_day"
    )
    assert [(r[0], str(r[1]), r[2]) for r in rows] == [
        ("tiktok/creators/dt=2026-10-01/creators.csv", "2026-10-01", 2),
        ("tiktok/creators/dt=2026-11-01/creators.jsonl", "2026-11-01", 2),
    ]


def test_dbt_unit_tests_pass(e2e_run: PipelineRun) -> None:
    """The pipeline's builds leave dbt's unit tests out (they test SQL, not data): run them here,
    against the warehouse the end-to-end run built (unit tests need their parents to exist)."""
    target = e2e_run.settings.warehouse.parent / "dbt_unit_target"
    done = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(DBT_PROJECT_DIR),
        ]
        + ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)],
        env=dict(os.environ, **{WAREHOUSE_VAR: str(e2e_run.settings.warehouse)}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    declared = sum(
        len(yaml.get("unit_tests") or [])
        for yaml in map(_load_yaml, (DBT_PROJECT_DIR / "models").rglob("*.yml"))
    )
    assert declared >= 20
    assert len(unit_tests) == declared
    assert {r["status"] for r in unit_tests} == {"pass"}


def _load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def test_dbt_materializations_carry_schema_row_counts_and_previews(
    e2e_run: PipelineRun, dbt_manifest: Path
) -> None:
    """Every dbt model's materialization, keyed by its asset key, has its column schema as
    built (names and DuckDB types, descriptions from the yml); tables (marts, seeds) have their
    row count, views none (counting a view re-runs its joins).
    """
    materializations = {
        event.asset_key.to_user_string(): event
        for event in e2e_run.result.get_asset_materialization_events()
        if event.asset_key and event.asset_key.path[0] in ("staging", "intermediate", "marts")
    }
    columns = e2e_run.query(
        "select schema_name || '/' || table_name, column_name, lower(data_type), comment"
        " from duckdb_columns() where schema_name in ('staging', 'intermediate', 'marts')"
        " order by schema_name, table_name, column_index"
    )
    relations = e2e_run.query(
        "select schema_name || '/' || view_name from duckdb_views()"
        " where schema_name in ('staging', 'intermediate', 'marts')"
    )
    views = {name for (name,) in relations}
    assert {key for key in materializations if key.startswith("staging/")} == {
        name for name in views if name.startswith("staging/")
    }
    assert len([k for k in materializations if k.startswith("marts/")]) == len(MARTS)
    # descriptions: the marts' persisted as comments (persist_docs), the other layers' from the yml
    manifest = json.loads(dbt_manifest.read_text())
    described = {
        f"{node['schema']}/{node['name']}": {
            c: v["description"] for c, v in node["columns"].items()
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert all(d is None for name, _, _, d in columns if not name.startswith("marts/"))
    for key, event in materializations.items():
        metadata = event.materialization.metadata
        schema = metadata["dagster/column_schema"].schema
        expected = [
            (c, t, d if key.startswith("marts/") else described[key].get(c))
            for name, c, t, d in columns
            if name == key
        ]
        assert [(c.name, c.type, c.description) for c in schema.columns] == expected, key
        if key in views:
            assert "dagster/row_count" not in metadata, key
        else:
            (count,) = e2e_run.query(f"select count(*) from {key.replace('/', '.')}")[0]
            assert metadata["dagster/row_count"].value == count, key
            assert metadata["dagster/table_name"].value == key.replace("/", "."), key
    previews = [
        event
        for event in e2e_run.result.all_events
        if event.event_type_value == "ASSET_OBSERVATION"
        and event.asset_key is not None
        and event.asset_key.to_user_string() == "marts/tiktok_creators"
    ]
    (preview,) = previews
    table = preview.event_specific_data.asset_observation.metadata["top_10_creators"]
    top = e2e_run.query(
        "select username, interaction_rate from marts.tiktok_creators"
        " where interaction_rate is not null order by interaction_rate desc, username limit 10"
    )
    assert [(r.data["username"], r.data["interaction_rate"]) for r in table.records] == [
        (username, float(rate)) for username, rate in top
    ]
