"""Run the nightly DAG once on this machine: a local AIRFLOW_HOME with SQLite metadata, `airflow dags test`.

This is what `make run` does. Production runs the same DAG under the scheduler (docker-compose.yml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from carbonpeak_core import paths

DAG_ID = "carbonpeak_nightly"


def local_airflow_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a throwaway local Airflow: repo dags, no examples, SQLite under AIRFLOW_HOME."""
    env = dict(os.environ if base is None else base)
    home = Path(env.get("AIRFLOW_HOME") or paths.AIRFLOW_HOME)
    home.mkdir(parents=True, exist_ok=True)
    env["AIRFLOW_HOME"] = str(home)
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(paths.DAGS))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    env.setdefault("AIRFLOW__API__HOST", "127.0.0.1")
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # Task logs go to AIRFLOW_HOME; keep the API's JWT secret long enough to silence the key warning.
    env.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "carbonpeak-local-dag-test-" + "0" * 48)
    return env


def dag_test(base_urls: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None,
             rate_limit: float | None = None) -> int:
    """`airflow db migrate` then `airflow dags test carbonpeak_nightly`; returns the exit code."""
    run_env = local_airflow_env(env)
    if rate_limit is not None:
        run_env["CARBONPEAK_RATE_LIMIT"] = str(rate_limit)
    if base_urls:
        merged = json.loads(run_env.get("CARBONPEAK_BASE_URLS") or "{}") | dict(base_urls)
        run_env["CARBONPEAK_BASE_URLS"] = json.dumps(merged)
    airflow = str(Path(sys.executable).with_name("airflow"))
    migrate = subprocess.run([airflow, "db", "migrate"], env=run_env, capture_output=True, text=True)
    if migrate.returncode != 0:
        sys.stderr.write(migrate.stdout[-4000:] + migrate.stderr[-4000:])
        return migrate.returncode
    pool = subprocess.run([airflow, "pools", "set", "duckdb_writer", "1", "one writer per DuckDB file"],
                          env=run_env, capture_output=True, text=True)
    if pool.returncode != 0:
        sys.stderr.write(pool.stdout[-4000:] + pool.stderr[-4000:])
        return pool.returncode
    return subprocess.run([airflow, "dags", "test", DAG_ID], env=run_env).returncode
