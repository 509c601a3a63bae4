-- One official figure per region × indicator × year × measure, in the indicator's canonical unit, ready to
-- be set beside targets. Two rules decide what that figure is, and nothing else is inferred:
--  * several sources state the same cell: the most recently published figure wins (a revision or a final
--    figure is published after the preliminary one); the others are counted, so a reader can see them;
--  * the taxonomy names several series joined by "+": the indicator is their sum, formed only from level
--    figures of every named series for the same region and year, all in one canonical unit.
-- A figure whose unit has no exact conversion is left out rather than guessed.
with observations as (
    select * from {{ ref('fct_indicator_observations') }}
),

units as (
    select * from {{ ref('int_unit_conversions') }}
),

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
    where coalesce(statistic_indicator, '') <> ''
),

series as (
    select
        t.indicator_code,
        trim(s.statistic) as statistic,
        len(string_split(t.statistic_indicator, '+')) as series_count
    from taxonomy as t,
        unnest(string_split(t.statistic_indicator, '+')) as s (statistic)
),

converted as (
    select
        s.indicator_code,
        s.series_count,
        o.indicator as statistic,
        o.observation_id,
        o.region_code,
        o.year,
        o.measure,
        o.value,
        o.unit,
        {{ round_significant('o.value * u.factor') }} as value_canonical,
        u.canonical_unit as unit_canonical,
        o.published,
        o.source_key,
        o.source_url,
        o.quote
    from observations as o
    inner join series as s on s.statistic = o.indicator
    inner join units as u on u.stated_unit = o.unit
),

ranked as (
    select
        *,
        count(*) over cell as figures_in_cell,
        row_number() over (
            cell order by published desc nulls last, source_key, observation_id
        ) as preference
    from converted
    window cell as (partition by indicator_code, statistic, region_code, year, measure, unit_canonical)
),

chosen as (
    select * from ranked where preference = 1
),

combined as (
    select
        indicator_code,
        region_code,
        year,
        measure,
        unit_canonical,
        sum(value_canonical) as value_canonical,
        count(*) > 1 as is_sum,
        string_agg(format('{} {} {}', statistic, value, unit), ' + ' order by statistic) as stated_as,
        list(observation_id order by statistic) as observation_ids,
        list(source_url order by statistic) as source_urls,
        string_agg(quote, ' / ' order by statistic) as quote,
        max(published) as published,
        sum(figures_in_cell) - count(*) as other_figures_in_cell
    from chosen
    -- Only levels add up (a sum of year-on-year changes means nothing), and only a complete set.
    where series_count = 1 or measure = 'level'
    group by indicator_code, region_code, year, measure, unit_canonical
    having count(*) = max(series_count)
)

select * from combined
