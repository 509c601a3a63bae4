-- Whose energy-intensity target (单位GDP能耗, energy use per unit of GDP; lower is better) is stricter
-- or weaker than its province's and the nation's? Each city, county and province's promised cut set
-- against the cut of each division above it, for the same baseline and target year: a cut of 18% is
-- stricter than one of 13.5%. ambition_gap is in percentage points of the cut.
select
    c.region_name,
    c.region_level,
    c.value as cut_pct,
    c.compared_region_name as against,
    c.compared_region_level as against_level,
    c.compared_value as against_cut_pct,
    c.finding,
    c.ambition_gap,
    c.baseline_year,
    c.target_year,
    c.quote,
    c.compared_quote
from fct_target_consistency as c
where c.check_kind = 'lower_level_vs_parent'
  and c.indicator_code = 'energy_intensity_gdp'
-- The national plan is restated in several documents; one row per pair of places and numbers.
qualify row_number() over (
    partition by c.region_code, c.value, c.compared_region_code, c.compared_value, c.target_year
    order by c.document_id, c.compared_document_id
) = 1
order by c.region_level, c.region_name, c.compared_region_level;
