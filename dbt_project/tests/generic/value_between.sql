{#-
    Column test: every non-NULL value lies in [min_value, max_value] (both inclusive, each optional).

        - value_between:
            arguments:
              min_value: 0
              max_value: 1
-#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}

with out_of_range as (
    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} is not null
      and (
        false
        {%- if min_value is not none %}
        or {{ column_name }} < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} > {{ max_value }}
        {%- endif %}
      )
)

select * from out_of_range

{% endtest %}
