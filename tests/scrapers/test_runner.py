"""scrape_source end to end against the offline mirror (real HTTP on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.site import corpus_text
from scrapers.runner import ScrapeError, scrape_source

HANWEB_HOST = "fgw.jiaxing.gov.cn"
TRS_HOST = "www.haining.gov.cn"
DATAPROXY = "/module/web/jpage/dataproxy.jsp"

EXPECTED = {
    "000_c024b4ef5c96c6e7.txt": {
        "document_id": "jiaxing_fgw:59023456",
        "title": (
            "嘉兴市碳达峰碳中和工作领导小组办公室关于印发《嘉兴市清洁生产推行方案（2022-2025年）》的通知"
        ),
        "issuer": "嘉兴市碳达峰碳中和工作领导小组办公室",
        "publish_date": "2023-05-05",
        "region_code": "330400",
        "url": "https://fgw.jiaxing.gov.cn/art/2023/5/5/art_1229496556_59023456.html",
    },
    "001_473853afd590c8d8.txt": {
        "document_id": "jiaxing_fgw:59412345",
        "title": "嘉兴市发展和改革委员会关于印发《嘉兴市2024年碳达峰碳中和工作要点》的通知",
        "issuer": "嘉兴市发展和改革委员会",
        "publish_date": "2024-07-16",
        "region_code": "330400",
        "url": "https://fgw.jiaxing.gov.cn/art/2024/7/16/art_1229496556_59412345.html",
    },
    "002_c46747e1f312a09b.txt": {
        "document_id": "haining_gov:2435122",
        "title": "海宁市“十四五”节能减排综合工作实施方案（征求意见稿）",
        "issuer": None,  # the text names no issuer and no date
        "publish_date": None,
        "region_code": "330481",
        "url": "https://www.haining.gov.cn/hdjl/yjzj/202304/t20230410_2435122.html",
    },
}


def corpus_lines(name: str, first: int, last: int) -> str:
    """1-based, inclusive line range of a corpus file."""
    return "\n".join(corpus_text(name).split("\n")[first - 1 : last])


HAINING = "002_c46747e1f312a09b.txt"


def expected_body(corpus_name: str) -> str:
    """What a landed document's text must be. The 海宁 page shows the plan up to its list of annexes (lines
    1-40); 附件1 (lines 41-97) and 附件2 (lines 102-204) are Word files below it, and their text is appended
    after a blank line each — so the corpus's four line breaks between the annexes become two."""
    if corpus_name != HAINING:
        return corpus_text(corpus_name)
    return "\n\n".join(corpus_lines(HAINING, *span) for span in ((1, 40), (41, 97), (102, 204)))


