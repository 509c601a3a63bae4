"""Content rules for fct_targets that dbt's structural tests do not cover."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.load import LoadFacts

MODEL = "fct_targets"

# Plans reach forward to 碳中和 by 2060; a document may restate the previous year's target, no older.
MAX_TARGET_YEAR = 2060
EARLIEST_BASELINE_YEAR = 1990

# Each target beside what the rules need from its document and its indicator:
#  - earliest_target_year: the publication year − 1;
#  - quote_found_verbatim: the quote sits at its offsets in the document version's text;
#  - unit_fits_indicator: a level is stated in the indicator's own unit (any count word for a count),
#    a change (提高/下降 by) may also be % or percentage points; "other" and unconvertible units pass.
QUERY = """
select
    t.*,
    year(t.publish_date) - 1 as earliest_target_year,
    substring(d.body_text, t.quote_start + 1, t.quote_end - t.quote_start) = t.quote as quote_found_verbatim,
    i.level_unit as indicator_level_unit,
    case
        when t.indicator_code = 'other' or t.unit_canonical is null or coalesce(i.level_unit, '') = '' then true
        when t.unit_canonical = i.level_unit then true
        when i.level_unit = 'count' and t.unit_canonical in ('count', 'vehicles', 'vessels', 'households') then true
        when t.direction in ('increase', 'decrease') and t.unit_canonical in ('%', 'pp') then true
        else false
    end as unit_fits_indicator
from fct_targets as t
left join dim_documents as d using (document_id, version_hash)
left join dim_indicators as i using (indicator_code)
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectColumnValuesToBeUnique(column="target_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            # "" is a real unit: dimensionless ratios such as a data centre's PUE (电能利用效率 ＜1.3).
            gxe.ExpectColumnValuesToNotBeNull(column="unit"),
            gxe.ExpectColumnValuesToNotBeNull(column="indicator"),
            gxe.ExpectColumnValuesToNotBeNull(column="source_url"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="quote", min_value=1),
            gxe.ExpectColumnValuesToBeInSet(column="quote_found_verbatim", value_set=[True]),
            gxe.ExpectColumnValuesToBeBetween(column="target_year", min_value=2000, max_value=MAX_TARGET_YEAR),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="target_year", column_B="earliest_target_year", or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="baseline_year", min_value=EARLIEST_BASELINE_YEAR, max_value=MAX_TARGET_YEAR
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="target_year", column_B="baseline_year", or_equal=False,
                ignore_row_if="either_value_is_missing",
            ),
            # A share reached, capped or kept (达到/控制在/保持 X%) lies within 0–100; a change may not.
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, max_value=100,
                row_condition=(Column("unit") == "%") & Column("direction").is_in(["reach", "cap", "maintain"]),
            ),
            gxe.ExpectColumnValuesToBeBetween(column="value_canonical", min_value=0, strict_min=True),
            gxe.ExpectColumnValuesToBeInSet(column="unit_fits_indicator", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(
                column="direction", value_set=["reach", "increase", "decrease", "cap", "maintain", "other"]
            ),
            gxe.ExpectColumnValuesToBeInSet(column="comparator", value_set=[">=", "<=", "~", "="]),
        ],
    )
