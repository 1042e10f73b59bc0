with source as (
    select * from {{ source('campaigns', 'campaign_posts') }}
),

renamed as (
    select
        campaign_id,
        platform,
        post_id,
        fee,
        creator_username,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