def landed(settings: Settings, key: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((settings.landing_dir / "documents" / key).glob("*.jsonl")):
        rows.extend(read_jsonl(path))
    return rows


def detail_downloads(mirror: Mirror, host: str) -> int:
    return sum(1 for r in mirror.requests(host, status=200) if r.path.startswith(("/art/", "/hdjl/yjzj/2")))


def test_hanweb_discovery_spans_both_dataproxy_pages(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source("jiaxing_fgw", mirror_settings, "run1")
    assert (summary.listed, summary.new, summary.failed) == (2, 2, 0)
    posts = mirror.requests(HANWEB_HOST, method="POST")
    assert [r.path for r in posts] == [DATAPROXY, DATAPROXY]  # perPage 1 on the mirror: one record per page


def test_trs_discovery_follows_create_page_html(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source("haining_gov", mirror_settings, "run1")
    paths = [r.path for r in mirror.requests(TRS_HOST)]
    assert "/hdjl/yjzj/index.html" in paths and "/hdjl/yjzj/index_1.html" in paths
    # the two list-only entries on page 1 have no keyword, so only the real document is fetched
    assert (summary.listed, summary.new) == (1, 1)


def test_every_mirrored_document_lands_with_metadata_and_verbatim_text(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    scrape_source("jiaxing_fgw", mirror_settings, "run1")
    scrape_source("haining_gov", mirror_settings, "run1")
    rows = {row["url"]: row for key in ("jiaxing_fgw", "haining_gov") for row in landed(mirror_settings, key)}
    assert len(rows) == 3
    for corpus_name, expected in EXPECTED.items():
        row = rows[expected["url"]]
        for field, value in expected.items():
            assert row[field] == value, (corpus_name, field)
        text = expected_body(corpus_name)
        body = str(row["body_text"])
        body_lines = set(body.split("\n"))
        assert all(line in body_lines for line in text.split("\n")), corpus_name
        assert body == text  # the whole document, character for character
        assert row["run_id"] == "run1"
        raw = mirror_settings.raw_dir / str(row["raw_path"])
        assert raw.exists() and json.loads(raw.with_name(raw.name + ".json").read_text())["status"] == 200


def test_landing_layout(mirror_settings: Settings) -> None:
    summary = scrape_source("jiaxing_fgw", mirror_settings, "2024-07-20T00:00:00")
    assert summary.landing_file == "documents/jiaxing_fgw/2024-07-20T00:00:00.jsonl"
    assert (mirror_settings.landing_dir / summary.landing_file).exists()
    assert (mirror_settings.state_dir / "jiaxing_fgw.json").exists()


def test_gbk_page_decodes_to_the_right_chinese(mirror: Mirror, mirror_settings: Settings) -> None:
    host, path = mirror.document_path("002_c46747e1f312a09b.txt")
    served = mirror.sites[host].files[path]
    assert served.content_type == "text/html"  # no charset in the header: the trap
    assert b'<meta charset="gb2312">' in served.body
    with pytest.raises(UnicodeDecodeError):
        served.body.decode("utf-8")
    assert "海宁市" not in served.body.decode("iso-8859-1")  # what requests would do
    scrape_source("haining_gov", mirror_settings, "run1")
    (row,) = landed(mirror_settings, "haining_gov")
    assert str(row["body_text"]).startswith("海宁市“十四五”节能减排\n综合工作实施方案\n（征求意见稿）")


def detail_requests(mirror: Mirror, host: str) -> list[str]:
    return [r.path for r in mirror.requests(host) if r.path.startswith(("/art/", "/hdjl/yjzj/2"))]


@pytest.mark.parametrize("recheck_days", [7.0, 0.0], ids=["within-recheck-period", "recheck-due"])
def test_a_run_with_nothing_new_lands_nothing(
    mirror: Mirror, mirror_settings: Settings, recheck_days: float
) -> None:
    for key in ("jiaxing_fgw", "haining_gov"):
        scrape_source(key, mirror_settings, "run1")
    mirror.clear_log()
    for key, host in (("jiaxing_fgw", HANWEB_HOST), ("haining_gov", TRS_HOST)):
        summary = scrape_source(key, mirror_settings.with_(recheck_days=recheck_days), "run2")
        assert (summary.new, summary.changed, summary.unchanged) == (0, 0, summary.listed)
        assert summary.landing_file is None
        assert not (mirror_settings.landing_dir / "documents" / key / "run2.jsonl").exists()
        assert mirror.requests(host)  # the list pages were read
        if recheck_days:
            assert detail_requests(mirror, host) == []  # the list shows nothing new: not even a conditional GET
        else:
            assert detail_downloads(mirror, host) == 0
            assert mirror.requests(host, status=304)  # asked, and was told nothing changed


def test_changed_document_lands_as_a_new_version(mirror: Mirror, mirror_settings: Settings) -> None:
    scrape_source("jiaxing_fgw", mirror_settings, "run1")
    name = "000_c024b4ef5c96c6e7.txt"
    revised = corpus_text(name).replace("2023年5月5日", "2023年5月6日")
    mirror.replace_text(name, revised)
    # a silent edit (the list shows the same title and date) waits for the recheck period …
    quiet = scrape_source("jiaxing_fgw", mirror_settings, "run2")
    assert (quiet.new, quiet.changed, quiet.unchanged) == (0, 0, 2)
    # … whose conditional GET then finds it
    summary = scrape_source("jiaxing_fgw", mirror_settings.with_(recheck_days=0), "run3")
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 1)
    rows = landed(mirror_settings, "jiaxing_fgw")
    (first,) = [r for r in rows if r["run_id"] == "run1" and "59023456" in str(r["url"])]
    (second,) = [r for r in landed(mirror_settings, "jiaxing_fgw") if r["run_id"] == "run3"]
    assert second["document_id"] == first["document_id"]
    assert second["version_hash"] != first["version_hash"]
    assert second["body_text"] == revised


def test_a_revision_the_list_shows_is_fetched_at_once(mirror: Mirror, mirror_settings: Settings) -> None:
    """The site republishes the plan under a new list title (征求意见稿 → 正式稿): the next run asks for
    the page straight away, without waiting for the recheck period, and lands the new version."""
    scrape_source("haining_gov", mirror_settings, "run1")
    listing = "/hdjl/yjzj/index_1.html"
    served = mirror.sites[TRS_HOST].files[listing]
    old_title, new_title = "（征求意见稿）", "（正式稿）"
    mirror.set_page(TRS_HOST, listing, served.body.replace(old_title.encode("gbk"), new_title.encode("gbk")),
                    served.content_type)
    name = "002_c46747e1f312a09b.txt"
    mirror.replace_text(name, corpus_text(name).replace(old_title, new_title, 1))
    mirror.clear_log()
    summary = scrape_source("haining_gov", mirror_settings, "run2")
    assert (summary.new, summary.changed) == (0, 1)
    assert detail_downloads(mirror, TRS_HOST) == 1
    (second,) = [r for r in landed(mirror_settings, "haining_gov") if r["run_id"] == "run2"]
    assert new_title in str(second["body_text"])


def test_redesigned_list_page_names_source_url_and_selector(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    column = "/col/col1229496556/index.html"
    mirror.set_page(HANWEB_HOST, column, b"<html><body><div id='newlayout'><ul></ul></div></body></html>")
    with pytest.raises(ScrapeError) as info:
        scrape_source("jiaxing_fgw", mirror_settings, "run1")
    message = str(info.value)
    assert "[jiaxing_fgw]" in message
    assert mirror.base_urls[HANWEB_HOST] + column in message
    assert "div[id='7452468']" in message and "matched 0" in message


def test_redesigned_detail_page_is_a_recorded_failure(mirror: Mirror, mirror_settings: Settings) -> None:
    host, path = mirror.document_path("002_c46747e1f312a09b.txt")
    mirror.set_page(
        host, path, "<html><body><div class='content'>新版</div></body></html>".encode("gbk"), "text/html"
    )
    with pytest.raises(ScrapeError) as info:
        scrape_source("haining_gov", mirror_settings, "run1")
    assert ".TRS_Editor, .TRS_UEDITOR, .trs_paper_default" in str(info.value)
    assert "https://www.haining.gov.cn" + path in str(info.value)


def test_one_failing_detail_page_lets_the_others_land(mirror: Mirror, mirror_settings: Settings) -> None:
    host, path = mirror.document_path("001_473853afd590c8d8.txt")
    mirror.fail(host, path, status=404)
    with pytest.raises(ScrapeError) as info:
        scrape_source("jiaxing_fgw", mirror_settings, "run1")
    error = info.value
    assert error.failed_urls == ("https://fgw.jiaxing.gov.cn" + path,)
    assert "[jiaxing_fgw]" in str(error) and path in str(error) and "HTTP 404" in str(error)
    assert error.summary is not None and (error.summary.new, error.summary.failed) == (1, 1)
    (row,) = landed(mirror_settings, "jiaxing_fgw")
    assert row["document_id"] == "jiaxing_fgw:59023456"
    # the failed page is tried again next run and lands then
    mirror.reset()
    summary = scrape_source("jiaxing_fgw", mirror_settings, "run2")
    assert (summary.new, summary.unchanged) == (1, 1)


def test_list_page_failure_raises_at_once(mirror: Mirror, mirror_settings: Settings) -> None:
    mirror.fail(TRS_HOST, "/hdjl/yjzj/index_1.html", status=500)
    with pytest.raises(ScrapeError) as caught:
        scrape_source("haining_gov", mirror_settings, "run1")
    # the live URL first, the mirror's only as a detail, the source named once, and what to do
    message = str(caught.value)
    assert message.startswith("[haining_gov] https://www.haining.gov.cn/hdjl/yjzj/index_1.html (fetched from http://127.0.0.1:")
    assert "index_1.html): list page failed: HTTP 500: the site is down, slow or blocking" in message
    assert message.count("haining_gov") == 1
    assert detail_downloads(mirror, TRS_HOST) == 0
    assert not (mirror_settings.landing_dir / "documents" / "haining_gov").exists()


def test_robots_disallow_on_the_site_is_respected(mirror: Mirror, mirror_settings: Settings) -> None:
    mirror.set_robots(HANWEB_HOST, "User-agent: *\nDisallow: /art/\n")
    with pytest.raises(ScrapeError, match=r"robots\.txt"):
        scrape_source("jiaxing_fgw", mirror_settings, "run1")
    assert detail_downloads(mirror, HANWEB_HOST) == 0
    assert not [r for r in mirror.requests(HANWEB_HOST) if r.path.startswith("/art/")]


def test_unknown_source_key(mirror_settings: Settings) -> None:
    with pytest.raises(ScrapeError, match="no source 'nope'"):
        scrape_source("nope", mirror_settings, "run1")


def test_state_records_validators(mirror_settings: Settings, tmp_path: Path) -> None:
    scrape_source("jiaxing_fgw", mirror_settings, "run1")
    state = json.loads((mirror_settings.state_dir / "jiaxing_fgw.json").read_text())
    entry = state["documents"]["https://fgw.jiaxing.gov.cn/art/2023/5/5/art_1229496556_59023456.html"]
    assert entry["etag"] and entry["last_modified"] == "Fri, 05 May 2023 08:30:00 GMT"
    assert entry["document_id"] == "jiaxing_fgw:59023456"
    assert {"content_hash", "version_hash"} <= set(entry)
