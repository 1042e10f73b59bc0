-- A post's metrics from its latest observation.
--
-- Incremental: a run reads only the observations collected in its partition window (vars
-- min_day / max_day, passed by Dagster) and merges them with the stored latest row of the
-- same posts, so a day's run costs in proportion to that day's data. Late data for an older
-- day is handled too: the latest observation wins whatever order the days arrive in.
-- `dbt build --full-refresh` (or the Dagster run config full_refresh: true) rebuilds it.
{{ config(materialized='incremental', unique_key='post_id', incremental_strategy='delete+insert') }}

with post_observations as (
    select * from {{ ref('stg_instagram__media') }}
    {% if is_incremental() %}
    where {{ in_partition_window('partition_day') }}
    {% endif %}
),

candidates as (
    select
        post_id,
        username,
        created_at,
        media_type,
        media_product_type,
        likes_hidden,
        likes,
        comments,
        views,
        caption,
        permalink,
        fetched_at,
        source_file,
        partition_day,
        line_number
    from post_observations
    {% if is_incremental() %}
    union all
    select
        post_id,
        username,
        created_at,
        media_type,
        media_product_type,
        likes_hidden,
        likes,
        comments,
        views,
        caption,
        permalink,
        fetched_at,
        source_file,
        partition_day,
        line_number
    from {{ this }}
    where post_id in (select post_id from post_observations)
    {% endif %}
),

latest_observations as (
    select *
    from candidates
    qualify row_number() over (
        partition by post_id
        order by {{ latest_observation_first() }}
    ) = 1
),

final as (
    select
        post_id,
        username,
        created_at,
        media_type,
        media_product_type,
        likes_hidden,
        likes,
        comments,
        views,
        caption,
        permalink,
        fetched_at,
        source_file,
        partition_day,
        line_number
    from latest_observations
)

select * from final
