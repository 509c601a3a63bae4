-- Which measured targets are off track — the pace since the baseline (or the earliest figure) is not
-- enough to meet them by their year — and how much faster things must move? Rates are percentage
-- points a year for shares (pp/yr) and compound % a year otherwise.
select
    p.region_name,
    p.indicator_name_en,
    p.value,
    p.unit,
    p.direction,
    p.target_year,
    p.latest_year,
    p.observed_annual_rate,
    p.required_annual_rate,
    p.rate_unit,
    p.figures_used
from fct_target_progress as p
where p.on_track = false
qualify row_number() over (
    partition by p.region_code, p.indicator_code, p.value, p.target_year order by p.document_id
) = 1
order by p.region_name, p.indicator_name_en, p.target_year;
