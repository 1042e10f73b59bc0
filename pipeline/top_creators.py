"""The top creators of each platform by its KPI: one list, read by the run summary printed after
``python -m pipeline run`` and by the creators marts' metadata in the Dagster UI."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.warehouse import MARTS_SCHEMA


@dataclass(frozen=True)
class TopCreators:
    """A creators mart ranked by a KPI (a share, shown as a percentage)."""

    title: str
    mart: str  # table in schema marts
    kpi: str
    columns: tuple[str, ...]  # shown between the username/tier and the KPI; followers first

    @property
    def table(self) -> str:
        return f"{MARTS_SCHEMA}.{self.mart}"

    @property
    def names(self) -> list[str]:
        return ["username", "follower_tier", *self.columns, self.kpi]


TOP_CREATORS = (
    TopCreators(
        "TikTok, by interaction rate over the recent window",
        "tiktok_creators",
        "interaction_rate",
        ("followers", "videos_in_window", "median_views"),
    ),
    TopCreators(
        "Instagram, by engagement rate over the recent window",
        "instagram_creators",
        "engagement_rate",
        ("followers", "posts_in_window", "avg_likes"),
    ),
)


def top_creators(con: duckdb.DuckDBPyConnection, spec: TopCreators, limit: int) -> list[tuple]:
    """The ``limit`` creators with the highest KPI (ties by username): ``spec.names`` columns."""
    columns = ", ".join(spec.names)
    return con.execute(
        f"""
        select {columns}
        from {spec.table}
        where {spec.kpi} is not null
        order by {spec.kpi} desc, username
        limit {int(limit)}
        """
    ).fetchall()
