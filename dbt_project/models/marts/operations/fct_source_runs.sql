-- One row per source per run: what the scrape saw and did, how long it took, whether it failed.
select
    run_id,
    name as source_key,
    status,
    started_at,
    finished_at,
    seconds,
    listed as documents_listed,
    new as documents_new,
    changed as documents_changed,
    unchanged as documents_unchanged,
    failed as documents_failed,
    requests,
    bytes,
    error
from {{ ref('stg_landing__run_events') }}
where kind = 'source'
