"""Asset keys of the extract area, importable without the assets (the ingest assets depend on
them, and they depend on the ingest assets of the roster and campaign posts)."""

import dagster as dg

EXTRACT_PLATFORMS = ("tiktok", "instagram")


def extract_asset_key(platform: str) -> dg.AssetKey:
    return dg.AssetKey(["extract", platform])


def extract_deps(platform: str, dated: bool) -> list[dg.AssetKey]:
    """The extract asset a platform's dated ingest assets run after (none for other entities)."""
    return [extract_asset_key(platform)] if dated and platform in EXTRACT_PLATFORMS else []
