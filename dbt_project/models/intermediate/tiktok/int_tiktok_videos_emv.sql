-- Earned media value of each video (latest metrics) at the rates of the emv_rates seed:
-- views x view rate + likes x like rate + comments x comment rate + shares x share rate.
with videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

emv_rates as (
    select * from {{ ref('emv_rates') }}
),

-- one row: the tiktok rates (a metric without a seed row is worth 0)
tiktok_rates as (
    select
        coalesce(max(value_per_unit) filter (where metric = 'view'), 0) as view_rate,
        coalesce(max(value_per_unit) filter (where metric = 'like'), 0) as like_rate,
        coalesce(max(value_per_unit) filter (where metric = 'comment'), 0) as comment_rate,
        coalesce(max(value_per_unit) filter (where metric = 'share'), 0) as share_rate
    from emv_rates
    where platform = 'tiktok'
),

final as (
    select
        videos.video_id,
        videos.username,
        videos.views * tiktok_rates.view_rate
            + videos.likes * tiktok_rates.like_rate
            + videos.comments * tiktok_rates.comment_rate
            + videos.shares * tiktok_rates.share_rate as emv
    from videos
    cross join tiktok_rates
)

select * from final
