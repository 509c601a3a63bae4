-- Every GB/T 2260 division with its parents spelled out, so a city plan can be compared to its province.
with regions as (
    select * from {{ ref('gbt2260_regions') }}
)

select
    r.region_code,
    r.region_name,
    r.region_level,
    nullif(r.parent_code, '') as parent_code,
    p.region_name as parent_name,
    case when r.region_level = 'nation' then null else left(r.region_code, 2) || '0000' end as province_code,
    case
        when r.region_level = 'county' and p.region_level = 'city' then p.region_code
        when r.region_level = 'city' then r.region_code
    end as city_code
from regions as r
left join regions as p on p.region_code = r.parent_code
