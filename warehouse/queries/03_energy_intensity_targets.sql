-- Energy-intensity (单位GDP能耗, energy use per unit of GDP) targets: the cut promised, from which
-- base year, by when — the figures analysts compare across province, city and county plans.
select
    t.region_name,
    r.region_level,
    t.value,
    t.unit,
    t.direction,
    t.baseline_year,
    t.target_year,
    t.quote,
    t.source_url
from fct_targets as t
left join dim_regions as r using (region_code)
where t.is_current
  and (t.indicator like '%单位GDP能耗%' or t.indicator like '%单位地区生产总值能%')
order by t.target_year, t.region_name;
