-- Each current target beside the latest official figure that measures it. A comparison is made only
-- when the figure measures the same thing in the same unit:
--  * a level target (达到/控制在/保持) against level figures in the target's canonical unit;
--  * a change target (提高/下降 X from a baseline year) against the level in the baseline year and a
--    later level in one unit, or else against year-on-year changes chained over every year from the
--    baseline to the latest (multiplied for % changes, added for percentage points); one missing year
--    and the chain is not used.
-- Everything else gets a null comparison and a reason. Rates: shares and point changes move linearly
-- (percentage points a year); other levels and % changes compound (% a year).
with targets as (
    select * from {{ ref('fct_targets') }}
    where is_current
),

indicators as (
    select * from {{ ref('dim_indicators') }}
),

figures as (
    select * from {{ ref('int_observations_canonical') }}
),

classified as (
    select
        t.target_id,
        t.document_id,
        t.region_code,
        t.region_name,
        t.region_name_en,
        t.indicator,
        t.indicator_code,
        i.name_en as indicator_name_en,
        i.statistic_indicator as statistic,
        i.good_direction,
        i.level_unit,
        t.direction,
        t.comparator,
        t.value,
        t.unit,
        t.value_canonical,
        t.unit_canonical,
        t.baseline_year,
        t.target_year,
        t.quote,
        t.source_url,
        case
            when t.direction in ('reach', 'cap', 'maintain') then 'level'
            when t.direction in ('increase', 'decrease') then 'change'
        end as target_kind,
        case
            when t.unit_canonical = '%' then 'relative'
            when t.unit_canonical = 'pp' then 'points'
            else 'absolute'
        end as change_unit_kind,
        -- The number the target asks for on a signed scale: 下降13.5% is a change of −13.5 %.
        case when t.direction = 'decrease' then -t.value_canonical else t.value_canonical end as target_signed,
        -- Whether the target holds at or above its number, or at or below it. 左右 (~) and a bare number
        -- take the indicator's good direction; an indicator without one leaves it open.
        case
            when t.direction = 'cap' then 'at_most'
            when t.direction = 'increase' then case when t.comparator = '<=' then 'at_most' else 'at_least' end
            when t.direction = 'decrease' then case when t.comparator = '<=' then 'at_least' else 'at_most' end
            when t.comparator = '>=' then 'at_least'
            when t.comparator = '<=' then 'at_most'
            when i.good_direction = 'up' then 'at_least'
            when i.good_direction = 'down' then 'at_most'
        end as sense
    from targets as t
    left join indicators as i using (indicator_code)
),

with_units as (
    select
        *,
        -- The unit the official levels must be in: the target's own for a level or an absolute change,
        -- the indicator's level unit for a relative or a point change.
        case
            when target_kind = 'level' or change_unit_kind = 'absolute' then unit_canonical
            else level_unit
        end as figure_unit,
        case change_unit_kind when 'relative' then '%' when 'points' then 'pp' end as yoy_unit,
        -- A change of a share "by 2%" could be points or a relative rise; a point change of anything but a
        -- share means nothing. Neither is measured.
        target_kind = 'level'
        or change_unit_kind = 'absolute'
        or (change_unit_kind = 'relative' and level_unit <> '%')
        or (change_unit_kind = 'points' and level_unit = '%') as change_unit_fits
    from classified
),

target_figures as (
    -- Each target beside the figures that can measure it, up to its target year: levels in figure_unit;
    -- for a change, also year-on-year changes in yoy_unit after its baseline year.
    select
        t.target_id,
        t.baseline_year,
        f.*
    from with_units as t
    inner join figures as f
        on f.region_code = t.region_code
        and f.indicator_code = t.indicator_code
        and f.year <= t.target_year
        and (
            (f.measure = 'level' and f.unit_canonical = t.figure_unit)
            or (f.measure = 'yoy_change' and t.target_kind = 'change' and f.unit_canonical = t.yoy_unit
                and f.year > t.baseline_year)
        )
),

