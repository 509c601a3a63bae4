"""The fault matrix at run level: during a run of several sources on the loopback mirror, one source (海宁, TRS)
meets a fault; it fails with an error naming the source and the URL — or, for a page in GBK behind a wrong
charset header, a 429 that names its Retry-After and an annex that cannot be read, comes through correctly —
and the other sources land.
What the run summary and the run log (the events fct_source_runs is made of) say is checked for each fault."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from carbonpeak import pipeline, runlog
from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.settings import Settings
from mirror import Mirror

SOURCES = ["haining_gov", "jiaxing_fgw", "govcn_policy_library"]
TRS = "www.haining.gov.cn"
LIST = "/hdjl/yjzj/index.html"
DETAIL = "/hdjl/yjzj/202304/t20230410_2435122.html"
LIVE_DETAIL = "https://www.haining.gov.cn" + DETAIL
ANNEX1 = "/hdjl/yjzj/202304/P020230410384620512873.docx"
MAX_BODY = 150_000  # the largest page of the three sources is ~60 KB
TIMEOUT = 0.4


def _page(mirror: Mirror) -> bytes:
    return mirror.sites[TRS].files[DETAIL].body


def _cut(mirror: Mirror) -> None:
    """The server stops rendering mid-page: a complete response (right Content-Length) of half a page."""
    body = _page(mirror)
    mirror.fail(TRS, DETAIL, 200, headers={"Content-Type": "text/html"}, body=body[: body.index(b"</p>", 9000) + 4])


def _mislabelled_gbk(mirror: Mirror) -> None:
    """The GBK page behind a header that claims ISO-8859-1 (what a misconfigured server sends)."""
    mirror.set_page(TRS, DETAIL, _page(mirror), "text/html; charset=ISO-8859-1")


@dataclass(frozen=True)
class Fault:
    name: str
    inject: Callable[[Mirror], None]
    url: str | None  # the URL the error must name; None: the source must come through
    reason: str = ""


FAULTS = [
    Fault("404", lambda m: m.fail(TRS, DETAIL, 404), LIVE_DETAIL, "HTTP 404"),
    Fault("500 after retries", lambda m: m.fail(TRS, LIST, 500), "list", "list page failed: HTTP 500"),
    Fault("timeout", lambda m: m.fail(TRS, DETAIL, 200, body=b"<html></html>", delay=TIMEOUT * 2.5), LIVE_DETAIL,
          "ReadTimeout after 2 attempts"),
    Fault("429 with Retry-After, then served", lambda m: m.fail(TRS, LIST, 429, times=1, headers={"Retry-After": "1"}),
          None),
    Fault("429 persisting", lambda m: m.fail(TRS, LIST, 429, headers={"Retry-After": "1"}), "list",
          "list page failed: HTTP 429"),
    Fault("connection dropped mid-body", lambda m: m.fail(TRS, DETAIL, 200, headers={"Content-Type": "text/html"},
                                                          body=_page(m), truncate=True),
          LIVE_DETAIL, "IncompleteRead"),
    Fault("truncated HTML", _cut, LIVE_DETAIL, "truncated HTML: the page ends before </html>"),
    Fault("GBK page with a wrong charset header", _mislabelled_gbk, None),
    # An annex that is `%PDF-1.4 junk` (served as a PDF): that file fails alone, the page and the source land.
    Fault("unreadable attachment", lambda m: m.fail(TRS, ANNEX1, 200, headers={"Content-Type": "application/pdf"},
                                                    body=b"%PDF-1.4 junk"), None),
    Fault("redirect loop", lambda m: m.fail(TRS, DETAIL, 302, headers={"Location": DETAIL}), LIVE_DETAIL,
          "more than 5 redirects"),
    Fault("oversized body", lambda m: m.fail(TRS, DETAIL, 200, headers={"Content-Type": "text/html"},
                                             body=b"<html>" + b" " * (MAX_BODY * 2) + b"</html>"),
          LIVE_DETAIL, f"exceeds {MAX_BODY} bytes"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_one_faulty_source_fails_clearly_and_the_others_land(fault: Fault, mirror: Mirror, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=TIMEOUT,
                        max_retries=1, max_body_bytes=MAX_BODY)
    fault.inject(mirror)
    run_id = pipeline.new_run_id()
    results, errors = pipeline.scrape_sources(settings, run_id, SOURCES)

    # The other sources are untouched by it.
    assert (results["jiaxing_fgw"]["new"], results["govcn_policy_library"]["new"]) == (2, 2)
    events = {e.name: e for e in runlog.events(settings) if e.run_id == run_id}
    assert {events[k].status for k in ("jiaxing_fgw", "govcn_policy_library")} == {"success"}

    haining = events["haining_gov"]
    if fault.url is None:  # a correct decode / an honoured Retry-After: the source lands
        assert errors == {} and results["haining_gov"]["new"] == 1 and haining.status == "success"
        (row,) = read_jsonl(next((settings.landing_dir / "documents" / "haining_gov").glob("*.jsonl")))
        assert row["body_text"].startswith("海宁市“十四五”节能减排\n综合工作实施方案")
        assert "海宁市" in row["title"]
        return

    url = f"https://{TRS}{LIST}" if fault.url == "list" else fault.url  # the live URL, the mirror's as a detail
    assert set(errors) == {"haining_gov"}
    message = errors["haining_gov"]
    assert message.startswith(f"[haining_gov] {url}") and fault.reason in message, message
    # The run log (one event per source; fct_source_runs selects these columns) says the same.
    assert haining.status == "failed" and haining.error is not None
    assert "[haining_gov]" in haining.error and url in haining.error and fault.reason in haining.error
    assert haining.requests and haining.requests > 0  # what the failed scrape cost is counted too
    if fault.url != "list":
        assert (haining.listed, haining.failed, haining.new) == (1, 1, 0)
    assert not (settings.landing_dir / "documents" / "haining_gov").exists()


def test_retry_after_is_honoured_at_run_level(mirror: Mirror, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1)
    mirror.fail(TRS, LIST, 429, times=1, headers={"Retry-After": "1"})
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["haining_gov"])
    assert errors == {} and results["haining_gov"]["new"] == 1
    refused, served = [r for r in mirror.requests(TRS) if r.path == LIST]
    assert (refused.status, served.status) == (429, 200) and served.at - refused.at >= 0.95
