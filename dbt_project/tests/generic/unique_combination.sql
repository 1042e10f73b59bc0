{#-
    Model-level test: the combination of the given columns is unique (NULLs compare as equal).

        data_tests:
          - unique_combination:
              arguments:
                columns: [campaign_id, platform]
-#}
{% test unique_combination(model, columns) %}

with duplicated_keys as (
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
)

select * from duplicated_keys

{% endtest %}
