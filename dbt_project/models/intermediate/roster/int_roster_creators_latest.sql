-- One row per roster creator_id. When a creator_id appears in several roster rows, the row of
-- the file whose landing path sorts last wins, then the later line of that file: a re-delivered
-- roster file named later (roster-2026-12.csv after roster-2026-11.csv) overrides the older one.
with roster as (
    select * from {{ ref('stg_roster__creators') }}
),

latest as (
    select *
    from roster
    qualify row_number() over (
        partition by creator_id
        order by source_file desc, line_number desc
    ) = 1
),

final as (
    select
        creator_id,
        display_name,
        tiktok_username,
        instagram_username,
        active
    from latest
)

select * from final
