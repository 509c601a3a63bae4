-- The same indicator lined up across levels and across documents. Two current targets are set side by
-- side only when they measure the same thing (int_targets_comparable.measure_key: one indicator, one kind,
-- one canonical unit, one target year, the same baseline year and sector). Two checks:
--  * lower_level_vs_parent: a county's, city's or province's target against each target of its city,
--    province and the nation (dim_regions hierarchy); flagged when the lower level is weaker;
--  * documents_of_one_region: two documents of one region for the same indicator and year; flagged when
--    they disagree — when neither document states the other's value. A taxonomy code can hold two
--    targets of one plan (一般 and 大宗 industrial solid waste: 95% and 98%); two documents that both list
--    both numbers do not disagree.
with comparable as (
    select * from {{ ref('int_targets_comparable') }}
),

stated as (
    select document_id, measure_key, list(distinct ambition) as ambitions
    from comparable
    group by document_id, measure_key
),

ancestors as (
    select target_id, unnest(ancestor_codes) as ancestor_code
    from comparable
),

pairs as (
    select 'lower_level_vs_parent' as check_kind, c.target_id, p.target_id as compared_target_id
    from comparable as c
    inner join ancestors as a on a.target_id = c.target_id
    inner join comparable as p on p.region_code = a.ancestor_code and p.measure_key = c.measure_key

    union all

    select 'documents_of_one_region' as check_kind, c.target_id, p.target_id as compared_target_id
    from comparable as c
    inner join comparable as p
        on p.region_code = c.region_code
        and p.measure_key = c.measure_key
        and p.document_id <> c.document_id
        and p.target_id > c.target_id
),

matched as (
    select
        pairs.check_kind,
        c.*,
        p.target_id as compared_target_id_,
        p.document_id as compared_document_id,
        p.region_code as compared_region_code,
        p.region_name as compared_region_name,
        p.region_level as compared_region_level,
        p.direction as compared_direction,
        p.comparator as compared_comparator,
        p.value as compared_value,
        p.unit as compared_unit,
        p.value_canonical as compared_value_canonical,
        p.quote as compared_quote,
        c.ambition - p.ambition as ambition_gap,
        list_contains(own.ambitions, p.ambition) or list_contains(other.ambitions, c.ambition)
            as value_also_stated
    from pairs
    inner join comparable as c on c.target_id = pairs.target_id
    inner join comparable as p on p.target_id = pairs.compared_target_id
    inner join stated as own on own.document_id = c.document_id and own.measure_key = c.measure_key
    inner join stated as other on other.document_id = p.document_id and other.measure_key = c.measure_key
),

judged as (
    select
        *,
        case
            when check_kind = 'lower_level_vs_parent' and ambition_gap < 0 then 'weaker'
            when check_kind = 'lower_level_vs_parent' and ambition_gap > 0 then 'stricter'
            when check_kind = 'lower_level_vs_parent' then 'same'
            when ambition_gap = 0 then 'agree'
            when value_also_stated then 'other_value_also_stated'
            else 'disagree'
        end as finding
    from matched
)

select
    check_kind,
    target_id,
    compared_target_id_ as compared_target_id,
    indicator_code,
    {{ indicator_name_en('judged.indicator_code') }} as indicator_name_en,
    target_kind,
    target_year,
    baseline_year,
    sector,
    good_direction,
    region_code,
    region_name,
    {{ region_name_en('judged.region_code') }} as region_name_en,
    region_level,
    document_id,
    direction,
    comparator,
    value,
    unit,
    value_canonical,
    compared_region_code,
    compared_region_name,
    {{ region_name_en('judged.compared_region_code') }} as compared_region_name_en,
    compared_region_level,
    compared_document_id,
    compared_direction,
    compared_comparator,
    compared_value,
    compared_unit,
    compared_value_canonical,
    unit_canonical,
    {{ round_significant('ambition_gap') }} as ambition_gap,
    finding,
    finding in ('weaker', 'disagree') as is_flagged,
    quote,
    compared_quote
from judged
