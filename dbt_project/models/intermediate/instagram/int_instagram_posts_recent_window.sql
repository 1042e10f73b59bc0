-- Each creator's recent_posts most recent posts, ranked 1 = newest.
with posts as (
    select * from {{ ref('int_instagram_posts_followers_at_post') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by username
            order by {{ most_recent_post_first('created_at', 'post_id') }}
        ) as recency_rank
    from posts
),

final as (
    select
        post_id,
        username,
        created_at,
        recency_rank,
        likes_hidden,
        likes,
        comments,
        views,
        followers,
        metrics_fetched_at
    from ranked
    where recency_rank <= {{ var('recent_posts') }}
)

select * from final
