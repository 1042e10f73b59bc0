{#- A table, not a view like the other intermediate models: its data tests and the marts that
    read it would each run its query again (at scale M the two tests of
    int_tiktok_creators_window_signals took 16 s, the four models' tests 29.5 s of the build's
    47.7 s of data tests); built once, it is scanned instead. -#}
{{ config(materialized="table") }}
-- Trend participation of each tracked video: joins_trend when any of its items (sound,
-- hashtags) trends on the video's day; trend_lag_days = the video's day minus the earliest
-- first_trending_day among those trending items (NULL when it joins no trend).
with videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

video_items as (
    select * from {{ ref('int_tiktok_video_items') }}
),

trend_item_days as (
    select * from {{ ref('int_tiktok_trend_item_days') }}
    where is_trending
),

trending_items_of_videos as (
    select
        video_items.video_id,
        video_items.video_day - min(trend_item_days.first_trending_day) as trend_lag_days
    from video_items
    inner join trend_item_days
        on video_items.item_type = trend_item_days.item_type
        and video_items.item = trend_item_days.item
        and video_items.video_day = trend_item_days.day
    group by video_items.video_id, video_items.video_day
),

final as (
    select
        videos.video_id,
        videos.username,
        trending_items_of_videos.video_id is not null as joins_trend,
        cast(trending_items_of_videos.trend_lag_days as integer) as trend_lag_days
    from videos
    left join trending_items_of_videos
        on videos.video_id = trending_items_of_videos.video_id
)

select * from final
