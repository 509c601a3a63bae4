-- Which cities and counties set a 2025 solar-PV capacity target, and how big? Capacity in MW (万千瓦 =
-- 10 MW), with the province the place lies in and the quote. 光伏 = solar photovoltaic; 海宁市 is a
-- county-level city (县级市), so both prefecture-level cities (地级市) and counties are listed. An
-- indicator starting 新增 ("newly added") is capacity to add in the period, not the total installed.
select
    r.region_name,
    r.region_level,
    province.region_name as province,
    t.indicator,
    t.value,
    t.unit,
    t.value_canonical as capacity_mw,
    t.comparator,
    t.quote,
    t.source_url
from targets_current as t
inner join dim_regions as r using (region_code)
left join dim_regions as province on province.region_code = r.province_code
where t.indicator_code = 'solar_capacity'
  and t.unit_canonical = 'MW'
  and t.target_year = 2025
  and r.region_level in ('city', 'county')
order by capacity_mw desc;
