-- What changed in the last seven days? Targets added (a new document, or a new version that states
-- them), changed (a revised number or 以上/左右) or withdrawn by a revision, by when the version was
-- fetched. Older versions stay in fct_target_versions, so a changed target shows its previous value.
select
    v.valid_from::date as fetched,
    v.change_kind,
    d.region_name,
    d.title,
    v.version_number,
    v.indicator,
    v.previous_value,
    v.value,
    v.unit,
    v.target_year,
    v.quote
from fct_target_versions as v
inner join dim_documents as d using (document_id, version_hash)
where v.change_kind <> 'unchanged'
  and v.valid_from >= current_date - interval 7 day
order by v.valid_from desc, d.region_name, v.indicator;
