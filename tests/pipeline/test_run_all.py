"""The whole pipeline through the CLI's code path: a broken source does not stop the others, it is
named with its URL in an e-mail, and what validates from the healthy sources is published."""

from __future__ import annotations

import duckdb

from carbonpeak.pipeline import run_all
from carbonpeak_core.settings import Settings, SmtpSettings
from mirror import Mirror
from tests.city_sites import CITY_SITES
from tests.smtp import smtp_inbox


def test_a_broken_source_is_reported_and_the_others_are_published(mirror: Mirror, mirror_settings: Settings) -> None:
    # The Hanweb site's list API starts answering 500 (a WAF or an outage), on every retry.
    mirror.fail("fgw.jiaxing.gov.cn", "/module/web/jpage/dataproxy.jsp", status=500)
    with smtp_inbox() as inbox:
        settings = mirror_settings.with_(
            warehouse_path=mirror_settings.data_dir.parent / "warehouse" / "carbonpeak.duckdb",
            smtp=SmtpSettings(host=inbox.host, port=inbox.port, mail_to=("ops@example.org",)),
        )
        # The document sources the assertions below are about (the registry also holds the compilation,
        # gov.cn and the statistics sources, which tests/compilation and their own tests cover).
        report = run_all(settings, sources=CITY_SITES)
        messages = inbox.wait_for(2)  # the failure alert, then the digest of what was published

    assert not report.ok and report.published
    assert set(report.source_errors) == {"jiaxing_fgw"}
    assert "dataproxy.jsp" in report.source_errors["jiaxing_fgw"]
    assert report.sources["haining_gov"]["new"] == 1

    [alert] = [m for m in messages if "failed" in m["Subject"]]
    assert alert["Subject"] == "[carbonpeak] scrape failed [jiaxing_fgw]"
    body = alert.get_content()
    assert "jiaxing_fgw" in body and "/module/web/jpage/dataproxy.jsp" in body and "500" in body

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        sources = con.execute("select distinct source_key from dim_documents").fetchall()
        targets = con.execute("select count(*) from fct_targets").fetchone()  # 海宁市 and its towns (附件1)
    assert sources == [("haining_gov",)]
    assert targets is not None and targets[0] > 0
    [digest] = [m for m in messages if "failed" not in m["Subject"]]
    assert digest["Subject"] == f"[carbonpeak] 1 new document, {targets[0]} new targets"
