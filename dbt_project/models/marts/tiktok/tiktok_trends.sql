-- One row per item (sound or hashtag) and day on which it is trending.
with trend_item_days as (
    select * from {{ ref('int_tiktok_trend_item_days') }}
),

final as (
    select
        item_type,
        item,
        day,
        uses_7d,
        uses_prev_7d,
        creators_7d,
        first_trending_day
    from trend_item_days
    where is_trending
)

select * from final
