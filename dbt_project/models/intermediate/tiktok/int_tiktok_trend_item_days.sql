{#- A table, not a view like the other intermediate models: its data tests and the marts that
    read it would each run its query again (at scale M the two tests of
    int_tiktok_creators_window_signals took 16 s, the four models' tests 29.5 s of the build's
    47.7 s of data tests); built once, it is scanned instead. -#}
{{ config(materialized="table") }}
-- Trend evaluation: one row per item (sound or hashtag) and day D on which at least one video
-- with the item was created. uses_7d counts the item's videos created D-6 .. D, uses_prev_7d
-- those created D-13 .. D-7, creators_7d the distinct creators of the uses_7d videos. The item
-- trends on D when creators_7d >= var trend_min_creators and uses_7d >= var trend_growth x
-- uses_prev_7d. first_trending_day is the first evaluated day on which it trends.
with video_items as (
    select * from {{ ref('int_tiktok_video_items') }}
),

-- videos per item and day, and the distinct creators per item and day: the windows below
-- join at most 14 days of these instead of every video
item_day_videos as (
    select
        item_type,
        item,
        video_day as day,
        count(*) as videos
    from video_items
    group by item_type, item, video_day
),

item_day_creators as (
    select distinct
        item_type,
        item,
        video_day as day,
        username
    from video_items
),

item_day_uses as (
    select
        item_days.item_type,
        item_days.item,
        item_days.day,
        coalesce(sum(earlier.videos) filter (where earlier.day >= item_days.day - 6), 0) as uses_7d,
        coalesce(sum(earlier.videos) filter (where earlier.day <= item_days.day - 7), 0) as uses_prev_7d
    from item_day_videos as item_days
    inner join item_day_videos as earlier
        on item_days.item_type = earlier.item_type
        and item_days.item = earlier.item
        and earlier.day between item_days.day - 13 and item_days.day
    group by item_days.item_type, item_days.item, item_days.day
),

item_day_reach as (
    select
        item_days.item_type,
        item_days.item,
        item_days.day,
        count(distinct creators.username) as creators_7d
    from item_day_videos as item_days
    inner join item_day_creators as creators
        on item_days.item_type = creators.item_type
        and item_days.item = creators.item
        and creators.day between item_days.day - 6 and item_days.day
    group by item_days.item_type, item_days.item, item_days.day
),

item_day_counts as (
    select
        item_day_uses.item_type,
        item_day_uses.item,
        item_day_uses.day,
        cast(item_day_uses.uses_7d as bigint) as uses_7d,
        cast(item_day_uses.uses_prev_7d as bigint) as uses_prev_7d,
        item_day_reach.creators_7d
    from item_day_uses
    inner join item_day_reach
        on item_day_uses.item_type = item_day_reach.item_type
        and item_day_uses.item = item_day_reach.item
        and item_day_uses.day = item_day_reach.day
),

evaluated as (
    select
        *,
        creators_7d >= {{ var('trend_min_creators') }}
        and uses_7d >= cast({{ var('trend_growth') }} as double) * uses_prev_7d as is_trending
    from item_day_counts
),

final as (
    select
        item_type,
        item,
        day,
        uses_7d,
        uses_prev_7d,
        creators_7d,
        is_trending,
        min(day) filter (where is_trending) over (partition by item_type, item) as first_trending_day
    from evaluated
)

select * from final
