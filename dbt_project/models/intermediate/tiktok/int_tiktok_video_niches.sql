-- The niches each tracked video matches: one row per video and niche that one of its hashtags
-- maps to in the hashtag_niches seed (a video counts once per niche).
with video_items as (
    select * from {{ ref('int_tiktok_video_items') }}
    where item_type = 'hashtag'
),

hashtag_niches as (
    select * from {{ ref('hashtag_niches') }}
),

final as (
    select distinct
        video_items.video_id,
        video_items.username,
        hashtag_niches.niche
    from video_items
    inner join hashtag_niches
        on video_items.item = lower(hashtag_niches.hashtag)
)

select * from final
