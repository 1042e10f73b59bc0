{#- A table, not a view like the other intermediate models: its data tests and the marts that
    read it would each run its query again (at scale M the two tests of
    int_tiktok_creators_window_signals took 16 s, the four models' tests 29.5 s of the build's
    47.7 s of data tests); built once, it is scanned instead. -#}
{{ config(materialized="table") }}
-- Per creator, over the recent window: earned media value and niche.
--   emv_recent         = sum of the window posts' emv
--   niche, niche_share = see the creator_niche macro
with recent_window as (
    select * from {{ ref('int_instagram_posts_recent_window') }}
),

posts_emv as (
    select * from {{ ref('int_instagram_posts_emv') }}
),

post_niches as (
    select * from {{ ref('int_instagram_post_niches') }}
),

window_posts as (
    select
        recent_window.username,
        recent_window.post_id,
        posts_emv.emv
    from recent_window
    left join posts_emv
        on recent_window.post_id = posts_emv.post_id
),

window_totals as (
    select
        username,
        sum(emv) as emv_recent
    from window_posts
    group by username
),

creator_niches as (
    {{ creator_niche('window_posts', 'post_niches') }}
),

final as (
    select
        window_totals.username,
        window_totals.emv_recent,
        creator_niches.niche,
        creator_niches.niche_share
    from window_totals
    left join creator_niches
        on window_totals.username = creator_niches.username
)

select * from final
