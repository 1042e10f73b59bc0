with creators as (
    select * from {{ ref('int_instagram_creators_latest') }}
),

follower_growth as (
    select * from {{ ref('int_instagram_creators_follower_growth') }}
),

posts as (
    select * from {{ ref('int_instagram_posts_latest') }}
),

recent_window as (
    select * from {{ ref('int_instagram_posts_recent_window') }}
),

posts_tracked as (
    select
        username,
        count(*) as posts_tracked
    from posts
    group by username
),

recent_window_stats as (
    select
        username,
        count(*) as posts_in_window,
        count(*) filter (where not likes_hidden) as posts_with_visible_likes_in_window,
        avg(likes) filter (where not likes_hidden) as avg_likes,
        avg(comments) as avg_comments,
        avg(likes + comments) filter (where not likes_hidden) as avg_engagements_visible_likes
    from recent_window
    group by username
),

creators_with_tier as (
    select
        creators.*,
        follower_tiers.tier as follower_tier
    from creators
    {{ join_follower_tier('creators.followers') }}
),

final as (
    select
        creators_with_tier.username,
        creators_with_tier.instagram_user_id,
        creators_with_tier.name,
        creators_with_tier.followers,
        creators_with_tier.follower_tier,
        creators_with_tier.following,
        creators_with_tier.total_media,
        coalesce(posts_tracked.posts_tracked, 0) as posts_tracked,
        coalesce(recent_window_stats.posts_in_window, 0) as posts_in_window,
        coalesce(recent_window_stats.posts_with_visible_likes_in_window, 0)
            as posts_with_visible_likes_in_window,
        recent_window_stats.avg_likes,
        recent_window_stats.avg_comments,
        {{ safe_divide('recent_window_stats.avg_engagements_visible_likes', 'creators_with_tier.followers') }}
            as engagement_rate,
        follower_growth.follower_growth_30d,
        creators_with_tier.fetched_at as profile_fetched_at
    from creators_with_tier
    left join posts_tracked
        on creators_with_tier.username = posts_tracked.username
    left join recent_window_stats
        on creators_with_tier.username = recent_window_stats.username
    left join follower_growth
        on creators_with_tier.username = follower_growth.username
)

select * from final
