with campaign_posts as (
    select * from {{ ref('stg_campaigns__campaign_posts') }}
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

-- latest metrics of every post we track, both platforms in one shape
post_metrics as (
    select
        'tiktok' as platform,
        video_id as post_id,
        username,
        views,
        likes,
        comments,
        shares
    from tiktok_videos

    union all

    select
        'instagram' as platform,
        post_id,
        username,
        views,
        likes,
        comments,
        cast(null as bigint) as shares
    from instagram_posts
),

-- every listing: fees and creators count per listing row
listing_totals as (
    select
        campaign_posts.campaign_id,
        campaign_posts.platform,
        count(distinct campaign_posts.post_id) as posts,
        count(distinct coalesce(post_metrics.username, campaign_posts.creator_username)) as creators,
        sum(campaign_posts.fee) as total_fee
    from campaign_posts
    left join post_metrics
        on campaign_posts.platform = post_metrics.platform
        and campaign_posts.post_id = post_metrics.post_id
    group by campaign_posts.campaign_id, campaign_posts.platform
),

-- each distinct post of a campaign once, with its metrics when we track it
campaign_distinct_posts as (
    select distinct
        campaign_id,
        platform,
        post_id
    from campaign_posts
),

metric_totals as (
    select
        campaign_distinct_posts.campaign_id,
        campaign_distinct_posts.platform,
        count(post_metrics.post_id) as posts_found,
        cast(sum(post_metrics.views) as bigint) as views,
        cast(sum(post_metrics.likes) as bigint) as likes,
        cast(sum(post_metrics.comments) as bigint) as comments,
        cast(sum(post_metrics.shares) as bigint) as shares
    from campaign_distinct_posts
    left join post_metrics
        on campaign_distinct_posts.platform = post_metrics.platform
        and campaign_distinct_posts.post_id = post_metrics.post_id
    group by campaign_distinct_posts.campaign_id, campaign_distinct_posts.platform
),

campaign_platforms as (
    select
        listing_totals.campaign_id,
        listing_totals.platform,
        listing_totals.posts,
        metric_totals.posts_found,
        listing_totals.creators,
        listing_totals.total_fee,
        metric_totals.views,
        metric_totals.likes,
        metric_totals.comments,
        metric_totals.shares,
        coalesce(metric_totals.likes, 0)
            + coalesce(metric_totals.comments, 0)
            + coalesce(metric_totals.shares, 0) as engagements
    from listing_totals
    inner join metric_totals
        on listing_totals.campaign_id = metric_totals.campaign_id
        and listing_totals.platform = metric_totals.platform
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
        campaign_platforms.views,
        campaign_platforms.likes,
        campaign_platforms.comments,
        campaign_platforms.shares,
        campaign_platforms.engagements,
        {{ safe_divide('campaign_platforms.total_fee * 1000', 'campaign_platforms.views') }} as cpm,
        {{ safe_divide('campaign_platforms.total_fee', 'campaign_platforms.views') }} as cpv,
        {{ safe_divide('campaign_platforms.total_fee', 'campaign_platforms.engagements') }} as cpe
    from campaign_platforms
    left join campaigns
        on campaign_platforms.campaign_id = campaigns.campaign_id
)

select * from final
