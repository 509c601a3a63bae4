"""What `carbonpeak run` tells people (carbonpeak/console.py): a line per source and per stage, dbt's progress, a
summary whose figures are the warehouse's, an injected source error on the console with its message — and
everything else in the log file, not on the console. The command runs for real, in a subprocess, on a copy of the
session's shared city load, against the session's mirror with 海宁's list page failing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from carbonpeak import warehouse
from tests.city_sites import CITY_SITES
from tests.conftest import CityRuns

pytestmark = pytest.mark.xdist_group("city_runs")

TRS, LIST = "www.haining.gov.cn", "/hdjl/yjzj/index.html"


def test_run_prints_a_line_per_step_and_a_summary_and_logs_the_rest(city_runs: CityRuns, tmp_path: Path) -> None:
    settings = city_runs.copy(tmp_path)
    # As on a night after the landing data changed: without the record of what the last publish was built
    # from, the run builds, validates and publishes (the no-change night has its own tests).
    warehouse.publish_record_path(settings).unlink()
    mirror, inbox = city_runs.mirror, city_runs.inbox
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(settings.data_dir),
           "CARBONPEAK_WAREHOUSE": str(settings.warehouse_path),
           "CARBONPEAK_BASE_URLS": json.dumps(mirror.base_urls), "CARBONPEAK_RATE_LIMIT": "0",
           "CARBONPEAK_TIMEOUT": "5", "CARBONPEAK_MAX_RETRIES": "1",
           "CARBONPEAK_SMTP_HOST": inbox.host, "CARBONPEAK_SMTP_PORT": str(inbox.port),
           "CARBONPEAK_MAIL_TO": "analysts@example.org"}
    mails_before = len(inbox.messages)
    mirror.fail(TRS, LIST, 500)
    try:
        proc = subprocess.run([sys.executable, "-m", "carbonpeak", "run", *CITY_SITES], env=env, capture_output=True,
                              text=True, timeout=900)
    finally:
        mirror.reset()
    out = proc.stdout
    lines = out.splitlines()
    assert proc.returncode == 1, out + proc.stderr[-3000:]  # a source failed; the rest was published
    assert len(lines) <= 60, out
    assert "Traceback" not in out + proc.stderr

    # A line per source and per stage, as each finishes; dbt's progress while it builds.
    assert re.search(r"^scrape +jiaxing_fgw +0 new, 0 changed, 2 unchanged", out, re.M), out
    for stage in ("freshness", "extract", "build", "validate", "publish", "report", "digest"):
        assert re.search(rf"^{stage} ", out, re.M), f"no line for {stage}:\n{out}"
    assert re.search(r"^changes +nothing published yet · ", out, re.M), out  # why it builds, in words
    progress = re.findall(r"^build +dbt: (\d+)/(\d+) nodes done", out, re.M)
    assert len(progress) >= 2 and progress[-1][0] == progress[-1][1], out

    # The injected error: on the source's line as it happens, and in the summary, with its message and URL.
    failed = [line for line in lines if "haining_gov" in line and "FAILED" in line]
    assert len(failed) == 2, out
    assert all("HTTP 500" in line and mirror.base_urls[TRS] + LIST in line for line in failed), failed

    # The summary's figures are the published warehouse's.
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        targets, versions = con.execute(
            "select (select count(*) from fct_targets), (select count(*) from dim_documents)").fetchone()  # type: ignore[misc]
    assert "Run " in out and "published, 1 source(s) failed" in out
    assert re.search(rf"^  targets +{targets:,} in {versions:,} document versions$", out, re.M), out
    assert re.search(r"^  published +0 new and 0 changed documents; 0 new targets, 0 withdrawn$", out, re.M), out
    assert f"  warehouse   {settings.warehouse_path}\n" in out
    docs = re.search(r"^  Data Docs +(\S+)$", out, re.M)
    assert docs and Path(docs.group(1)).is_file() and Path(docs.group(1)).is_relative_to(settings.data_dir)
    report = re.search(r"^  report +(\S+)$", out, re.M)
    assert report and Path(report.group(1)).is_file()
    # One e-mail went out (the alert about 海宁), and the summary says so.
    alerts = inbox.wait_for(mails_before + 1)[mails_before:]
    assert [m["Subject"] for m in alerts] == ["[carbonpeak] scrape failed [haining_gov]"]
    assert re.search(r"^  e-mail +1 sent \(\[carbonpeak\] scrape failed \[haining_gov\]\)$", out, re.M), out

    # Everything else is in the log file the summary names (under the data dir), none of it on the console.
    logged = re.search(r"^  full log +(\S+)", out, re.M)
    assert logged, out
    log_file = Path(logged.group(1))
    assert log_file.parent == settings.data_dir / "logs"
    text = log_file.read_text(encoding="utf-8")
    assert " DEBUG " in text and "dbt build output" in text and "source haining_gov failed" in text
    assert "Traceback" in text  # the failure's traceback is kept for whoever debugs it
    for noise in ("dbt build output", "Skipping registering", "config_provider", "Traceback", " INFO "):
        assert noise not in out + proc.stderr
