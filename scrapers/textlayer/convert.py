"""Dispatch from a file type to its converter, and sniffing what bytes really are."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from scrapers.textlayer.docx import docx_text
from scrapers.textlayer.model import ConversionError, FileText
from scrapers.textlayer.pdf import pdf_text

__all__ = ["CONVERTERS", "ConversionError", "FileText", "convert", "sniff"]


def sniff(content: bytes) -> str:
    """What the bytes are, whatever the link or the Content-Type said."""
    head = content[:1024]
    if b"%PDF-" in head:  # readers accept junk before the header, so some servers send it
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "zip"
        return "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else "zip"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole (doc/xls/wps)"
    if b"<html" in head.lower():
        return "html"
    return "unknown"


def _docx(content: bytes) -> FileText:
    return FileText(docx_text(content), "docx")


# type -> converter; the types a source downloads by default (params.attachment_types may narrow it).
CONVERTERS: dict[str, Callable[[bytes], FileText]] = {"pdf": pdf_text, "docx": _docx}


def convert(content: bytes, kind: str) -> FileText:
    """Text of a file of type `kind` (a CONVERTERS key); ConversionError when the bytes are something else
    (e.g. the HTML error page a download script sends with status 200 for a missing file) or unreadable."""
    actual = sniff(content)
    if actual != kind:
        raise ConversionError(f"expected a {kind} file, got {actual} ({len(content)} bytes)")
    result = CONVERTERS[kind](content)
    lines = result.text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return FileText("\n".join(lines), result.kind, result.pages, result.needs_ocr)
