-- One listing per campaign, platform and post: when the same post is listed more than once
-- across the campaign files (a corrected fee delivered in a second file), the row from the file
-- whose landing path sorts last wins, then the later line of that file.
with campaign_posts as (
    select * from {{ ref('stg_campaigns__campaign_posts') }}
),

deduplicated as (
    select *
    from campaign_posts
    qualify row_number() over (
        partition by campaign_id, platform, post_id
        order by source_file desc nulls last, line_number desc nulls last
    ) = 1
),

final as (
    select
        campaign_id,
        platform,
        post_id,
        fee,
        creator_username,
        source_file,
        line_number
    from deduplicated
)

select * from final
