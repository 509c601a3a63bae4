"""Run the nightly DAG once on this machine: a local AIRFLOW_HOME with SQLite metadata, `airflow dags test`.

This is what `make run` does. Production runs the same DAG under the scheduler (docker-compose.yml).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from carbonpeak import console
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
             rate_limit: float | None = None, *, log_file: Path | None = None,
             on_event: Callable[[dict[str, Any]], None] | None = None, events_dir: Path | None = None) -> int:
    """`airflow db migrate` then `airflow dags test carbonpeak_nightly`; returns the exit code. With `log_file`,
    Airflow's output is appended there instead of the console; with `on_event`, every event the DAG's tasks append
    to an events file in `events_dir` (carbonpeak.console) is handed to it while the DAG runs."""
    run_env = local_airflow_env(env)
    if rate_limit is not None:
        run_env["CARBONPEAK_RATE_LIMIT"] = str(rate_limit)
    if base_urls:
        merged = json.loads(run_env.get("CARBONPEAK_BASE_URLS") or "{}") | dict(base_urls)
        run_env["CARBONPEAK_BASE_URLS"] = json.dumps(merged)
    airflow = str(Path(sys.executable).with_name("airflow"))
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(log_file.open("a", encoding="utf-8")) if log_file else None

        def setup(command: list[str]) -> int:
            done = subprocess.run(command, env=run_env, capture_output=True, text=True)
            if log:
                log.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}")
                log.flush()
            if done.returncode != 0:
                sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            return done.returncode

        if code := setup([airflow, "db", "migrate"]):
            return code
        if code := setup([airflow, "pools", "set", "duckdb_writer", "1", "one writer per DuckDB file"]):
            return code
        if on_event and events_dir:
            stop = threading.Event()
            watcher = threading.Thread(target=console.tail_events, args=(events_dir, on_event, stop), daemon=True)
            watcher.start()
            stack.callback(watcher.join)
            stack.callback(stop.set)
        if log:
            log.write(f"$ airflow dags test {DAG_ID}\n")
            log.flush()
        return subprocess.run([airflow, "dags", "test", DAG_ID], env=run_env, stdout=log,
                              stderr=subprocess.STDOUT if log else None).returncode
