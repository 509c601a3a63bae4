-- Which provinces, cities and counties can already be measured against their own official figures
-- (statistical communiqués, the provincial intensity bulletin, reports quoting them)? One row per measured
-- target of a place below the nation: the figures behind the comparison, with their quotes and sources in
-- fct_indicator_observations (observation_ids), the gap, the pace so far against the pace needed.
select distinct
    p.region_name,
    p.region_name_en,
    p.indicator_name_en,
    p.value as target_value,
    p.unit,
    p.target_year,
    p.latest_year,
    coalesce(p.latest_level, p.change_so_far) as latest,
    p.unit_canonical,
    p.gap_to_target,
    p.observed_annual_rate,
    p.required_annual_rate,
    p.rate_unit,
    p.on_track,
    p.figures_used
from fct_target_progress as p
where p.region_code <> '100000'
  and p.comparison is not null
order by p.region_name, p.indicator_name_en, p.target_year;
