"""Alerts reach a real SMTP server with the stage, the source and the reason."""

from __future__ import annotations

import email.utils
import re

import pytest

from carbonpeak.notify import data_docs_site, failure_alert, send_mail, task_log_url, with_docs_links
from carbonpeak_core.settings import Settings, SmtpSettings
from tests.smtp import smtp_inbox


def test_failure_alert_names_stage_source_and_reason(tmp_path) -> None:
    with smtp_inbox() as inbox:
        settings = Settings(
            data_dir=tmp_path,
            smtp=SmtpSettings(host=inbox.host, port=inbox.port, mail_to=("analysts@example.org", "ops@example.org")),
        )
        sent = failure_alert(settings, stage="scrape", source="jiaxing_fgw", run_id="r1",
                             error=RuntimeError("jiaxing_fgw: HTTP 404 for http://127.0.0.1:1/col/col9/index.html"))
        [message] = inbox.wait_for(1)
    assert sent is True
    assert message["Subject"] == "[carbonpeak] scrape failed [jiaxing_fgw]"
    assert message["To"] == "analysts@example.org, ops@example.org"
    body = message.get_content()
    assert "Stage:  scrape" in body
    assert "HTTP 404 for http://127.0.0.1:1/col/col9/index.html" in body
    assert "left unchanged" in body


def test_unconfigured_mail_is_not_sent_and_does_not_raise() -> None:
    assert send_mail(SmtpSettings(host=None, mail_to=("a@example.org",)), "s", "b") is False
    assert send_mail(SmtpSettings(host="127.0.0.1", mail_to=()), "s", "b") is False


def test_unreachable_smtp_server_does_not_hide_the_failure(tmp_path) -> None:
    with smtp_inbox() as inbox:
        port = inbox.port  # the server stops when the block ends: the port is then closed
    settings = Settings(data_dir=tmp_path, smtp=SmtpSettings(host="127.0.0.1", port=port, mail_to=("a@example.org",)))
    assert failure_alert(settings, stage="build", error="dbt build exited 1") is False


# Plain AUTH over loopback is the point of these two tests; aiosmtpd rightly warns about it elsewhere.
LOOPBACK_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@LOOPBACK_AUTH
def test_login_with_the_configured_user_and_password(tmp_path) -> None:
    with smtp_inbox(user="carbonpeak", password="s3cret") as inbox:
        smtp = SmtpSettings(host=inbox.host, port=inbox.port, user="carbonpeak", password="s3cret",
                            mail_from="alerts@example.org", mail_to=("ops@example.org",))
        assert send_mail(smtp, "[carbonpeak] test", "body") is True
        [message] = inbox.wait_for(1)
        assert inbox.accounts is not None and inbox.accounts.logins == ["carbonpeak"]
    assert message["From"] == "alerts@example.org"


@LOOPBACK_AUTH
def test_a_wrong_password_is_refused_by_the_server_and_reported(tmp_path) -> None:
    with smtp_inbox(user="carbonpeak", password="s3cret") as inbox:
        settings = Settings(data_dir=tmp_path, smtp=SmtpSettings(host=inbox.host, port=inbox.port, user="carbonpeak",
                                                                   password="wrong", mail_to=("ops@example.org",)))
        assert failure_alert(settings, stage="build", error="dbt build exited 1") is False
        assert inbox.messages == []


def test_every_message_carries_date_and_message_id() -> None:
    """Relays may refuse, and clients mis-sort, a message without Date; Message-ID lets replies thread."""
    with smtp_inbox() as inbox:
        smtp = SmtpSettings(host=inbox.host, port=inbox.port, mail_from="Carbonpeak <alerts@carbonpeak.test>",
                            mail_to=("ops@example.org",))
        assert send_mail(smtp, "[carbonpeak] one", "body") is True
        assert send_mail(smtp, "[carbonpeak] two", "body") is True
        first, second = inbox.wait_for(2)
    for message in (first, second):
        assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None, message["Date"]
        assert re.fullmatch(r"<[^@<>]+@carbonpeak\.test>", message["Message-ID"].strip()), message["Message-ID"]
    assert first["Message-ID"] != second["Message-ID"]


def test_failure_alert_links_the_task_log_and_the_data_docs_not_a_workers_path(tmp_path) -> None:
    with smtp_inbox() as inbox:
        settings = Settings(
            data_dir=tmp_path / "data", airflow_base_url="https://airflow.example.org",
            docs_base_url="https://docs.example.org/carbonpeak/data-docs",
            smtp=SmtpSettings(host=inbox.host, port=inbox.port, mail_to=("ops@example.org",)),
        )
        docs = data_docs_site(settings) / "index.html"
        log_url = task_log_url(settings, "carbonpeak_nightly", "manual__2026-12-02T03:00:00+00:00", "scrape",
                               map_index=3, try_number=2)
        failure_alert(settings, stage="validate", run_id="20261202T030000Z-0a1b2c", log_url=log_url,
                      error=f"validate: 1 expectation(s) failed\n  Data Docs: {docs}", details=f"Data Docs: {docs}")
        [message] = inbox.wait_for(1)
    body = message.get_content()
    assert "Run:    20261202T030000Z-0a1b2c" in body
    assert ("Log:    https://airflow.example.org/dags/carbonpeak_nightly/runs/manual__2026-12-02T03%3A00%3A00%2B00%3A00"
            "/tasks/scrape/mapped/3?try_number=2") in body
    assert body.count("https://docs.example.org/carbonpeak/data-docs/index.html") == 2
    assert str(tmp_path) not in body


def test_without_base_urls_the_alert_keeps_the_path_and_has_no_log_link(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert task_log_url(settings, "carbonpeak_nightly", "r", "build") is None
    docs = str(data_docs_site(settings) / "index.html")
    assert with_docs_links(settings, f"Data Docs: {docs}") == f"Data Docs: {docs}"
