{#- A model's schema is its folder's `+schema` as written (staging, intermediate, seeds), not main_staging; the
    marts have none and stay in main: analysts query fct_targets, not main_marts.fct_targets. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
