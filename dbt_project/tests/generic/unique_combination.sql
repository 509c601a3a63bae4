{#- Fails on every combination of `columns` that occurs more than once (dbt_utils is not
    installable offline: `dbt deps` needs hub.getdbt.com, so the project carries its own). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
