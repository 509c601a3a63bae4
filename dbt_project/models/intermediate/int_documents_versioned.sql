-- Numbers the versions of each document in the order they were fetched; the newest is current. A re-parse
-- keeps the original fetch time, so a version it creates follows by run id (run ids sort by time).
with documents as (
    select * from {{ ref('stg_landing__documents') }}
)

select
    *,
    -- Mojibake that got past the scrape's charset check (macros/mojibake.sql); a data test fails the build on it.
    coalesce({{ looks_garbled('title', 'title') }} or {{ looks_garbled('body_text', 'body') }}, false) as looks_garbled,
    row_number() over (partition by document_id order by fetched_at, run_id, version_hash) as version_number,
    row_number() over (
        partition by document_id order by fetched_at desc, run_id desc, version_hash desc
    ) = 1 as is_current
from documents
