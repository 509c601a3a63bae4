-- Every read attachment's text range lies inside its document version's body_text, and ranges do not overlap
-- (the scraper appends each attachment after the previous one).
with attachments as (
    select
        a.*,
        length(d.body_text) as body_chars,
        lag(a.text_end) over (partition by a.document_id, a.version_hash order by a.text_start) as previous_end
    from {{ ref('int_document_attachments') }} as a
    inner join {{ ref('stg_landing__documents') }} as d using (document_id, version_hash)
    where a.status = 'read'
)

select *
from attachments
where text_start is null
    or text_end is null
    or text_start < 0
    or text_end > body_chars
    or text_end <= text_start
    or text_start < previous_end
