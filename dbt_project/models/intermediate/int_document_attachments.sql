-- One row per attachment (附件) a document version's page links to (a PDF-only document: its file). The text of a read attachment sits in the
-- document's body_text at [text_start, text_end) (0-based character offsets, like the targets' quote offsets).
with documents as (
    select document_id, version_hash, attachments
    from {{ ref('stg_landing__documents') }}
    where len(attachments) > 0
),

listed as (
    select
        document_id,
        version_hash,
        generate_subscripts(attachments, 1) as attachment_number,
        unnest(attachments) as attachment
    from documents
)

select
    document_id,
    version_hash,
    attachment_number,
    attachment.name as attachment_name,
    attachment.url as attachment_url,
    attachment.type as file_type,
    attachment.status,
    attachment.error,
    attachment.raw_path,
    attachment.text_start,
    attachment.text_end,
    coalesce(attachment.needs_ocr, false) as needs_ocr
from listed
