-- Each province's 2025 and 2030 non-fossil energy share target (非化石能源消费比重: the share of
-- non-fossil sources — hydro, nuclear, wind, solar, biomass — in total energy consumption) beside the
-- national one, largest first. A province with two plans shows its higher number.
with province_targets as (
    select
        r.region_name,
        t.target_year,
        max(t.value) as share_pct,
        arg_max(t.quote, t.value) as quote
    from targets_current as t
    inner join dim_regions as r using (region_code)
    where t.indicator_code = 'non_fossil_share_energy'
      and t.direction = 'reach'
      and t.unit_canonical = '%'
      and r.region_level = 'province'
      and t.target_year in (2025, 2030)
    group by all
),

national as (
    select target_year, max(value) as national_pct
    from targets_current
    where indicator_code = 'non_fossil_share_energy' and region_code = '100000' and direction = 'reach'
    group by target_year
)

select
    p.region_name,
    p.target_year,
    p.share_pct,
    n.national_pct,
    round(p.share_pct - n.national_pct, 2) as pp_above_national,
    p.quote
from province_targets as p
left join national as n using (target_year)
order by p.target_year, p.share_pct desc;
