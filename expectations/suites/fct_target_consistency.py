"""Content rules for fct_target_consistency (targets lined up across levels and documents)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.load import LoadFacts

MODEL = "fct_target_consistency"

# Each pair beside what the rules need:
#  - pair_is_well_formed: a lower level is compared with a higher one (nation > province > city > county),
#    two documents of one region with each other; never a target with itself;
#  - finding_follows_gap: weaker/stricter/same and agree/disagree follow the sign of ambition_gap;
#  - flag_follows_finding: exactly the weaker and disagreeing pairs are flagged.
QUERY = """
with ranked as (
    select
        *,
        case region_level when 'nation' then 0 when 'province' then 1 when 'city' then 2 else 3 end as depth,
        case compared_region_level when 'nation' then 0 when 'province' then 1 when 'city' then 2 else 3 end
            as compared_depth
    from fct_target_consistency
)
select
    *,
    target_id <> compared_target_id and case check_kind
        when 'lower_level_vs_parent' then compared_depth < depth
        else region_code = compared_region_code and document_id <> compared_document_id
    end as pair_is_well_formed,
    case finding
        when 'weaker' then ambition_gap < 0
        when 'stricter' then ambition_gap > 0
        when 'same' then ambition_gap = 0
        when 'agree' then ambition_gap = 0
        else ambition_gap <> 0
    end as finding_follows_gap,
    is_flagged = (finding in ('weaker', 'disagree')) as flag_follows_finding
from ranked
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            # Pairs exist only when two comparable targets do; an empty table is a valid first load.
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows_may_start_empty(MODEL)),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["check_kind", "target_id", "compared_target_id"]),
            gxe.ExpectColumnValuesToBeInSet(column="pair_is_well_formed", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="finding_follows_gap", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="flag_follows_finding", value_set=[True]),
            gxe.ExpectColumnValuesToNotBeNull(column="value_canonical"),
            gxe.ExpectColumnValuesToNotBeNull(column="compared_value_canonical"),
        ],
    )
