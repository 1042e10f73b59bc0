-- A creator's values from their latest profile observation.
with creator_observations as (
    select * from {{ ref('stg_instagram__creators') }}
),

observation_counts as (
    select
        username,
        count(*) as observations,
        min(fetched_at) as first_fetched_at
    from creator_observations
    group by username
),

latest_observations as (
    select *
    from creator_observations
    qualify row_number() over (
        partition by username
        order by {{ latest_observation_first() }}
    ) = 1
),

final as (
    select
        latest_observations.username,
        latest_observations.instagram_user_id,
        latest_observations.name,
        latest_observations.biography,
        latest_observations.followers,
        latest_observations.following,
        latest_observations.total_media,
        latest_observations.fetched_at,
        observation_counts.first_fetched_at,
        observation_counts.observations,
        latest_observations.source_file,
        latest_observations.partition_day,
        latest_observations.line_number
    from latest_observations
    inner join observation_counts
        on latest_observations.username = observation_counts.username
)

select * from final
