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
    "fct_indicator_observations": "expectations.suites.fct_indicator_observations",
    "fct_target_progress": "expectations.suites.fct_target_progress",
    "fct_target_consistency": "expectations.suites.fct_target_consistency",
    "fct_target_versions": "expectations.suites.fct_target_versions",
}

# Marts deliberately without a suite, with the reason.
OPT_OUT: dict[str, str] = {
    "dim_regions": "a static GB/T 2260 lookup built from a seed; dbt's unique/not_null/accepted_values cover it",
    "targets_current": "a view that filters fct_targets to current versions; fct_targets' suite covers its rows",
    # Operations data describes the pipeline itself; a failed or killed run must still show up in it,
    # so its content is not a reason to refuse a load. dbt's keys and accepted values guard its shape.
    "fct_source_runs": "the run log records failures by design; dbt tests guard its keys and statuses",
    "fct_pipeline_runs": "one row per run from the run log; dbt tests guard its key",
    "dim_sources": "freshness is alerted by the freshness stage, not by refusing the load; dbt guards its key",
}


def suite_module(model: str) -> ModuleType:
    return importlib.import_module(SUITES[model])
