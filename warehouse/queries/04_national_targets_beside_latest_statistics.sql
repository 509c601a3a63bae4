-- How far is each national target from the latest official figure? One row per target and document
-- (a plan restated in the compilation appears once per copy): the figure it is measured against, what
-- is still to go, the yearly pace so far against the pace still needed, and whether that pace is enough.
-- Only comparable figures are used (fct_target_progress); the targets that could not be measured are
-- listed by query 10 with the reason.
select
    p.indicator_name_en,
    p.indicator,
    p.value as target_value,
    p.unit,
    p.direction,
    p.baseline_year,
    p.target_year,
    p.comparison,
    p.latest_year,
    coalesce(p.latest_level, p.change_so_far) as latest,
    p.unit_canonical,
    p.gap_to_target,
    p.observed_annual_rate,
    p.required_annual_rate,
    p.rate_unit,
    p.on_track,
    p.figures_used,
    p.quote
from fct_target_progress as p
where p.region_code = '100000'
  and p.comparison is not null
order by p.indicator_code, p.target_year, p.document_id;
