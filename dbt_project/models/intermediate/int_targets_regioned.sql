-- Gives each target a GB/T 2260 code. The extractor names the region in words; a name can recur across
-- provinces (e.g. 南湖区), so prefer the document's own region, then divisions inside the document's
-- province, then a name that is unique nationwide. Unresolved names keep a null code, never a guess.
with targets as (
    select * from {{ ref('stg_landing__targets') }}
),

documents as (
    select document_id, version_hash, region_code as document_region_code
    from {{ ref('int_documents_versioned') }}
),

regions as (
    select *, count(*) over (partition by region_name) as name_count
    from {{ ref('gbt2260_regions') }}
),

candidates as (
    select
        t.target_id,
        r.region_code,
        row_number() over (
            partition by t.target_id
            order by
                case
                    when r.region_code = d.document_region_code then 0
                    when left(r.region_code, 2) = left(d.document_region_code, 2) then 1
                    when r.name_count = 1 then 2
                    else 3
                end,
                r.region_code
        ) as preference,
        case
            when r.region_code = d.document_region_code then 0
            when left(r.region_code, 2) = left(d.document_region_code, 2) then 1
            when r.name_count = 1 then 2
            else 3
        end as match_kind
    from targets as t
    inner join documents as d using (document_id, version_hash)
    inner join regions as r on r.region_name = t.region_name
)

select
    t.*,
    c.region_code
from targets as t
left join candidates as c
    on c.target_id = t.target_id and c.preference = 1 and c.match_kind < 3
