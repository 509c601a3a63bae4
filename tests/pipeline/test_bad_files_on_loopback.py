"""Bad files met on the loopback mirror fail small. 山东省人民政府's Hanweb column (two documents: an article whose
attachment is a real PDF behind downfile.jsp, and a plan listed as its PDF alone) is scraped beside 福州's TRS
column, and the mirror serves a corrupt, an encrypted, a decompression-bomb or a scanned PDF in place of one of
the two files. Each time the source succeeds; what can land lands — the other document with its real text, the
article with its own lines — the bad file is recorded with its reason (and what to do), named with the source
and its URL in the run log, counted, not fetched again, and the state is saved. A scanned file lands flagged
needs_ocr and nothing is extracted from it. Then one whole run shows it all in the published warehouse."""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from carbonpeak import pipeline, runlog
from carbonpeak_core.landing import DocumentRecord, iter_documents, read_jsonl
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.attachments import corpus_pdf
from mirror.site import load_sites
from tests.scrapers.bad_files import CORRUPT_PDF, docx_bomb, encrypted_pdf, pdf_bomb, scanned_pdf

HOST = "www.shandong.gov.cn"
LIVE = "https://" + HOST
SITE = load_sites()["shandong_gov"]
ARTICLE = LIVE + SITE["documents"][0]["path"]
ANNEX_PATH = SITE["documents"][0]["attachments"][0]["path"]  # dcp575, the notice itself
PLAN_PATH = SITE["files"][0]["path"]  # dcp347, listed as its PDF alone
DOWNFILE = LIVE + "/module/download/downfile.jsp?classid=0&filename="
ANNEX_URL = DOWNFILE + ANNEX_PATH.rsplit("/", 1)[1]
PLAN_URL = DOWNFILE + PLAN_PATH.rsplit("/", 1)[1]
SOURCES = ["shandong_gov", "fuzhou_gov"]
NOTICE_TITLE = "山东省人民政府办公厅关于推动城乡建设绿色发展若干措施的通知"
# Sentences of the two real files (whitespace aside: line breaks fall where the PDF's layout put them).
PLAN_SENTENCE = "可再生能源发电装机达到6700万千瓦"  # dcp347
NOTICE_SENTENCE = "建成5000个美丽乡村示范村"  # dcp575


def squeezed(text: str) -> str:
    return "".join(text.split())


@dataclass(frozen=True)
class BadFile:
    name: str
    content: Callable[[], bytes]
    reason: str  # in the attachment's error and the run log's warning; "" for a scanned file
    advice: str  # what to do, in the same message


BAD_FILES = [
    BadFile("corrupt", lambda: CORRUPT_PDF, "unreadable PDF", "damaged or not what its link says"),
    BadFile("encrypted", lambda: encrypted_pdf("Carbon peak by 2030", "secret"), "encrypted (password required)",
            "only a copy without a password can be read"),
    BadFile("bomb", lambda: pdf_bomb(128), "exceeded the memory limit of 1024 MiB",
            "raise CARBONPEAK_CONVERT_MEMORY_MB if it is genuine"),
    BadFile("scanned", lambda: scanned_pdf(corpus_pdf("dcp347.pdf")), "", "needs OCR"),
]


def settings_for(tmp_path: Path, mirror: Mirror) -> Settings:
    # The converter keeps its defaults (1024 MiB, 60 s): the bomb must be stopped by the real limit.
    return Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1)


def documents(settings: Settings, key: str) -> dict[str, DocumentRecord]:
    return {d.url: d for d in iter_documents(settings.landing_dir) if d.source_key == key}


def details(settings: Settings, run_id: str, key: str) -> tuple[runlog.RunEvent, dict[str, Any]]:
    [event] = [e for e in runlog.events(settings) if e.run_id == run_id and e.name == key]
    return event, json.loads(event.details or "{}")


