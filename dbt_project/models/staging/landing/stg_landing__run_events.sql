-- One row per logged step of a run: a source scraped or a stage run.
select
    run_id,
    kind,
    name,
    status,
    cast(started_at as timestamptz) as started_at,
    cast(finished_at as timestamptz) as finished_at,
    seconds,
    error,
    listed,
    new,
    changed,
    unchanged,
    failed,
    requests,
    bytes,
    details
from {{ source('landing', 'runs') }}
