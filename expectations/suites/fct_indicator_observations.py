"""Content rules for fct_indicator_observations (official figures) that dbt's structural tests do not cover."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.load import LoadFacts

MODEL = "fct_indicator_observations"
EARLIEST_YEAR = 1990

# quote_states_value: the figure is one of the numbers its quote states (thousands separators dropped), up to
# an exact power-of-ten change of unit — the statistics file's one converted figure, "7511 billion kWh" kept
# as 75110 亿千瓦时; a 下降 change is stated unsigned, so the sign is not compared.
QUERY = """
select
    o.*,
    abs(o.value) = 0 and regexp_matches(o.quote, '(^|[^0-9.])0(\\.0+)?([^0-9.]|$)')
    or len(list_filter(
        regexp_extract_all(regexp_replace(o.quote, '(\\d),(\\d{3})', '\\1\\2', 'g'), '\\d+(?:\\.\\d+)?'),
        lambda x: cast(x as double) > 0 and abs(o.value) > 0
            and abs(log10(abs(o.value) / cast(x as double)) - round(log10(abs(o.value) / cast(x as double)))) < 1e-9
    )) > 0 as quote_states_value
from fct_indicator_observations as o
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            # No statistics source may have landed yet (the build then reads an empty placeholder): an empty
            # table is a valid first load; once figures are published, a sudden drop is not.
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows_may_start_empty(MODEL)),
            gxe.ExpectColumnValuesToBeUnique(column="observation_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToNotBeNull(column="unit"),
            gxe.ExpectColumnValuesToNotBeNull(column="source_url"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="quote", min_value=1),
            gxe.ExpectColumnValuesToBeInSet(column="quote_states_value", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="measure", value_set=["level", "yoy_change"]),
            gxe.ExpectColumnValuesToBeBetween(column="year", min_value=EARLIEST_YEAR, max_value=facts.today.year),
            # A share's level lies within 0–100; a change in % (下降2.7%) may be negative.
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, max_value=100,
                row_condition=(Column("unit") == "%") & (Column("measure") == "level"),
            ),
        ],
    )
