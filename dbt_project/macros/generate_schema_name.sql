{#-
    Use the folder's +schema as the schema name itself (staging, intermediate, marts, reference)
    instead of dbt's default "<target schema>_<custom schema>" (main_staging, ...).
    Models without a custom schema land in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
