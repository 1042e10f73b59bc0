{#-
    The incremental latest-observation models (int_tiktok_videos_latest,
    int_instagram_posts_latest) keep one row per post: its latest observation. A run reads what
    the ingest step changed since the model's last build, not a window of days:

    - new observations: ingest rows whose load_id is greater than the greatest load_id stored;
      they are merged with the stored row of the same post;
    - replaced posts: stored rows whose landing file has been written again since (the file's
      load_id in the ledger is no longer the row's), i.e. a file corrected in place or taking
      records back. Such a post is recomputed from all of its observations, so a corrected
      record wins and a removed one disappears.

    latest_observation_candidates() is the model's candidates CTE body; this macro's post-hook
    delete_replaced_observations() then removes the stored rows still pointing at a replaced
    file version: posts no file holds any more.
-#}
{% macro latest_observation_candidates(observations, key, columns) -%}
    {%- if is_incremental() -%}
    -- depends_on: {{ ref('stg_ledger__files') }}
    with stored as (
        select {{ columns | join(', ') }} from {{ this }}
    ),

    file_loads as (
        select source_file, load_id from {{ ref('stg_ledger__files') }}
    ),

    replaced_keys as (
        select stored.{{ key }}
        from stored
        left join file_loads
            on stored.source_file = file_loads.source_file
        where file_loads.load_id is distinct from stored.load_id
    ),

    new_observations as (
        select {{ columns | join(', ') }}
        from {{ observations }}
        where load_id > (select coalesce(max(load_id), 0) from stored)
    )

    select * from new_observations
    where {{ key }} not in (select {{ key }} from replaced_keys)
    union all
    select * from stored
    where {{ key }} in (select {{ key }} from new_observations)
        and {{ key }} not in (select {{ key }} from replaced_keys)
    union all
    select {{ columns | join(', ') }}
    from {{ observations }}
    where {{ key }} in (select {{ key }} from replaced_keys)
    {%- else -%}
    select {{ columns | join(', ') }} from {{ observations }}
    {%- endif -%}
{%- endmacro %}


{% macro delete_replaced_observations() -%}
    delete from {{ this }} as stored
    where not exists (
        select 1
        from {{ ref('stg_ledger__files') }} as file_loads
        where file_loads.source_file = stored.source_file
            and file_loads.load_id = stored.load_id
    )
{%- endmacro %}