@pytest.mark.parametrize("where", ["attachment", "pdf-only"])
@pytest.mark.parametrize("bad", BAD_FILES, ids=[b.name for b in BAD_FILES])
def test_a_bad_pdf_fails_that_file_only(bad: BadFile, where: str, mirror: Mirror, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, mirror)
    bad_path, bad_url = (ANNEX_PATH, ANNEX_URL) if where == "attachment" else (PLAN_PATH, PLAN_URL)
    mirror.fail(HOST, bad_path, 200, headers={"Content-Type": "application/pdf"}, body=bad.content())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run_id = pipeline.new_run_id()
    results, errors = pipeline.scrape_sources(settings, run_id, SOURCES)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before < 200  # bounded here

    # The sources succeed; the other source is untouched.
    assert errors == {}
    assert results["fuzhou_gov"]["new"] == 1 and results["fuzhou_gov"]["warnings"] == []
    event, figures = details(settings, run_id, "shandong_gov")
    assert event.status == "success" and event.error is None

    # The bad file is named with the source and its URL, with the reason and what to do.
    [warning] = figures["warnings"]
    where_text = f" (attachment of {ARTICLE})" if where == "attachment" else ""
    assert warning.startswith(f"[shandong_gov] {bad_url}{where_text}: "), warning
    assert bad.reason in warning and bad.advice in warning
    scanned = bad.name == "scanned"
    assert (figures["attachments_failed"], figures["needs_ocr"]) == ((0, 1) if scanned else (1, 0))

    landed = documents(settings, "shandong_gov")
    if where == "attachment":
        # The article lands with its own lines; the notice PDF is recorded, not read. The plan lands whole.
        article = landed[ARTICLE]
        assert article.body_text.startswith(f"{NOTICE_TITLE}\n（鲁政办发〔2022〕7号）")
        assert NOTICE_SENTENCE not in squeezed(article.body_text)
        [annex] = article.attachments
        assert (annex.url, annex.status, annex.needs_ocr, annex.text_start) == (
            ANNEX_URL, "needs_ocr" if scanned else "failed", scanned, None)
        assert annex.raw_path and bad.reason in str(annex.error) and article.needs_ocr is scanned
        assert PLAN_SENTENCE in squeezed(landed[PLAN_URL].body_text)
        assert results["shandong_gov"]["new"] == 2
    else:
        # The article and its notice land whole; the plan lands only if there is something to land.
        assert NOTICE_SENTENCE in squeezed(landed[ARTICLE].body_text)
        if scanned:
            plan = landed[PLAN_URL]
            assert (plan.body_text, plan.needs_ocr, plan.title) == ("", True, "山东省绿色低碳转型2022年行动计划")
            [file] = plan.attachments
            assert (file.url, file.status, file.needs_ocr) == (PLAN_URL, "needs_ocr", True)
        else:
            assert PLAN_URL not in landed
        assert results["shandong_gov"]["new"] == (2 if scanned else 1)

    # The state is saved with both entries, and the bad file is not asked for again.
    state = json.loads((settings.state_dir / "shandong_gov.json").read_text(encoding="utf-8"))
    assert {ARTICLE, PLAN_URL} <= set(state["documents"])
    mirror.clear_log()
    again, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["shandong_gov"])
    assert errors == {} and again["shandong_gov"]["new"] == again["shandong_gov"]["changed"] == 0
    assert not [r for r in mirror.requests(HOST) if r.path in (bad_path, "/module/download/downfile.jsp")]

    # Nothing is invented from a file that was not read: no target quotes the article beyond its own lines,
    # and a scanned PDF-only document has none at all.
    pipeline.extract(settings)
    targets = list(read_jsonl(settings.landing_dir / "targets" / "targets.jsonl"))
    by_document: dict[str, int] = {}
    for row in targets:
        by_document[row["document_id"]] = by_document.get(row["document_id"], 0) + 1
    if where == "attachment":
        assert by_document.get(landed[ARTICLE].document_id, 0) == 0
    elif scanned:
        assert by_document.get(landed[PLAN_URL].document_id, 0) == 0


def test_a_corrupt_pdf_on_a_trs_page_fails_that_attachment_only(mirror: Mirror, tmp_path: Path) -> None:
    """福州's notice page (`a[oldsrc]`): the page lands with its title and 文号, the attachment is failed."""
    settings = settings_for(tmp_path, mirror)
    site = load_sites()["fuzhou_gov"]
    page, annex = site["documents"][0]["path"], site["documents"][0]["attachments"][0]["path"]
    mirror.fail("www.fuzhou.gov.cn", annex, 200, headers={"Content-Type": "application/pdf"}, body=CORRUPT_PDF)
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["fuzhou_gov"])
    assert errors == {} and results["fuzhou_gov"]["new"] == 1 and results["fuzhou_gov"]["attachments_failed"] == 1
    [doc] = documents(settings, "fuzhou_gov").values()
    assert doc.url == "https://www.fuzhou.gov.cn" + page
    assert doc.body_text == "福州市人民政府关于印发2021年实施“数字·绿色”技术改造专项行动方案的通知\n榕政综〔2021〕34号"
    [record] = doc.attachments
    assert record.status == "failed" and record.url == "https://www.fuzhou.gov.cn" + annex
    assert "unreadable PDF" in str(record.error)


def test_a_docx_bomb_fails_that_attachment_only(mirror: Mirror, tmp_path: Path) -> None:
    """海宁's 附件2 replaced by 100 MiB of XML in 0.1 MB: 附件1 and the page land, 附件2 is failed."""
    settings = settings_for(tmp_path, mirror)
    annex2 = "/hdjl/yjzj/202304/P020230410384620598016.docx"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    mirror.fail("www.haining.gov.cn", annex2, 200, headers={"Content-Type": content_type}, body=docx_bomb(100))
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["haining_gov"])
    assert errors == {} and (results["haining_gov"]["new"], results["haining_gov"]["attachments"]) == (1, 1)
    [warning] = results["haining_gov"]["warnings"]
    assert warning.startswith("[haining_gov] https://www.haining.gov.cn" + annex2 + " (attachment of ")
    assert "expands to 104857823 bytes" in warning and "decompression bomb" in warning
    [doc] = documents(settings, "haining_gov").values()
    assert [a.status for a in doc.attachments] == ["read", "failed"]


