-- One row per landed document version. A version landed again (a re-parse of the saved page with a newer
-- parser) keeps the latest landing, which carries the corrected metadata; run ids sort by time.
with source as (
    select * from {{ source('landing', 'documents') }}
),

typed as (
    select
        document_id,
        version_hash,
        source_key,
        family,
        url,
        trim(title) as title,
        nullif(trim(issuer), '') as issuer,
        nullif(trim(doc_number), '') as doc_number,
        try_cast(publish_date as date) as publish_date,
        nullif(region_code, '') as region_code,
        site_id_code,
        site_name,
        column_name,
        body_text,
        length(body_text) as body_chars,
        content_hash,
        raw_path,
        cast(fetched_at as timestamptz) as fetched_at,
        run_id,
        compilation_id,
        page_range,
        coalesce(attachments, []) as attachments,
        -- Landed before the flag existed: no file was found without a text layer then.
        coalesce(needs_ocr, false) as needs_ocr,
        -- Landed before these were read: unknown (null, an empty list).
        nullif(trim(canonical_url), '') as canonical_url,
        try_cast(written_date as date) as written_date,
        coalesce(issuers, []) as issuers,
        nullif(trim(validity), '') as validity,
        row_number() over (partition by document_id, version_hash order by run_id desc) as landing_rank
    from source
)

select * exclude (landing_rank)
from typed
where landing_rank = 1
