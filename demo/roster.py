"""The agency's roster: the creators it tracks, with their handles on each platform."""

from __future__ import annotations

import polars as pl

from demo.randomness import Random
from demo.spec import DemoSpec


def roster_rows(
    spec: DemoSpec, tiktok_creators: pl.DataFrame, instagram_creators: pl.DataFrame
) -> pl.DataFrame:
    """Every demo person as a roster row: the shared persons with both handles, the others with
    one. Like real agency sheets, ~20 % of the handles are written ``@Mia.Dance`` and ~5 % of the
    creators are no longer tracked (``active`` false); ``active`` is blank for most rows
    (absent means true)."""
    rng = Random(spec.seed, "roster")
    handles = (
        tiktok_creators.select("person", "first_name", "last_name", tiktok="username")
        .join(
            instagram_creators.select(
                "person", first_name_ig="first_name", last_name_ig="last_name", instagram="username"
            ),
            on="person",
            how="full",
            coalesce=True,
        )
        .with_columns(
            pl.coalesce("first_name", "first_name_ig").alias("first_name"),
            pl.coalesce("last_name", "last_name_ig").alias("last_name"),
        )
        .sort("person")
    )
    person = pl.col("person")

    def written(column: str) -> pl.Expr:
        mention = rng.uniform(f"mention/{column}", person) < 0.2
        handle = pl.col(column)
        return pl.when(mention).then(pl.lit("@") + handle.str.to_titlecase()).otherwise(handle)

    inactive = rng.uniform("inactive", person) < 0.05
    return handles.select(
        pl.format("CR-{}", (person + 1).cast(pl.String).str.zfill(5)).alias("creator_id"),
        (pl.col("first_name") + " " + pl.col("last_name")).alias("display_name"),
        written("tiktok").alias("tiktok_username"),
        written("instagram").alias("instagram_username"),
        pl.when(inactive).then(pl.lit("false")).otherwise(pl.lit("")).alias("active"),
    )
