"""Where things live in a checkout: the one place paths are spelled. Data paths that an operator moves
(data, warehouse, source registry) are settings (`settings.Settings`); these are their defaults."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO_ROOT / "dbt_project"
SEEDS = DBT_PROJECT / "seeds"
REGIONS_CSV = SEEDS / "gbt2260_regions.csv"  # GB/T 2260 divisions: the extractor, the compilation and dbt
DAGS = REPO_ROOT / "dags"
QUERIES = REPO_ROOT / "warehouse" / "queries"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "carbonpeak.duckdb"
DEFAULT_SOURCES = REPO_ROOT / "scrapers" / "sources.toml"
AIRFLOW_HOME = REPO_ROOT / ".airflow"  # `make run`'s local Airflow
# Development material beside the checkout (benchmarks and scoring only; the product never reads it).
SHARED = REPO_ROOT.parent / "shared"
