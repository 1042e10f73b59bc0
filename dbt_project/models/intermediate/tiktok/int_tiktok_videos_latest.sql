-- A video's metrics from its latest observation.
--
-- Incremental: a run reads only the observations collected in its partition window (vars
-- min_day / max_day, passed by Dagster) and merges them with the stored latest row of the
-- same videos, so a day's run costs in proportion to that day's data. Late data for an older
-- day is handled too: the latest observation wins whatever order the days arrive in.
-- `dbt build --full-refresh` (or the Dagster run config full_refresh: true) rebuilds it.
{{ config(materialized='incremental', unique_key='video_id', incremental_strategy='delete+insert') }}

with video_observations as (
    select * from {{ ref('stg_tiktok__videos') }}
    {% if is_incremental() %}
    where {{ in_partition_window('partition_day') }}
    {% endif %}
),

candidates as (
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
        line_number
    from video_observations
    {% if is_incremental() %}
    union all
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
        line_number
    from {{ this }}
    where video_id in (select video_id from video_observations)
    {% endif %}
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
        line_number
    from latest_observations
)

select * from final
