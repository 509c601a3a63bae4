"""Content rules for dim_documents: every published document is traceable, dated sanely, placed."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.load import LoadFacts

# Rows of documents with a text layer; a scanned file (needs_ocr) has no text to hold.
READABLE = Column("needs_ocr") == False  # noqa: E712 (builds a GX condition, not a comparison)

MODEL = "dim_documents"

QUERY = """
select *, date_diff('day', publish_date, current_date) as days_since_published
from dim_documents
"""


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["document_id", "version_hash"]),
            gxe.ExpectColumnValuesToNotBeNull(column="url"),
            gxe.ExpectColumnValuesToMatchRegex(column="url", regex=r"^https?://"),
            gxe.ExpectColumnValuesToNotBeNull(column="title"),
            # Text, unless the document is a scanned file (needs_ocr): then there is none to read.
            gxe.ExpectColumnValueLengthsToBeBetween(column="body_text", min_value=1, row_condition=READABLE),
            # Every document, current or superseded, knows its jurisdiction.
            gxe.ExpectColumnValuesToNotBeNull(column="region_code"),
            # Publication dates are never in the future (a parsed 2204 for 2024 would be).
            gxe.ExpectColumnValuesToBeBetween(column="days_since_published", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="version_number", min_value=1),
        ],
    )
