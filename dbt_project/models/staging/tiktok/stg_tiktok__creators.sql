with source as (
    select * from {{ source('tiktok', 'creators') }}
),

renamed as (
    select
        username,
        display_name,
        bio_description as bio,
        follower_count as followers,
        following_count as following,
        likes_count as total_likes,
        video_count as total_videos,
        is_verified,
        fetched_at,
        _source_file as source_file,
        _partition_day as partition_day,
        _line_number as line_number,
        _loaded_at as loaded_at,
        _load_id as load_id
    from source
)

select * from renamed
