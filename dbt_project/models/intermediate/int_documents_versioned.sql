-- Numbers the versions of each document in the order they were first fetched; the newest is current.
with documents as (
    select * from {{ ref('stg_landing__documents') }}
)

select
    *,
    row_number() over (partition by document_id order by fetched_at, version_hash) as version_number,
    row_number() over (partition by document_id order by fetched_at desc, version_hash desc) = 1 as is_current
from documents
