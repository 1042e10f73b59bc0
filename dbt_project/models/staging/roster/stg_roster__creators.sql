with source as (
    select * from {{ source('roster', 'creators') }}
),

renamed as (
    select
        creator_id,
        display_name,
        tiktok_username,
        instagram_username,
        active,
        _source_file as source_file,
        _line_number as line_number,
        _loaded_at as loaded_at
    from source
)

select * from renamed
