"""Attachments (附件): links found per family, PDF/DOCX read, fetched through the source's session and
appended to the page's text; failures named, retried only when they may pass; targets traced to their file.
The PDFs are real ones (mirror/pdf/, from ../shared/corpus/pdf); bad files: test_bad_files.py."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import MappingProxyType

import pytest

from carbonpeak.extract import extract_targets
from carbonpeak_core.landing import iter_documents
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.attachments import corpus_pdf, docx_bytes
from scrapers.attachments import file_type, find_links
from scrapers.families import hanweb, trs
from scrapers.parsing import soup_of
from scrapers.registry import RegistryError, load_sources
from scrapers.reparse import reparse_source
from scrapers.runner import ScrapeError, scrape_source
from scrapers.textlayer import ConversionError, convert
from tests.scrapers.test_registry import GOOD
from tests.scrapers.test_runner import HAINING, corpus_lines, landed

TRS_HOST = "www.haining.gov.cn"
PAGE = "/hdjl/yjzj/202304/t20230410_2435122.html"
ANNEX1 = "/hdjl/yjzj/202304/P020230410384620512873.docx"
ANNEX2 = "/hdjl/yjzj/202304/P020230410384620598016.docx"
LIVE = "https://" + TRS_HOST


def attachment_requests(mirror: Mirror) -> list[tuple[str, int]]:
    return [(r.path, r.status) for r in mirror.requests(TRS_HOST) if r.path in (ANNEX1, ANNEX2)]


def squeezed(text: str) -> str:
    """The text without whitespace: a PDF's line breaks fall where its layout put them."""
    return "".join(text.split())


# -- finding the links ------------------------------------------------------------------------------


def test_each_family_finds_its_attachment_links() -> None:
    sources = load_sources(Settings().sources_file)
    # TRS: a[oldsrc] (images carry oldsrc too, and are no attachment) and table.enclosure below the body.
    page = """<html><body><div class="TRS_Editor"><p>正文</p><img src="./W020230410.jpg" oldsrc="W020230410.jpg">
      <p><a href="./P020230410001.pdf" oldsrc="P020230410001.pdf">附件1.pdf</a></p>
      <p><a href="../../index.html">返回</a></p></div>
      <table class="enclosure"><tr><td><a href="./P020230410002.docx">附件2</a></td></tr>
      <tr><td><a href="./P020230410003.xls">附件3</a></td></tr></table></body></html>"""
    url = LIVE + PAGE
    parsed = trs.parse_detail(page, url, sources["haining_gov"])
    assert [(a.name, a.url, a.type) for a in parsed.attachments] == [
        ("附件1.pdf", LIVE + "/hdjl/yjzj/202304/P020230410001.pdf", "pdf"),
        ("附件2", LIVE + "/hdjl/yjzj/202304/P020230410002.docx", "docx"),
        ("附件3", LIVE + "/hdjl/yjzj/202304/P020230410003.xls", "xls"),
    ]
    assert parsed.body_text == "正文\n附件1.pdf\n返回"  # the enclosure table below the body is not text
    # Hanweb: downfile.jsp names the file in a query parameter; the link may sit outside #zoom.
    page = """<html><body><div id="zoom"><p>正文</p></div><div class="fj">
      <a href="/module/download/downfile.jsp?classid=0&amp;filename=c3c762128f0e47dd8d5954e4808028ff.pdf">方案</a>
      </div></body></html>"""
    parsed = hanweb.parse_detail(page, "https://fgw.jiaxing.gov.cn/art/2023/5/5/art_1_2.html", sources["jiaxing_fgw"])
    [link] = parsed.attachments
    assert link.type == "pdf" and link.name == "方案" and "downfile.jsp?classid=0&filename=" in link.url


