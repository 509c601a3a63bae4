"""The nightly digest of a real published load: it names the pipeline run, and a mail server that refuses
it is reported in the log and the run log without failing the run (the warehouse is already published)."""

from __future__ import annotations

import json
import logging

import pytest

from carbonpeak import pipeline, runlog
from carbonpeak_core.settings import Settings, SmtpSettings
from tests.conftest import CityRuns
from tests.smtp import smtp_inbox

pytestmark = pytest.mark.xdist_group("city_runs")


def test_the_digest_names_the_pipeline_run_and_carries_date_and_message_id(city_runs: CityRuns) -> None:
    [digest] = city_runs.first_messages
    assert digest["Date"] and digest["Message-ID"]
    body = digest.get_content()
    assert f"Run: {city_runs.first.run_id} " in body


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_digest_the_server_refuses_is_reported_and_does_not_fail_the_run(
        city_runs: CityRuns, tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    changes = city_runs.first.stages["publish"]["changes"]
    assert changes["new_documents"], "the shared first run published new documents"
    # The relay demands a login these settings do not give: every send is refused (SMTP 530).
    with smtp_inbox(user="carbonpeak", password="s3cret") as inbox:
        settings = Settings(data_dir=tmp_path / "data", smtp=SmtpSettings(
            host=inbox.host, port=inbox.port, mail_to=("analysts@example.org",)))
        with caplog.at_level(logging.ERROR, logger="carbonpeak.pipeline"):
            result = pipeline.digest(settings, changes, run_id="20261202T030000Z-d1g357")
        assert inbox.messages == []
    assert result["sent"] is False and "SMTP" in result["mail_error"], result
    assert any("digest e-mail of run 20261202T030000Z-d1g357 was not sent" in r.getMessage()
               for r in caplog.records)
    [event] = [e for e in runlog.events(settings) if e.name == "digest"]
    assert event.status == "success" and event.run_id == "20261202T030000Z-d1g357"
    assert "SMTP" in json.loads(event.details or "{}")["mail_error"]
