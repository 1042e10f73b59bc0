-- One row per platform, creator and raised audience-quality flag, with the figure that raised
-- it and the threshold it crossed.
with tiktok_creators as (
    select * from {{ ref('tiktok_creators') }}
),

instagram_creators as (
    select * from {{ ref('instagram_creators') }}
),

creators as (
    select
        'tiktok' as platform,
        username,
        follower_tier,
        interaction_rate as rate,
        comment_like_ratio,
        follower_spikes_30d,
        quality_flags
    from tiktok_creators

    union all

    select
        'instagram' as platform,
        username,
        follower_tier,
        engagement_rate as rate,
        comment_like_ratio,
        follower_spikes_30d,
        quality_flags
    from instagram_creators
),

-- the percentiles the creator marts compare with (same definition: see the tier_outlier macro)
tier_thresholds as (
    select
        platform,
        follower_tier,
        quantile_cont(rate, {{ var('outlier_high_percentile') }}) as rate_high,
        quantile_cont(rate, {{ var('outlier_low_percentile') }}) as rate_low,
        quantile_cont(comment_like_ratio, {{ var('outlier_high_percentile') }}) as comment_like_high,
        quantile_cont(comment_like_ratio, {{ var('outlier_low_percentile') }}) as comment_like_low
    from creators
    group by platform, follower_tier
),

raised_flags as (
    select
        platform,
        username,
        follower_tier,
        rate,
        comment_like_ratio,
        follower_spikes_30d,
        unnest(quality_flags) as flag
    from creators
),

final as (
    select
        raised_flags.platform,
        raised_flags.username,
        raised_flags.flag,
        cast(case raised_flags.flag
            when 'follower_spike' then raised_flags.follower_spikes_30d
            when 'rate_outlier_high' then raised_flags.rate
            when 'rate_outlier_low' then raised_flags.rate
            else raised_flags.comment_like_ratio
        end as double) as value,
        cast(case raised_flags.flag
            when 'follower_spike' then 1
            when 'rate_outlier_high' then tier_thresholds.rate_high
            when 'rate_outlier_low' then tier_thresholds.rate_low
            when 'comment_like_high' then tier_thresholds.comment_like_high
            when 'comment_like_low' then tier_thresholds.comment_like_low
        end as double) as threshold,
        raised_flags.follower_tier
    from raised_flags
    left join tier_thresholds
        on raised_flags.platform = tier_thresholds.platform
        and raised_flags.follower_tier = tier_thresholds.follower_tier
)

select * from final