def test_file_type_reads_the_path_a_file_name_parameter_or_the_link_text() -> None:
    assert file_type("https://a.gov.cn/x/P0202.PDF") == "pdf"
    assert file_type("https://a.gov.cn/module/download/downfile.jsp?classid=0&filename=ab.docx") == "docx"
    assert file_type("https://a.gov.cn/attach/0/12345", "附件1.pdf") == "pdf"
    assert file_type("https://a.gov.cn/art/2023/5/5/art_1_2.html") is None
    soup = soup_of('<div id="b"><a href="/a.html">另一页</a><a href="mailto:x@y.cn">信箱</a></div>')
    assert find_links(soup, "https://a.gov.cn/p.html", body=soup.select_one("#b"), selector=None) == []


# -- reading the files ------------------------------------------------------------------------------


def test_docx_annexes_read_back_as_the_corpus_lines_they_were_made_from() -> None:
    annex1, annex2 = corpus_lines(HAINING, 41, 97), corpus_lines(HAINING, 102, 204)
    assert convert(docx_bytes(annex1), "docx").text == annex1  # heading lines, then the table's cells
    assert convert(docx_bytes(annex2), "docx").text == annex2  # Word table cells, a two-line cell, the note


def test_a_real_pdf_reads_as_its_sentences_and_its_targets_quote_them() -> None:
    """山东省绿色低碳转型2022年行动计划 (dcp347) as published: its work goal is found with the number and unit it
    states, and every quote stands at its offsets in the text."""
    result = convert(corpus_pdf("dcp347.pdf"), "pdf")
    assert (result.kind, result.pages, result.needs_ocr) == ("pdf", 6, False)
    assert "可再生能源发电装机达到6700万千瓦" in squeezed(result.text)
    targets = extract_targets(result.text, "dcp347", region="山东省")
    assert targets and all(result.text[t.quote_start : t.quote_end] == t.quote for t in targets)
    assert any(t.value == 6700.0 and t.unit == "万千瓦" and "可再生能源" in t.indicator for t in targets)


def test_bytes_that_are_not_the_promised_file_are_refused() -> None:
    # Hanweb's downfile.jsp answers 200 with an HTML page when the file is gone.
    with pytest.raises(ConversionError, match="expected a pdf file, got html"):
        convert("<html><body>文件不存在</body></html>".encode(), "pdf")
    with pytest.raises(ConversionError, match="expected a docx file, got pdf"):
        convert(corpus_pdf("dcp404.pdf"), "docx")


# -- through the runner -----------------------------------------------------------------------------


