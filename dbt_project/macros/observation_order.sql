{#-
    Order-by list that puts an entity's latest observation first: the greatest fetched_at,
    ties broken by the later partition day, then the later source file name, then the later
    line number. Use inside a window: row_number() over (partition by ... order by {{ latest_observation_first() }}).
-#}
{% macro latest_observation_first(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {{ prefix }}fetched_at desc,
    {{ prefix }}partition_day desc nulls last,
    {{ prefix }}source_file desc nulls last,
    {{ prefix }}line_number desc nulls last
{%- endmacro %}


{#-
    Order-by list that puts a creator's most recent post first: the latest creation time,
    ties broken by the post id compared as a number (ids are numeric strings longer than a
    double can hold, so they are compared as hugeint), then as text for non-numeric ids.
-#}
{% macro most_recent_post_first(created_at_column, post_id_column) -%}
    {{ created_at_column }} desc,
    try_cast({{ post_id_column }} as hugeint) desc nulls last,
    {{ post_id_column }} desc
{%- endmacro %}
