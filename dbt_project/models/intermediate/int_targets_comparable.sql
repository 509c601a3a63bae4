-- Current targets that can be set against the same indicator's target elsewhere: coded, placed in a
-- GB/T 2260 division, dated, with an indicator that has a better direction, and a measure that does not grow
-- with the size of the place — a share or an intensity level (size_independent units), or a change in
-- % or percentage points. A county's 光伏装机 of 180 万千瓦 says nothing against its province's 3000.
-- `ambition` puts every such target on one scale where more is stricter: the value, signed by the
-- change's direction, negated when lower is better (a cut of 18% is stricter than one of 13.5%).
with targets as (
    select * from {{ ref('fct_targets') }}
    where is_current
),

indicators as (
    select * from {{ ref('dim_indicators') }}
),

regions as (
    select * from {{ ref('dim_regions') }}
),

units as (
    select canonical_unit, bool_and(size_independent) as size_independent
    from {{ ref('unit_conversions') }}
    group by canonical_unit
),

placed as (
    select
        t.target_id,
        t.document_id,
        t.region_code,
        r.region_name,
        r.region_level,
        -- The divisions above this one: its city, its province, the nation (itself excluded).
        list_filter([r.city_code, r.province_code, '100000'], lambda code: code is not null and code <> t.region_code)
            as ancestor_codes,
        t.indicator_code,
        t.sector,
        t.direction,
        t.comparator,
        t.value,
        t.unit,
        t.value_canonical,
        t.unit_canonical,
        t.baseline_year,
        t.target_year,
        t.quote,
        i.good_direction,
        case when t.direction in ('increase', 'decrease') then 'change' else 'level' end as target_kind,
        -- Two targets measure the same thing when they share indicator, kind, unit, target year, baseline
        -- year and sector.
        md5(concat_ws('|',
            t.indicator_code, case when t.direction in ('increase', 'decrease') then 'change' else 'level' end,
            t.unit_canonical, cast(t.target_year as varchar), coalesce(cast(t.baseline_year as varchar), ''),
            coalesce(t.sector, '')
        )) as measure_key,
        (case when t.direction = 'decrease' then -t.value_canonical else t.value_canonical end)
        * (case when i.good_direction = 'up' then 1 else -1 end) as ambition
    from targets as t
    inner join indicators as i using (indicator_code)
    inner join regions as r using (region_code)
    left join units as u on u.canonical_unit = t.unit_canonical
    where t.indicator_code <> 'other'
      and i.good_direction in ('up', 'down')
      and t.value_canonical is not null
      and t.target_year is not null
      and (
          (t.direction in ('reach', 'cap', 'maintain') and u.size_independent)
          or (t.direction in ('increase', 'decrease') and t.unit_canonical in ('%', 'pp'))
      )
)

select * from placed
