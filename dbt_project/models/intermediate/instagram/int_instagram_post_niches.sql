-- The niches each tracked post matches: one row per post and niche that one of its caption
-- hashtags maps to in the hashtag_niches seed (a post counts once per niche).
with post_hashtags as (
    select * from {{ ref('int_instagram_post_hashtags') }}
),

hashtag_niches as (
    select * from {{ ref('hashtag_niches') }}
),

final as (
    select distinct
        post_hashtags.post_id,
        post_hashtags.username,
        hashtag_niches.niche
    from post_hashtags
    inner join hashtag_niches
        on post_hashtags.hashtag = lower(hashtag_niches.hashtag)
)

select * from final
