{#- Where the scrapers and the extractor leave their JSON-lines files (Settings.landing_dir). -#}
{% macro landing_path(relative) -%}
    {{ env_var('CARBONPEAK_LANDING_DIR', '../data/landing') }}/{{ relative }}
{%- endmacro %}
