-- One record per campaign: when a campaign id appears more than once in the reference files,
-- the last loaded record wins (later loaded_at, then later source file, then later line).
with campaigns as (
    select * from {{ ref('stg_campaigns__campaigns') }}
),

deduplicated as (
    select *
    from campaigns
    qualify row_number() over (
        partition by campaign_id
        order by loaded_at desc nulls last, source_file desc nulls last, line_number desc nulls last
    ) = 1
),

final as (
    select
        campaign_id,
        brand,
        campaign_name,
        start_date,
        end_date,
        currency
    from deduplicated
)

select * from final
