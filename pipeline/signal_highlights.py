"""Highlights of the trend, quality-flag and roster marts for the summary printed after
``python -m pipeline run``: one query per highlight, rows out."""

from __future__ import annotations

import duckdb

from pipeline.warehouse import MARTS_SCHEMA


def top_trends(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple]:
    """(item_type, item, peak creators_7d, first_trending_day) of the items that reached the
    most creators in a week, ties by the earlier trend, then the item."""
    return con.execute(
        f"""
        select item_type, item, max(creators_7d) as peak_creators_7d, min(first_trending_day)
        from {MARTS_SCHEMA}.tiktok_trends
        group by item_type, item
        order by peak_creators_7d desc, min(first_trending_day), item_type, item
        limit {int(limit)}
        """
    ).fetchall()


def flag_counts(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(platform, flag, creators) of every raised audience-quality flag."""
    return con.execute(
        f"""
        select platform, flag, count(*) as creators
        from {MARTS_SCHEMA}.creator_quality_flags
        group by platform, flag
        order by platform, flag
        """
    ).fetchall()


def stronger_platform_counts(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(stronger_platform or 'undecided', roster creators) over the active roster creators."""
    return con.execute(
        f"""
        select coalesce(stronger_platform, 'undecided') as stronger, count(*) as creators
        from {MARTS_SCHEMA}.creator_comparison
        where active
        group by stronger
        order by stronger
        """
    ).fetchall()


def print_signal_highlights(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Print the highlights of whichever of the three marts exist."""
    if "tiktok_trends" in tables:
        trends = top_trends(con)
        print("\ntop TikTok trends, by creators in a week:" if trends else "\nno TikTok trends")
        for item_type, item, creators, first_day in trends:
            print(f"  {item_type:<8} {item:<28} {creators:>5} creators  since {first_day}")
    if "creator_quality_flags" in tables:
        counts = flag_counts(con)
        print("\naudience-quality flags:" if counts else "\nno audience-quality flags raised")
        for platform, flag, creators in counts:
            print(f"  {platform:<10} {flag:<20} {creators:>6} creators")
    if "creator_comparison" in tables:
        counts = stronger_platform_counts(con)
        if counts:
            print("\nactive roster creators by stronger platform (rate percentile in tier):")
            for stronger, creators in counts:
                print(f"  {stronger:<10} {creators:>6}")
