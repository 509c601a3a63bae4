-- Which jurisdictions set a solar-PV capacity target, how big, by when, and where it is written.
select
    region_name,
    indicator,
    value,
    unit,
    comparator,
    target_year,
    quote,
    source_url
from fct_targets
where is_current
  and (indicator like '%光伏%' or indicator like '%太阳能%')
order by target_year, region_name;
