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
    not d.is_current as is_superseded,
    d.title,
    -- The kind of document the title names; the inner title wins over the covering notice
    -- (关于印发《…实施方案》的通知 is an implementation plan). A news site's article is news whatever
    -- its headline says: it reports on, and quotes, a document published elsewhere.
    case
        when d.family in ('bjx') then 'news'
        when d.title similar to '.*(工作要点|年度工作计划|重点工作).*' then 'annual_work_plan'
        when d.title similar to '.*(行动方案|行动计划).*' then 'action_plan'
        when d.title similar to '.*(实施方案|工作方案|推行方案|方案).*' then 'implementation_plan'
        when d.title similar to '.*(规划).*' then 'plan'
        when d.title similar to '.*(意见).*' then 'opinions'
        when d.title similar to '.*(措施|办法).*' then 'measures'
        when d.title similar to '.*(通知|公告).*' then 'notice'
        else 'other'
    end as document_type,
    -- The official document a news article quotes, when its lead names it in 《…》
    -- (关于印发《嘉兴市清洁生产推行方案（2022-2025年）》的通知 → 嘉兴市清洁生产推行方案（2022-2025年）).
    case
        when d.family in ('bjx') then nullif(regexp_extract(left(d.body_text, 1000), '《([^》]+)》', 1), '')
    end as quoted_title,
    -- Traditional script: pages such as 嘉興市2024年碳達峰碳中和工作要點 use forms that simplified
    -- text never contains; a few of the most common ones in the opening decide.
    case
        when length(regexp_replace(left(d.body_text, 2000), '[^這為與個們來時國會說發經對過還點關於區書車長開門問間達]', '',
                                   'g')) >= 5 then 'traditional'
        else 'simplified'
    end as script,
    d.issuer,
    d.issuers,
    d.doc_number,
    d.written_date,
    d.publish_date,
    d.validity,
    d.url,
    d.canonical_url,
    d.source_key,
    d.family,
    d.site_name,
    d.column_name,
    d.region_code,
    r.region_name,
    r.name_en as region_name_en,
    r.region_level,
    d.body_chars,
    d.body_text,
    d.content_hash,
    d.raw_path,
    d.fetched_at,
    d.run_id,
    d.compilation_id,
    d.page_range,
    len(d.attachments) as attachments_listed,
    len(list_filter(d.attachments, lambda a: a.status = 'read')) as attachments_read,
    d.needs_ocr
from documents as d
left join regions as r on r.region_code = d.region_code
