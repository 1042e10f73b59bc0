with tiktok_creators as (
    select * from {{ ref('tiktok_creators') }}
),

instagram_creators as (
    select * from {{ ref('instagram_creators') }}
),

follower_tiers as (
    select * from {{ ref('follower_tiers') }}
),

-- one row per creator with the platform's headline engagement KPI
creator_rates as (
    select
        'tiktok' as platform,
        follower_tier,
        interaction_rate as engagement_rate,
        views_per_follower
    from tiktok_creators

    union all

    select
        'instagram' as platform,
        follower_tier,
        engagement_rate,
        cast(null as double) as views_per_follower
    from instagram_creators
),

tier_order as (
    select
        tier,
        min_followers,
        row_number() over (order by min_followers) as tier_order
    from follower_tiers
),

benchmarks as (
    select
        platform,
        follower_tier,
        count(*) as creators,
        count(engagement_rate) as creators_with_rate,
        quantile_cont(engagement_rate, 0.25) as p25_engagement_rate,
        quantile_cont(engagement_rate, 0.5) as median_engagement_rate,
        quantile_cont(engagement_rate, 0.75) as p75_engagement_rate,
        quantile_cont(views_per_follower, 0.5) as median_views_per_follower
    from creator_rates
    group by platform, follower_tier
),

final as (
    select
        benchmarks.platform,
        benchmarks.follower_tier,
        tier_order.tier_order,
        tier_order.min_followers as tier_min_followers,
        benchmarks.creators,
        benchmarks.creators_with_rate,
        benchmarks.median_engagement_rate,
        benchmarks.p25_engagement_rate,
        benchmarks.p75_engagement_rate,
        benchmarks.median_views_per_follower
    from benchmarks
    left join tier_order
        on benchmarks.follower_tier = tier_order.tier
)

select * from final
