{#- Fails on every combination of `columns` (all non-null) that has no row in `to` with the same values
    in `fields` — dbt's relationships test for a key of several columns (document_id, version_hash). -#}
{% test relationships_combination(model, columns, to, fields) %}
select {% for c in columns %}child.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ model }} as child
where {% for c in columns %}child.{{ c }} is not null and {% endfor %}not exists (
    select 1 from {{ to }} as parent
    where {% for c in columns %}parent.{{ fields[loop.index0] }} = child.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{% endtest %}
