-- A post's metrics from its latest observation.
with post_observations as (
    select * from {{ ref('stg_instagram__media') }}
),

latest_observations as (
    select *
    from post_observations
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
