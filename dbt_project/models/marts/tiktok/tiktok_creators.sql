with creators as (
    select * from {{ ref('int_tiktok_creators_latest') }}
),

follower_growth as (
    select * from {{ ref('int_tiktok_creators_follower_growth') }}
),

videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

recent_window as (
    select * from {{ ref('int_tiktok_videos_recent_window') }}
),

window_signals as (
    select * from {{ ref('int_tiktok_creators_window_signals') }}
),

follower_spikes as (
    select * from {{ ref('int_tiktok_creators_follower_spikes') }}
),

videos_tracked as (
    select
        username,
        count(*) as videos_tracked
    from videos
    group by username
),

recent_window_stats as (
    select
        username,
        count(*) as videos_in_window,
        avg(views) as avg_views,
        quantile_cont(views, 0.5) as median_views,
        sum(likes + comments + shares) as window_interactions,
        sum(shares) as window_shares,
        sum(views) as window_views,
        count_if({{ is_viral('views', 'followers') }}) as viral_videos,
        quantile_cont({{ safe_divide('likes + comments + shares', 'views') }}, 0.5)
            filter (where views > 0) as median_interaction_rate,
        sum(comments) as window_comments,
        sum(likes) as window_likes
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
        creators_with_tier.display_name,
        creators_with_tier.is_verified,
        creators_with_tier.followers,
        creators_with_tier.follower_tier,
        creators_with_tier.following,
        creators_with_tier.total_likes,
        creators_with_tier.total_videos,
        coalesce(videos_tracked.videos_tracked, 0) as videos_tracked,
        coalesce(recent_window_stats.videos_in_window, 0) as videos_in_window,
        recent_window_stats.avg_views,
        recent_window_stats.median_views,
        {{ safe_divide('recent_window_stats.window_interactions', 'recent_window_stats.window_views') }}
            as interaction_rate,
        {{ safe_divide('recent_window_stats.window_shares', 'recent_window_stats.window_views') }}
            as share_rate,
        {{ safe_divide('recent_window_stats.median_views', 'creators_with_tier.followers') }}
            as views_per_follower,
        coalesce(recent_window_stats.viral_videos, 0) as viral_videos,
        {{ safe_divide('recent_window_stats.viral_videos', 'recent_window_stats.videos_in_window') }}
            as viral_rate,
        follower_growth.follower_growth_30d,
        creators_with_tier.fetched_at as profile_fetched_at,
        recent_window_stats.median_interaction_rate,
        cast(window_signals.emv_recent as double) as emv_recent,
        window_signals.niche,
        window_signals.niche_share,
        coalesce(window_signals.trend_videos, 0) as trend_videos,
        window_signals.trend_participation_rate,
        window_signals.avg_trend_lag_days,
        coalesce(follower_spikes.follower_spikes_30d, 0) as follower_spikes_30d,
        {{ safe_divide('recent_window_stats.window_comments', 'recent_window_stats.window_likes') }}
            as comment_like_ratio
    from creators_with_tier
    left join videos_tracked
        on creators_with_tier.username = videos_tracked.username
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
        {{ tier_percent_rank('interaction_rate') }} as rate_percentile,
        {{ tier_outlier('interaction_rate') }} as rate_outlier,
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
