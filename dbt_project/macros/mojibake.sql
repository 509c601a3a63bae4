{#- Characters a Chinese page does not contain: Latin-1 letters and C1 controls (GBK or UTF-8 bytes read as
    ISO-8859-1) and U+FFFD (bytes no charset could decode). The Latin-1 signs such pages do use are left out:
    ° ± ² ³ (B0–B3), · (B7), × (D7), ÷ (F7). The scrape's own check is scrapers/parsing.py `garbled_share`. -#}
{% macro mojibake_class() -%}
[\x{0080}-\x{00AF}\x{00B4}-\x{00B6}\x{00B8}-\x{00D6}\x{00D8}-\x{00F6}\x{00F8}-\x{00FF}\x{FFFD}]
{%- endmacro %}

{#- Whether a text reads as mojibake: in a title, any U+FFFD, 锟斤拷 (U+FFFD round-tripped through GBK) or two
    such characters in a row; in a body of 20 or more non-ASCII characters, more than 5 % of them such
    characters, or 锟斤拷. -#}
{% macro looks_garbled(column, kind) -%}
{%- if kind == 'title' -%}
(regexp_matches({{ column }}, '\x{FFFD}|锟斤拷|{{ mojibake_class() }}{2}'))
{%- else -%}
(
    contains({{ column }}, '锟斤拷')
    or (
        length(regexp_replace({{ column }}, '[\x{0000}-\x{007F}]', '', 'g')) >= 20
        and length(regexp_replace({{ column }}, '[^{{ mojibake_class()[1:-1] }}]', '', 'g'))
            > 0.05 * length(regexp_replace({{ column }}, '[\x{0000}-\x{007F}]', '', 'g'))
    )
)
{%- endif -%}
{%- endmacro %}
