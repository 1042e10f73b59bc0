-- Each post (latest metrics) with the creator's follower count at the time the metrics were
-- fetched: as-of the latest profile observation at or before it, else the earliest one.
with posts as (
    select * from {{ ref('int_instagram_posts_latest') }}
),

creator_observations as (
    select
        username,
        followers,
        fetched_at
    from {{ ref('int_instagram_creator_observations_deduplicated') }}
),

earliest_profiles as (
    select
        username,
        followers,
        fetched_at
    from creator_observations
    qualify row_number() over (partition by username order by fetched_at) = 1
),

posts_with_profile_as_of as (
    select
        posts.*,
        creator_observations.followers as followers_as_of,
        creator_observations.fetched_at as profile_as_of_fetched_at
    from posts
    asof left join creator_observations
        on posts.username = creator_observations.username
        and posts.fetched_at >= creator_observations.fetched_at
),

final as (
    select
        posts_with_profile_as_of.post_id,
        posts_with_profile_as_of.username,
        posts_with_profile_as_of.created_at,
        posts_with_profile_as_of.media_type,
        posts_with_profile_as_of.media_product_type,
        posts_with_profile_as_of.likes_hidden,
        posts_with_profile_as_of.likes,
        posts_with_profile_as_of.comments,
        posts_with_profile_as_of.views,
        posts_with_profile_as_of.caption,
        posts_with_profile_as_of.permalink,
        case
            when posts_with_profile_as_of.profile_as_of_fetched_at is not null
                then posts_with_profile_as_of.followers_as_of
            else earliest_profiles.followers
        end as followers,
        coalesce(
            posts_with_profile_as_of.profile_as_of_fetched_at,
            earliest_profiles.fetched_at
        ) as followers_fetched_at,
        posts_with_profile_as_of.fetched_at as metrics_fetched_at
    from posts_with_profile_as_of
    left join earliest_profiles
        on posts_with_profile_as_of.username = earliest_profiles.username
)

select * from final