level_series as (
    select
        target_id,
        max(year) as latest_year,
        arg_max(value_canonical, year) as latest_value,
        min(year) as first_year,
        arg_min(value_canonical, year) as first_value,
        max(value_canonical) filter (where year = baseline_year) as baseline_value,
        arg_max(format('{}: {}', year, stated_as), year) as latest_stated_as,
        arg_min(format('{}: {}', year, stated_as), year) as first_stated_as,
        any_value(format('{}: {}', year, stated_as)) filter (where year = baseline_year) as baseline_stated_as,
        arg_max(observation_ids, year) as latest_observation_ids,
        arg_min(observation_ids, year) as first_observation_ids,
        any_value(observation_ids) filter (where year = baseline_year) as baseline_observation_ids,
        arg_max(source_urls[1], year) as latest_source_url
    from target_figures
    where measure = 'level'
    group by target_id
),

yoy_series as (
    select
        target_id,
        max(year) as latest_year,
        count(distinct year) as years_present,
        product(1 + value_canonical / 100) as chained_factor,
        sum(value_canonical) as chained_points,
        string_agg(format('{}: {}', year, stated_as), '; ' order by year) as stated_as,
        flatten(list(observation_ids order by year)) as observation_ids,
        arg_max(source_urls[1], year) as latest_source_url
    from target_figures
    where measure = 'yoy_change'
    group by target_id
),

any_figure as (
    select t.target_id, max(f.year) as last_figure_year
    from with_units as t
    inner join figures as f on f.region_code = t.region_code and f.indicator_code = t.indicator_code
    group by t.target_id
),

compared as (
    select
        t.*,
        case
            when not t.change_unit_fits then null
            when t.target_kind = 'level' and l.latest_year is not null then 'level'
            when t.target_kind = 'change' and l.baseline_value is not null and l.latest_year > t.baseline_year
                then 'change_from_levels'
            when t.target_kind = 'change' and y.years_present = y.latest_year - t.baseline_year
                then 'change_from_chained_yoy'
        end as comparison,
        l.latest_year as level_latest_year,
        l.latest_value as level_latest_value,
        l.first_year as level_first_year,
        l.first_value as level_first_value,
        l.baseline_value,
        l.latest_stated_as as level_latest_stated_as,
        l.first_stated_as as level_first_stated_as,
        l.baseline_stated_as as level_baseline_stated_as,
        l.latest_observation_ids as level_latest_observation_ids,
        l.first_observation_ids as level_first_observation_ids,
        l.baseline_observation_ids as level_baseline_observation_ids,
        l.latest_source_url as level_source_url,
        y.latest_year as yoy_latest_year,
        y.years_present as yoy_years_present,
        y.chained_factor,
        y.chained_points,
        y.stated_as as yoy_stated_as,
        y.observation_ids as yoy_observation_ids,
        y.latest_source_url as yoy_source_url,
        a.target_id is not null as region_has_figures,
        a.last_figure_year
    from with_units as t
    left join level_series as l using (target_id)
    left join yoy_series as y using (target_id)
    left join any_figure as a using (target_id)
),

measured as (
    select
        *,
        case when comparison = 'change_from_chained_yoy' then yoy_latest_year else level_latest_year end
            as latest_year,
        case when comparison in ('level', 'change_from_levels') then level_latest_value end as latest_level,
        case
            when comparison = 'change_from_levels' and change_unit_kind = 'relative'
                then (level_latest_value / nullif(baseline_value, 0) - 1) * 100
            when comparison = 'change_from_levels' then level_latest_value - baseline_value
            when comparison = 'change_from_chained_yoy' and change_unit_kind = 'relative'
                then (chained_factor - 1) * 100
            when comparison = 'change_from_chained_yoy' then chained_points
        end as change_so_far,
        case
            when comparison = 'level' and level_first_year < level_latest_year then level_first_year
            when comparison like 'change%' then baseline_year
        end as pace_from_year,
        (comparison = 'level' and unit_canonical = '%')
        or (comparison like 'change%' and change_unit_kind <> 'relative') as moves_linearly
    from compared
),

paced as (
    select
        *,
        target_year - latest_year as years_left,
        latest_year - pace_from_year as pace_years,
        case when comparison = 'level' then latest_level else change_so_far end as position,
        case when comparison = 'level' then value_canonical else target_signed end as aim,
        case when comparison = 'level' then level_first_value else 0 end as pace_start
    from measured
),

