"""Content rules for fct_target_versions (targets across document versions)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.load import LoadFacts

MODEL = "fct_target_versions"

# Each row beside what the rules need:
#  - starts_added: a target's first row adds it;
#  - one_open_row: exactly one row of each target has no valid_to (its state now);
#  - value_follows_kind: a withdrawal carries no target and no value, every other row does; a change
#    carries the previous value;
#  - covers_current_targets: every target of a current document version has a row.
QUERY = """
select
    -- UTC wall time: pandas (under GX's pair comparison) deprecates comparing tz-aware values as arrays.
    v.* replace (timezone('UTC', v.valid_from) as valid_from, timezone('UTC', v.valid_to) as valid_to),
    row_number() over (partition by target_key order by version_number) > 1 or change_kind = 'added'
        as starts_added,
    count(*) filter (where valid_to is null) over (partition by target_key) = 1 as one_open_row,
    case change_kind
        when 'withdrawn' then target_id is null and value is null and previous_value is not null
        when 'changed' then target_id is not null and value is not null and previous_value is not null
        else target_id is not null and value is not null
    end as value_follows_kind,
    count(*) filter (where is_current_version and target_id is not null) over ()
        = (select count(*) from fct_targets where is_current) as covers_current_targets
from fct_target_versions as v
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["target_key", "version_number"]),
            gxe.ExpectColumnValuesToBeInSet(column="starts_added", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="one_open_row", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="value_follows_kind", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="covers_current_targets", value_set=[True]),
            # Equal when the next version came from re-parsing the same fetched page (it keeps the fetch time).
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="valid_to", column_B="valid_from", or_equal=True, ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToBeInSet(column="change_kind",
                                            value_set=["added", "changed", "unchanged", "withdrawn"]),
        ],
    )
