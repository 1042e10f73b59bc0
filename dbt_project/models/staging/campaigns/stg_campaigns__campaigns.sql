with source as (
    select * from {{ source('campaigns', 'campaigns') }}
),

renamed as (
    select
        campaign_id,
        brand,
        campaign_name,
        start_date,
        end_date,
        currency,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
