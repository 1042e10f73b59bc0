with posts as (
    select * from {{ ref('int_instagram_posts_followers_at_post') }}
),

posts_emv as (
    select * from {{ ref('int_instagram_posts_emv') }}
),

post_kpis as (
    select
        posts.*,
        -- likes is NULL when hidden, so the rate is NULL too
        {{ safe_divide('likes + comments', 'followers') }} as engagement_rate,
        -- exact decimal sums upstream; double in the mart, as every other rate and amount
        cast(posts_emv.emv as double) as emv
    from posts
    left join posts_emv
        on posts.post_id = posts_emv.post_id
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
        metrics_fetched_at,
        emv
    from post_kpis
)

select * from final
