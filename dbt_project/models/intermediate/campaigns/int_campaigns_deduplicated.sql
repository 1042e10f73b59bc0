-- One record per campaign: when a campaign id appears more than once in the reference files,
-- the record from the file whose path sorts last wins, then the later line (never the load order:
-- a daily run must give what a full rebuild gives).
with campaigns as (
    select * from {{ ref('stg_campaigns__campaigns') }}
),

deduplicated as (
    select *
    from campaigns
    qualify row_number() over (
        partition by campaign_id
        order by source_file desc nulls last, line_number desc nulls last
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
