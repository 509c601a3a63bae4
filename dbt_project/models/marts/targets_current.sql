-- The targets analysts usually want: only those of each document's newest version.
{{ config(materialized='view') }}

select *
from {{ ref('fct_targets') }}
where is_current
