"""DOCX → text: word/document.xml read with zipfile and lxml (no Word library), bounded against zip bombs.

Body paragraphs and tables in document order; headers, footers and comments are left out. A table is one
tab-prefixed line per cell with a blank line after each row: the corpus's own annex-table layout, which the
extractor's table rules read.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from scrapers.textlayer.model import ConversionError

MAX_DOCX_XML_BYTES = 64 * 1024 * 1024  # word/document.xml uncompressed: a zip bomb stops here
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_lines(rows: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines += ["\t" + cell for cell in row]
        lines.append("")
    return lines
def _runs_text(paragraph: Any) -> str:
    out: list[str] = []
    for run in paragraph.iter(_W + "r"):
        for el in run:
            if el.tag == _W + "t":
                out.append(el.text or "")
            elif el.tag == _W + "tab":
                out.append("\t")
            elif el.tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif el.tag == _W + "noBreakHyphen":
                out.append("-")
    return "".join(out)  # w:delText (tracked deletions) and w:instrText (field codes) are not text


def _blocks(parent: Any, lines: list[str]) -> None:
    for child in parent:
        if child.tag == _W + "p":
            lines += _runs_text(child).split("\n")
        elif child.tag == _W + "tbl":
            rows = []
            for tr in child.iter(_W + "tr"):
                if tr.getparent() is not child:
                    continue  # a nested table's row: read inside its cell
                cells = []
                for tc in tr.iter(_W + "tc"):
                    if tc.getparent() is tr:
                        cell: list[str] = []
                        _blocks(tc, cell)
                        cells.append("\n".join(cell))
                rows.append(cells)
            lines += _cell_lines(rows)
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins"):
            _blocks(child, lines)


def docx_text(content: bytes) -> str:
    """Text of a Word 2007+ file (word/document.xml, read with zipfile and lxml: no Word library needed).
    Body paragraphs and tables in document order; headers, footers and comments are left out."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise ConversionError(f"word/document.xml expands to {info.file_size} bytes")
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ConversionError(f"not a Word document: {exc}") from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ConversionError(f"unreadable word/document.xml: {exc}") from exc
    body = root.find(_W + "body")
    lines: list[str] = []
    if body is not None:
        _blocks(body, lines)
    return "\n".join(lines)