def test_real_pdfs_through_the_mirror_land_as_their_text(mirror: Mirror, tmp_path: Path) -> None:
    """Attachments (Hanweb downfile.jsp, TRS oldsrc) and PDF-only entries (Hanweb, TRS) of real PDFs land as
    documents whose text is the PDFs', the raw bytes saved as served."""
    settings = settings_for(tmp_path, mirror)
    results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id(), ["shandong_gov", "fuzhou_gov",
                                                                                 "fujian_gov"])
    assert errors == {} and [results[k]["new"] for k in ("shandong_gov", "fuzhou_gov", "fujian_gov")] == [2, 1, 1]
    landed = {d.url: d for d in iter_documents(settings.landing_dir)}
    fujian = next(d for d in landed.values() if d.source_key == "fujian_gov")
    cases = [  # (document, sentence of its PDF, the PDF, a PDF-only document)
        (landed[ARTICLE], NOTICE_SENTENCE, "dcp575.pdf", False),
        (landed[PLAN_URL], PLAN_SENTENCE, "dcp347.pdf", True),
        (next(d for d in landed.values() if d.source_key == "fuzhou_gov"), "技改投资1120亿元以上", "dcp404.pdf", False),
        (fujian, "单位地区生产总值能源消耗比2020年下降14%", "dcp483.pdf", True),
    ]
    for doc, sentence, pdf, pdf_only in cases:
        [file] = doc.attachments
        assert file.status == "read" and file.type == "pdf" and not doc.needs_ocr, doc.url
        assert sentence in squeezed(doc.body_text[file.text_start : file.text_end]), (doc.url, sentence)
        assert (settings.raw_dir / str(file.raw_path)).read_bytes() == corpus_pdf(pdf)
        if pdf_only:  # the file is the document: its URL, its text from offset 0, its title from the list
            assert doc.url == file.url and file.text_start == 0 and file.text_end == len(doc.body_text)
            assert doc.raw_path == file.raw_path and doc.title == file.name
    assert (landed[PLAN_URL].publish_date, landed[PLAN_URL].region_code) == (None, "370000")  # the list shows no date
    # A file's id is its name on the site: downfile.jsp's filename (Hanweb), the P0… upload name (TRS).
    assert landed[PLAN_URL].document_id == "shandong_gov:" + PLAN_PATH.rsplit("/", 1)[1].removesuffix(".pdf")
    assert fujian.document_id == "fujian_gov:P020220601398246173522"
    assert fujian.title == "福建省“十四五”节能减排综合工作实施方案" and fujian.region_code == "350000"


def test_the_warehouse_shows_where_each_target_was_read_and_what_could_not_be_read(
    mirror: Mirror, tmp_path: Path
) -> None:
    """One whole run (scrape, extract, dbt build, validation, publish) with the plan served as a scan and 福州's
    notice corrupt: targets read from PDFs carry the file's name, the scanned document is published flagged
    needs_ocr and without targets, and the run log counts and names both files."""
    settings = settings_for(tmp_path, mirror).with_(warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    mirror.fail(HOST, PLAN_PATH, 200, headers={"Content-Type": "application/pdf"},
                body=scanned_pdf(corpus_pdf("dcp347.pdf")))
    fuzhou = load_sites()["fuzhou_gov"]["documents"][0]["attachments"][0]["path"]
    mirror.fail("www.fuzhou.gov.cn", fuzhou, 200, headers={"Content-Type": "application/pdf"}, body=CORRUPT_PDF)
    report = pipeline.run_all(settings, sources=[*SOURCES, "fujian_gov"])
    assert report.ok and report.published, report.summary()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        by_file = dict(rows("select coalesce(attachment_name, '(page)'), count(*) from fct_targets group by 1"))
        assert by_file.get(f"{NOTICE_TITLE}.pdf", 0) > 0  # the notice, an attachment
        assert by_file.get("福建省“十四五”节能减排综合工作实施方案", 0) > 0  # a PDF-only document
        assert rows("select count(*) from fct_targets t join dim_documents d using (document_id, version_hash) "
                    "where d.needs_ocr or d.source_key = 'fuzhou_gov'") == [(0,)]
        assert rows("select title, needs_ocr, body_chars, attachments_read from dim_documents "
                    f"where url = '{PLAN_URL}'") == [("山东省绿色低碳转型2022年行动计划", True, 0, 0)]
        # Intermediate models stay in the build file (the published one holds the marts alone).
        con.execute(f"attach '{settings.build_path}' as build (read_only)")
        assert rows("select status, needs_ocr from build.intermediate.int_document_attachments "
                    f"where attachment_url = '{PLAN_URL}'") == [("needs_ocr", True)]
        runs = {r[0]: r[1:] for r in rows("select source_key, status, attachments_failed, files_need_ocr, warnings "
                                          "from fct_source_runs")}
        assert runs["shandong_gov"][:3] == ("success", 0, 1) and PLAN_URL in runs["shandong_gov"][3]
        assert runs["fuzhou_gov"][:3] == ("success", 1, 0) and "unreadable PDF" in runs["fuzhou_gov"][3]
        assert rows("select attachments_failed, files_need_ocr from fct_pipeline_runs") == [(1, 1)]
