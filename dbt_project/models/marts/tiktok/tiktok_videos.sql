with videos as (
    select * from {{ ref('int_tiktok_videos_followers_at_post') }}
),

video_kpis as (
    select
        *,
        {{ safe_divide('likes + comments + shares', 'views') }} as interaction_rate,
        {{ safe_divide('shares', 'views') }} as share_rate,
        {{ safe_divide('views', 'followers') }} as views_per_follower,
        {{ is_viral('views', 'followers') }} as is_viral
    from videos
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
        metrics_fetched_at
    from video_kpis
)

select * from final
