with videos as (
    select * from {{ ref('int_tiktok_videos_followers_at_post') }}
),

videos_emv as (
    select * from {{ ref('int_tiktok_videos_emv') }}
),

videos_trends as (
    select * from {{ ref('int_tiktok_videos_trends') }}
),

video_kpis as (
    select
        videos.*,
        {{ safe_divide('likes + comments + shares', 'views') }} as interaction_rate,
        {{ safe_divide('shares', 'views') }} as share_rate,
        {{ safe_divide('views', 'followers') }} as views_per_follower,
        {{ is_viral('views', 'followers') }} as is_viral,
        cast(videos_emv.emv as double) as emv,
        coalesce(videos_trends.joins_trend, false) as joins_trend,
        videos_trends.trend_lag_days
    from videos
    left join videos_emv
        on videos.video_id = videos_emv.video_id
    left join videos_trends
        on videos.video_id = videos_trends.video_id
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
        followers,
        interaction_rate,
        share_rate,
        views_per_follower,
        is_viral,
        description,
        hashtag_names,
        music_id,
        duration_seconds,
        region_code,
        followers_fetched_at,
        metrics_fetched_at,
        emv,
        joins_trend,
        trend_lag_days
    from video_kpis
)

select * from final
