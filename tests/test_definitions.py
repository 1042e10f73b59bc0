"""The code location loads, and its asset graph links every landing entity to the marts."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from pipeline.landing.contract import ENTITIES
from pipeline.settings import Settings
from tests.conftest import MARTS


@pytest.fixture(scope="module")
def defs(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    from pipeline.definitions import build_definitions

    root = tmp_path_factory.mktemp("defs")
    return build_definitions(Settings(landing_dir=root, warehouse=root / "wh.duckdb"))


def test_definitions_validate(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("build_all") is not None


def test_module_level_defs_load(dbt_manifest: Path) -> None:
    from pipeline import definitions

    assert isinstance(definitions.defs, dg.Definitions)


def test_lineage_runs_from_each_landing_entity_to_the_marts(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for mart in MARTS:
        assert f"marts/{mart}" in keys
    expected_upstream = {
        "tiktok_creators": "marts/tiktok_creators",
        "tiktok_videos": "marts/tiktok_videos",
        "instagram_creators": "marts/instagram_creators",
        "instagram_media": "marts/instagram_posts",
        "campaigns": "marts/campaign_performance",
        "campaign_posts": "marts/campaign_performance",
        "roster_creators": "intermediate/int_roster_creators_latest",
    }
    for entity in ENTITIES:
        ingest_key = dg.AssetKey(["ingest", entity.table])
        assert graph.get(ingest_key).child_keys, f"{ingest_key} feeds no dbt model"
        reached = set()
        frontier = [ingest_key]
        while frontier:
            key = frontier.pop()
            for child in graph.get(key).child_keys:
                if child not in reached:
                    reached.add(child)
                    frontier.append(child)
        assert expected_upstream[entity.table] in {k.to_user_string() for k in reached}


def test_groups_and_checks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {
        key.to_user_string(): graph.get(key).group_name
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }
    assert groups["ingest/tiktok_videos"] == "ingest"
    assert groups["marts/tiktok_creators"] == "tiktok_marts"
    assert groups["marts/instagram_creators"] == "instagram_marts"
    check_keys = {k.to_user_string() for k in graph.asset_check_keys}
    # dbt data tests are asset checks; each ingest asset has the reconciliation check
    assert any(k.startswith("marts/tiktok_creators:") for k in check_keys)
    for entity in ENTITIES:
        assert f"ingest/{entity.table}:files_reconcile" in check_keys


def test_issue_13_marts_in_their_groups_and_lineage(defs: dg.Definitions) -> None:
    """Trends with the TikTok marts, niche benchmarks with the benchmarks, the roster comparison
    and the quality flags (both platforms) in their own group; the seeds under reference."""
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["marts/tiktok_trends"] == "tiktok_marts"
    assert groups["marts/niche_benchmarks"] == "benchmarks_marts"
    assert groups["marts/creator_comparison"] == "cross_platform_marts"
    assert groups["marts/creator_quality_flags"] == "cross_platform_marts"
    assert groups["reference/emv_rates"] == "reference"
    assert groups["reference/hashtag_niches"] == "reference"

    def parents(key: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(dg.AssetKey(key.split("/"))).parent_keys}

    def ancestors(key: str) -> set[str]:
        found, frontier = set(), [key]
        while frontier:
            for parent in parents(frontier.pop()):
                if parent not in found:
                    found.add(parent)
                    frontier.append(parent)
        return found

    assert parents("marts/creator_comparison") == {
        "intermediate/int_roster_creators_latest",
        "marts/tiktok_creators",
        "marts/instagram_creators",
    }
    assert "ingest/roster_creators" in ancestors("marts/creator_comparison")
    assert {"reference/emv_rates", "ingest/tiktok_videos", "ingest/instagram_media"} <= ancestors(
        "marts/campaign_performance"
    )
    assert {"reference/hashtag_niches", "ingest/tiktok_creators"} <= ancestors(
        "marts/niche_benchmarks"
    )
    assert parents("marts/tiktok_trends") == {"intermediate/int_tiktok_trend_item_days"}
