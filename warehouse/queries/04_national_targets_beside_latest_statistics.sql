-- National targets beside the latest official figure for the same indicator and unit — a first look
-- at the distance to go (a level target compared with a level figure only; nothing is converted, and a
-- combined target such as wind + solar capacity has its own code, so it never meets a solar-only figure).
-- A target restated in several documents (the plan, the compilation's copy) appears once per document.
with latest as (
    select
        indicator_code, region_code, unit, value as latest_value, year as latest_year, source_url as statistic_url,
        row_number() over (partition by indicator_code, region_code, unit order by year desc) as rank
    from fct_indicator_observations
    where measure = 'level' and indicator_code is not null
)

select
    t.indicator,
    t.value as target_value,
    t.unit,
    t.comparator,
    t.target_year,
    l.latest_value,
    l.latest_year,
    t.value - l.latest_value as still_to_go,
    t.quote,
    t.document_title,
    l.statistic_url
from targets_current as t
inner join latest as l
    on l.indicator_code = t.indicator_code and l.region_code = t.region_code and l.unit = t.unit and l.rank = 1
where t.region_code = '100000'
  and t.direction in ('reach', 'cap', 'maintain')
order by t.indicator_code, t.target_year;
