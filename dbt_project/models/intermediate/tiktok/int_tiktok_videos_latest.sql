-- A video's metrics from its latest observation.
with video_observations as (
    select * from {{ ref('stg_tiktok__videos') }}
),

latest_observations as (
    select *
    from video_observations
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