rated as (
    select
        *,
        case
            when comparison is null or pace_years is null or pace_years <= 0 then null
            when comparison like 'change%' and change_unit_kind = 'relative'
                then (power(1 + position / 100, 1 / pace_years) - 1) * 100
            when moves_linearly then (position - pace_start) / pace_years
            when pace_start > 0 and position > 0 then (power(position / pace_start, 1 / pace_years) - 1) * 100
        end as observed_annual_rate,
        case
            when comparison is null or years_left <= 0 then null
            when comparison like 'change%' and change_unit_kind = 'relative'
                then (power((1 + aim / 100) / (1 + position / 100), 1 / years_left) - 1) * 100
            when moves_linearly then (aim - position) / years_left
            when aim > 0 and position > 0 then (power(aim / position, 1 / years_left) - 1) * 100
        end as required_annual_rate,
        case
            when comparison is null then null
            when moves_linearly and (comparison = 'level' or change_unit_kind = 'points') then 'pp/yr'
            when moves_linearly then unit_canonical || '/yr'
            else '%/yr'
        end as rate_unit,
        case
            when sense = 'at_least' then position >= aim
            when sense = 'at_most' then position <= aim
        end as target_met_now
    from paced
)

select
    target_id,
    document_id,
    region_code,
    region_name,
    region_name_en,
    indicator,
    indicator_code,
    indicator_name_en,
    statistic,
    direction,
    comparator,
    value,
    unit,
    value_canonical,
    unit_canonical,
    baseline_year,
    target_year,
    target_kind,
    sense,
    comparison,
    case
        when comparison is not null then null
        when target_kind is null then 'direction_not_level_or_change'
        when region_code is null then 'region_not_coded'
        when indicator_code = 'other' then 'indicator_not_in_taxonomy'
        when statistic is null then 'no_official_statistic'
        when value_canonical is null then 'unit_not_convertible'
        when target_kind = 'change' and baseline_year is null then 'no_baseline_year'
        when target_kind = 'change' and change_unit_kind = 'relative' and level_unit = '%'
            then 'percent_change_of_a_share_is_ambiguous'
        when target_kind = 'change' and change_unit_kind = 'points' and level_unit <> '%'
            then 'point_change_of_a_non_share'
        when not region_has_figures then 'no_figure_for_region'
        when target_kind = 'level' then 'no_level_figure_in_target_unit'
        -- The region's figures stop at the baseline year (a province's 2020 intensity change against a
        -- 十四五 cut from 2020): nothing yet measures the period the target covers.
        when last_figure_year <= baseline_year then 'figures_end_at_or_before_baseline_year'
        when yoy_latest_year is not null then 'incomplete_yoy_chain'
        else 'no_figures_from_baseline_year'
    end as not_comparable_reason,
    baseline_value,
    latest_year,
    latest_level,
    round(change_so_far, 6) as change_so_far,
    {{ round_significant('case when comparison is not null then aim - position end') }} as gap_to_target,
    round(case
        when comparison like 'change%' then position / nullif(aim, 0)
        when comparison = 'level' and baseline_value is not null then
            (position - baseline_value) / nullif(aim - baseline_value, 0)
    end, 4) as share_of_path_done,
    years_left,
    pace_from_year,
    round(observed_annual_rate, 4) as observed_annual_rate,
    round(required_annual_rate, 4) as required_annual_rate,
    rate_unit,
    target_met_now,
    case
        when comparison is null or sense is null then null
        when years_left <= 0 then target_met_now
        when observed_annual_rate is null or required_annual_rate is null then null
        when sense = 'at_least' then observed_annual_rate >= required_annual_rate
        else observed_annual_rate <= required_annual_rate
    end as on_track,
    case
        when comparison = 'change_from_chained_yoy' then yoy_stated_as
        when comparison = 'level' and pace_from_year is not null
            then level_first_stated_as || '; ' || level_latest_stated_as
        when comparison = 'level' then level_latest_stated_as
        when comparison = 'change_from_levels' then level_baseline_stated_as || '; ' || level_latest_stated_as
    end as figures_used,
    case
        when comparison = 'change_from_chained_yoy' then yoy_observation_ids
        when comparison = 'change_from_levels'
            then list_concat(level_baseline_observation_ids, level_latest_observation_ids)
        when comparison = 'level' and pace_from_year is not null
            then list_concat(level_first_observation_ids, level_latest_observation_ids)
        when comparison = 'level' then level_latest_observation_ids
    end as observation_ids,
    case when comparison = 'change_from_chained_yoy' then yoy_source_url else level_source_url end
        as latest_source_url,
    quote,
    source_url
from rated
