-- Why can a target not be set beside an official figure? Current targets by reason (null = measured),
-- with the indicators most affected: what the statistics sources or the taxonomy would have to cover next.
select
    coalesce(p.not_comparable_reason, 'measured (' || p.comparison || ')') as outcome,
    count(*) as targets,
    count(distinct p.document_id) as documents,
    string_agg(distinct p.indicator_code, ', ' order by p.indicator_code)
        filter (where p.indicator_code <> 'other') as indicators
from fct_target_progress as p
group by all
order by targets desc;
