-- One row per target the extractor found in one document version.
select
    target_id,
    document_id,
    version_hash,
    ordinal,
    nullif(trim(region), '') as region_name,
    nullif(trim(sector), '') as sector,
    trim(indicator) as indicator,
    value,
    trim(unit) as unit,
    direction,
    comparator,
    target_year,
    baseline_year,
    hedge,
    quote,
    quote_start,
    quote_end,
    extractor_version
from {{ source('landing', 'targets') }}
