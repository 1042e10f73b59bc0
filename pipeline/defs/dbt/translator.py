"""How dbt nodes appear in Dagster: asset keys ``[schema, name]``, groups by layer and platform,
and a freshness policy on every mart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from pipeline.settings import DEFAULT_FRESHNESS_HOURS
from pipeline.warehouse import MARTS_SCHEMA

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

OWNERS = {
    "staging": ["team:data-engineering"],
    "intermediate": ["team:data-engineering"],
    "marts": ["team:analytics"],
}


def mart_freshness_policy(window: timedelta) -> dg.FreshnessPolicy:
    """PASS while the mart's last materialization is younger than ``window``, FAIL from then on.

    No warn window: the daily run materializes the marts about every 24 hours, so a warn window
    shorter than a day would turn every mart WARN each day before its run, and the window
    (26 h by default) is already a day plus the slack a late run gets.
    """
    return dg.FreshnessPolicy.time_window(fail_window=window)


class CreatorKpisTranslator(DagsterDbtTranslator):
    def __init__(self, freshness_window: timedelta = timedelta(hours=DEFAULT_FRESHNESS_HOURS)):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.freshness_window = freshness_window  # Settings.freshness_window

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key: ingest
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "model" and props.get("schema") == MARTS_SCHEMA:
            # evaluated by the daemon's FreshnessDaemon (dagster.yaml: freshness: enabled)
            return spec.replace_attributes(
                freshness_policy=mart_freshness_policy(self.freshness_window)
            )
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        if layer == "marts" and len(fqn) > 3:
            return f"{fqn[2]}_marts"  # tiktok_marts, instagram_marts, campaigns_marts, ...
        return layer  # staging, intermediate

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        fqn = dbt_resource_props.get("fqn", [])
        return OWNERS.get(fqn[1] if len(fqn) > 1 else "", ["team:data-engineering"])
