"""Content rules for fct_targets that dbt's structural tests do not cover."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

# Plans reach back to 十三五 work plans at the earliest and forward to 碳中和 by 2060.
MIN_TARGET_YEAR = 2000
MAX_TARGET_YEAR = 2060


def build_suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="fct_targets",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeUnique(column="target_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            # "" is a real unit: dimensionless ratios such as a data centre's PUE (电能利用效率 ＜1.3).
            gxe.ExpectColumnValuesToNotBeNull(column="unit"),
            gxe.ExpectColumnValuesToNotBeNull(column="indicator"),
            gxe.ExpectColumnValuesToNotBeNull(column="source_url"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="quote", min_value=1),
            gxe.ExpectColumnValuesToBeBetween(
                column="target_year", min_value=MIN_TARGET_YEAR, max_value=MAX_TARGET_YEAR
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="baseline_year", min_value=1990, max_value=MAX_TARGET_YEAR
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="direction", value_set=["reach", "increase", "decrease", "cap", "maintain", "other"]
            ),
            gxe.ExpectColumnValuesToBeInSet(column="comparator", value_set=[">=", "<=", "~", "="]),
        ],
    )
