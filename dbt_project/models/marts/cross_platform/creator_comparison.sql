-- One row per roster creator: their TikTok and Instagram figures side by side, compared by
-- position within their platform and tier (rate_percentile), not by the raw rates.
with roster as (
    select * from {{ ref('int_roster_creators_latest') }}
),

tiktok_creators as (
    select * from {{ ref('tiktok_creators') }}
),

instagram_creators as (
    select * from {{ ref('instagram_creators') }}
),

joined as (
    select
        roster.creator_id,
        roster.display_name,
        roster.active,
        roster.tiktok_username,
        roster.instagram_username,
        tiktok_creators.followers as tiktok_followers,
        tiktok_creators.follower_tier as tiktok_tier,
        tiktok_creators.interaction_rate as tiktok_interaction_rate,
        tiktok_creators.rate_percentile as tiktok_rate_percentile,
        tiktok_creators.emv_recent as tiktok_emv_recent,
        instagram_creators.followers as instagram_followers,
        instagram_creators.follower_tier as instagram_tier,
        instagram_creators.engagement_rate as instagram_engagement_rate,
        instagram_creators.rate_percentile as instagram_rate_percentile,
        instagram_creators.emv_recent as instagram_emv_recent
    from roster
    left join tiktok_creators
        on roster.tiktok_username = tiktok_creators.username
    left join instagram_creators
        on roster.instagram_username = instagram_creators.username
),

final as (
    select
        creator_id,
        display_name,
        active,
        tiktok_username,
        instagram_username,
        tiktok_followers,
        tiktok_tier,
        tiktok_interaction_rate,
        tiktok_rate_percentile,
        instagram_followers,
        instagram_tier,
        instagram_engagement_rate,
        instagram_rate_percentile,
        case
            when tiktok_followers is not null or instagram_followers is not null
                then coalesce(tiktok_followers, 0) + coalesce(instagram_followers, 0)
        end as total_followers,
        case
            when tiktok_emv_recent is not null or instagram_emv_recent is not null
                then coalesce(tiktok_emv_recent, 0) + coalesce(instagram_emv_recent, 0)
        end as emv_recent_total,
        case
            when tiktok_rate_percentile > instagram_rate_percentile then 'tiktok'
            when tiktok_rate_percentile < instagram_rate_percentile then 'instagram'
        end as stronger_platform
    from joined
)

select * from final
