"""Content rules for dim_indicators: the taxonomy is complete enough to be joined on."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.load import LoadFacts

MODEL = "dim_indicators"
QUERY = "select * from dim_indicators"


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectColumnValuesToBeUnique(column="indicator_code"),
            gxe.ExpectColumnValuesToNotBeNull(column="name_zh"),
            gxe.ExpectColumnValuesToNotBeNull(column="name_en"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="name_en", min_value=3),  # every code has an English name
            gxe.ExpectColumnValuesToNotBeNull(column="dimension"),
            gxe.ExpectColumnValuesToBeInSet(column="good_direction", value_set=["up", "down", "none"]),
            # The catch-all code the extractor falls back to must exist.
            gxe.ExpectColumnDistinctValuesToContainSet(column="indicator_code", value_set=["other"]),
        ],
    )
