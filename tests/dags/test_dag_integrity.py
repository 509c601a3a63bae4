"""The nightly DAG parses cleanly, is scheduled as promised, and only wires library calls together."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _inspect(tmp_path: Path, body: str) -> str:
    """Load the DAG folder in a fresh interpreter (Airflow reads its config once per process)."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        # Any data access at import time would land here and be caught below.
        "CARBONPEAK_DATA_DIR": str(tmp_path / "data"),
    }
    script = textwrap.dedent(f"""
        import time
        from airflow.dag_processing.dagbag import DagBag
        started = time.monotonic()
        bag = DagBag(dag_folder={str(REPO / "dags")!r})
        parse_seconds = time.monotonic() - started
        assert not bag.import_errors, bag.import_errors
        dag = bag.dags["carbonpeak_nightly"]
    """) + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (tmp_path / "data").exists(), "parsing the DAG touched the data directory"
    return proc.stdout


def test_dag_schedule_and_structure(tmp_path: Path) -> None:
    out = _inspect(tmp_path, """
        print("tz", dag.timezone)
        print("cron", dag.timetable.expression)
        print("catchup", dag.catchup, "max_active_runs", dag.max_active_runs)
        tasks = {t.task_id: t for t in dag.tasks}
        print("tasks", sorted(tasks))
        print("mapped", type(tasks["scrape"]).__name__)
        print("extract_rule", tasks["extract"].trigger_rule.value)
        print("retries", sorted({t.retries for t in dag.tasks}))
        print("callbacks", all(t.on_failure_callback for t in dag.tasks))
        print("chain", sorted(tasks["publish"].upstream_task_ids), sorted(tasks["validate"].upstream_task_ids),
              sorted(tasks["build"].upstream_task_ids), sorted(tasks["extract"].upstream_task_ids),
              sorted(tasks["digest"].upstream_task_ids), sorted(tasks["freshness"].upstream_task_ids))
        print("report_after", sorted(tasks["report"].upstream_task_ids))
        print("changes", type(tasks["changes"]).__name__, sorted(tasks["changes"].upstream_task_ids),
              tasks["changes"].trigger_rule.value)
        print("freshness_rule", tasks["freshness"].trigger_rule.value)
        print("timeouts", all(t.execution_timeout is not None for t in dag.tasks))
        print("owners", sorted({t.owner for t in dag.tasks}))
        print("writer_pool", sorted(t.task_id for t in dag.tasks if t.pool == "duckdb_writer"))
        print("tags", sorted(dag.tags), "owner", dag.owner)
        print("parse_under_a_second", parse_seconds < 1.0)
    """)
    assert "tz Asia/Shanghai" in out
    assert "cron 0 2 * * *" in out
    assert "catchup False max_active_runs 1" in out
    assert ("tasks ['build', 'changes', 'digest', 'extract', 'freshness', 'list_sources', 'publish', 'report', "
            "'scrape', 'start_run', 'validate']") in out
    assert "mapped DecoratedMappedOperator" in out
    assert "extract_rule all_done" in out
    assert "retries [2]" in out  # validate fails fast on a failed expectation instead (AirflowFailException)
    assert "callbacks True" in out
    assert ("chain ['start_run', 'validate'] ['build', 'start_run'] ['extract', 'start_run'] ['changes', 'start_run'] "
            "['publish', 'start_run'] ['scrape', 'start_run']") in out
    # Nothing changed since the last publish: the short-circuit skips extract and everything after it.
    assert "changes _ShortCircuitDecoratedOperator ['scrape', 'start_run'] all_done" in out
    assert "report_after ['publish', 'start_run']" in out  # the report site reads what publish published
    assert "freshness_rule all_done" in out
    assert "timeouts True" in out
    assert "owners ['carbonpeak']" in out
    assert "writer_pool ['build', 'publish', 'validate']" in out
    assert "tags ['carbonpeak', 'nightly'] owner carbonpeak" in out
    assert "parse_under_a_second True" in out


def test_unpausing_starts_the_most_recent_nightly_run_at_once(tmp_path: Path) -> None:
    """What README says unpausing does: with catchup=False, Airflow 3's cron timetable (CronTriggerTimetable)
    offers the most recent 02:00 Asia/Shanghai that has passed, so the scheduler starts that run at once; the
    one after it is the next 02:00. (The deployment test watches a real scheduler do it.)"""
    out = _inspect(tmp_path, """
        import pendulum
        from airflow.serialization.serialized_objects import DagSerialization
        from airflow.timetables.base import TimeRestriction
        # The scheduler's view: the DAG as the dag-processor serialises it.
        dag = DagSerialization.from_dict(DagSerialization.to_dict(dag))
        print("timetable", type(dag.timetable).__name__)
        now = pendulum.now("UTC")
        restriction = TimeRestriction(earliest=dag.start_date, latest=None, catchup=dag.catchup)
        first = dag.timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
        after = dag.timetable.next_dagrun_info(last_automated_data_interval=first.data_interval,
                                               restriction=restriction)
        local, last = first.run_after.in_tz("Asia/Shanghai"), now.in_tz("Asia/Shanghai")
        print("due_now", first.run_after <= now, "at", local.format("HH:mm"), "within_a_day",
              (now - first.run_after).total_seconds() < 86400)
        print("next", after.run_after.in_tz("Asia/Shanghai").format("HH:mm"), after.run_after > now,
              (after.run_after - first.run_after).total_seconds())
    """)
    assert "timetable CronTriggerTimetable" in out
    assert "due_now True at 02:00 within_a_day True" in out
    assert "next 02:00 True 86400.0" in out
