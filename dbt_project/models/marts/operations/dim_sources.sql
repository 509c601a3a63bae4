-- One row per source ever scraped: its health and freshness, for operators and for analysts judging
-- how current a jurisdiction's documents are.
with runs as (
    select * from {{ ref('fct_source_runs') }}
)

select
    source_key,
    count(*) as runs,
    min(started_at) as first_run_at,
    max(started_at) as last_run_at,
    max(started_at) filter (where status = 'success') as last_success_at,
    max(started_at) filter (where documents_new + documents_changed > 0) as last_new_document_at,
    date_diff('day', coalesce(max(started_at) filter (where documents_new + documents_changed > 0),
                              min(started_at)), current_timestamp) as days_without_new_documents,
    arg_max(status, started_at) as last_status,
    arg_max(error, started_at) as last_error,
    count(*) filter (where status = 'failed') as failed_runs
from runs
group by source_key
