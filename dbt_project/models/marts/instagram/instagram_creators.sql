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

window_signals as (
    select * from {{ ref('int_instagram_creators_window_signals') }}
),

follower_spikes as (
    select * from {{ ref('int_instagram_creators_follower_spikes') }}
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
        avg(likes + comments) filter (where not likes_hidden) as avg_engagements_visible_likes,
        quantile_cont(likes + comments, 0.5) filter (where not likes_hidden)
            as median_engagements_visible_likes,
        sum(comments) filter (where not likes_hidden) as comments_visible_likes,
        sum(likes) filter (where not likes_hidden) as likes_visible
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

creator_kpis as (
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
        creators_with_tier.fetched_at as profile_fetched_at,
        {{ safe_divide('recent_window_stats.median_engagements_visible_likes', 'creators_with_tier.followers') }}
            as median_engagement_rate,
        cast(window_signals.emv_recent as double) as emv_recent,
        window_signals.niche,
        window_signals.niche_share,
        coalesce(follower_spikes.follower_spikes_30d, 0) as follower_spikes_30d,
        {{ safe_divide('recent_window_stats.comments_visible_likes', 'recent_window_stats.likes_visible') }}
            as comment_like_ratio
    from creators_with_tier
    left join posts_tracked
        on creators_with_tier.username = posts_tracked.username
    left join recent_window_stats
        on creators_with_tier.username = recent_window_stats.username
    left join follower_growth
        on creators_with_tier.username = follower_growth.username
    left join window_signals
        on creators_with_tier.username = window_signals.username
    left join follower_spikes
        on creators_with_tier.username = follower_spikes.username
),

-- positions and outliers among the creators of the same tier
creators_in_tier as (
    select
        *,
        {{ tier_percent_rank('engagement_rate') }} as rate_percentile,
        {{ tier_outlier('engagement_rate') }} as rate_outlier,
        {{ tier_outlier('comment_like_ratio') }} as comment_like_outlier
    from creator_kpis
),

final as (
    select
        *,
        {{ quality_flags('follower_spikes_30d', 'rate_outlier', 'comment_like_outlier') }} as quality_flags
    from creators_in_tier
)

select * from final
