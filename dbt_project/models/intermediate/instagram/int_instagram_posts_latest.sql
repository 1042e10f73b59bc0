-- A post's metrics from its latest observation.
--
-- Incremental without a window of days: each run merges what the ingest step changed since the
-- model's last build (rows with a greater load_id), and recomputes from all of its observations
-- every post whose stored row came from a landing file written again since (a file
-- corrected in place or taking records back); the post-hook removes those no file holds any
-- more. So the table always equals a full rebuild, whatever order the deliveries came in (see
-- macros/latest_observations.sql). `dbt build --full-refresh` rebuilds it from scratch.
-- depends_on: {{ ref('stg_ledger__files') }}
{{ config(
    materialized='incremental',
    unique_key='post_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_replaced_observations() }}"
) }}

with observations as (
    select * from {{ ref('stg_instagram__media') }}
),

candidates as (
    {{ latest_observation_candidates('observations', 'post_id', ['post_id', 'username', 'created_at', 'media_type', 'media_product_type', 'likes_hidden', 'likes', 'comments', 'views', 'caption', 'permalink', 'fetched_at', 'source_file', 'partition_day', 'line_number', 'load_id']) }}
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
        line_number,
        load_id
    from latest_observations
)

select * from final
