-- Trend evaluation: one row per item (sound or hashtag) and day D on which at least one video
-- with the item was created. uses_7d counts the item's videos created D-6 .. D, uses_prev_7d
-- those created D-13 .. D-7, creators_7d the distinct creators of the uses_7d videos. The item
-- trends on D when creators_7d >= var trend_min_creators and uses_7d >= var trend_growth x
-- uses_prev_7d. first_trending_day is the first evaluated day on which it trends.
with video_items as (
    select * from {{ ref('int_tiktok_video_items') }}
),

item_days as (
    select distinct
        item_type,
        item,
        video_day as day
    from video_items
),

item_day_counts as (
    select
        item_days.item_type,
        item_days.item,
        item_days.day,
        count(*) filter (where video_items.video_day >= item_days.day - 6) as uses_7d,
        count(*) filter (where video_items.video_day <= item_days.day - 7) as uses_prev_7d,
        count(distinct video_items.username) filter (
            where video_items.video_day >= item_days.day - 6
        ) as creators_7d
    from item_days
    inner join video_items
        on item_days.item_type = video_items.item_type
        and item_days.item = video_items.item
        and video_items.video_day between item_days.day - 13 and item_days.day
    group by item_days.item_type, item_days.item, item_days.day
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
