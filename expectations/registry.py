"""Which suite validates which dbt mart. Cheap to import: suites (and GX) load only when asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# dbt mart name -> module under expectations.suites exposing build_suite().
SUITES: dict[str, str] = {
    "fct_targets": "expectations.suites.fct_targets",
    "dim_documents": "expectations.suites.dim_documents",
}

# Marts deliberately without a suite, with the reason.
OPT_OUT: dict[str, str] = {
    "dim_regions": "a static GB/T 2260 lookup built from a seed; dbt's unique/not_null/accepted_values cover it",
}


def suite_builder(model: str) -> Callable[[], Any]:
    return importlib.import_module(SUITES[model]).build_suite  # type: ignore[no-any-return]
