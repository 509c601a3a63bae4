"""`carbonpeak extract PATH...`: .pdf, .docx, .html and .txt files, several in one call, run as the console
script. Doc ids, `--doc-id`, and files that fail (missing, corrupt, unknown type, scanned) without costing
the others their targets.

The real PDF comes from ../shared/corpus/pdf beside the checkout (as in CI); the other files are written here.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from carbonpeak_core.paths import REPO_ROOT

CORPUS_PDF = REPO_ROOT.parent / "shared" / "corpus" / "pdf" / "dcp172.pdf"  # 青岛市 building-energy plan
needs_corpus = pytest.mark.skipif(not CORPUS_PDF.exists(),
                                  reason=f"the real-PDF corpus is not beside the checkout ({CORPUS_PDF})")
FIELDS = ["doc", "region", "sector", "indicator", "value", "unit", "direction", "comparator", "target_year",
          "baseline_year", "quote", "note"]
TEXT = "到2025年，全市单位地区生产总值能耗比2020年下降14.5%，非化石能源消费比重达到20%以上。"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _carbonpeak(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("carbonpeak")
    return subprocess.run([str(script), "extract", *args], capture_output=True, text=True, timeout=300)


def _records(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
                         '.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", document.encode("utf-8"))
    return out.getvalue()


def _files(tmp_path: Path) -> dict[str, Path]:
    """A real PDF, a UTF-8 and a GBK .txt, a GBK web page and a Word file, each stating targets."""
    pdf = tmp_path / "qingdao_plan.pdf"
    shutil.copyfile(CORPUS_PDF, pdf)
    txt = tmp_path / "plan.txt"
    txt.write_text(TEXT + "\n", encoding="utf-8")
    gbk = tmp_path / "plan_gbk.txt"
    gbk.write_bytes((TEXT + "\n").encode("gbk"))
    html = tmp_path / "notice.htm"
    html.write_bytes(("<html><head><meta charset='gbk'><meta name='ArticleTitle' content='嘉兴市碳达峰实施方案'>"
                      "<meta name='PubDate' content='2022-08-01'><title>嘉兴市碳达峰实施方案_通知公告</title>"
                      "<script>var x = '到2030年下降99%';</script></head>"
                      "<body><div class='nav'>首页 &gt; 通知公告</div>"
                      f"<div class='article'><p>{TEXT}</p></div></body></html>").encode("gbk"))
    docx = tmp_path / "annex.docx"
    docx.write_bytes(_docx(["附件", TEXT]))
    return {"pdf": pdf, "txt": txt, "gbk": gbk, "html": html, "docx": docx}


@needs_corpus
def test_pdf_txt_html_and_docx_in_one_call_each_under_its_file_stem(tmp_path: Path) -> None:
    files = _files(tmp_path)
    proc = _carbonpeak(*map(str, files.values()), "--region", "青岛市")
    assert proc.returncode == 0, proc.stderr
    records = _records(proc.stdout)
    by_doc: dict[object, list[dict[str, object]]] = {}
    for record in records:
        assert list(record)[: len(FIELDS)] == FIELDS
        by_doc.setdefault(record["doc"], []).append(record)
    assert list(by_doc) == [p.stem for p in files.values()]  # the files' order, each under its stem
    assert len(by_doc["qingdao_plan"]) >= 10  # the real PDF states 20 targets (gold/pdf)
    for doc in ("plan", "plan_gbk", "notice", "annex"):
        found = {(r["indicator"], r["value"], r["unit"], r["direction"], r["target_year"]) for r in by_doc[doc]}
        assert found == {("单位地区生产总值能耗", 14.5, "%", "decrease", 2025),
                         ("非化石能源消费比重", 20, "%", "reach", 2025)}, doc
        assert all(r["region"] == "青岛市" and str(r["quote"]) in TEXT for r in by_doc[doc])
    text = files["txt"].read_text(encoding="utf-8")
    for r in by_doc["plan"]:
        assert text[int(r["quote_start"]): int(r["quote_end"])] == r["quote"]  # type: ignore[call-overload]


def test_doc_id_names_the_single_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    proc = _carbonpeak(str(path), "--doc-id", "jiaxing_2022")
    assert proc.returncode == 0, proc.stderr
    records = _records(proc.stdout)
    assert len(records) == 2 and {r["doc"] for r in records} == {"jiaxing_2022"}


def test_doc_id_with_two_paths_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(TEXT, encoding="utf-8")
    proc = _carbonpeak(str(a), str(b), "--doc-id", "x")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "--doc-id names one document, but 2 paths were given" in proc.stderr


@needs_corpus
def test_missing_corrupt_and_unknown_files_fail_alone_with_a_clear_message(tmp_path: Path) -> None:
    files = _files(tmp_path)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 junk")  # what a broken server sends as application/pdf
    not_pdf = tmp_path / "error_page.pdf"
    not_pdf.write_bytes(b"<html><body>404 Not Found</body></html>")
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    missing = tmp_path / "missing.pdf"
    paths = [files["txt"], broken, missing, files["pdf"], not_pdf, legacy, files["docx"]]
    proc = _carbonpeak(*map(str, paths))
    assert proc.returncode == 1
    docs = [r["doc"] for r in _records(proc.stdout)]
    assert sorted(set(docs), key=docs.index) == ["plan", "qingdao_plan", "annex"]  # the others still extract
    err = proc.stderr
    assert f"error: {broken}: unreadable PDF" in err and "open it in a PDF viewer" in err
    assert f"error: {missing}: no such file. Check the path" in err
    assert f"error: {not_pdf}: expected a pdf file, got html" in err
    assert f"error: {legacy}: ole (doc/xls/wps) file: not one of the types read here" in err
    assert "save it as .docx" in err
    assert "4 of 7 files failed" in err


def test_a_scanned_pdf_gives_a_warning_and_no_targets(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    scanned = tmp_path / "scanned.pdf"
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842).close()  # a page with no text layer, as a scan is
    with scanned.open("wb") as fh:
        pdf.save(fh)
    pdf.close()
    txt = tmp_path / "plan.txt"
    txt.write_text(TEXT, encoding="utf-8")
    proc = _carbonpeak(str(scanned), str(txt))
    assert proc.returncode == 0, proc.stderr
    assert {r["doc"] for r in _records(proc.stdout)} == {"plan"}
    assert f"warning: {scanned}: no text layer on its 1 page (a scanned PDF?): no targets read" in proc.stderr


def test_explain_lists_each_dropped_number_with_its_rule_after_the_targets() -> None:
    pdf = REPO_ROOT / "mirror" / "pdf" / "dcp404.pdf"  # 福州市 2021年技术改造专项行动方案, a real PDF
    plain = _carbonpeak(str(pdf))
    explained = _carbonpeak("--explain", str(pdf))
    assert plain.returncode == explained.returncode == 0, explained.stderr
    rows = [json.loads(line) for line in explained.stdout.splitlines()]
    targets = [r for r in rows if not r.get("skipped")]
    skipped = [r for r in rows if r.get("skipped")]
    assert targets == _records(plain.stdout)  # --explain adds lines, changes none
    assert rows[:len(targets)] == targets  # the targets come first
    by_mention = {r["mention"]: r for r in skipped}
    # The fund size and the grant conditions in the plan's 扶持政策 are not targets, and say why.
    assert by_mention["100亿元"]["rule"] == "fund_size"
    assert "100亿元市级企业技术改造基金" in by_mention["100亿元"]["context"]
    assert by_mention["1422亿元"]["rule"] == "set_attribute"
    assert all(r["reason"] and r["rule"] for r in skipped)
