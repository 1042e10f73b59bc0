-- Each creator's recent_posts most recent videos, ranked 1 = newest.
with videos as (
    select * from {{ ref('int_tiktok_videos_followers_at_post') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by username
            order by {{ most_recent_post_first('created_at', 'video_id') }}
        ) as recency_rank
    from videos
),

final as (
    select
        video_id,
        username,
        created_at,
        recency_rank,
        views,
        likes,
        comments,
        shares,
        saves,
        followers,
        metrics_fetched_at
    from ranked
    where recency_rank <= {{ var('recent_posts') }}
)

select * from final
