-- Every target of every version of every document, lined up across versions so that a target revised
-- between versions keeps both values. The landing zone keeps each version of a page for good (a changed
-- text lands as a new version beside the old one) and the extractor re-reads every version, so this
-- history is rebuilt whole from the landing data by every `dbt build` — append-only by construction, and
-- independent of the build file, which each run starts afresh (a dbt snapshot kept there would not last).
--
-- A target is "the same" across versions when it says the same thing apart from its number: document,
-- region, sector, indicator, direction, unit, baseline and target year, and the how-many-th such target
-- it is in the document. One row per such target per version in which it was added, changed, kept or
-- withdrawn; after a withdrawal the target has no rows until it is stated again.
with targets as (
    select * from {{ ref('int_targets_regioned') }}
),

versions as (
    select
        document_id,
        version_hash,
        version_number,
        fetched_at,
        is_current
    from {{ ref('int_documents_versioned') }}
),

keyed as (
    select
        t.*,
        v.version_number,
        md5(concat_ws('|',
            t.document_id, coalesce(t.region_name, ''), coalesce(t.sector, ''), t.indicator, t.direction,
            coalesce(t.unit_canonical, t.unit), coalesce(cast(t.baseline_year as varchar), ''),
            coalesce(cast(t.target_year as varchar), ''),
            cast(row_number() over (
                partition by t.document_id, t.version_hash, t.region_name, t.sector, t.indicator, t.direction,
                    coalesce(t.unit_canonical, t.unit), t.baseline_year, t.target_year
                order by t.ordinal
            ) as varchar)
        )) as target_key
    from targets as t
    inner join versions as v using (document_id, version_hash)
),

identities as (
    select
        target_key,
        document_id,
        min(version_number) as first_version,
        any_value(region_code) as region_code,
        any_value(region_name) as region_name,
        any_value(sector) as sector,
        any_value(indicator) as indicator,
        any_value(indicator_code) as indicator_code,
        any_value(direction) as direction,
        any_value(baseline_year) as baseline_year,
        any_value(target_year) as target_year
    from keyed
    group by target_key, document_id
),

grid as (
    -- Each target beside every version of its document from the one that first stated it.
    select
        i.*,
        v.version_number,
        v.version_hash,
        v.fetched_at,
        v.is_current as is_current_version,
        k.target_id,
        k.value,
        k.unit,
        k.comparator,
        k.hedge,
        k.value_canonical,
        k.unit_canonical,
        k.quote
    from identities as i
    inner join versions as v on v.document_id = i.document_id and v.version_number >= i.first_version
    left join keyed as k on k.target_key = i.target_key and k.version_number = v.version_number
),

lined as (
    select
        *,
        lag(target_id) over by_version is not null as was_stated,
        lag(coalesce(value_canonical, value)) over by_version as previous_comparable_value,
        lag(comparator) over by_version as previous_comparator,
        lag(value) over by_version as previous_value_,
        lag(unit) over by_version as previous_unit_,
        lag(quote) over by_version as previous_quote
    from grid
    window by_version as (partition by target_key order by version_number)
),

changes as (
    select
        *,
        case
            when target_id is not null and not was_stated then 'added'
            when target_id is not null
                and (coalesce(value_canonical, value) <> previous_comparable_value or comparator <> previous_comparator)
                then 'changed'
            when target_id is not null then 'unchanged'
            when was_stated then 'withdrawn'
        end as change_kind
    from lined
)

select
    target_key,
    document_id,
    version_number,
    version_hash,
    fetched_at as valid_from,
    lead(fetched_at) over (partition by target_key order by version_number) as valid_to,
    is_current_version,
    change_kind,
    target_id,
    region_code,
    region_name,
    {{ region_name_en('changes.region_code') }} as region_name_en,
    sector,
    indicator,
    indicator_code,
    {{ indicator_name_en('changes.indicator_code') }} as indicator_name_en,
    direction,
    comparator,
    hedge,
    value,
    unit,
    value_canonical,
    unit_canonical,
    case when change_kind in ('changed', 'withdrawn') then previous_value_ end as previous_value,
    case when change_kind in ('changed', 'withdrawn') then previous_unit_ end as previous_unit,
    case when change_kind in ('changed', 'withdrawn') then previous_comparator end as previous_comparator,
    baseline_year,
    target_year,
    coalesce(quote, previous_quote) as quote
from changes
where change_kind is not null
