"""Bad files in the converter process (scrapers.textlayer.isolate): each fails with its reason, a decompression
bomb hits the memory limit in the child while the scraper's own memory stays where it was, and a scanned page is
flagged needs_ocr with no text. The files are made by tests/scrapers/bad_files.py; scrapes that meet them on the
loopback mirror are tests/pipeline/test_bad_files_on_loopback.py."""

from __future__ import annotations

import resource

import pypdfium2 as pdfium
import pytest

from mirror.attachments import corpus_pdf
from scrapers.textlayer import ConversionError, convert
from scrapers.textlayer.isolate import ResourceLimitError, convert_isolated
from tests.scrapers.bad_files import CORRUPT_PDF, docx_bomb, encrypted_pdf, pdf_bomb, scanned_pdf


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_the_worker_reads_a_real_pdf_exactly_as_in_process() -> None:
    content = corpus_pdf("dcp404.pdf")
    assert convert_isolated(content, "pdf") == convert(content, "pdf")


@pytest.mark.parametrize(("name", "content", "kind", "reason"), [
    ("corrupt PDF", CORRUPT_PDF, "pdf", "unreadable PDF"),
    ("encrypted PDF", encrypted_pdf("Carbon peak by 2030", "secret"), "pdf", "encrypted (password required)"),
    ("DOCX bomb", docx_bomb(100), "docx", "word/document.xml expands to 104857823 bytes"),
    ("HTML for a PDF", "<html><body>文件不存在</body></html>".encode(), "pdf", "expected a pdf file, got html"),
])
def test_a_bad_file_fails_with_its_reason(name: str, content: bytes, kind: str, reason: str) -> None:
    with pytest.raises(ConversionError) as info:
        convert_isolated(content, kind)
    assert reason in str(info.value), name
    assert not isinstance(info.value, ResourceLimitError)


def test_the_encrypted_pdf_is_a_real_one() -> None:
    """It is not junk that happens to fail: with its password PDFium opens it and reads its text."""
    content = encrypted_pdf("Carbon peak by 2030", "secret")
    document = pdfium.PdfDocument(content, password="secret")
    try:
        textpage = document[0].get_textpage()
        assert textpage.get_text_range() == "Carbon peak by 2030"
        textpage.close()
    finally:
        document.close()


def test_a_pdf_bomb_hits_the_memory_limit_in_the_worker_not_in_the_scraper() -> None:
    """0.26 MB inflating to 128 MiB of path operators: read in-process, PDFium would take about 2.5 GB."""
    bomb = pdf_bomb(128)
    assert len(bomb) < 300_000
    before = peak_rss_mb()
    with pytest.raises(ResourceLimitError) as info:
        convert_isolated(bomb, "pdf", memory_mb=512)
    message = str(info.value)
    assert "exceeded the memory limit of 512 MiB" in message and "CARBONPEAK_CONVERT_MEMORY_MB" in message
    assert peak_rss_mb() - before < 100  # the scraper's process never held the inflated file


def test_a_file_that_takes_too_long_is_stopped() -> None:
    with pytest.raises(ResourceLimitError) as info:
        convert_isolated(pdf_bomb(64), "pdf", memory_mb=4096, timeout_s=0.2)
    assert "took longer than the 0.2 s time limit" in str(info.value)
    assert "CARBONPEAK_CONVERT_TIMEOUT" in str(info.value)


def test_a_scanned_pdf_is_flagged_needs_ocr_and_gives_no_text() -> None:
    scan = scanned_pdf(corpus_pdf("dcp347.pdf"))
    # The scan is dcp347's first page as pixels: an image covering the page, and not a blank one.
    document = pdfium.PdfDocument(scan)
    try:
        page = document[0]
        assert [obj.type for obj in page.get_objects()] == [pdfium.raw.FPDF_PAGEOBJ_IMAGE]
        pixels = page.render(scale=0.5).to_numpy()
        assert pixels.min() < 100 and pixels.max() > 200  # dark glyphs on a light page
        textpage = page.get_textpage()
        assert textpage.count_chars() == 0
        textpage.close()
    finally:
        document.close()
    result = convert_isolated(scan, "pdf")
    assert (result.text, result.pages, result.needs_ocr) == ("", 1, True)
