-- How many targets each current document sets, with its issuer and publication date.
select
    d.region_name,
    d.title,
    d.issuer,
    d.publish_date,
    count(t.target_id) as targets,
    d.url
from dim_documents as d
left join fct_targets as t using (document_id, version_hash)
where d.is_current
group by all
order by targets desc, d.publish_date desc;
