"""PDF → reading text with pypdfium2 (PDFium): characters and their boxes, laid out into lines and tables.

Chosen by measurement (bench/pdf_text_layers.py): on the 60 corpus PDFs PDFium reads the text layer
about twenty times faster than pdfminer-based readers. Each page's characters are grouped into lines by
their boxes (not by the content-stream order, which puts a footer drawn first on the title's line); a wide
gap inside a line separates table cells; `clean` then turns the pages into reading text.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

from carbonpeak.textlayer.convert import ConversionError, FileText

MAX_PAGES = 2000  # a page budget: a file claiming more pages is read up to here
MIN_CHARS_PER_PAGE = 8  # fewer text characters on every page: no text layer (scanned)


@dataclass
class Line:
    """One printed line: its cells (text runs separated by a wide gap) and where it stands on the page."""

    cells: list[str]
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float  # character height
    cell_x: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.cells)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]


def read_pages(content: bytes, *, max_pages: int = MAX_PAGES) -> list[Page]:
    """The pages of a PDF as lines; ConversionError for a file PDFium cannot open (corrupt, encrypted)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            reason = "encrypted (password required)"
        raise ConversionError(f"unreadable PDF: {reason}") from exc
    try:
        pages = []
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            try:
                pages.append(_layout(index + 1, page))
            finally:
                page.close()
        return pages
    finally:
        pdf.close()


def _layout(number: int, page) -> Page:
    import pypdfium2.raw as raw

    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        n = raw.FPDFText_CountChars(handle)
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
        chars: list[tuple[str, float, float, float, float]] = []
        for i in range(n):
            code = raw.FPDFText_GetUnicode(handle, i)
            if code in (0, 0xFFFE, 0xFFFF) or raw.FPDFText_IsGenerated(handle, i) == 1:
                continue
            ch = chr(code)
            if ch.isspace():
                continue
            raw.FPDFText_GetCharBox(handle, i, *refs)
            chars.append((ch, left.value, right.value, height - top.value, height - bottom.value))
    finally:
        textpage.close()
    return Page(number, width, height, _lines(chars))


Char = tuple[str, float, float, float, float]  # text, x0, x1, top, bottom (top-down page coordinates)


def _group(chars: list[Char]) -> list[list[Char]]:
    """Characters in content-stream order → rows: a character continues the row whose vertical band holds its
    middle (streams mostly run line by line, so only the last few rows are tried)."""
    rows: list[list[Char]] = []
    bands: list[list[float]] = []
    for ch in chars:
        t, b = ch[3], ch[4]
        mid = (t + b) / 2
        for k in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            band = bands[k]
            if band[0] <= mid <= band[1]:
                rows[k].append(ch)
                if b - t > 0.5 * (band[1] - band[0]):  # small glyphs (quotes, 、) do not widen the band
                    band[0], band[1] = min(band[0], t), max(band[1], b)
                break
        else:
            rows.append([ch])
            bands.append([t, b])
    return _merge_rows(rows)


def _band(row: list[Char]) -> tuple[float, float, float]:
    """(top, bottom, height) of a row, from its full-height characters."""
    heights = sorted(c[4] - c[3] for c in row)
    tall = heights[-1]
    core = [c for c in row if c[4] - c[3] >= 0.6 * tall] or row
    return min(c[3] for c in core), max(c[4] for c in core), tall


def _merge_rows(rows: list[list[Char]]) -> list[list[Char]]:
    """Rows that share a baseline become one: the cells of a table read column by column, a quote mark or
    a 、 drawn on its own before the line it belongs to."""
    rows = sorted(rows, key=lambda r: _band(r)[0])
    merged: list[list[Char]] = []
    merged_bands: list[tuple[float, float, float]] = []
    for row in rows:
        t, b, h = _band(row)
        for k in range(len(merged) - 1, max(-1, len(merged) - 6), -1):
            mt, mb, mh = merged_bands[k]
            overlap = min(b, mb) - max(t, mt)
            if overlap >= 0.6 * min(h, mh):
                merged[k] += row
                if h > 0.6 * mh:
                    merged_bands[k] = (min(t, mt), max(b, mb), max(h, mh))
                break
        else:
            merged.append(row)
            merged_bands.append((t, b, h))
    return merged


def _lines(chars: list[Char]) -> list[Line]:
    lines = []
    for row in _group(chars):
        row.sort(key=lambda c: c[1])
        heights = sorted(c[4] - c[3] for c in row)
        size = max(heights[len(heights) // 2], 0.6 * heights[-1]) or 10.0
        cells: list[str] = [row[0][0]]
        cell_x = [(row[0][1], row[0][2])]
        prev_right = row[0][2]
        for ch, x0, x1, _, _ in row[1:]:
            gap = x0 - prev_right
            if gap > 1.5 * size:
                cells.append(ch)
                cell_x.append((x0, x1))
            else:
                if gap > 0.2 * size and _spaced(cells[-1][-1], ch):
                    cells[-1] += " "
                cells[-1] += ch
                cell_x[-1] = (cell_x[-1][0], max(cell_x[-1][1], x1))
            prev_right = max(prev_right, x1)
        t, b, _ = _band(row)
        lines.append(Line(cells, row[0][1], prev_right, t, b, size, cell_x))
    lines.sort(key=lambda ln: (round(ln.top), ln.x0))
    return lines


def _spaced(a: str, b: str) -> bool:
    """A visible gap between two characters is a word space only between Latin letters."""
    return a.isascii() and b.isascii() and a.isalpha() and b.isalpha()


def pdf_text(content: bytes) -> FileText:
    from carbonpeak.textlayer.clean import reading_text

    pages = read_pages(content)
    if pages and all(sum(len(c) for ln in p.lines for c in ln.cells) < MIN_CHARS_PER_PAGE for p in pages):
        return FileText("", "pdf", pages=len(pages), needs_ocr=True)
    return FileText(reading_text(pages), "pdf", pages=len(pages))
