-- Every GB/T 2260 division with its parents spelled out, so a city plan can be compared to its province.
with regions as (
    select * from {{ ref('gbt2260_regions') }}
),

-- English: the official name of a province, Hanyu Pinyin (generic part in English) for every other division.
names_en as (
    select
        g.region_code,
        case when g.region_level = 'nation' then 'China' else coalesce(o.name_en, p.name_pinyin) end as name_en
    from regions as g
    left join {{ ref('province_names_en') }} as o using (region_code)
    left join {{ ref('region_names_pinyin') }} as p using (region_code)
)

select
    r.region_code,
    r.region_name,
    e.name_en,
    r.region_level,
    nullif(r.parent_code, '') as parent_code,
    p.region_name as parent_name,
    pe.name_en as parent_name_en,
    case when r.region_level = 'nation' then null else left(r.region_code, 2) || '0000' end as province_code,
    case
        when r.region_level = 'county' and p.region_level = 'city' then p.region_code
        when r.region_level = 'city' then r.region_code
    end as city_code
from regions as r
left join regions as p on p.region_code = r.parent_code
left join names_en as e on e.region_code = r.region_code
left join names_en as pe on pe.region_code = r.parent_code
