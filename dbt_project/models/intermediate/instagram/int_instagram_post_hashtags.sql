-- The hashtags of each tracked post (latest observation): every `#` in the caption followed by
-- one or more Unicode letters, digits or underscores, lower-cased, each distinct hashtag once.
with posts as (
    select * from {{ ref('int_instagram_posts_latest') }}
),

caption_hashtags as (
    select
        post_id,
        username,
        lower(unnest(regexp_extract_all(caption, '#([\p{L}\p{N}_]+)', 1))) as hashtag
    from posts
    where caption is not null
),

final as (
    select distinct
        post_id,
        username,
        hashtag
    from caption_hashtags
)

select * from final
