-- One row per source per run: what the scrape saw and did, how long it took, whether it failed. The files it
-- met that could not be read or need OCR fail nothing; they are counted and named here (the scrape's details).
select
    run_id,
    name as source_key,
    status,
    started_at,
    finished_at,
    seconds,
    -- Entries the list pages showed before the keyword filter (landed before it was counted: unknown).
    cast(json_extract(details, '$.listed_total') as bigint) as documents_listed_total,
    listed as documents_listed,
    new as documents_new,
    changed as documents_changed,
    unchanged as documents_unchanged,
    failed as documents_failed,
    requests,
    bytes,
    coalesce(cast(json_extract(details, '$.attachments') as bigint), 0) as attachments_read,
    coalesce(cast(json_extract(details, '$.attachments_failed') as bigint), 0) as attachments_failed,
    coalesce(cast(json_extract(details, '$.needs_ocr') as bigint), 0) as files_need_ocr,
    nullif(array_to_string(cast(json_extract(details, '$.warnings') as varchar[]), chr(10)), '') as warnings,
    json_extract(details, '$.list_pages') as list_pages,
    error
from {{ ref('stg_landing__run_events') }}
where kind = 'source'
