-- One row per official figure: the latest landing of each observation (a revised figure lands again).
select
    observation_id,
    source_key,
    region_code,
    trim(region_name) as region_name,
    trim(indicator) as indicator,
    year,
    value,
    trim(unit) as unit,
    measure,
    quote,
    source_title,
    source_url,
    try_cast(nullif(published, '') as date) as published,
    try_cast(fetched_at as timestamptz) as fetched_at,
    raw_path,
    run_id
from {{ source('landing', 'statistics') }}
where observation_id is not null
qualify row_number() over (partition by observation_id order by run_id desc, fetched_at desc) = 1
