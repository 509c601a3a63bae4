-- The extractor's normalised value must agree with the unit_conversions seed for every unit the seed
-- lists without a prefix (the seed is the one source of the factors; prefixed units are unit-tested).
select t.target_id, t.value, t.unit, t.value_canonical, c.factor
from {{ ref('fct_targets') }} as t
inner join {{ ref('unit_conversions') }} as c on c.base_unit = t.unit
where abs(t.value_canonical - t.value * c.factor) > 1e-6 * greatest(1, abs(t.value * c.factor))
   or t.unit_canonical is distinct from c.canonical_unit
