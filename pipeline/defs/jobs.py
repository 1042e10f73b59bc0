"""Jobs. ``build_all`` ingests the landing files of its partitions, builds every dbt model and
publishes the marts; run it for one day, a range of days (one run), or all days present."""

import dagster as dg

BUILD_ALL_JOB = "build_all"

build_all = dg.define_asset_job(
    BUILD_ALL_JOB,
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest the new or changed landing files of the selected days (and the campaign files),"
        " dbt build every model over that partition window, then publish the marts."
    ),
)
