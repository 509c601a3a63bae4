"""Pages of lines → the document's reading text.

What PDF text layers of government documents carry besides the text, and what happens to it here:
  page footers  `— 9 —`, `- 9 -`, `—8—`, `第 3 页 共 9 页`, a bare page number: dropped when they stand in
                the top or bottom band of the page
  running heads a line repeated at the same height on several pages (the issuer, the title): dropped
  wrapped lines a line that reaches the right margin continues on the next line, also across a page
                break, unless the next line is indented (a new paragraph) or starts a list item: joined
  tables        runs of lines whose text falls into separate columns (`Line.cells`): one row per line,
                cells separated by " | ", columns aligned across rows so headers sit over their values
Layout spaces between CJK characters and digits never reach here: pdf.py writes a space only between
Latin letters. Paragraphs end with a line break; nothing else does.
"""

from __future__ import annotations

import re
from collections import Counter

from scrapers.textlayer.model import Line, Page

_FOOTER = re.compile(
    r"^(?:[—\-－–─]+\s*\d{1,4}\s*[—\-－–─]+|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}"
    r"|\d{1,4}\s*/\s*\d{1,4}|[-—]\s*\d{1,4})$"
)
_BAND = 0.12  # top and bottom share of the page where footers and running heads stand
# A line that starts a new item even when the line before it reaches the margin.
_ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|\d{1,2}[.．、]\D"
    r"|第[一二三四五六七八九十\d]+[章节条]|附件\s*\d*[:：]?$|表\s*\d|专栏\s*\d|图\s*\d)"
)
_END_PUNCT = "。；！？：:;!?"


