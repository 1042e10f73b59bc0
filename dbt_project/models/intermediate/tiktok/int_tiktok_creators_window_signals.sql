{#- A table, not a view like the other intermediate models: its data tests and the marts that
    read it would each run its query again (at scale M the two tests of
    int_tiktok_creators_window_signals took 16 s, the four models' tests 29.5 s of the build's
    47.7 s of data tests); built once, it is scanned instead. -#}
{{ config(materialized="table") }}
-- Per creator, over the recent window: earned media value, niche, trend participation.
--   emv_recent                = sum of the window videos' emv
--   niche, niche_share        = see the creator_niche macro
--   trend_videos              = window videos that join a trend
--   trend_participation_rate  = trend_videos / videos in the window
--   avg_trend_lag_days        = mean trend_lag_days over those videos
with recent_window as (
    select * from {{ ref('int_tiktok_videos_recent_window') }}
),

videos_emv as (
    select * from {{ ref('int_tiktok_videos_emv') }}
),

videos_trends as (
    select * from {{ ref('int_tiktok_videos_trends') }}
),

video_niches as (
    select * from {{ ref('int_tiktok_video_niches') }}
),

window_videos as (
    select
        recent_window.username,
        recent_window.video_id as post_id,
        videos_emv.emv,
        coalesce(videos_trends.joins_trend, false) as joins_trend,
        videos_trends.trend_lag_days
    from recent_window
    left join videos_emv
        on recent_window.video_id = videos_emv.video_id
    left join videos_trends
        on recent_window.video_id = videos_trends.video_id
),

window_niches as (
    select
        video_id as post_id,
        niche
    from video_niches
),

window_totals as (
    select
        username,
        count(*) as videos_in_window,
        sum(emv) as emv_recent,
        count(*) filter (where joins_trend) as trend_videos,
        avg(trend_lag_days) filter (where joins_trend) as avg_trend_lag_days
    from window_videos
    group by username
),

creator_niches as (
    {{ creator_niche('window_videos', 'window_niches') }}
),

final as (
    select
        window_totals.username,
        window_totals.emv_recent,
        creator_niches.niche,
        creator_niches.niche_share,
        window_totals.trend_videos,
        {{ safe_divide('window_totals.trend_videos', 'window_totals.videos_in_window') }}
            as trend_participation_rate,
        window_totals.avg_trend_lag_days
    from window_totals
    left join creator_niches
        on window_totals.username = creator_niches.username
)

select * from final
