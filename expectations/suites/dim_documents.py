"""Content rules for dim_documents: every published document is traceable to its source."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe


def build_suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name="dim_documents",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["document_id", "version_hash"]),
            gxe.ExpectColumnValuesToNotBeNull(column="url"),
            gxe.ExpectColumnValuesToMatchRegex(column="url", regex=r"^https?://"),
            gxe.ExpectColumnValuesToNotBeNull(column="title"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="body_text", min_value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="region_code"),
        ],
    )
