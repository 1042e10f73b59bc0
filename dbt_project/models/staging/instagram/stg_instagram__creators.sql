with source as (
    select * from {{ source('instagram', 'creators') }}
),

renamed as (
    select
        username,
        id as instagram_user_id,
        name,
        biography,
        followers_count as followers,
        follows_count as following,
        media_count as total_media,
        fetched_at,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
