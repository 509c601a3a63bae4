-- One row per run: when it ran, how its sources fared, and the outcome of each stage. For the run that
-- built this warehouse, build shows "running" and validate/publish are null: their outcome lands with
-- the next load, like every failed run's (a load that fails validation is never published).
with events as (
    select * from {{ ref('stg_landing__run_events') }}
),

stages as (
    select
        run_id,
        max(status) filter (where name = 'extract') as extract_status,
        max(status) filter (where name = 'build') as build_status,
        max(status) filter (where name = 'validate') as validation_status,
        max(status) filter (where name = 'publish') as publish_status,
        max(error) filter (where name = 'validate') as validation_error
    from events
    where kind = 'stage'
    group by run_id
),

sources as (
    select
        run_id,
        count(*) as sources_scraped,
        count(*) filter (where status = 'failed') as sources_failed,
        count(*) filter (where status = 'deferred') as sources_deferred,
        sum(new) as documents_new,
        sum(changed) as documents_changed,
        sum(requests) as requests,
        sum(bytes) as bytes,
        cast(sum(cast(json_extract(details, '$.attachments_failed') as bigint)) as bigint) as attachments_failed,
        cast(sum(cast(json_extract(details, '$.needs_ocr') as bigint)) as bigint) as files_need_ocr
    from events
    where kind = 'source'
    group by run_id
),

spans as (
    select run_id, min(started_at) as started_at, max(finished_at) as finished_at
    from events
    group by run_id
)

select
    spans.run_id,
    spans.started_at,
    spans.finished_at,
    date_diff('second', spans.started_at, spans.finished_at) as seconds,
    coalesce(sources.sources_scraped, 0) as sources_scraped,
    coalesce(sources.sources_failed, 0) as sources_failed,
    coalesce(sources.sources_deferred, 0) as sources_deferred,
    coalesce(sources.documents_new, 0) as documents_new,
    coalesce(sources.documents_changed, 0) as documents_changed,
    coalesce(sources.requests, 0) as requests,
    coalesce(sources.bytes, 0) as bytes,
    coalesce(sources.attachments_failed, 0) as attachments_failed,
    coalesce(sources.files_need_ocr, 0) as files_need_ocr,
    stages.extract_status,
    stages.build_status,
    stages.validation_status,
    stages.validation_error,
    stages.publish_status
from spans
left join sources using (run_id)
left join stages using (run_id)
