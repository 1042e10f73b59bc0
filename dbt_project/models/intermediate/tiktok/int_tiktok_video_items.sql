-- The trend items of each tracked video (latest observation): its sound (item_type 'sound',
-- the music_id) and each distinct hashtag, lower-cased (item_type 'hashtag'). A video's day is
-- the UTC date it was created.
with videos as (
    select * from {{ ref('int_tiktok_videos_latest') }}
),

sounds as (
    select
        video_id,
        username,
        cast(created_at as date) as video_day,
        'sound' as item_type,
        music_id as item
    from videos
    where music_id is not null and music_id <> ''
),

video_hashtags as (
    select
        video_id,
        username,
        cast(created_at as date) as video_day,
        lower(unnest(hashtag_names)) as hashtag
    from videos
),

hashtags as (
    select distinct
        video_id,
        username,
        video_day,
        'hashtag' as item_type,
        hashtag as item
    from video_hashtags
    where hashtag is not null and hashtag <> ''
),

final as (
    select video_id, username, video_day, item_type, item from sounds
    union all
    select video_id, username, video_day, item_type, item from hashtags
)

select * from final
