-- The indicator taxonomy targets are coded against, with how many current targets use each code. A code's
-- meaning is its names, unit, dimension and good direction here; codes never change meaning between releases.
with taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

usage as (
    select indicator_code, count(*) as current_targets
    from {{ ref('int_targets_regioned') }} as t
    inner join {{ ref('int_documents_versioned') }} as d using (document_id, version_hash)
    where d.is_current
    group by indicator_code
)

select
    t.indicator_code,
    t.name_zh,
    t.name_en,
    t.level_unit,
    t.good_direction,
    t.dimension,
    nullif(t.statistic_indicator, '') as statistic_indicator,
    t.match_regex,
    coalesce(u.current_targets, 0) as current_targets
from taxonomy as t
left join usage as u using (indicator_code)
