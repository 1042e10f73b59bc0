-- Each video (latest metrics) with the creator's follower count at the time the metrics were
-- fetched: as-of the latest profile observation at or before it, else the earliest one.
with videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

creator_observations as (
    select
        username,
        followers,
        fetched_at
    from {{ ref('int_tiktok_creator_observations_deduplicated') }}
),

earliest_profiles as (
    select
        username,
        followers,
        fetched_at
    from creator_observations
    qualify row_number() over (partition by username order by fetched_at) = 1
),

videos_with_profile_as_of as (
    select
        videos.*,
        creator_observations.followers as followers_as_of,
        creator_observations.fetched_at as profile_as_of_fetched_at
    from videos
    asof left join creator_observations
        on videos.username = creator_observations.username
        and videos.fetched_at >= creator_observations.fetched_at
),

final as (
    select
        videos_with_profile_as_of.video_id,
        videos_with_profile_as_of.username,
        videos_with_profile_as_of.created_at,
        videos_with_profile_as_of.views,
        videos_with_profile_as_of.likes,
        videos_with_profile_as_of.comments,
        videos_with_profile_as_of.shares,
        videos_with_profile_as_of.saves,
        videos_with_profile_as_of.description,
        videos_with_profile_as_of.hashtag_names,
        videos_with_profile_as_of.music_id,
        videos_with_profile_as_of.duration_seconds,
        videos_with_profile_as_of.region_code,
        case
            when videos_with_profile_as_of.profile_as_of_fetched_at is not null
                then videos_with_profile_as_of.followers_as_of
            else earliest_profiles.followers
        end as followers,
        coalesce(
            videos_with_profile_as_of.profile_as_of_fetched_at,
            earliest_profiles.fetched_at
        ) as followers_fetched_at,
        videos_with_profile_as_of.fetched_at as metrics_fetched_at
    from videos_with_profile_as_of
    left join earliest_profiles
        on videos_with_profile_as_of.username = earliest_profiles.username
)

select * from final
