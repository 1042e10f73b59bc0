with source as (
    select * from {{ source('ledger', 'files') }}
),

renamed as (
    select
        path as source_file,
        entity,
        partition_day,
        status,
        loaded_at,
        load_id
    from source
)

select * from renamed