def test_attachments_are_fetched_saved_and_appended_and_not_fetched_again(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    summary = scrape_source("haining_gov", mirror_settings, "run1")
    assert (summary.new, summary.attachments, summary.attachments_failed) == (1, 2, 0)
    (row,) = landed(mirror_settings, "haining_gov")
    annex1, annex2 = row["attachments"]  # type: ignore[misc]
    assert (annex1["name"], annex1["url"], annex1["type"], annex1["status"]) == (
        "1.“十四五”各镇（街道）能耗强度降低目标.docx", LIVE + ANNEX1, "docx", "read")
    assert (annex2["url"], annex2["type"], annex2["status"]) == (LIVE + ANNEX2, "docx", "read")
    body = str(row["body_text"])
    assert body[: annex1["text_start"]] == corpus_lines(HAINING, 1, 40) + "\n\n"
    assert body[annex1["text_start"] : annex1["text_end"]] == corpus_lines(HAINING, 41, 97)
    assert body[annex2["text_start"] : annex2["text_end"]] == corpus_lines(HAINING, 102, 204)
    for attachment, path in ((annex1, ANNEX1), (annex2, ANNEX2)):  # raw bytes saved unchanged, with their sidecar
        raw = mirror_settings.raw_dir / attachment["raw_path"]
        assert raw.read_bytes() == mirror.sites[TRS_HOST].files[path].body
        assert json.loads(raw.with_name(raw.name + ".json").read_text())["canonical_url"] == LIVE + path
    assert attachment_requests(mirror) == [(ANNEX1, 200), (ANNEX2, 200)]

    mirror.clear_log()
    again = scrape_source("haining_gov", mirror_settings, "run2")
    assert (again.unchanged, again.attachments) == (1, 0)
    assert attachment_requests(mirror) == []  # the page answered 304: its attachments are not asked for

    # A re-parse reads the attachments from the saved bytes: the same version, no request.
    mirror.clear_log()
    reparsed = reparse_source("haining_gov", mirror_settings, "run3")
    assert (reparsed.documents, reparsed.changed_versions) == (1, 0)
    assert mirror.requests() == []


def test_targets_of_an_attachment_quote_its_text(mirror: Mirror, mirror_settings: Settings) -> None:
    """What the extract stage does with the landed document: every quote is at its offsets in body_text,
    and the 附件 targets fall inside their attachment's range (which is how fct_targets names the file)."""
    scrape_source("haining_gov", mirror_settings, "run1")
    (doc,) = iter_documents(mirror_settings.landing_dir)
    targets = extract_targets(doc.body_text, doc.document_id, region="海宁市", title=doc.title)
    assert all(doc.body_text[t.quote_start : t.quote_end] == t.quote for t in targets)
    annex1, annex2 = doc.attachments
    assert annex1.text_start is not None and annex1.text_end is not None
    assert annex2.text_start is not None and annex2.text_end is not None

    def inside(a_start: int, a_end: int) -> set[tuple[str | None, str, float]]:
        return {(t.region, t.indicator, t.value) for t in targets if a_start <= t.quote_start and t.quote_end <= a_end}

    towns, sectors = inside(annex1.text_start, annex1.text_end), inside(annex2.text_start, annex2.text_end)
    assert ("许村镇", "能耗强度降低基本目标", 19.0) in towns and ("许村镇", "能耗强度降低激励目标", 20.0) in towns
    assert ("黄湾镇", "能耗强度降低基本目标", 17.0) in towns and len(towns) == 24  # 12 towns × 2
    assert ("海宁市", "对苯二甲酸（PTA）装置单位综合能耗", 50.0) in sectors
    assert ("海宁市", "全市公交车新能源化率", 80.0) in sectors
    page = inside(0, annex1.text_start)
    assert ("海宁市", "单位地区生产总值能源消耗", 18.0) in page


def test_links_to_other_hosts_and_unread_types_are_recorded_not_fetched(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    served = mirror.sites[TRS_HOST].files[PAGE]
    extra = ('<table class="enclosure"><tr><td><a href="https://www.zj.gov.cn/art/2022/6/1/P0001.pdf">浙江省方案</a>'
             '</td></tr><tr><td><a href="./P020230410000003.xls" oldsrc="P020230410000003.xls">3.表格</a></td></tr>'
             "</table></body>")
    page = served.body.replace(b"</body>", extra.encode("gbk"))  # test markup around the real page
    mirror.set_page(TRS_HOST, PAGE, page, served.content_type)
    summary = scrape_source("haining_gov", mirror_settings, "run1")
    assert summary.attachments_failed == 0 and summary.attachments == 2
    (row,) = landed(mirror_settings, "haining_gov")
    statuses = {a["url"]: (a["status"], a["error"]) for a in row["attachments"]}  # type: ignore[attr-defined]
    status, error = statuses["https://www.zj.gov.cn/art/2022/6/1/P0001.pdf"]
    assert status == "other_host" and "www.zj.gov.cn" in error
    status, error = statuses[LIVE + "/hdjl/yjzj/202304/P020230410000003.xls"]
    assert status == "not_read" and error.startswith("xls")
    assert not [r for r in mirror.requests() if r.path.endswith(".xls") or "P0001" in r.path]


def test_a_failing_download_is_named_and_retried_next_run(mirror: Mirror, mirror_settings: Settings) -> None:
    """A download that fails is the site's problem and fails the run like a failed page (unlike a file that
    cannot be read: test_bad_files.py); the page still lands, and a transient failure is retried."""
    mirror.fail(TRS_HOST, ANNEX1, status=503)
    with pytest.raises(ScrapeError) as info:
        scrape_source("haining_gov", mirror_settings, "run1")
    message = str(info.value)
    assert message.startswith("[haining_gov] ") and LIVE + ANNEX1 in message and "HTTP 503" in message
    assert "1 attachment(s) failed" in message and info.value.failed_urls == (LIVE + ANNEX1,)
    (first,) = landed(mirror_settings, "haining_gov")  # the page and 附件2 landed
    assert [a["status"] for a in first["attachments"]] == ["failed", "read"]  # type: ignore[index]
    assert corpus_lines(HAINING, 41, 97) not in str(first["body_text"])

    mirror.reset()  # the file server is back; the page itself has not changed
    summary = scrape_source("haining_gov", mirror_settings, "run2")
    assert (summary.new, summary.changed, summary.attachments) == (0, 1, 2)
    second = next(r for r in landed(mirror_settings, "haining_gov") if r["run_id"] == "run2")
    assert second["document_id"] == first["document_id"] and second["version_hash"] != first["version_hash"]
    assert corpus_lines(HAINING, 41, 97) in str(second["body_text"])


def test_a_file_over_the_size_cap_fails_alone_and_is_not_refetched(mirror: Mirror, mirror_settings: Settings
                                                                   ) -> None:
    registry = load_sources(mirror_settings.sources_file)
    source = registry["haining_gov"]
    small = dataclasses.replace(source, params=MappingProxyType({**source.params, "max_attachment_bytes": 1800}))
    assert len(mirror.sites[TRS_HOST].files[ANNEX1].body) < 1800 < len(mirror.sites[TRS_HOST].files[ANNEX2].body)
    summary = scrape_source("haining_gov", mirror_settings, "run1", sources={**registry, "haining_gov": small})
    assert (summary.new, summary.attachments, summary.attachments_failed) == (1, 1, 1)  # no ScrapeError
    [warning] = summary.warnings
    assert warning.startswith(f"[haining_gov] {LIVE + ANNEX2} (attachment of {LIVE + PAGE}): ")
    assert "exceeds 1800 bytes" in warning and "max_attachment_bytes" in warning  # why, and what to do
    (row,) = landed(mirror_settings, "haining_gov")
    assert [a["status"] for a in row["attachments"]] == ["read", "failed"]  # type: ignore[index]
    mirror.clear_log()
    summary = scrape_source("haining_gov", mirror_settings, "run2", sources={**registry, "haining_gov": small})
    assert summary.unchanged == 1 and attachment_requests(mirror) == []  # too big stays too big: no retry


@pytest.mark.parametrize(("params", "message"), [
    ('attachment_types = "pdf"', "attachment_types must be a list"),
    ("max_attachment_bytes = 0", "max_attachment_bytes must be a positive"),
    ('attachment_selektor = "a"', "unknown trs param"),
])
def test_attachment_params_are_checked_when_the_registry_loads(params: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD + params + "\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_sources(path)
    path.write_text(GOOD + 'attachment_types = ["pdf"]\nmax_attachment_bytes = 1000000\n', encoding="utf-8")
    assert load_sources(path)["demo"].param("attachment_types") == ["pdf"]


def test_pdf_documents_are_reparsed_from_their_saved_bytes(mirror: Mirror, mirror_settings: Settings) -> None:
    """A PDF-only document and a page with a PDF attachment (山东, Hanweb) re-parse from the raw store alone: the
    same versions, no request."""
    summary = scrape_source("shandong_gov", mirror_settings, "run1")
    assert (summary.new, summary.attachments) == (2, 2)
    mirror.clear_log()
    reparsed = reparse_source("shandong_gov", mirror_settings, "run2")
    assert (reparsed.documents, reparsed.changed_versions, reparsed.failed) == (2, 0, 0)
    assert mirror.requests() == []
    first = {r["url"]: r for r in landed(mirror_settings, "shandong_gov") if r["run_id"] == "run1"}
    again = {r["url"]: r for r in landed(mirror_settings, "shandong_gov") if r["run_id"] == "run2"}
    assert {u: (r["version_hash"], r["title"], r["attachments"]) for u, r in again.items()} == {
        u: (r["version_hash"], r["title"], r["attachments"]) for u, r in first.items()}
