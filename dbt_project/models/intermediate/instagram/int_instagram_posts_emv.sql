-- Earned media value of each post (latest metrics) at the rates of the emv_rates seed:
-- likes x like rate + comments x comment rate; hidden likes contribute 0.
with posts as (
    select * from {{ ref('int_instagram_posts_latest') }}
),

emv_rates as (
    select * from {{ ref('emv_rates') }}
),

-- one row: the instagram rates (a metric without a seed row is worth 0)
instagram_rates as (
    select
        coalesce(max(value_per_unit) filter (where metric = 'like'), 0) as like_rate,
        coalesce(max(value_per_unit) filter (where metric = 'comment'), 0) as comment_rate
    from emv_rates
    where platform = 'instagram'
),

final as (
    select
        posts.post_id,
        posts.username,
        case when posts.likes_hidden then 0 else coalesce(posts.likes, 0) end
            * instagram_rates.like_rate
            + posts.comments * instagram_rates.comment_rate as emv
    from posts
    cross join instagram_rates
)

select * from final
