-- Headline-rate distribution per platform, niche and follower tier.
with tiktok_creators as (
    select * from {{ ref('tiktok_creators') }}
),

instagram_creators as (
    select * from {{ ref('instagram_creators') }}
),

-- one row per creator with a niche, with the platform's headline rate
creator_rates as (
    select
        'tiktok' as platform,
        niche,
        follower_tier,
        interaction_rate as rate
    from tiktok_creators
    where niche is not null

    union all

    select
        'instagram' as platform,
        niche,
        follower_tier,
        engagement_rate as rate
    from instagram_creators
    where niche is not null
),

final as (
    select
        platform,
        niche,
        follower_tier,
        count(*) as creators,
        count(rate) as creators_with_rate,
        quantile_cont(rate, 0.5) as median_rate,
        quantile_cont(rate, 0.25) as p25_rate,
        quantile_cont(rate, 0.75) as p75_rate
    from creator_rates
    group by platform, niche, follower_tier
)

select * from final
