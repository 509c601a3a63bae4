"""carbonpeak_nightly: scrape every registered source, extract targets, build, validate, publish.

Nightly at 02:00 Asia/Shanghai. One mapped scrape task per source: a broken source fails its own task
(and sends an e-mail naming source and URL) while the others carry on; a freshness check e-mails when
a source has brought nothing new for CARBONPEAK_FRESHNESS_DAYS days. dbt builds a separate file,
Great Expectations validates it, and only a passing build is published. Any failed task e-mails;
a publish that brings new or changed documents or targets e-mails a digest of them, and every publish
rewrites the report site (warehouse/report/) from the published warehouse.

This file only wires library calls together (carbonpeak.pipeline); it does no I/O at import time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import TriggerRule, dag, task

from carbonpeak.notify import airflow_failure_callback

WRITER_POOL = "duckdb_writer"  # created with one slot by `airflow pools set` (docker/entrypoint.sh, make run)


def _settings() -> Any:
    from carbonpeak_core.settings import Settings

    return Settings.from_env()


@dag(
    dag_id="carbonpeak_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["carbonpeak", "nightly"],
    default_args={
        "owner": "carbonpeak",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=2),
        "on_failure_callback": airflow_failure_callback,
    },
)
def carbonpeak_nightly() -> None:
    @task
    def start_run() -> str:
        from carbonpeak import pipeline

        return pipeline.start_run(_settings())  # marks runs killed earlier abandoned, removes their debris

    @task
    def list_sources() -> list[str]:
        from carbonpeak import pipeline

        return pipeline.list_sources(_settings())

    # The UI (and alerts) name each mapped scrape by its source key instead of 0..N; rendered before the
    # task runs, so a running or failed scrape is named too.
    @task(max_active_tis_per_dag=4, map_index_template="{{ task.op_kwargs['source_key'] }}")
    def scrape(source_key: str, pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.scrape(source_key, _settings(), pipeline_run_id)

    # Runs when every scrape has finished, successful or not: one broken site must not hold back the rest.
    @task(trigger_rule=TriggerRule.ALL_DONE)
    def extract(pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.extract(_settings(), run_id=pipeline_run_id)

    # Nothing landed and no code changed since the last publish: extract, build, validate, publish, digest and
    # report are skipped (the run log says "no change").
    @task.short_circuit(trigger_rule=TriggerRule.ALL_DONE)
    def changes(pipeline_run_id: str) -> bool:
        from carbonpeak import pipeline

        return bool(pipeline.detect_changes(_settings(), run_id=pipeline_run_id)["changed"])

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def freshness(pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.freshness(_settings(), run_id=pipeline_run_id)

    # One writer per DuckDB file: build, validate and publish share a one-slot pool.
    @task(pool=WRITER_POOL)
    def build(pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.build(_settings(), run_id=pipeline_run_id)

    @task(pool=WRITER_POOL)
    def validate(pipeline_run_id: str) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from carbonpeak import pipeline

        try:
            return pipeline.validate(_settings(), run_id=pipeline_run_id)
        except pipeline.StageError as exc:
            # A failed expectation is a fact about the data: retrying would re-check the same file.
            raise AirflowFailException(f"{exc}\n{exc.details}") from exc

    @task(pool=WRITER_POOL)
    def publish(pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.publish(_settings(), run_id=pipeline_run_id)

    # The digest e-mail: new and changed documents and targets, only when something changed.
    @task
    def digest(published: dict[str, Any], pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.digest(_settings(), published["changes"], run_id=pipeline_run_id)

    # The static report site (warehouse/report/) of what was just published; it only reads the warehouse.
    @task
    def report(pipeline_run_id: str) -> dict[str, Any]:
        from carbonpeak import pipeline

        return pipeline.report_site(_settings(), run_id=pipeline_run_id)

    pipeline_run_id = start_run()
    scraped = scrape.partial(pipeline_run_id=pipeline_run_id).expand(source_key=list_sources())
    extracted, checked, changed = extract(pipeline_run_id), freshness(pipeline_run_id), changes(pipeline_run_id)
    scraped >> [changed, checked]
    changed >> extracted
    built = build(pipeline_run_id)
    validated = validate(pipeline_run_id)
    published = publish(pipeline_run_id)
    extracted >> built >> validated >> published
    digest(published, pipeline_run_id)
    published >> report(pipeline_run_id)


carbonpeak_nightly()
