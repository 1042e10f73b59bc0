{#-
    numerator / denominator as a double, NULL when the denominator is 0 or NULL
    (or the numerator is NULL).
-#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
