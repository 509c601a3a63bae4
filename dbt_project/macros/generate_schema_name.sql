{#- One schema (main) for every model: analysts query fct_targets, not main_marts.fct_targets. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
