-- One row per document version: what was published, by whom, where, and when we fetched it.
with documents as (
    select * from {{ ref('int_documents_versioned') }}
),

regions as (
    select * from {{ ref('dim_regions') }}
)

select
    d.document_id,
    d.version_hash,
    d.version_number,
    d.is_current,
    d.title,
    d.issuer,
    d.doc_number,
    d.publish_date,
    d.url,
    d.source_key,
    d.family,
    d.site_name,
    d.column_name,
    d.region_code,
    r.region_name,
    r.region_level,
    d.body_chars,
    d.body_text,
    d.content_hash,
    d.raw_path,
    d.fetched_at,
    d.run_id,
    d.compilation_id,
    d.page_range
from documents as d
left join regions as r on r.region_code = d.region_code
