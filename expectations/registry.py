"""Which suite validates which dbt model. Cheap to import: suites (and GX) load only when asked for."""

from __future__ import annotations

import importlib
from types import ModuleType

# dbt model name -> module under expectations.suites (MODEL, QUERY, build_suite(facts)).
SUITES: dict[str, str] = {
    "stg_landing__documents": "expectations.suites.stg_landing__documents",
    "dim_documents": "expectations.suites.dim_documents",
    "dim_indicators": "expectations.suites.dim_indicators",
    "fct_targets": "expectations.suites.fct_targets",
}

# Marts deliberately without a suite, with the reason.
OPT_OUT: dict[str, str] = {
    "dim_regions": "a static GB/T 2260 lookup built from a seed; dbt's unique/not_null/accepted_values cover it",
}


def suite_module(model: str) -> ModuleType:
    return importlib.import_module(SUITES[model])
