with source as (
    select * from {{ source('tiktok', 'videos') }}
),

renamed as (
    select
        id as video_id,
        username,
        create_time as created_at,
        view_count as views,
        like_count as likes,
        comment_count as comments,
        share_count as shares,
        favourites_count as saves,
        video_description as description,
        hashtag_names,
        music_id,
        video_duration as duration_seconds,
        region_code,
        fetched_at,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
