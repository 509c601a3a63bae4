-- Every quote must be an exact substring of its document version's text, at its recorded offsets.
-- DuckDB's substring is 1-based and counts characters, as Python's str slicing does (0-based).
select t.target_id, t.quote
from {{ ref('fct_targets') }} as t
inner join {{ ref('dim_documents') }} as d using (document_id, version_hash)
where substring(d.body_text, t.quote_start + 1, t.quote_end - t.quote_start) is distinct from t.quote
