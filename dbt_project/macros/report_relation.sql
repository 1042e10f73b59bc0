{#
  Post-hook of every model and seed: tells Dagster what the node built, as it finishes.
  - a JSON log line {"columns": {...}} that dagster-dbt attaches to the node's materialization as
    its column schema (names and DuckDB types as built, descriptions from the yml);
  - for tables (not views, whose count would re-run their joins) a line
    "creator_kpis row_count <n>" that the Dagster asset turns into dagster/row_count.
  Both come from dbt's own connection while dbt holds the warehouse, so the UI gets them while
  the build runs.
#}
{% macro report_relation() %}
  {% if execute %}
    {% set documented = model.columns if model.columns is defined else {} %}
    {% set columns = {} %}
    {% for column in adapter.get_columns_in_relation(this) %}
      {% set described = documented.get(column.name, {}) %}
      {% do columns.update({column.name: {
        "data_type": column.dtype | lower,
        "description": described.get("description") if described is mapping else described.description
      }}) %}
    {% endfor %}
    {% do log(tojson({"columns": columns}), info=true) %}
    {% if config.get("materialized") != "view" %}
      {% set counted = run_query("select count(*) from " ~ this) %}
      {% do log("creator_kpis row_count " ~ (counted.columns[0].values()[0] | int), info=true) %}
    {% endif %}
  {% endif %}
{% endmacro %}
