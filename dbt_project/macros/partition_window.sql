{#-
    The partition window of the run: Dagster passes the days being materialized as the vars
    min_day and max_day (YYYY-MM-DD). Incremental models read only observations collected in
    the window. Without the vars (a plain `dbt build`) the window is all of history.
-#}
{% macro in_partition_window(column) -%}
    {%- set min_day = var('min_day', none) -%}
    {%- set max_day = var('max_day', none) -%}
    {%- if min_day is not none and max_day is not none -%}
        {{ column }} between cast('{{ min_day }}' as date) and cast('{{ max_day }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
