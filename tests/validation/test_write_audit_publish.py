"""Write-audit-publish with real parts: the offline mirror, dbt, Great Expectations, an SMTP server.

One clean load is published first; then bad loads are injected into copies of its data. A bad load
must fail validation with the rule named, leave the published warehouse byte-identical, and (through
the pipeline) e-mail the failing expectation. A clean load e-mails a digest of exactly what is new.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from carbonpeak import pipeline, runlog
from carbonpeak_core.paths import REPO_ROOT
from carbonpeak_core.settings import Settings
from tests.city_sites import CITY_SITES
from tests.conftest import CityRuns

# Under pytest-xdist every module that reads the session's shared city runs goes to one worker, which
# builds them once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("city_runs")

CORPUS = REPO_ROOT / "mirror" / "corpus"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loaded(city_runs: CityRuns) -> CityRuns:
    """The session's published load of the two city sites (tests/conftest.py): its first run is the clean load
    whose digest is checked here, its second the run with nothing new. Destructive tests work on copies."""
    return city_runs


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- the digest -------------------------------------------------------------------------------------


def test_a_clean_load_sends_a_digest_of_exactly_the_new_documents_and_targets(loaded: CityRuns) -> None:
    [digest] = [m for m in loaded.first_messages if "failed" not in m["Subject"]]
    documents = query(loaded.settings.warehouse_path,
                      "select d.title, count(t.target_id) from dim_documents d "
                      "left join fct_targets t using (document_id, version_hash) group by all")
    targets = sum(int(n) for _, n in documents)  # type: ignore[call-overload]
    assert len(documents) == 3
    assert digest["Subject"] == f"[carbonpeak] 3 new documents, {targets} new targets"
    body = digest.get_content()
    assert body.count(" published 《") == 3 and "Changed documents" not in body
    for title, count in documents:
        assert f"《{title}》" in body
        assert f"{count} targets, {count} new" in body
    assert "嘉兴市发展和改革委员会 published 《嘉兴市发展和改革委员会关于印发" in body


def test_a_run_with_nothing_new_does_no_work_and_sends_no_digest(loaded: CityRuns) -> None:
    report = loaded.second  # the shared fixture's second run, over the same mirror and inbox
    assert report.ok and report.no_change and not report.published
    assert report.sources["jiaxing_fgw"]["unchanged"] == 2
    assert report.stages["changes"]["outcome"] == "no change"
    assert not {"extract", "build", "validate", "publish", "digest", "report"} & set(report.stages)
    assert loaded.messages_after_second == loaded.messages_before_second
    # The published file is the first run's, untouched; the run log says why nothing was built.
    assert sha256(loaded.settings.warehouse_path) == sha256(loaded.after_first.warehouse_path)
    steps = {e.name: e for e in runlog.events(loaded.settings) if e.run_id == report.run_id and e.kind == "stage"}
    assert set(steps) == {"freshness", "changes"}
    assert json.loads(str(steps["changes"].details))["outcome"] == "no change"
    assert "no change since the publish of run " + loaded.first.run_id in str(steps["changes"].details)


def test_a_revised_page_is_reported_as_a_changed_document(loaded: CityRuns, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    before = len(loaded.inbox.messages)
    text = (CORPUS / "000_c024b4ef5c96c6e7.txt").read_text(encoding="utf-8")
    sentence = "单位GDP能耗较2020年降低16%，"
    assert text.count(sentence) == 1
    loaded.mirror.replace_text("000_c024b4ef5c96c6e7.txt", text.replace(sentence, ""))
    try:  # a silent edit: the run that rechecks known pages (CARBONPEAK_RECHECK_DAYS) finds it
        report = pipeline.run_all(settings.with_(recheck_days=0), sources=CITY_SITES)
    finally:
        loaded.mirror.reset()
    assert report.ok, report.summary()
    [digest] = loaded.inbox.wait_for(before + 1)[before:]
    assert digest["Subject"] == "[carbonpeak] 0 new documents, 1 changed, 0 new targets, 1 withdrawn"
    body = digest.get_content()
    assert "revised (version 2) 《嘉兴市碳达峰碳中和工作领导小组办公室关于印发" in body
    assert "0 new, 1 withdrawn" in body
    versions = query(settings.warehouse_path,
                     "select version_number, is_current from dim_documents where document_id = 'jiaxing_fgw:59023456' "
                     "order by version_number")
    assert versions == [(1, False), (2, True)]


# --- bad loads ----------------------------------------------------------------------------------------


# Five bad loads, one changed copy of the build file: each change below is the one a test used to make in
# the landing files before a dbt rebuild (nine minutes for five rebuilds). Great Expectations reads the build
# file's marts, so changing the marts themselves hands it the same bad rows; one real `pipeline.validate`
# of the copy must then fail with every rule named, and leave the published warehouse byte-identical.
GDP_CUT = "(select min(target_id) from fct_targets where indicator = '单位GDP能耗' and value = 16)"
BAD_ROWS = {
    # a quote shifted by one character: no longer found verbatim at its offsets
    "quote": "update fct_targets set quote_start = quote_start + 1, quote_end = quote_end + 1 "
             "where target_id = (select min(target_id) from fct_targets where indicator = '光伏装机' and value = 470)",
    # a baseline year not before the target year
    "baseline": f"update fct_targets set baseline_year = 2025 where target_id = {GDP_CUT}",
    # a share above 100 percent
    "share": "update fct_targets set value = 120.0, value_canonical = 120.0 "
             "where target_id = (select min(target_id) from fct_targets where unit = '%' and direction = 'reach')",
    # an energy-intensity cut restated as a capacity: no plan measures 单位GDP能耗 in MW
    "unit": f"update fct_targets set unit = '万千瓦', unit_canonical = 'MW', value_canonical = 160.0 "
            f"where target_id = {GDP_CUT}",
    # a publish date in the future
    "future": "update dim_documents set publish_date = date '2099-07-16' where document_id = "
              "(select min(document_id) from dim_documents where source_key = 'jiaxing_fgw')",
}


@pytest.fixture(scope="module")
def bad_build(loaded: CityRuns, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """A copy of the clean load whose build file has the BAD_ROWS changes made and failed validation, with the
    failure details."""
    settings = loaded.copy(tmp_path_factory.mktemp("bad-load"))
    with duckdb.connect(str(settings.build_path)) as con:
        for change in BAD_ROWS.values():
            assert con.execute(change).fetchone() == (1,), change  # exactly one row changed
    published = sha256(settings.warehouse_path)
    with pytest.raises(pipeline.StageError) as failure:
        pipeline.validate(settings)
    assert sha256(settings.warehouse_path) == published
    return settings, failure.value.details


@pytest.fixture(scope="module")
def bad_load(bad_build: tuple[Settings, str]) -> str:
    """The failure details of validating a copy of the clean build file with the BAD_ROWS changes made."""
    return bad_build[1]


def test_publish_after_a_failed_validation_exits_non_zero_and_publishes_nothing(
        bad_build: tuple[Settings, str]) -> None:
    settings, _ = bad_build
    published = sha256(settings.warehouse_path)
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(settings.data_dir),
           "CARBONPEAK_WAREHOUSE": str(settings.warehouse_path)}
    proc = subprocess.run([sys.executable, "-m", "carbonpeak", "publish"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "has not passed validation" in proc.stderr
    assert sha256(settings.warehouse_path) == published
    assert not list(settings.warehouse_path.parent.glob(".*.tmp"))


def test_a_quote_that_is_not_in_its_document_fails(bad_load: str) -> None:
    assert "expect_column_values_to_be_in_set on column quote_found_verbatim" in bad_load


def test_a_baseline_year_not_before_the_target_year_fails(bad_load: str) -> None:
    assert "expect_column_pair_values_a_to_be_greater_than_b" in bad_load and "baseline_year" in bad_load


def test_a_share_above_100_percent_fails(bad_load: str) -> None:
    assert "expect_column_values_to_be_between on column value" in bad_load and "120" in bad_load


def test_a_unit_of_the_wrong_dimension_for_its_indicator_fails(bad_load: str) -> None:
    assert "unit_fits_indicator" in bad_load


def test_a_publish_date_in_the_future_fails(bad_load: str) -> None:
    assert "days_since_published" in bad_load


def test_half_the_documents_missing_blocks_publish_and_alerts(loaded: CityRuns, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    published = sha256(settings.warehouse_path)
    before = len(loaded.inbox.messages)
    shutil.rmtree(settings.landing_dir / "documents" / "jiaxing_fgw")  # 2 of the 3 documents vanish

    report = pipeline.run_all(settings, sources=[])

    assert report.failed_stage == "validate" and not report.published
    assert sha256(settings.warehouse_path) == published
    assert query(settings.warehouse_path, "select count(*) from dim_documents") == [(3,)]
    [alert] = loaded.inbox.wait_for(before + 1)[before:]
    assert alert["Subject"] == "[carbonpeak] validate failed"
    body = alert.get_content()
    assert "dim_documents: expect_table_row_count_to_be_between failed (observed 1;" in body
    assert '"min_value": 3' in body
    assert "Data Docs:" in body and "index.html" in body
    assert json.dumps(report.stages, default=str)  # the report stays serialisable for the DAG's XCom
