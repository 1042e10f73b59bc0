"""How dbt nodes appear in Dagster: asset keys ``[schema, name]``, groups by layer and platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

OWNERS = {
    "staging": ["team:data-engineering"],
    "intermediate": ["team:data-engineering"],
    "marts": ["team:analytics"],
}


class CreatorKpisTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key: ingest
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

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
