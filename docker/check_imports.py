"""Fail an image build (or a deployment) that lacks a module some component needs at run time.

Each entry names a module and who needs it. The Airflow metadata database is Postgres: Airflow 3 opens a
sync engine (psycopg2) and an async one (asyncpg, the URL's driver swapped), so both dialects are loaded
here, without connecting. Run by docker/Dockerfile and by `make deploy-test` before anything starts;
exits 1 naming every missing module and what to do.
"""

from __future__ import annotations

import importlib
import sys

# module -> who needs it (and what to add to requirements.in when it is missing)
NEEDED: dict[str, str] = {
    # Libraries first: imported after Airflow has set up its logging, GX prints ~200 INFO lines.
    "great_expectations": "the validate stage (great-expectations)",
    "dbt.adapters.duckdb": "the build stage (dbt-duckdb)",
    "duckdb": "the warehouse (duckdb)",
    "pypdfium2": "the PDF text layer (pypdfium2)",
    "psycopg2": "Airflow's sync engine on Postgres (psycopg2-binary)",
    "asyncpg": "Airflow 3's async engine on Postgres: every `airflow` command fails without it (asyncpg)",
    "redis": "the Celery broker client for Redis (redis)",
    "airflow.sdk": "the DAG's task SDK (apache-airflow)",
    "airflow.providers.smtp.hooks.smtp": "Airflow's SMTP provider (apache-airflow-providers-smtp)",
    # celery 5.7.0 broke this import (celery.backends.database.retry is gone): requirements.in pins 5.6.3.
    "airflow.providers.celery.executors.celery_executor": "CeleryExecutor (apache-airflow-providers-celery)",
    "carbonpeak.pipeline": "the DAG's tasks (the project itself: pip install -e .)",
}


def missing_modules() -> dict[str, str]:
    """Each module that does not import, with the error it gave."""
    failed: dict[str, str] = {}
    for module in NEEDED:
        try:
            importlib.import_module(module)
        except Exception as exc:  # an ImportError, or a module that breaks while loading
            failed[module] = f"{type(exc).__name__}: {exc}"
    if "asyncpg" not in failed and "psycopg2" not in failed:
        from sqlalchemy import create_engine
        from sqlalchemy.ext.asyncio import create_async_engine

        # Loads both dialects the way Airflow does for a postgresql:// SQL_ALCHEMY_CONN; nothing is connected.
        for name, make in (("postgresql+psycopg2", create_engine), ("postgresql+asyncpg", create_async_engine)):
            try:
                make(f"{name}://check@127.0.0.1/check")
            except Exception as exc:
                failed[f"sqlalchemy dialect {name}"] = f"{type(exc).__name__}: {exc}"
    return failed


def main() -> int:
    failed = missing_modules()
    for module, error in failed.items():
        who = NEEDED.get(module, "Airflow on Postgres")
        print(f"check_imports: {module} does not import ({error}); needed by {who}: add it to requirements.in, "
              "recompile requirements.lock and rebuild", file=sys.stderr)
    if not failed:
        print(f"check_imports: all {len(NEEDED)} modules import")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
