with posts as (
    select * from {{ ref('int_instagram_posts_followers_at_post') }}
),

post_kpis as (
    select
        *,
        -- likes is NULL when hidden, so the rate is NULL too
        {{ safe_divide('likes + comments', 'followers') }} as engagement_rate
    from posts
),

final as (
    select
        post_id,
        username,
        created_at,
        media_type,
        media_product_type,
        likes,
        comments,
        views,
        likes_hidden,
        followers,
        engagement_rate,
        caption,
        permalink,
        followers_fetched_at,
        metrics_fetched_at
    from post_kpis
)

select * from final
