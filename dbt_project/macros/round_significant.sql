{#- A float product such as 2.53 × 10⁸ × 0.001 rounded to `digits` significant digits (253000, not
    252999.99999999997), as the extractor rounds its canonical values. -#}
{% macro round_significant(expression, digits=12) -%}
    case
        when ({{ expression }}) = 0 then 0.0
        else round(({{ expression }}), {{ digits }} - 1 - cast(floor(log10(abs({{ expression }}))) as integer))
    end
{%- endmacro %}
