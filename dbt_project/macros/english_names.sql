{#- English names beside the Chinese ones in the marts: a division's (dim_regions.name_en: official for provinces,
    pinyin otherwise) and an indicator's (the taxonomy's name_en). Scalar lookups on unique keys, so a mart
    gains a column without a join that could clash with its own column names. -#}

{% macro region_name_en(code_column) -%}
    (select r_en.name_en from {{ ref('dim_regions') }} as r_en where r_en.region_code = {{ code_column }})
{%- endmacro %}

{% macro indicator_name_en(code_column) -%}
    (select i_en.name_en from {{ ref('indicator_taxonomy') }} as i_en where i_en.indicator_code = {{ code_column }})
{%- endmacro %}
