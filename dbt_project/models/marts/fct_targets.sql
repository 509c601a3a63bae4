-- One row per quantitative target stated in one document version, with its exact quote and source.
with targets as (
    select * from {{ ref('int_targets_regioned') }}
),

documents as (
    select * from {{ ref('dim_documents') }}
),

-- A target whose quote lies inside an attachment's text came from that attachment (a PDF or Word annex).
attachments as (
    select * from {{ ref('int_document_attachments') }}
    where status = 'read'
)

select
    t.target_id,
    t.document_id,
    t.version_hash,
    d.is_current,
    t.ordinal,
    t.region_code,
    t.region_name,
    {{ region_name_en('t.region_code') }} as region_name_en,
    t.sector,
    t.indicator,
    t.indicator_code,
    {{ indicator_name_en('t.indicator_code') }} as indicator_name_en,
    t.value,
    t.unit,
    t.value_canonical,
    t.unit_canonical,
    t.direction,
    t.comparator,
    t.target_year,
    t.baseline_year,
    t.hedge,
    t.quote,
    t.quote_start,
    t.quote_end,
    t.note,
    d.title as document_title,
    d.issuer as document_issuer,
    d.publish_date,
    d.url as source_url,
    a.attachment_name,
    a.attachment_url,
    t.extractor_version
from targets as t
inner join documents as d using (document_id, version_hash)
left join attachments as a
    on a.document_id = t.document_id
    and a.version_hash = t.version_hash
    and t.quote_start >= a.text_start
    and t.quote_end <= a.text_end
