"""Content rules for fct_target_progress (targets beside the official figures) beyond dbt's keys."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.load import LoadFacts

MODEL = "fct_target_progress"

# Each progress row beside what the rules need:
#  - reason_iff_unmeasured: a row has a comparison or a reason why not, never both or neither;
#  - rests_on_figures: a measured row names the official figures it rests on;
#  - after_baseline: a change is measured by a figure later than its baseline year;
#  - one_row_per_current_target: the mart covers targets_current exactly.
QUERY = """
select
    p.*,
    (p.comparison is null) = (p.not_comparable_reason is not null) as reason_iff_unmeasured,
    p.comparison is null or (len(p.observation_ids) >= 1 and p.figures_used is not null) as rests_on_figures,
    p.comparison not like 'change%' or p.latest_year > p.baseline_year as after_baseline,
    count(*) over () = (select count(*) from targets_current) as one_row_per_current_target
from fct_target_progress as p
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    measured = Column("comparison").is_in(["level", "change_from_levels", "change_from_chained_yoy"])
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectColumnValuesToBeUnique(column="target_id"),
            gxe.ExpectColumnValuesToBeInSet(column="one_row_per_current_target", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="reason_iff_unmeasured", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="rests_on_figures", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="after_baseline", value_set=[True]),
            # The latest figure is at or before the target year and not from the future.
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="target_year", column_B="latest_year", or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToBeBetween(column="latest_year", min_value=1990, max_value=facts.today.year),
            gxe.ExpectColumnValuesToNotBeNull(column="latest_year", row_condition=measured),
            gxe.ExpectColumnValuesToNotBeNull(column="gap_to_target", row_condition=measured),
            # A share's level lies within 0–100.
            gxe.ExpectColumnValuesToBeBetween(
                column="latest_level", min_value=0, max_value=100,
                row_condition=(Column("comparison") == "level") & (Column("unit_canonical") == "%"),
            ),
            gxe.ExpectColumnValuesToBeInSet(column="rate_unit", value_set=["pp/yr", "%/yr"],
                                            row_condition=Column("comparison") == "level"),
        ],
    )
