"""Rules over the landing data itself (as dbt's staging view reads it): what the scrapers wrote is whole."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.load import LoadFacts

# Rows of documents with a text layer; a scanned file (needs_ocr) has no text to hold.
READABLE = Column("needs_ocr") == False  # noqa: E712 (builds a GX condition, not a comparison)

MODEL = "stg_landing__documents"
QUERY = "select * from staging.stg_landing__documents"  # staging models have their own schema


def build_suite(facts: LoadFacts) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=MODEL,
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=facts.min_rows(MODEL)),
            gxe.ExpectColumnValuesToMatchRegex(column="document_id", regex=r"^[a-z0-9_]+:\S+$"),
            gxe.ExpectColumnValuesToMatchRegex(column="version_hash", regex=r"^[0-9a-f]{64}$"),
            gxe.ExpectColumnValuesToMatchRegex(column="content_hash", regex=r"^[0-9a-f]{64}$"),
            gxe.ExpectColumnValuesToNotBeNull(column="fetched_at"),
            gxe.ExpectColumnValuesToNotBeNull(column="raw_path"),
            gxe.ExpectColumnValuesToMatchRegex(column="url", regex=r"^https?://"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="title", min_value=1),
            # Only a document that is a scanned file (no text layer, flagged needs_ocr) may have no text.
            gxe.ExpectColumnValueLengthsToBeBetween(column="body_text", min_value=1, row_condition=READABLE),
            gxe.ExpectColumnValuesToNotBeNull(column="needs_ocr"),
        ],
    )