def _furniture(pages: list[Page]) -> set[tuple[int, int]]:
    """(page index, line index) of footers, page numbers and running heads."""
    drop: set[tuple[int, int]] = set()
    repeated: Counter[tuple[str, int]] = Counter()
    for page in pages:
        for line in page.lines:
            if line.top < page.height * _BAND or line.bottom > page.height * (1 - _BAND):
                repeated[(re.sub(r"\d+", "#", line.text), round(line.top / 4))] += 1
    for p, page in enumerate(pages):
        for i, line in enumerate(page.lines):
            in_band = line.top < page.height * _BAND or line.bottom > page.height * (1 - _BAND)
            if not in_band:
                continue
            text = line.text.replace(" ", "")
            key = (re.sub(r"\d+", "#", line.text), round(line.top / 4))
            if _FOOTER.match(text) or (len(pages) >= 3 and repeated[key] >= max(3, len(pages) // 2)):
                drop.add((p, i))
    return drop


def _margins(lines: list[Line]) -> tuple[float, float]:
    """Left and right margin of the body text: where most lines start, and how far the long ones reach."""
    body = [ln for ln in lines if len(ln.cells) == 1] or lines
    starts = Counter(round(ln.x0) for ln in body)
    left = min(x for x, n in starts.items() if n >= max(1, starts.most_common(1)[0][1] // 3))
    rights = sorted(ln.x1 for ln in body)
    right = rights[int(0.9 * (len(rights) - 1))]
    return float(left), right


def _glue(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


def _is_table(line: Line) -> bool:
    return len(line.cells) > 1


def _table_rows(lines: list[Line]) -> list[str]:
    """A run of table lines as `a | b | c` rows, each cell placed in the column it stands over. A first-column
    label that wraps onto lines of its own (its values centred beside it) is joined back to its row."""
    cols: list[tuple[float, float]] = []  # column x ranges from the rows with the most cells
    widest = max(len(ln.cells) for ln in lines)
    for ln in lines:
        if len(ln.cells) == widest:
            if not cols:
                cols = list(ln.cell_x)
            else:
                cols = [(min(a0, b0), max(a1, b1)) for (a0, a1), (b0, b1) in zip(cols, ln.cell_x, strict=True)]
    rows: list[list[str]] = []
    fragment: list[bool] = []  # a line holding only part of a first-column label
    for ln in lines:
        if len(ln.cells) == widest or (len(ln.cells) == 1 and not _aligned(ln, cols)):
            rows.append(list(ln.cells))
            fragment.append(len(ln.cells) == 1 and ln.x0 < cols[0][1] and widest > 1)
            continue
        row = [""] * len(cols)
        for cell, (x0, x1) in zip(ln.cells, ln.cell_x, strict=True):
            covered = [k for k, (c0, c1) in enumerate(cols) if x0 <= (c0 + c1) / 2 <= x1]
            if not covered:  # narrower than the column: the column it overlaps most
                covered = [max(range(len(cols)), key=lambda k: min(x1, cols[k][1]) - max(x0, cols[k][0]))]
            for k in covered:
                row[k] = (row[k] + cell) if row[k] else cell
        rows.append(row)
        fragment.append(False)
    # A label wrapped over several lines has its values centred beside it, on a line of their own: each
    # fragment joins the nearest values-only line above or below ("城镇新建建筑实施建筑能效（绿色建" /
    # "－ | 100" / "筑）测评比重（%）").
    mids = [(ln.top + ln.bottom) / 2 for ln in lines]
    values_only = [not fragment[k] and len(row) > 1 and not row[0] for k, row in enumerate(rows)]
    owner: dict[int, int] = {}
    for k in range(len(rows)):
        if not fragment[k]:
            continue
        near = [m for m in (next((m for m in range(k - 1, -1, -1) if not fragment[m]), None),
                            next((m for m in range(k + 1, len(rows)) if not fragment[m]), None))
                if m is not None and values_only[m] and abs(mids[m] - mids[k]) < 2 * lines[k].size]
        if near:
            owner[k] = min(near, key=lambda m: abs(mids[m] - mids[k]))
    merged: list[list[str]] = []
    for k, row in enumerate(rows):
        if k in owner:
            continue
        if values_only[k]:
            label = "".join(rows[f][0] for f in sorted(f for f, m in owner.items() if m == k))
            row = [label, *row[1:]]
        merged.append(row)
    out: list[str] = []
    for row in merged:
        while len(row) > 1 and not row[-1]:
            row.pop()  # a row ending in " | " would read as a one-cell-per-line pipe table
        out.append(" | ".join(row))
    return out


def _aligned(line: Line, cols: list[tuple[float, float]]) -> bool:
    x0, x1 = line.x0, line.x1
    return any(min(x1, c1) - max(x0, c0) > 0 for c0, c1 in cols[1:])


_ROW_NUMBER = re.compile(r"^\d{1,3}$")  # a row number centred beside a merged cell, on a line of its own
_NOT_HEADER = re.compile(r"^(?:单位|表\s*\d|附表|附件|注|专栏)")


def _tables(lines: list[Line], left: float) -> dict[int, int]:
    """Start → end (exclusive) of each table among a page's lines: two or more lines of several cells, with
    a row number of a merged cell between them and, above them, header lines that span their columns."""
    spans: dict[int, int] = {}
    i = 0
    while i < len(lines):
        if not _is_table(lines[i]):
            i += 1
            continue
        j = i + 1
        edge = lines[i].cell_x[0][0]  # the table's left edge
        while j < len(lines) and (_is_table(lines[j]) or (
                _ROW_NUMBER.match(lines[j].text) and j + 1 < len(lines) and _is_table(lines[j + 1])) or (
                # a first-column label wrapped onto its own line, with table rows still to come
                abs(lines[j].x0 - edge) < 2 * lines[j].size and len(lines[j].text) <= 30
                and any(_is_table(ln) for ln in lines[j + 1:j + 3]))):
            if _is_table(lines[j]):
                edge = min(edge, lines[j].cell_x[0][0])
            j += 1
        if sum(1 for ln in lines[i:j] if _is_table(ln)) >= 2:
            start = i
            while start > 0 and i - start < 2:
                above = lines[start - 1]
                if _is_table(above) or above.x0 < left + 2 * above.size or _NOT_HEADER.match(above.text) \
                        or len(above.text) > 24 or start - 1 in spans.values():
                    break
                start -= 1
            spans[start] = j
        i = j
    return spans


def reading_text(pages: list[Page]) -> str:
    drop = _furniture(pages)
    out: list[str] = []  # finished lines of the reading text
    open_para = False  # the last line of `out` reached the right margin: the next body line may continue it
    for p, page in enumerate(pages):
        lines = [ln for i, ln in enumerate(page.lines) if (p, i) not in drop]
        if not lines:
            continue
        left, right = _margins(lines)
        tables = _tables(lines, left)
        i = 0
        while i < len(lines):
            if i in tables:
                out += _table_rows(lines[i:tables[i]])
                open_para = False
                i = tables[i]
                continue
            line = lines[i]
            text = "".join(line.cells) if not any(c[-1:].isascii() for c in line.cells) else " ".join(line.cells)
            indented = line.x0 > left + 0.8 * line.size
            if open_para and out and not indented and not _ITEM_START.match(text):
                out[-1] = _glue(out[-1], text)
            else:
                out.append(text)
            open_para = line.x1 >= right - 1.5 * line.size and text[-1:] not in _END_PUNCT
            i += 1
    return "\n".join(out)
