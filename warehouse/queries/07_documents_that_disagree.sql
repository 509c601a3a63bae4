-- Where do two documents of the same region state different numbers for the same indicator and year?
-- (Two plans of one province, e.g. its 实施意见 "implementation opinions" and its 实施方案
-- "implementation plan".) Pairs where one document also states the other's number — two targets under
-- one indicator code — are not disagreements and are left out.
select
    c.region_name,
    i.name_en as indicator,
    c.target_year,
    c.value,
    c.unit,
    d.title as document,
    c.compared_value,
    compared.title as compared_document,
    c.quote,
    c.compared_quote
from fct_target_consistency as c
inner join dim_indicators as i using (indicator_code)
inner join dim_documents as d on d.document_id = c.document_id and d.is_current
inner join dim_documents as compared on compared.document_id = c.compared_document_id and compared.is_current
where c.check_kind = 'documents_of_one_region'
  and c.finding = 'disagree'
order by c.region_name, indicator, c.target_year;
