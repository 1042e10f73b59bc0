-- One profile observation per creator and fetched_at (the latest by the tie-break), so that
-- as-of joins on fetched_at are deterministic.
with creator_observations as (
    select * from {{ ref('stg_tiktok__creators') }}
),

deduplicated as (
    select *
    from creator_observations
    qualify row_number() over (
        partition by username, fetched_at
        order by {{ latest_observation_first() }}
    ) = 1
),

final as (
    select
        username,
        display_name,
        bio,
        followers,
        following,
        total_likes,
        total_videos,
        is_verified,
        fetched_at,
        source_file,
        partition_day,
        line_number
    from deduplicated
)

select * from final
