-- One official figure per region × indicator × year × measure × source, with its quote and URL, coded
-- against the indicator taxonomy (the seed's statistic_indicator names the official series) so that it
-- can be set beside the targets for the same indicator and region.
with observations as (
    select * from {{ ref('stg_landing__statistics') }}
),

taxonomy as (
    select indicator_code, statistic_indicator
    from {{ ref('indicator_taxonomy') }}
    where coalesce(statistic_indicator, '') <> ''
)

select
    o.observation_id,
    o.source_key,
    o.region_code,
    o.region_name,
    {{ region_name_en('o.region_code') }} as region_name_en,
    o.indicator,
    t.indicator_code,
    {{ indicator_name_en('t.indicator_code') }} as indicator_name_en,
    o.year,
    o.measure,
    o.value,
    o.unit,
    o.quote,
    o.source_title,
    o.source_url,
    o.published,
    o.fetched_at,
    o.raw_path,
    o.run_id
from observations as o
left join taxonomy as t on t.statistic_indicator = o.indicator
