with campaign_posts as (
    select * from {{ ref('int_campaign_posts_deduplicated') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_deduplicated') }}
),

tiktok_videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

instagram_posts as (
    select * from {{ ref('int_instagram_posts_latest') }}
),

tiktok_videos_emv as (
    select * from {{ ref('int_tiktok_videos_emv') }}
),

instagram_posts_emv as (
    select * from {{ ref('int_instagram_posts_emv') }}
),

-- the currency of each platform's EMV rates (one per platform in the seed)
emv_currencies as (
    select
        platform,
        max(currency) as emv_currency
    from {{ ref('emv_rates') }}
    group by platform
),

-- latest metrics of every post we track, both platforms in one shape
post_metrics as (
    select
        'tiktok' as platform,
        tiktok_videos.video_id as post_id,
        tiktok_videos.username,
        views,
        likes,
        comments,
        shares,
        tiktok_videos_emv.emv
    from tiktok_videos
    left join tiktok_videos_emv
        on tiktok_videos.video_id = tiktok_videos_emv.video_id

    union all

    select
        'instagram' as platform,
        instagram_posts.post_id,
        instagram_posts.username,
        views,
        likes,
        comments,
        cast(null as bigint) as shares,
        instagram_posts_emv.emv
    from instagram_posts
    left join instagram_posts_emv
        on instagram_posts.post_id = instagram_posts_emv.post_id
),

-- each listed post once (de-duplicated), with its metrics when we track it
listings as (
    select
        campaign_posts.campaign_id,
        campaign_posts.platform,
        campaign_posts.post_id,
        campaign_posts.fee,
        campaign_posts.creator_username,
        post_metrics.post_id is not null as is_found,
        post_metrics.username,
        post_metrics.views,
        post_metrics.likes,
        post_metrics.comments,
        post_metrics.shares,
        post_metrics.emv
    from campaign_posts
    left join post_metrics
        on campaign_posts.platform = post_metrics.platform
        and campaign_posts.post_id = post_metrics.post_id
),

-- a sum over no rows is NULL (sum() of an empty filter)
campaign_platforms as (
    select
        campaign_id,
        platform,
        count(*) as posts,
        count(*) filter (where is_found) as posts_found,
        count(*) filter (where is_found and views is not null) as posts_with_views,
        count(distinct coalesce(username, creator_username)) as creators,
        sum(fee) as total_fee,
        sum(fee) filter (where is_found) as fee_found,
        sum(fee) filter (where is_found and views is not null) as fee_with_views,
        cast(sum(views) as bigint) as views,
        cast(sum(likes) as bigint) as likes,
        cast(sum(comments) as bigint) as comments,
        cast(sum(shares) as bigint) as shares,
        -- every found post has engagements (hidden likes count 0); NULL when none is found
        cast(
            sum(coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0))
                filter (where is_found)
            as bigint
        ) as engagements,
        sum(emv) filter (where is_found) as emv
    from listings
    group by campaign_id, platform
),

final as (
    select
        campaign_platforms.campaign_id,
        campaigns.brand,
        campaigns.campaign_name,
        campaigns.start_date,
        campaigns.end_date,
        campaign_platforms.platform,
        campaigns.currency,
        campaign_platforms.posts,
        campaign_platforms.posts_found,
        campaign_platforms.creators,
        campaign_platforms.total_fee,
        campaign_platforms.fee_found,
        campaign_platforms.posts_with_views,
        campaign_platforms.fee_with_views,
        campaign_platforms.views,
        campaign_platforms.likes,
        campaign_platforms.comments,
        campaign_platforms.shares,
        campaign_platforms.engagements,
        {{ safe_divide('campaign_platforms.fee_with_views * 1000', 'campaign_platforms.views') }} as cpm,
        {{ safe_divide('campaign_platforms.fee_with_views', 'campaign_platforms.views') }} as cpv,
        {{ safe_divide('campaign_platforms.fee_found', 'campaign_platforms.engagements') }} as cpe,
        cast(campaign_platforms.emv as double) as emv,
        case
            when upper(campaigns.currency) = upper(emv_currencies.emv_currency)
                then {{ safe_divide('campaign_platforms.emv', 'campaign_platforms.fee_found') }}
        end as emv_to_fee
    from campaign_platforms
    left join campaigns
        on campaign_platforms.campaign_id = campaigns.campaign_id
    left join emv_currencies
        on campaign_platforms.platform = emv_currencies.platform
)

select * from final
