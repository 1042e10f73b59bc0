-- A video's metrics from its latest observation.
--
-- Incremental without a window of days: each run merges what the ingest step changed since the
-- model's last build (rows with a greater load_id), and recomputes from all of its observations
-- every video whose stored row came from a landing file written again since (a file
-- corrected in place or taking records back); the post-hook removes those no file holds any
-- more. So the table always equals a full rebuild, whatever order the deliveries came in (see
-- macros/latest_observations.sql). `dbt build --full-refresh` rebuilds it from scratch.
-- depends_on: {{ ref('stg_ledger__files') }}
{{ config(
    materialized='incremental',
    unique_key='video_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_replaced_observations() }}"
) }}

with observations as (
    select * from {{ ref('stg_tiktok__videos') }}
),

candidates as (
    {{ latest_observation_candidates('observations', 'video_id', ['video_id', 'username', 'created_at', 'views', 'likes', 'comments', 'shares', 'saves', 'description', 'hashtag_names', 'music_id', 'duration_seconds', 'region_code', 'fetched_at', 'source_file', 'partition_day', 'line_number', 'load_id']) }}
),

latest_observations as (
    select *
    from candidates
    qualify row_number() over (
        partition by video_id
        order by {{ latest_observation_first() }}
    ) = 1
),

final as (
    select
        video_id,
        username,
        created_at,
        views,
        likes,
        comments,
        shares,
        saves,
        description,
        hashtag_names,
        music_id,
        duration_seconds,
        region_code,
        fetched_at,
        source_file,
        partition_day,
        line_number,
        load_id
    from latest_observations
)

select * from final
