-- The extractor's normalised value must agree with the unit seeds for every unit they cover, prefixed or
-- not (int_unit_conversions expands unit_conversions × unit_prefixes, the tables the extractor reads):
-- targets and official figures are converted by the same rule, so they can be compared.
select t.target_id, t.value, t.unit, t.value_canonical, c.factor
from {{ ref('fct_targets') }} as t
inner join {{ ref('int_unit_conversions') }} as c on c.stated_unit = t.unit
where abs(t.value_canonical - t.value * c.factor) > 1e-6 * greatest(1, abs(t.value * c.factor))
   or t.unit_canonical is distinct from c.canonical_unit
