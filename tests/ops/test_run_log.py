"""The run log reaches the warehouse, and the freshness check e-mails about sources gone quiet."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from carbonpeak import pipeline, runlog
from carbonpeak_core.settings import Settings
from mirror import Mirror
from tests.city_sites import CITY_SITES
from tests.conftest import CityRuns
from tests.smtp import Inbox

# Under pytest-xdist every module that reads the session's shared city runs goes to one worker, which
# builds them once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("city_runs")


@pytest.fixture(scope="module")
def two_runs(city_runs: CityRuns) -> tuple[Settings, Mirror, Inbox, list[str]]:
    """Two nightly runs against the mirror: the first finds everything, the second nothing new. They are the
    session's shared city runs (tests/conftest.py), which the write-audit-publish tests read too."""
    return city_runs.settings, city_runs.mirror, city_runs.inbox, [city_runs.first.run_id, city_runs.second.run_id]


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_source_and_stage_of_a_run_is_logged(two_runs: tuple[Settings, Mirror, Inbox, list[str]]) -> None:
    settings, _, _, (first, second) = two_runs
    events = {(e.run_id, e.kind, e.name): e for e in runlog.events(settings)}
    for stage in ("freshness", "extract", "build", "validate", "publish", "digest"):
        assert events[(first, "stage", stage)].status == "success"
    jiaxing = events[(first, "source", "jiaxing_fgw")]
    assert (jiaxing.status, jiaxing.listed, jiaxing.new, jiaxing.failed) == ("success", 2, 2, 0)
    assert jiaxing.requests == 6 and jiaxing.bytes and jiaxing.seconds is not None
    again = events[(second, "source", "jiaxing_fgw")]
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    # The list shows both articles unchanged, so no detail page is requested: list pages only.
    assert again.requests is not None and again.requests < jiaxing.requests
    assert again.bytes is not None and again.bytes < jiaxing.bytes


def test_the_run_log_is_queryable_in_the_warehouse(two_runs: tuple[Settings, Mirror, Inbox, list[str]]) -> None:
    settings, _, _, (first, _) = two_runs
    # The second run found nothing new, so it built nothing: the warehouse is the first run's load, and the
    # build file that was published with it holds the run log as that build saw it (its own build running).
    runs = rows(settings.warehouse_path,
                "select run_id, sources_scraped, sources_failed, documents_new, build_status, publish_status "
                "from fct_pipeline_runs order by run_id")
    assert runs == [(first, 2, 0, 3, "running", None)]
    sources = rows(settings.warehouse_path,
                   "select source_key, runs, last_status, failed_runs from dim_sources order by source_key")
    assert sources == [("haining_gov", 1, "success", 0), ("jiaxing_fgw", 1, "success", 0)]
    # The next load carries both (test_reparse_rebuild_and_release_from_the_command_line).


def test_a_failed_scrape_is_logged_with_its_error(two_runs: tuple[Settings, Mirror, Inbox, list[str]],
                                                   tmp_path: Path) -> None:
    settings, mirror, _, _ = two_runs
    mirror.fail("www.haining.gov.cn", "/hdjl/yjzj/index.html", status=503)
    try:
        with pytest.raises(Exception, match="haining_gov"):
            pipeline.scrape("haining_gov", settings.with_(data_dir=tmp_path), "20991231T000000Z-test00")
    finally:
        mirror.reset()
    [event] = runlog.events(settings.with_(data_dir=tmp_path))
    assert (event.kind, event.name, event.status) == ("source", "haining_gov", "failed")
    assert event.error is not None and "503" in event.error and "/hdjl/yjzj/index.html" in event.error


def test_stale_sources_follow_the_window(two_runs: tuple[Settings, Mirror, Inbox, list[str]]) -> None:
    settings, *_ = two_runs
    now = datetime.now(UTC)
    assert runlog.stale_sources(settings, ["jiaxing_fgw", "haining_gov"], days=14, now=now) == []
    later = runlog.stale_sources(settings, ["jiaxing_fgw", "haining_gov"], days=14, now=now + timedelta(days=15))
    assert [s.source_key for s in later] == ["jiaxing_fgw", "haining_gov"]
    assert all(s.last_new_at is not None and s.days >= 15 for s in later)
    # A source never scraped is not judged.
    assert runlog.stale_sources(settings, ["new_site"], days=14, now=now + timedelta(days=15)) == []


def test_the_freshness_stage_emails_about_a_source_gone_quiet(two_runs: tuple[Settings, Mirror, Inbox, list[str]]
                                                              ) -> None:
    settings, _, inbox, _ = two_runs
    before = len(inbox.messages)
    time.sleep(1.0)
    # A window of about a third of a second: both sources last brought something at the first run.
    result = pipeline.freshness(settings.with_(freshness_days=0.3 / 86400))
    assert result["alert_sent"] is True
    assert [s["source_key"] for s in result["stale_sources"]] == ["haining_gov", "jiaxing_fgw"]
    [alert] = inbox.wait_for(before + 1)[before:]
    assert alert["Subject"].startswith("[carbonpeak] 2 sources produced nothing for")
    body = alert.get_content()
    assert "jiaxing_fgw: last new document 20" in body and "haining_gov:" in body


def test_reparse_rebuild_and_release_from_the_command_line(two_runs: tuple[Settings, Mirror, Inbox, list[str]],
                                                          tmp_path: Path) -> None:
    """The operator's backfill path, as a person would type it: no request is made, the warehouse is
    rebuilt from landing data alone, and a release folder appears."""
    settings, mirror, _, _ = two_runs
    shutil.copytree(settings.data_dir, tmp_path / "data")
    (tmp_path / "warehouse").mkdir()
    shutil.copy2(settings.warehouse_path, tmp_path / "warehouse" / "carbonpeak.duckdb")
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(tmp_path / "data"),
           "CARBONPEAK_WAREHOUSE": str(tmp_path / "warehouse" / "carbonpeak.duckdb")}
    requests_before = len(mirror.requests())
    carbonpeak = [sys.executable, "-m", "carbonpeak"]

    reparse = subprocess.run([*carbonpeak, "reparse", *CITY_SITES], env=env, capture_output=True, text=True,
                             timeout=120)
    assert reparse.returncode == 0, reparse.stderr
    assert reparse.stdout.count('"changed_versions": 0') == 2
    rebuild = subprocess.run([*carbonpeak, "rebuild"], env=env, capture_output=True, text=True, timeout=300)
    assert rebuild.returncode == 0, rebuild.stderr[-3000:]
    assert len(mirror.requests()) == requests_before  # nothing was fetched
    release = subprocess.run([*carbonpeak, "release"], env=env, capture_output=True, text=True, timeout=120)
    assert release.returncode == 0, release.stderr
    folder = Path(release.stdout.strip())
    assert folder.name.startswith("carbonpeak-") and (folder / "metadata.json").exists()
    assert rows(tmp_path / "warehouse" / "carbonpeak.duckdb", "select count(*) from dim_documents") == [(3,)]
    # The rebuilt load carries the run log up to it: the first run's validation and publish outcome, and the
    # second run, which found nothing new and so built nothing.
    runs = rows(tmp_path / "warehouse" / "carbonpeak.duckdb",
                "select run_id, sources_scraped, documents_new, validation_status, publish_status "
                "from fct_pipeline_runs order by run_id")
    first, second = two_runs[3]
    assert runs[:2] == [(first, 2, 3, "success", "success"), (second, 2, 0, None, None)]
