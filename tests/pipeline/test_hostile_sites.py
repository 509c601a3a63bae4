"""Hostile sites on loopback: during a scrape of three sources, one (海宁, TRS) trickles its answer, asks for a
100000-second Crawl-delay or Retry-After, or serves its page under a charset that lies. Each ends as one clear
outcome for that source (failed, deferred, or landed correctly) within its configured budget, and the other two
sources land. Then `run_all` over the mirror with one site trickling every answer finishes within its run budget
and publishes the others."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbonpeak import console, pipeline, runlog
from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.paths import DEFAULT_SOURCES
from carbonpeak_core.settings import Settings
from mirror import Mirror

SOURCES = ["haining_gov", "jiaxing_fgw", "govcn_policy_library"]
TRS = "www.haining.gov.cn"
LIST = "/hdjl/yjzj/index.html"
DETAIL = "/hdjl/yjzj/202304/t20230410_2435122.html"
LIVE_DETAIL = f"https://{TRS}{DETAIL}"
OPENING = "海宁市“十四五”节能减排\n综合工作实施方案"
_META = re.compile(rb"<meta[^>]+charset[^>]*>", re.IGNORECASE)


def _page(mirror: Mirror) -> bytes:
    return mirror.sites[TRS].files[DETAIL].body  # GBK, declared gb2312 in a meta tag


def _gbk_as_latin1_no_meta(mirror: Mirror) -> None:
    """GBK bytes, no meta charset, and a header that says ISO-8859-1: decoded as declared, it is mojibake."""
    mirror.set_page(TRS, DETAIL, _META.sub(b"", _page(mirror)), "text/html; charset=ISO-8859-1")


def _utf8_labelled_gbk_with_stray_bytes(mirror: Mirror) -> None:
    """The page in UTF-8, labelled GBK in the header and the meta tag, with three stray bytes in it."""
    text = _page(mirror).decode("gb18030").replace("gb2312", "gbk")
    body = text.encode("utf-8")
    at = [m.end() for m in re.finditer(rb"</p>", body)][3:6]
    for offset in reversed(at):
        body = body[:offset] + b"\xff" + body[offset:]
    mirror.set_page(TRS, DETAIL, body, "text/html; charset=gbk")


def _mojibake_at_the_source(mirror: Mirror) -> None:
    """A page the site itself garbled (GBK read as Latin-1, saved as UTF-8): no charset can restore it."""
    text = _page(mirror).decode("gb18030").replace("gb2312", "utf-8")
    mirror.set_page(TRS, DETAIL, text.encode("gb18030").decode("latin-1").encode("utf-8"), "text/html; charset=utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    inject: Callable[[Mirror], None]
    status: str  # the source's outcome in the run log
    reason: str = ""  # in the error, when not landed
    budget: float = 5.0  # seconds the hostile source may take


CASES = [
    Case("slowloris body (1 byte every 5 s)",
         lambda m: m.fail(TRS, DETAIL, 200, headers={"Content-Type": "text/html"}, body=_page(m), trickle=5),
         "failed", "no complete answer within 3 s", budget=3 + 2),
    Case("Crawl-delay 100000", lambda m: m.set_robots(TRS, "User-agent: *\nCrawl-delay: 100000\n"), "deferred",
         "robots.txt asks for Crawl-delay 100000 s, above the cap of 30 s", budget=3),
    Case("Retry-After 100000 on the list", lambda m: m.fail(TRS, LIST, 503, headers={"Retry-After": "100000"}),
         "deferred", "Retry-After 100000 s, above the cap of 30 s", budget=3),
    Case("Retry-After 100000 on a page", lambda m: m.fail(TRS, DETAIL, 429, headers={"Retry-After": "100000"}),
         "deferred", "0 document version(s) landed, 1 of 1 listed page(s) left for the next run", budget=3),
    Case("GBK served as ISO-8859-1 without a meta tag", _gbk_as_latin1_no_meta, "success"),
    Case("UTF-8 labelled GBK with stray bytes", _utf8_labelled_gbk_with_stray_bytes, "success"),
    Case("a page garbled at the source", _mojibake_at_the_source, "failed", "reads as mojibake under every charset"),
]


def _brisk_registry(tmp_path: Path) -> Path:
    """The shipped registry with its 0.5 request/s per site raised to 20 (the loopback mirror minds no load): the
    politeness machinery, Crawl-delay included, stays on, and the budgets below measure the hostile site alone."""
    text = DEFAULT_SOURCES.read_text(encoding="utf-8")
    assert "rate_limit = 0.5" in text
    path = tmp_path / "sources.toml"
    path.write_text(text.replace("rate_limit = 0.5", "rate_limit = 20"), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_site_ends_as_one_clear_outcome_and_the_others_land(case: Case, mirror: Mirror,
                                                                      tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=100, timeout=5,
                        max_retries=2, request_deadline=3, max_wait=30, sources_file=_brisk_registry(tmp_path))
    case.inject(mirror)
    run_id = pipeline.new_run_id()
    results, errors = pipeline.scrape_sources(settings, run_id, SOURCES)

    assert (results["jiaxing_fgw"]["new"], results["govcn_policy_library"]["new"]) == (2, 2)
    events = {e.name: e for e in runlog.events(settings) if e.run_id == run_id}
    haining = events["haining_gov"]
    assert haining.status == case.status, haining.error
    assert haining.seconds is not None and haining.seconds < case.budget
    landed = list((settings.landing_dir / "documents" / "haining_gov").glob("*.jsonl"))
    if case.status == "success":
        assert errors == {}
        (row,) = read_jsonl(landed[0])
        assert row["body_text"].startswith(OPENING) and row["title"].startswith("海宁市")
        assert "\ufffd" not in row["title"]
        return
    message = errors["haining_gov"]
    # one message: the source once, the live URL first (the mirror's as a detail), the reason and what to do
    assert message.startswith("[haining_gov] https://www.haining.gov.cn/"), message
    assert message.count("[haining_gov]") == 1 and case.reason in message, message
    assert haining.error is not None and case.reason in haining.error
    assert not landed
    if case.status == "deferred":
        assert "deferred to the next run" in message
        # nothing was lost: the next run, the site behaving again, lands the document
        mirror.reset()
        results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["haining_gov"])
        assert errors == {} and results["haining_gov"]["new"] == 1


def test_a_slow_source_is_deferred_at_its_budget_and_the_rest_of_its_pages_wait(mirror: Mirror,
                                                                                 tmp_path: Path) -> None:
    """Every page of 嘉兴 answers after 1 s; a 2.5 s source budget lets it land what fits, then defers it."""
    settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5,
                        max_retries=0, source_budget=2.5)
    for path in ("/art/2023/5/5/art_1229496556_59023456.html", "/art/2024/7/16/art_1229496556_59412345.html"):
        page = mirror.sites["fgw.jiaxing.gov.cn"].files[path]
        mirror.fail("fgw.jiaxing.gov.cn", path, 200, headers={"Content-Type": page.content_type}, body=page.body,
                    delay=1.5)
    started = time.monotonic()
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["jiaxing_fgw", "haining_gov"])
    assert time.monotonic() - started < 5
    assert results["haining_gov"]["new"] == 1
    assert "deferred to the next run" in errors["jiaxing_fgw"]
    assert "1 document version(s) landed, 1 of 2 listed page(s) left" in errors["jiaxing_fgw"]
    mirror.reset()
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["jiaxing_fgw"])
    assert errors == {} and (results["jiaxing_fgw"]["new"], results["jiaxing_fgw"]["unchanged"]) == (1, 1)


def test_sources_on_different_hosts_are_scraped_at_once(mirror: Mirror, tmp_path: Path) -> None:
    """Two sources whose list pages each answer after 2 s: the two answers come within a second of each other (one
    after the other, they would be 2 s apart)."""
    settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5,
                        max_retries=0, scrape_workers=4)
    lists = {TRS: LIST, "fgw.jiaxing.gov.cn": "/col/col1229496556/index.html"}
    for host, path in lists.items():
        page = mirror.sites[host].files[path]
        mirror.fail(host, path, 200, headers={"Content-Type": page.content_type}, body=page.body, delay=2, times=1)
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["haining_gov", "jiaxing_fgw"])
    assert errors == {} and set(results) == {"haining_gov", "jiaxing_fgw"}
    answered = [next(r.at for r in mirror.requests(host) if r.path == path) for host, path in lists.items()]
    assert abs(answered[0] - answered[1]) < 1.0, answered


def test_run_all_with_a_trickling_site_finishes_within_its_run_budget(mirror: Mirror, tmp_path: Path) -> None:
    """Every answer of 海宁 trickles (one byte a second); the run budget of 6 s defers it, the other sources are
    built, validated and published."""
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb",
                        base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=0, request_deadline=300,
                        source_budget=300, run_budget=6)
    for path in (LIST, "/hdjl/yjzj/index_1.html", DETAIL):
        page = mirror.sites[TRS].files[path]
        mirror.fail(TRS, path, 200, headers={"Content-Type": page.content_type}, body=page.body, trickle=1)
    started = time.monotonic()
    out = console.Console(out=io.StringIO())
    with console.listening(out.handle):
        report = pipeline.run_all(settings, sources=["haining_gov", "jiaxing_fgw", "govcn_policy_library"])
    assert report.published, report.summary()
    # what a person sees: the source's line and the summary say it was deferred, and why
    printed = out.out.getvalue() + out.summary(settings, None)
    assert re.search(r"^scrape +haining_gov +DEFERRED: .*deferred to the next run", printed, re.M), printed
    assert re.search(r"^Run .*: published, 1 source\(s\) deferred$", printed, re.M), printed
    assert re.search(r"^  DEFERRED +haining_gov: ", printed, re.M), printed
    assert set(report.source_errors) == {"haining_gov"}
    assert "deferred to the next run" in report.source_errors["haining_gov"]
    scrape_seconds = max(e.seconds or 0 for e in runlog.events(settings) if e.kind == "source")
    assert scrape_seconds < 6 + 1.5, scrape_seconds
    assert time.monotonic() - started < 6 + 240  # the build, validation and publish of the others follow
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        keys = {k for (k,) in con.execute("select distinct source_key from dim_documents").fetchall()}
        status = dict(con.execute("select source_key, status from fct_source_runs").fetchall())
    assert keys == {"jiaxing_fgw", "govcn_policy_library"}
    assert status["haining_gov"] == "deferred"
