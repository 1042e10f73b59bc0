with source as (
    select * from {{ source('instagram', 'media') }}
),

renamed as (
    select
        id as post_id,
        username,
        timestamp as created_at,
        media_type,
        media_product_type,
        -- a like count that is flagged hidden, or missing, is treated as hidden
        coalesce(likes_hidden, false) or like_count is null as likes_hidden,
        case
            when coalesce(likes_hidden, false) then null
            else like_count
        end as likes,
        comments_count as comments,
        views,
        caption,
        permalink,
        fetched_at,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
