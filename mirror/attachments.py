"""Files of mirrored pages: real PDFs from the corpus (`pdf/`), and Word files made from corpus text.

A document in sites.toml may keep part of its corpus text off the page (`body_lines`) and publish other
line ranges as downloadable annexes (`[[…documents.attachments]]`: name, path, format, lines), as the
海宁 plan lists 附件1 and 附件2 below its text; those are DOCX, generated from the corpus layout of the lines —
paragraph lines, and tables as one tab-prefixed line per cell with a blank line after each row — as a minimal
WordprocessingML package (content types, relationships, word/document.xml) with real w:tbl tables, written
with zipfile at fixed timestamps, so the bytes (and ETags) are the same on every build and a second scrape
gets 304.
A PDF is never generated: an attachment or a PDF-only list entry with `pdf = "dcpNNN.pdf"` serves that file
of `pdf/` byte for byte, a real government PDF (`pdf/README.md` says where each one comes from).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

PDF_DIR = Path(__file__).resolve().parent / "pdf"

# A paragraph line, or a table: rows of cells (a cell may hold several lines).
Block = tuple[str, str] | tuple[str, list[list[str]]]


@dataclass(frozen=True)
class AttachmentFile:
    name: str  # the link text on the page
    path: str  # absolute path on the site
    format: str  # pdf | docx
    body: bytes


def corpus_blocks(text: str) -> list[Block]:
    """Paragraphs and tables of corpus-layout text (see the module docstring)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("\t"):
            blocks.append(("p", lines[i]))
            i += 1
            continue
        rows: list[list[str]] = []
        while i < len(lines) and lines[i].startswith("\t"):
            cells: list[str] = []
            while i < len(lines) and lines[i] != "":
                if lines[i].startswith("\t"):
                    cells.append(lines[i][1:])
                else:  # a cell's second line
                    cells[-1] += "\n" + lines[i]
                i += 1
            rows.append(cells)
            i += 1  # the blank line that ends the row
        blocks.append(("table", rows))
    return blocks


_ZIP_TIME = (2023, 4, 10, 10, 0, 0)  # PLACEHOLDER: the page's Last-Modified day
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="word/document.xml"/></Relationships>"""
_FONT = '<w:rPr><w:rFonts w:ascii="宋体" w:eastAsia="宋体" w:hAnsi="宋体"/></w:rPr>'


def _w_paragraph(text: str) -> str:
    """One w:p; the author's tabs stay Word tabs between the text runs."""
    runs = f"<w:r>{_FONT}<w:tab/></w:r>".join(
        f'<w:r>{_FONT}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>' if part else ""
        for part in text.split("\t"))
    return f"<w:p>{runs}</w:p>"


def _w_table(rows: list[list[str]]) -> str:
    width = max(len(row) for row in rows)
    grid = "".join('<w:gridCol w:w="1600"/>' for _ in range(width))
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
           + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + f"</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"]
    for row in rows:
        cells = []
        for c, cell in enumerate(row):
            span = width - len(row) + 1 if c == len(row) - 1 and len(row) < width else 1
            props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
            cells.append(f"<w:tc>{props}" + "".join(_w_paragraph(line) for line in cell.split("\n")) + "</w:tc>")
        out.append("<w:tr>" + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


@lru_cache(maxsize=16)
def docx_bytes(text: str) -> bytes:
    body = []
    for _, value in corpus_blocks(text):
        body.append(_w_paragraph(value) if isinstance(value, str) else _w_table(value))
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                + "".join(body)
                + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode("utf-8"))
    return out.getvalue()


def _lines(text: str, span: list[int]) -> str:
    """1-based, inclusive line range of `text`."""
    return "\n".join(text.split("\n")[span[0] - 1 : span[1]])


@lru_cache(maxsize=16)
def corpus_pdf(name: str) -> bytes:
    """A real PDF of `pdf/`, as published."""
    return (PDF_DIR / name).read_bytes()


def split_attachments(doc: dict[str, Any]) -> tuple[str, list[AttachmentFile]]:
    """(the text the page itself shows, the attachment files) of a sites.toml document entry."""
    text: str = doc["text"]
    page = _lines(text, doc["body_lines"]) if "body_lines" in doc else text
    files = []
    for att in doc.get("attachments", []):
        if att["format"] == "pdf":
            if "pdf" not in att:
                raise ValueError(f"mirror: a PDF attachment serves a real file of pdf/ (pdf = ...): {att['name']}")
            body = corpus_pdf(att["pdf"])
        elif att["format"] == "docx":
            body = docx_bytes(_lines(text, att["lines"]))
        else:
            raise ValueError(f"mirror: attachment format {att['format']!r} (pdf or docx)")
        files.append(AttachmentFile(att["name"], att["path"], att["format"], body))
    return page, files


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
